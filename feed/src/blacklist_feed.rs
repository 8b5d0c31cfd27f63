//! The list of seriously untrustworthy entities as feeds: one item per listing and per
//! removal, newest first, in RSS 2.0 and JSON Feed 1.1.

use chrono::{DateTime, Utc};
use projections::blacklist::{BlacklistChange, ChangeKind};
use rss::{Guid, Item};
use serde_json::json;

use crate::notice_text::timestamp;
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

fn id(change: &BlacklistChange<'_>) -> String {
    format!("urn:permit-ledger:blacklist:{}", change.position)
}

/// RSS 2.0, one item per change, newest first.
pub fn rss(
    site: &Site,
    self_url: &str,
    changes: &[BlacklistChange<'_>],
    updated: Option<DateTime<Utc>>,
) -> String {
    let mut channel = crate::rss_feed::channel(
        site,
        format!("{}：{TITLE}", site.publisher),
        DESCRIPTION.to_owned(),
        self_url,
        updated,
    );
    channel.link = site.url("/blacklist.json");
    channel.items = changes
        .iter()
        .map(|change| Item {
            title: Some(title(change)),
            link: Some(site.url("/blacklist.json")),
            description: Some(html_escape::encode_text(&text(change)).replace('\n', "<br/>")),
            guid: Some(Guid {
                value: id(change),
                permalink: false,
            }),
            pub_date: Some(timestamp(change.recorded_at).to_rfc2822()),
            categories: vec![rss::Category {
                name: change.entry.bureau.to_string(),
                domain: None,
            }],
            ..Default::default()
        })
        .collect();
    channel.to_string()
}

/// JSON Feed 1.1, one item per change, newest first; the entry rides in `_permit_ledger`.
pub fn json(site: &Site, feed_url: &str, changes: &[BlacklistChange<'_>]) -> String {
    let items: Vec<_> = changes
        .iter()
        .map(|change| {
            json!({
                "id": id(change),
                "url": site.url("/blacklist.json"),
                "title": title(change),
                "content_text": text(change),
                "date_published": timestamp(change.recorded_at)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "tags": [change.kind, change.entry.bureau.to_string()],
                "_permit_ledger": {
                    "change": change.kind,
                    "position": change.position,
                    "entry": change.entry,
                },
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("{}：{TITLE}", site.publisher),
        "home_page_url": site.url("/blacklist.json"),
        "feed_url": feed_url,
        "description": DESCRIPTION,
        "language": "zh-CN",
        "items": items,
    });
    serde_json::to_string_pretty(&feed).expect("a feed always serialises")
}
