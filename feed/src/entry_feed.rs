//! Feeds of plain entries (the blacklist's changes, the inspections' changes): a title, a
//! text, a link and a time each, rendered alike as RSS 2.0 and JSON Feed 1.1.

use chrono::{DateTime, Utc};
use rss::{Category, Guid, Item};
use serde_json::{json, Value};

use crate::notice_text::timestamp;
use crate::site::Site;

/// What a feed of entries is about.
pub struct FeedHead<'a> {
    pub title: String,
    pub description: &'a str,
    /// The page the feed is the feed of (a path).
    pub home: &'a str,
    /// The feed's own absolute URL.
    pub self_url: &'a str,
}

/// One entry: its permanent id, log position and time, what it says, where it points.
pub struct Entry {
    pub id: String,
    pub position: i64,
    pub recorded_at: String,
    pub title: String,
    /// Plain text, one fact a line.
    pub text: String,
    pub url: String,
    pub tags: Vec<String>,
    /// Data for machines, under `_permit_ledger` in JSON Feed.
    pub extension: Value,
}

/// RSS 2.0, one item per entry, in the order given.
pub fn rss(site: &Site, head: &FeedHead<'_>, entries: &[Entry]) -> String {
    let updated: Option<DateTime<Utc>> = entries.first().map(|e| timestamp(&e.recorded_at));
    let mut channel = crate::rss_feed::channel(
        site,
        head.title.clone(),
        head.description.to_owned(),
        head.self_url,
        updated,
    );
    channel.link = site.url(head.home);
    channel.items = entries
        .iter()
        .map(|entry| Item {
            title: Some(entry.title.clone()),
            link: Some(entry.url.clone()),
            description: Some(html_escape::encode_text(&entry.text).replace('\n', "<br/>")),
            guid: Some(Guid {
                value: entry.id.clone(),
                permalink: false,
            }),
            pub_date: Some(timestamp(&entry.recorded_at).to_rfc2822()),
            categories: entry
                .tags
                .iter()
                .map(|tag| Category {
                    name: tag.clone(),
                    domain: None,
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    channel.to_string()
}

/// JSON Feed 1.1, one item per entry, in the order given.
pub fn json(site: &Site, head: &FeedHead<'_>, entries: &[Entry]) -> String {
    let items: Vec<Value> = entries
        .iter()
        .map(|entry| {
            json!({
                "id": entry.id,
                "url": entry.url,
                "title": entry.title,
                "content_text": entry.text,
                "date_published": timestamp(&entry.recorded_at)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "tags": entry.tags,
                "_permit_ledger": entry.extension,
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": head.title,
        "home_page_url": site.url(head.home),
        "feed_url": head.self_url,
        "description": head.description,
        "language": "zh-CN",
        "items": items,
    });
    serde_json::to_string_pretty(&feed).expect("a feed always serialises")
}
