//! RSS 2.0 documents: the permits feed, the daily feed and a day's archived listing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use projections::listing_queries::PublishedDay;
use projections::PublicNotice;
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::Extension;
use rss::{Channel, Guid, Item};

use crate::archive::ArchiveLinks;
use crate::notice_text::{self, timestamp};
use crate::site::Site;
use crate::PublishedNotice;

const HISTORY_NAMESPACE: &str = "http://purl.org/syndication/history/1.0";

fn link(rel: &str, href: &str) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some("application/rss+xml".to_owned()),
        ..Default::default()
    }
}

pub(crate) fn channel(
    site: &Site,
    title: String,
    description: String,
    self_url: &str,
    last_build: Option<DateTime<Utc>>,
) -> Channel {
    Channel {
        title,
        link: site.url("/"),
        description,
        language: Some("zh-CN".to_owned()),
        last_build_date: last_build.map(|t| t.to_rfc2822()),
        generator: Some("permit-ledger".to_owned()),
        atom_ext: Some(AtomExtension {
            links: vec![link("self", self_url)],
        }),
        ..Default::default()
    }
}

fn notice_item(site: &Site, notice: &PublicNotice, publication: i64) -> Item {
    Item {
        title: Some(notice_text::title(notice)),
        link: Some(site.permit_url(notice.permit_number.as_str())),
        description: Some(format!(
            "{}<br/>签名检查点 Signed checkpoint: {}",
            notice_text::html(notice),
            site.checkpoint_url(publication)
        )),
        guid: Some(Guid {
            value: notice.id.clone(),
            permalink: false,
        }),
        pub_date: Some(timestamp(&notice.recorded_at).to_rfc2822()),
        categories: vec![
            rss::Category {
                name: notice.item_code.to_string(),
                domain: Some(site.url("/api/v1/items")),
            },
            rss::Category {
                name: notice.bureau.to_string(),
                domain: None,
            },
        ],
        ..Default::default()
    }
}

fn write(channel: &Channel) -> String {
    channel.to_string()
}

/// One item per notice, newest first.
pub fn permits(
    site: &Site,
    self_url: &str,
    notices: &[PublishedNotice],
    updated: Option<DateTime<Utc>>,
) -> String {
    let mut channel = channel(
        site,
        format!("{}：许可信息公示 Permits issued and revoked", site.publisher),
        "每日公示的许可证颁发、变更和撤销信息 Daily public notices of permits issued, amended and revoked".into(),
        self_url,
        updated,
    );
    channel.items = notices
        .iter()
        .map(|n| notice_item(site, &n.notice, n.publication))
        .collect();
    write(&channel)
}

/// One item per published day, newest first.
pub fn daily(site: &Site, self_url: &str, days: &[PublishedDay]) -> String {
    let updated = days.first().map(|d| timestamp(&d.published_at));
    let mut channel = channel(
        site,
        format!("{}：每日公示 Daily listings", site.publisher),
        "每个工作日公示的许可信息清单 One item per published day, linking to its full listing"
            .into(),
        self_url,
        updated,
    );
    channel.items = days
        .iter()
        .map(|day| Item {
            title: Some(format!(
                "{} 许可公示 {} 条 ({} notices)",
                day.day, day.count, day.count
            )),
            link: Some(site.listing_url(day.day, "rss")),
            description: Some(format!(
                "{} 公示许可信息 {} 条。清单摘要 Listing digest (SHA-256): {}<br/>签名检查点 Signed checkpoint: {}",
                day.day,
                day.count,
                day.digest,
                site.checkpoint_url(day.position)
            )),
            guid: Some(Guid {
                value: format!("urn:permit-ledger:day:{}", day.day),
                permalink: false,
            }),
            pub_date: Some(timestamp(&day.published_at).to_rfc2822()),
            ..Default::default()
        })
        .collect();
    write(&channel)
}

/// A day's full listing as an RFC 5005 archive document.
pub fn listing(
    site: &Site,
    day: &PublishedDay,
    notices: &[PublicNotice],
    links: &ArchiveLinks,
) -> String {
    let mut channel = channel(
        site,
        format!(
            "{}：{} 许可公示 Listing of {}",
            site.publisher, day.day, day.day
        ),
        format!(
            "{} 公示许可信息 {} 条；清单摘要 SHA-256 {}",
            day.day, day.count, day.digest
        ),
        &links.this,
        Some(timestamp(&day.published_at)),
    );
    let atom = channel.atom_ext.get_or_insert_with(Default::default);
    atom.links.push(link("current", &links.current));
    if let Some(prev) = &links.prev_archive {
        atom.links.push(link("prev-archive", prev));
    }
    atom.links.push(link("next-archive", &links.next_archive));
    atom.links.push(Link {
        href: site.checkpoint_url(day.position),
        rel: "related".to_owned(),
        mime_type: Some("text/plain".to_owned()),
        title: Some("signed checkpoint covering this listing".to_owned()),
        ..Default::default()
    });
    channel
        .namespaces
        .insert("fh".into(), HISTORY_NAMESPACE.into());
    let archive = Extension {
        name: "fh:archive".into(),
        ..Default::default()
    };
    channel.extensions.insert(
        "fh".into(),
        BTreeMap::from([("archive".to_owned(), vec![archive])]),
    );
    channel.items = notices
        .iter()
        .map(|n| notice_item(site, n, day.position))
        .collect();
    write(&channel)
}
