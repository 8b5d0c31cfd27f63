//! The public documents (feeds and daily listings) as the server keeps them: each named by a
//! typed, canonical [`Document`] (so `?bureau=370100` and `?bureau=370100+` are one document,
//! and `/listings/+2026-12-01.rss` none), rendered once per publication and kept in a
//! [`RenderCache`] bounded in bytes, and answered with its validators (ETag, Last-Modified,
//! 304).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

pub use crate::http::notice_filter::NoticeFilter;
use crate::http::problem::Problem;
use crate::ledger::Ledger;

/// The most bytes of rendered documents kept; past it the oldest generation goes first.
pub const RENDER_CACHE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// One item per notice.
    Permits,
    /// One item per published day.
    Daily,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Rss,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn of(extension: &str) -> Option<Self> {
        match extension {
            "rss" => Some(Format::Rss),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// One public document, as a request names it once parsed: what the cache is keyed by and
/// what its canonical URL is made of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Document {
    Feed(Feed),
    Listing(Listing),
    /// `/statistics.json`: the supervision figures of the published periods.
    Statistics,
}

/// A subscription feed, with the filters it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Feed {
    pub kind: FeedKind,
    pub format: Format,
    pub filter: NoticeFilter,
}

/// A published day's listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listing {
    pub day: NaiveDate,
    pub format: Format,
}

impl Feed {
    /// The feed a `/feeds/FILE` path names: `permits` or `daily`, `.rss` or `.json`.
    pub fn parse(file: &str, filter: NoticeFilter) -> Option<Self> {
        let (name, extension) = file.split_once('.')?;
        let kind = match name {
            "permits" => FeedKind::Permits,
            "daily" => FeedKind::Daily,
            _ => return None,
        };
        Some(Feed {
            kind,
            format: Format::of(extension)?,
            filter,
        })
    }

    /// The canonical path and query of the feed.
    pub fn path(&self) -> String {
        let name = match self.kind {
            FeedKind::Permits => "permits",
            FeedKind::Daily => "daily",
        };
        let mut path = format!("/feeds/{name}.{}", self.format.extension());
        let filter = &self.filter;
        let filters: Vec<String> = filter
            .bureau
            .iter()
            .map(|b| format!("bureau={b}"))
            .chain(filter.item.iter().map(|i| format!("item={i}")))
            .chain(filter.kind.iter().map(|k| format!("kind={}", k.as_str())))
            .collect();
        if !filters.is_empty() {
            path.push('?');
            path.push_str(&filters.join("&"));
        }
        path
    }
}

impl Listing {
    /// The listing a `/listings/FILE` path names, only in its canonical form
    /// `YYYY-MM-DD.rss|json` (no sign, no extra digits, no unpadded month or day).
    pub fn parse(file: &str) -> Option<Self> {
        let (day_text, extension) = file.split_once('.')?;
        let day = NaiveDate::parse_from_str(day_text, "%Y-%m-%d").ok()?;
        if day.format("%Y-%m-%d").to_string() != day_text {
            return None;
        }
        Some(Listing {
            day,
            format: Format::of(extension)?,
        })
    }

    /// The canonical path of the listing.
    pub fn path(&self) -> String {
        format!("/listings/{}.{}", self.day, self.format.extension())
    }
}

/// What makes a conditional GET answer 304.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

impl Validators {
    /// Whether `If-None-Match` names `etag` (or `*`).
    fn match_etag(&self, etag: &str) -> Option<bool> {
        self.if_none_match.as_deref().map(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
    }
}

pub fn validators() -> impl Filter<Extract = (Validators,), Error = Rejection> + Clone {
    warp::header::optional::<String>("if-none-match")
        .and(warp::header::optional::<String>("if-modified-since"))
        .map(|if_none_match, if_modified_since| Validators {
            if_none_match,
            if_modified_since,
        })
}

/// A rendered public document with its validators.
#[derive(Debug, Clone)]
pub struct Rendered {
    body: Bytes,
    content_type: &'static str,
    updated: Option<DateTime<Utc>>,
    etag: String,
    cache_control: &'static str,
}

impl Rendered {
    pub fn new(body: String, content_type: &'static str, updated: Option<DateTime<Utc>>) -> Self {
        Self::of(body.into(), content_type, updated, "public, max-age=60")
    }

