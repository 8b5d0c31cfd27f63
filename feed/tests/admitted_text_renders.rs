//! Whatever text the domain admits renders as well-formed XML: a published day never changes,
//! so a name that broke its RSS would break it for good. Checked with a real, strict XML 1.0
//! parser (roxmltree), over arbitrary Unicode.

use chrono::NaiveDate;
use domain::text::TextKind;
use domain::values::{BureauCode, CreditCode, ItemCode, PermitNumber};
use feed::archive::ArchiveLinks;
use feed::{rss_feed, PublishedNotice, Site};
use projections::listing_queries::PublishedDay;
use projections::notices::NoticeKind;
use projections::PublicNotice;
use proptest::prelude::*;

fn notice(enterprise_name: &str, scope: &str) -> PublicNotice {
    let day: NaiveDate = "2026-11-02".parse().unwrap();
    PublicNotice {
        id: "urn:permit-ledger:notice:7".into(),
        kind: NoticeKind::Issued,
        permit_number: PermitNumber::parse("XK-003-370100-2026-00001").unwrap(),
        enterprise_name: enterprise_name.into(),
        credit_code: CreditCode::with_check_character("91370102MA3C4F5G6").unwrap(),
        item_code: ItemCode::parse("XK-003").unwrap(),
        item_name: "化肥产品生产许可证核发".into(),
        scope: scope.into(),
        bureau: BureauCode::parse("370100").unwrap(),
        bureau_name: "济南市市场监督管理局".into(),
        issued_on: day,
        valid_from: day,
        valid_until: "2031-11-01".parse().unwrap(),
        revoked_on: None,
        revocation_reason: None,
        blacklisted: false,
        amendment: None,
        renewed_by_law: false,
        cancelled_on: None,
        cancellation_ground: None,
        expired_on: None,
        recorded_at: "2026-11-02T01:00:00.000000Z".into(),
        day,
        position: 7,
    }
}

/// The day's RSS listing and the permits feed with one notice.
fn rendered(notice: PublicNotice) -> [String; 2] {
    let site = Site::new("https://permits.example.gov.cn", "山东省市场监督管理局");
    let day = PublishedDay {
        day: notice.day,
        position: 8,
        published_at: "2026-11-02T16:00:00.000000Z".into(),
        count: 1,
        digest: "0".repeat(64),
    };
    let links = ArchiveLinks::of(&site, day.day, day.day, "rss");
    let listing = rss_feed::listing(&site, &day, std::slice::from_ref(&notice), &links);
    let feed = rss_feed::permits(
        &site,
        &site.url("/feeds/permits.rss"),
        &[PublishedNotice {
            notice,
            publication: 8,
        }],
        None,
    );
    [listing, feed]
}

fn well_formed(xml: &str) -> Result<(), String> {
    roxmltree::Document::parse(xml)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn the_parser_is_strict_enough_to_catch_what_the_rules_refuse() {
    for name in ["恶意\u{8}企业", "企业\u{fffe}", "企业\u{0}"] {
        assert!(TextKind::Name.admit(name).is_err());
        for xml in rendered(notice(name, "复合肥料")) {
            assert!(
                well_formed(&xml).is_err(),
                "{name:?} rendered as well-formed XML"
            );
        }
    }
}

/// Any printable character, or one of those XML forbids or a reader might trip on: C0 and C1
/// controls, markup, noncharacters, a bidi override, a byte order mark.
const TEXT: &str =
    "(\\PC|[\\x00-\\x1f\\u{7f}-\\u{9f}<>&'\"\\]\\[\\u{fffe}\\u{ffff}\\u{fdd0}\\u{202e}\\u{feff}])*";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_admitted_name_and_scope_render_as_well_formed_xml(name in TEXT, scope in TEXT) {
        let (Ok(name), Ok(scope)) = (TextKind::Name.admit(&name), TextKind::Scope.admit(&scope)) else {
            return Ok(());
        };
        for xml in rendered(notice(&name, &scope)) {
            prop_assert!(well_formed(&xml).is_ok(), "{:?} / {:?}: {:?}", name, scope, well_formed(&xml));
        }
    }

    #[test]
    fn markup_in_admitted_text_stays_text(
        name in "[<>&'\"a-z企业 ]{1,40}",
    ) {
        let admitted = TextKind::Name.admit(&name).unwrap_or_else(|_| "x".into());
        for xml in rendered(notice(&admitted, "<script>alert(1)</script>")) {
            let document = roxmltree::Document::parse(&xml).unwrap();
            prop_assert!(document.descendants().all(|n| n.tag_name().name() != "script"));
        }
    }
}
