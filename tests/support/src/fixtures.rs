//! Who files and who decides in tests and measurements: enterprises registered in Jinan, the
//! Jinan bureau's officers, a complete application.

use domain::values::CreditCode;
use domain::{Actor, Post};
use serde_json::{json, Value};

/// The enterprise of client `client` (registered in Jinan; its cases go to bureau 370100).
pub fn enterprise(client: usize) -> CreditCode {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body = format!(
        "91370102MA3B{}{}XYQ",
        ALPHABET[client % 31] as char,
        ALPHABET[(client / 31) % 31] as char,
    );
    CreditCode::with_check_character(&body).expect("a valid credit code body")
}

pub fn applicant(client: usize) -> Actor {
    Actor::Applicant {
        subject: format!("bench enterprise {client}"),
        credit_code: enterprise(client),
    }
}

/// An officer of the Jinan bureau at `post`.
pub fn officer(post: Post) -> Actor {
    Actor::Officer {
        subject: format!("bench-{}", post.as_str()),
        bureau: "370100".parse().expect("a bureau"),
        post,
    }
}

/// A complete XK-003 application, as the applicant sends it.
pub fn application(enterprise_name: &str) -> Value {
    application_for("XK-003", enterprise_name)
}

/// A complete application for `item` by `enterprise_name`, every required material attached.
pub fn application_for(item: &str, enterprise_name: &str) -> Value {
    let catalogue = domain::catalogue::Catalogue::bundled();
    let item_code = domain::values::ItemCode::parse(item).expect("an item code");
    let materials: Vec<Value> = catalogue
        .item(&item_code)
        .expect("the item is in the catalogue")
        .materials
        .iter()
        .enumerate()
        .map(|(i, material)| json!({"name": material.name, "digest": format!("{i:0>64}")}))
        .collect();
    json!({
        "item_code": item,
        "enterprise_name": enterprise_name,
        "product": "复合肥料",
        "materials": materials,
        "contact": {"person": "王经理", "phone": "13800000000"}
    })
}
