//! How a notice reads, the same in RSS and JSON Feed. Titles and text are plain text: the
//! renderers escape them.

use chrono::{DateTime, Utc};
use domain::permit_case::{AmendableField, CancellationGround};
use projections::notices::NoticeKind;
use projections::PublicNotice;

/// What a notice of each kind announces, Chinese first.
pub fn kind_label(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Issued => "准予许可 Permit issued",
        NoticeKind::Amended => "变更许可 Permit amended",
        NoticeKind::Renewed => "延续许可 Permit renewed",
        NoticeKind::Cancelled => "注销许可 Permit cancelled",
        NoticeKind::Expired => "许可期满 Permit expired",
        NoticeKind::Revoked => "撤销许可 Permit revoked",
    }
}

fn field_label(field: AmendableField) -> &'static str {
    match field {
        AmendableField::EnterpriseName => "企业名称 enterprise name",
        AmendableField::Address => "住所 address",
    }
}

pub fn title(notice: &PublicNotice) -> String {
    let verb = kind_label(notice.kind);
    format!(
        "{verb}: {} — {} ({})",
        notice.enterprise_name, notice.item_name, notice.permit_number
    )
}

pub fn text(notice: &PublicNotice) -> String {
    let mut lines = vec![
        format!("许可证编号 Permit number: {}", notice.permit_number),
        format!("企业名称 Enterprise: {}", notice.enterprise_name),
        format!("统一社会信用代码 Credit code: {}", notice.credit_code),
        format!("许可事项 Item: {} {}", notice.item_code, notice.item_name),
        format!("许可范围 Scope: {}", notice.scope),
        format!(
            "发证机关 Issued by: {} ({})",
            notice.bureau_name, notice.bureau
        ),
        format!("发证日期 Issued on: {}", notice.issued_on),
        format!(
            "有效期 Valid: {} – {}",
            notice.valid_from, notice.valid_until
        ),
    ];
    if let Some(amendment) = &notice.amendment {
        lines.push(format!(
            "变更事项 Changed: {}: {} → {}",
            field_label(amendment.field),
            amendment.old_value.as_deref().unwrap_or("—"),
            amendment.new_value
        ));
    }
    if notice.renewed_by_law {
        lines.push(
            "依法视为准予延续 Renewed by law: not decided before the validity ended".to_owned(),
        );
    }
    if let Some(cancelled_on) = notice.cancelled_on {
        lines.push(format!("注销日期 Cancelled on: {cancelled_on}"));
    }
    if let Some(ground) = notice.cancellation_ground {
        lines.push(format!(
            "注销原因 Ground: {}",
            match ground {
                CancellationGround::EnterpriseRequest => "企业申请注销 at the enterprise's request",
                CancellationGround::EnterpriseDeregistered => {
                    "企业已注销登记 the enterprise was deregistered"
                }
            }
        ));
    }
    if let Some(expired_on) = notice.expired_on {
        lines.push(format!("期满日期 Expired on: {expired_on}"));
    }
    if let Some(revoked_on) = notice.revoked_on {
        lines.push(format!("撤销日期 Revoked on: {revoked_on}"));
    }
    if let Some(reason) = &notice.revocation_reason {
        lines.push(format!("撤销理由 Ground: {reason}"));
    }
    if notice.blacklisted {
        lines.push("失信惩戒 Blacklisted for a false commitment".to_owned());
    }
    lines.push(format!("状态 Status: {}", notice.kind.as_str()));
    lines.join("\n")
}

/// The text as HTML, for RSS descriptions (which readers render as HTML): markup in a name
/// stays text.
pub fn html(notice: &PublicNotice) -> String {
    html_escape::encode_text(&text(notice)).replace('\n', "<br/>")
}

/// A log timestamp (RFC 3339) as a DateTime; the log only holds valid ones.
pub fn timestamp(recorded_at: &str) -> DateTime<Utc> {
    recorded_at.parse().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_name_stays_text_in_html() {
        let notice: PublicNotice = serde_json::from_value(serde_json::json!({
            "id": "urn:permit-ledger:notice:1", "kind": "issued",
            "permit_number": "XK-003-370100-2026-00001",
            "enterprise_name": "<script>alert(1)</script>",
            "credit_code": "91350100M000100Y43", "item_code": "XK-003", "item_name": "化肥",
            "scope": "复合肥料", "bureau": "370100", "bureau_name": "济南", "issued_on": "2026-11-02",
            "valid_from": "2026-11-02", "valid_until": "2031-11-01", "revoked_on": null,
            "revocation_reason": null, "blacklisted": false,
            "recorded_at": "2026-11-02T01:00:00.000000Z", "day": "2026-11-02", "position": 1
        }))
        .unwrap();
        let html = html(&notice);
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("<br/>"));
    }
}