    /// A document that never changes once it exists (a full or partial Merkle tile).
    pub fn immutable(body: Vec<u8>, content_type: &'static str) -> Self {
        Self::of(
            body.into(),
            content_type,
            None,
            "public, max-age=31536000, immutable",
        )
    }

    fn of(
        body: Bytes,
        content_type: &'static str,
        updated: Option<DateTime<Utc>>,
        cache_control: &'static str,
    ) -> Self {
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        Self {
            body,
            content_type,
            updated,
            etag,
            cache_control,
        }
    }
}

/// Rendered feeds and listings, each valid until the next day is published (the generation
/// is the position of the latest publication): a warm request renders nothing, and asks the
/// database nothing either while the generation it read last is fresh (see
/// [`GENERATION_TRUSTED_FOR`]).
#[derive(Debug, Default)]
pub struct RenderCache {
    entries: Mutex<Entries>,
    generation: Mutex<Option<GenerationRead>>,
}

/// How long a read of the latest publication is trusted. A day published by this process
/// shows at once (the ledger's publication epoch changes); one published by another server
/// on the same database shows here within this time.
pub const GENERATION_TRUSTED_FOR: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
struct GenerationRead {
    at: Instant,
    epoch: u64,
    position: i64,
}

impl RenderCache {
    /// The position of the latest publication, read again once it is no longer trusted.
    pub async fn generation(&self, ledger: &Ledger) -> Result<i64, Problem> {
        let epoch = ledger.publication_epoch();
        let known = *self.generation.lock().expect("render cache lock");
        if let Some(read) =
            known.filter(|read| read.epoch == epoch && read.at.elapsed() < GENERATION_TRUSTED_FOR)
        {
            return Ok(read.position);
        }
        let at = Instant::now();
        let position = ledger.latest_publication_position().await?;
        *self.generation.lock().expect("render cache lock") = Some(GenerationRead {
            at,
            epoch,
            position,
        });
        Ok(position)
    }

    pub fn get(&self, document: &Document, generation: i64) -> Option<Rendered> {
        let entries = self.entries.lock().expect("render cache lock");
        entries
            .documents
            .get(document)
            .filter(|(g, _)| *g == generation)
            .map(|(_, rendered)| rendered.clone())
    }

    /// Keeps `rendered` as `document` of `generation`, within [`RENDER_CACHE_BYTES`]:
    /// documents of older generations go first, then, if that is not enough, all of them.
    pub fn put(&self, document: Document, generation: i64, rendered: Rendered) {
        let mut entries = self.entries.lock().expect("render cache lock");
        let size = rendered.body.len();
        if let Some((_, replaced)) = entries.documents.remove(&document) {
            entries.bytes -= replaced.body.len();
        }
        if size > RENDER_CACHE_BYTES {
            return;
        }
        if entries.bytes + size > RENDER_CACHE_BYTES {
            entries.documents.retain(|_, (g, _)| *g == generation);
            entries.bytes = entries.documents.values().map(|(_, r)| r.body.len()).sum();
        }
        if entries.bytes + size > RENDER_CACHE_BYTES {
            entries.documents.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.documents.insert(document, (generation, rendered));
    }

    /// How many bytes of rendered documents are kept.
    pub fn bytes(&self) -> usize {
        self.entries.lock().expect("render cache lock").bytes
    }
}

/// The rendered documents and the bytes their bodies take.
#[derive(Debug, Default)]
struct Entries {
    documents: HashMap<Document, (i64, Rendered)>,
    bytes: usize,
}

/// The document with `ETag` (its digest) and `Last-Modified`, or 304 with no body when the
/// client's validators match (`If-None-Match` first, as RFC 9110 says).
fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

pub fn respond(rendered: &Rendered, validators: &Validators) -> Response {
    let etag = &rendered.etag;
    let not_modified = match (
        validators.match_etag(etag),
        &validators.if_modified_since,
        rendered.updated,
    ) {
        (Some(matched), _, _) => matched,
        (None, Some(since), Some(updated)) => DateTime::parse_from_rfc2822(since)
            .map(|since| updated.timestamp() <= since.timestamp())
            .unwrap_or(false),
        _ => false,
    };
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Response::new(rendered.body.clone().into());
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(rendered.content_type),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(etag).expect("hex is a header value"),
    );
    if let Some(updated) = rendered.updated {
        headers.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_str(&http_date(updated)).expect("an HTTP date is a header value"),
        );
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(rendered.cache_control),
    );
    response
}

