//! JSON Feed 1.1 documents: the permits feed, the daily feed and a day's archived listing.
//! Ledger-specific data rides in `_permit_ledger` extension objects, as the spec allows.

use chrono::{DateTime, Utc};
use projections::listing_queries::PublishedDay;
use projections::PublicNotice;
use serde::Serialize;
use serde_json::{json, Value};

use crate::archive::ArchiveLinks;
use crate::notice_text::{self, timestamp};
use crate::site::Site;
use crate::PublishedNotice;

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    language: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<String>,
    items: Vec<FeedItem>,
    #[serde(rename = "_permit_ledger", skip_serializing_if = "Option::is_none")]
    extension: Option<Value>,
}

#[derive(Serialize)]
struct FeedItem {
    id: String,
    url: String,
    title: String,
    content_text: String,
    date_published: String,
    tags: Vec<String>,
    #[serde(rename = "_permit_ledger")]
    extension: Value,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn notice_item(site: &Site, notice: &PublicNotice, publication: i64) -> FeedItem {
    FeedItem {
        id: notice.id.clone(),
        url: site.permit_url(notice.permit_number.as_str()),
        title: notice_text::title(notice),
        content_text: notice_text::text(notice),
        date_published: rfc3339(timestamp(&notice.recorded_at)),
        tags: vec![
            notice.kind.as_str().to_owned(),
            notice.item_code.to_string(),
            notice.bureau.to_string(),
        ],
        extension: json!({ "notice": notice, "checkpoint": site.checkpoint_url(publication) }),
    }
}

fn render(feed: &Feed) -> String {
    serde_json::to_string_pretty(feed).expect("a feed always serialises")
}

fn base(site: &Site, title: String, description: String, feed_url: &str) -> Feed {
    Feed {
        version: VERSION,
        title,
        home_page_url: site.url("/"),
        feed_url: feed_url.to_owned(),
        description,
        language: "zh-CN",
        next_url: None,
        items: Vec::new(),
        extension: None,
    }
}

/// One item per notice, newest first.
pub fn permits(site: &Site, feed_url: &str, notices: &[PublishedNotice]) -> String {
    let mut feed = base(
        site,
        format!("{}：许可信息公示 Permits issued and revoked", site.publisher),
        "每日公示的许可证颁发、变更和撤销信息 Daily public notices of permits issued, amended and revoked".into(),
        feed_url,
    );
    feed.items = notices
        .iter()
        .map(|n| notice_item(site, &n.notice, n.publication))
        .collect();
    render(&feed)
}

/// One item per published day, newest first.
pub fn daily(site: &Site, feed_url: &str, days: &[PublishedDay]) -> String {
    let mut feed = base(
        site,
        format!("{}：每日公示 Daily listings", site.publisher),
        "每个工作日公示的许可信息清单 One item per published day, linking to its full listing"
            .into(),
        feed_url,
    );
    feed.items = days
        .iter()
        .map(|day| FeedItem {
            id: format!("urn:permit-ledger:day:{}", day.day),
            url: site.listing_url(day.day, "json"),
            title: format!(
                "{} 许可公示 {} 条 ({} notices)",
                day.day, day.count, day.count
            ),
            content_text: format!(
                "{} 公示许可信息 {} 条。清单摘要 Listing digest (SHA-256): {}",
                day.day, day.count, day.digest
            ),
            date_published: rfc3339(timestamp(&day.published_at)),
            tags: vec!["daily-listing".to_owned()],
            extension: json!({
                "day": day.day,
                "count": day.count,
                "digest": day.digest,
                "position": day.position,
                "checkpoint": site.checkpoint_url(day.position),
            }),
        })
        .collect();
    render(&feed)
}

/// A day's full listing as an archive document: RFC 5005's links as `_permit_ledger` members
/// (JSON Feed has no archive vocabulary of its own), `next_url` pointing to the older day.
/// `_permit_ledger.notices` is the exact array the day's digest is computed over.
pub fn listing(
    site: &Site,
    day: &PublishedDay,
    notices: &[PublicNotice],
    links: &ArchiveLinks,
) -> String {
    let mut feed = base(
        site,
        format!(
            "{}：{} 许可公示 Listing of {}",
            site.publisher, day.day, day.day
        ),
        format!("{} 公示许可信息 {} 条", day.day, day.count),
        &links.this,
    );
    feed.next_url = links.prev_archive.clone();
    feed.items = notices
        .iter()
        .map(|n| notice_item(site, n, day.position))
        .collect();
    feed.extension = Some(json!({
        "checkpoint": site.checkpoint_url(day.position),
        "archive": true,
        "day": day.day,
        "published_at": day.published_at,
        "position": day.position,
        "count": day.count,
        "digest": day.digest,
        "current": links.current,
        "prev_archive": links.prev_archive,
        "next_archive": links.next_archive,
        "notices": notices,
    }));
    render(&feed)
}
