//! The list of seriously untrustworthy entities as feeds: one item per listing and per
//! removal, newest first, in RSS 2.0 and JSON Feed 1.1.

use projections::blacklist::{BlacklistChange, ChangeKind};
use serde_json::json;

use crate::entry_feed::{Entry, FeedHead};
use crate::site::Site;

const TITLE: &str = "严重失信主体名单 List of seriously untrustworthy entities";
const DESCRIPTION: &str = "因虚假承诺被列入及信用修复移出严重失信主体名单的企业 \
    Enterprises listed for a false commitment, and listings removed by credit repair";

/// What a change announces, Chinese first.
pub fn kind_label(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Listed => "列入名单 Listed",
        ChangeKind::Removed => "移出名单 Removed",
    }
}

fn title(change: &BlacklistChange<'_>) -> String {
    format!(
        "{}: {} ({})",
        kind_label(change.kind),
        change.entry.enterprise_name,
        change.entry.credit_code
    )
}

/// The change as plain text, one fact a line.
pub fn text(change: &BlacklistChange<'_>) -> String {
    let entry = change.entry;
    let mut lines = vec![
        format!("企业名称 Enterprise: {}", entry.enterprise_name),
        format!("统一社会信用代码 Credit code: {}", entry.credit_code),
        format!("撤销的许可证 Permit revoked: {}", entry.permit_number),
        format!(
            "认定机关 Decided by: {} ({})",
            entry.bureau_name, entry.bureau
        ),
        format!("列入理由 Reason: {}", entry.reason),
        format!("依据 Basis: {}", entry.basis),
        format!(
            "列入期限 Listed: {} – {}",
            entry.listed_on, entry.listed_until
        ),
    ];
    if let (ChangeKind::Removed, Some(removal)) = (change.kind, &entry.removal) {
        lines.push(format!("移出日期 Removed on: {}", removal.removed_on));
        lines.push(format!("移出理由 Reason for removal: {}", removal.reason));
    }
    lines.join("\n")
}

/// The list's changes as feed entries, in the order given.
pub fn entries(site: &Site, changes: &[BlacklistChange<'_>]) -> Vec<Entry> {
    changes
        .iter()
        .map(|change| Entry {
            id: format!("urn:permit-ledger:blacklist:{}", change.position),
            position: change.position,
            recorded_at: change.recorded_at.to_owned(),
            title: title(change),
            text: text(change),
            url: site.url("/blacklist.json"),
            tags: vec![
                match change.kind {
                    ChangeKind::Listed => "listed",
                    ChangeKind::Removed => "removed",
                }
                .to_owned(),
                change.entry.bureau.to_string(),
            ],
            extension: json!({
                "change": change.kind,
                "position": change.position,
                "entry": change.entry,
            }),
        })
        .collect()
}

/// What the list's feeds are, at `self_url`.
pub fn head<'a>(site: &Site, self_url: &'a str) -> FeedHead<'a> {
    FeedHead {
        title: format!("{}：{TITLE}", site.publisher),
        description: DESCRIPTION,
        home: "/blacklist.json",
        self_url,
    }
}