#[cfg(test)]
mod tests {
    use domain::values::BureauCode;
    use projections::notices::NoticeKind;

    use super::*;

    fn rendered(bytes: usize) -> Rendered {
        Rendered::new("x".repeat(bytes), Format::Rss.content_type(), None)
    }

    fn day(n: u32) -> Document {
        Document::Listing(Listing {
            day: NaiveDate::from_ymd_opt(2026, 11, n).unwrap(),
            format: Format::Rss,
        })
    }

    #[test]
    fn a_listing_has_one_name() {
        let first_of_december = Listing {
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            format: Format::Rss,
        };
        assert_eq!(Listing::parse("2026-12-01.rss"), Some(first_of_december));
        assert_eq!(
            Listing::parse("2026-12-01.rss").unwrap().path(),
            "/listings/2026-12-01.rss"
        );
        for alias in [
            "+2026-12-01.rss",
            "+0002026-12-01.rss",
            "2026-11-2.json",
            "2026-1-02.json",
            "02026-11-02.rss",
            "2026-11-02.xml",
            "2026-11-02",
        ] {
            assert_eq!(Listing::parse(alias), None, "{alias}");
        }
    }

    #[test]
    fn a_feed_is_named_by_its_filters_not_by_how_they_were_written() {
        let bureau: BureauCode = "370100".parse().unwrap();
        let filter = NoticeFilter {
            bureau: Some(bureau),
            kind: Some(NoticeKind::Renewed),
            ..NoticeFilter::default()
        };
        let feed = Feed::parse("permits.rss", filter).unwrap();
        assert_eq!(feed.path(), "/feeds/permits.rss?bureau=370100&kind=renewed");
        assert_eq!(Feed::parse("permits.xml", NoticeFilter::default()), None);
        assert_eq!(Feed::parse("latest.rss", NoticeFilter::default()), None);
    }

    #[test]
    fn the_cache_is_bounded_in_bytes_older_generations_first() {
        let cache = RenderCache::default();
        let third = RENDER_CACHE_BYTES / 3;
        cache.put(day(1), 1, rendered(third));
        cache.put(day(2), 2, rendered(third));
        cache.put(day(3), 2, rendered(third));
        assert_eq!(cache.bytes(), 3 * third);
        cache.put(day(4), 2, rendered(third));
        assert!(
            cache.get(&day(1), 1).is_none(),
            "the older generation went first"
        );
        assert!(cache.get(&day(4), 2).is_some());
        assert!(cache.bytes() <= RENDER_CACHE_BYTES);
        cache.put(day(2), 2, rendered(10));
        assert_eq!(
            cache.bytes(),
            2 * third + 10,
            "a replaced document gives its bytes back"
        );
        cache.put(day(5), 3, rendered(RENDER_CACHE_BYTES + 1));
        assert!(
            cache.get(&day(5), 3).is_none(),
            "larger than the whole cache: not kept"
        );
    }
}
