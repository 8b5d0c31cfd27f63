//! How a notice reads, the same in RSS and JSON Feed. Titles and text are plain text: the
//! renderers escape them.

use chrono::{DateTime, Utc};
use projections::notices::NoticeKind;
use projections::PublicNotice;

pub fn title(notice: &PublicNotice) -> String {
    let verb = match notice.kind {
        NoticeKind::Issued => "准予许可 Permit issued",
        NoticeKind::Revoked => "撤销许可 Permit revoked",
    };
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
        format!("发证机关 Issued by: {} ({})", notice.bureau_name, notice.bureau),
        format!("发证日期 Issued on: {}", notice.issued_on),
        format!("有效期 Valid: {} – {}", notice.valid_from, notice.valid_until),
    ];
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

/// A log timestamp (RFC 3339) as a DateTime; the log only holds valid ones.
pub fn timestamp(recorded_at: &str) -> DateTime<Utc> {
    recorded_at.parse().unwrap_or_default()
}
