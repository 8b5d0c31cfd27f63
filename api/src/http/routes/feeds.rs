//! The public face: feeds, daily archived listings and permit look-up. No token needed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::values::{BureauCode, ItemCode};
use feed::{json_feed, rss_feed, ArchiveLinks, PublishedNotice};
use projections::listing_queries::PublishedDay;
use projections::PublicNotice;
use sha2::{Digest, Sha256};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::{with_state, AppState};
use crate::ledger::Ledger;

/// Published days the subscription feeds cover.
const FEED_DAYS: i64 = 7;
/// Published days the daily feed lists.
const DAILY_DAYS: i64 = 60;

const RSS: &str = "application/rss+xml; charset=utf-8";
const JSON_FEED: &str = "application/feed+json; charset=utf-8";

/// What makes a conditional GET answer 304.
#[derive(Debug, Clone, Default)]
struct Validators {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

fn validators() -> impl Filter<Extract = (Validators,), Error = Rejection> + Clone {
    warp::header::optional::<String>("if-none-match")
        .and(warp::header::optional::<String>("if-modified-since"))
        .map(|if_none_match, if_modified_since| Validators {
            if_none_match,
            if_modified_since,
        })
}

/// GET /feeds/{permits|daily}.{rss|json}?bureau=&item=
pub fn feeds(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("feeds" / String)
        .and(warp::get())
        .and(with_state(state))
        .and(warp::query::<HashMap<String, String>>())
        .and(warp::filters::path::full())
        .and(
            warp::filters::query::raw()
                .or(warp::any().map(String::new))
                .unify(),
        )
        .and(validators())
        .then(
            |file: String,
             state: AppState,
             query,
             path: warp::filters::path::FullPath,
             raw_query: String,
             validators| async move {
                let self_path = if raw_query.is_empty() {
                    path.as_str().to_owned()
                } else {
                    format!("{}?{raw_query}", path.as_str())
                };
                handle_feed(&file, &state, &query, &self_path, &validators)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

/// GET /listings/{YYYY-MM-DD}.{json|rss}
pub fn listings(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("listings" / String)
        .and(warp::get())
        .and(with_state(state))
        .and(validators())
        .then(|file: String, state: AppState, validators| async move {
            handle_listing(&file, &state, &validators)
                .await
                .unwrap_or_else(Reply::into_response)
        })
}

/// GET /permits/{number}
pub fn permit(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("permits" / String)
        .and(warp::get())
        .and(with_state(state))
        .then(|number: String, state: AppState| async move {
            let notices = match state.ledger.notices_for_permit(&number).await {
                Ok(notices) => notices,
                Err(error) => return Problem::internal(&error).into_response(),
            };
            if notices.is_empty() {
                return Problem::not_found(
                    "permit-not-published",
                    format!("no published permit {number}"),
                )
                .into_response();
            }
            warp::reply::json(&serde_json::json!({ "permit_number": number, "notices": notices }))
                .into_response()
        })
}

async fn handle_feed(
    file: &str,
    state: &AppState,
    query: &HashMap<String, String>,
    self_path: &str,
    validators: &Validators,
) -> Result<Response, Problem> {
    let (bureau, item) = filters(state, query)?;
    let generation = state.render_cache.generation(&state.ledger).await?;
    if let Some(rendered) = state.render_cache.get(self_path, generation) {
        return Ok(respond(&rendered, validators));
    }
    let site = &state.site;
    let self_url = site.url(self_path);
    let keep = |n: &PublicNotice| {
        bureau.as_ref().is_none_or(|b| b.contains(&n.bureau))
            && item.as_ref().is_none_or(|i| i == &n.item_code)
    };
    let (body, content_type, updated) =
        match file {
            "permits.rss" | "permits.json" => {
                let days = state.ledger.published_days(FEED_DAYS).await?;
                let mut notices = Vec::new();
                for day in &days {
                    let published = state.ledger.notices_published_on(day.day).await?;
                    notices.extend(published.into_iter().filter(keep).map(|notice| {
                        PublishedNotice {
                            notice,
                            publication: day.position,
                        }
                    }));
                }
                notices.sort_by_key(|n| std::cmp::Reverse(n.notice.position));
                let updated = days.first().map(published_at);
                let body = if file.ends_with(".rss") {
                    rss_feed::permits(site, &self_url, &notices, updated)
                } else {
                    json_feed::permits(site, &self_url, &notices)
                };
                (body, content_type_of(file), updated)
            }
            "daily.rss" | "daily.json" => {
                let mut days = state.ledger.published_days(DAILY_DAYS).await?;
                if bureau.is_some() || item.is_some() {
                    // A filtered daily feed counts only the matching notices of each day.
                    for day in &mut days {
                        let notices = state.ledger.notices_published_on(day.day).await?;
                        day.count = notices.iter().filter(|n| keep(n)).count() as i64;
                    }
                }
                let updated = days.first().map(published_at);
                let body = if file.ends_with(".rss") {
                    rss_feed::daily(site, &self_url, &days)
                } else {
                    json_feed::daily(site, &self_url, &days)
                };
                (body, content_type_of(file), updated)
            }
            _ => {
                return Err(Problem::not_found(
                    "no-such-feed",
                    "feeds are permits.rss, permits.json, daily.rss, daily.json",
                ))
            }
        };
    let rendered = Rendered::new(body, content_type, updated);
    state
        .render_cache
        .put(self_path.to_owned(), generation, rendered.clone());
    Ok(respond(&rendered, validators))
}

async fn handle_listing(
    file: &str,
    state: &AppState,
    validators: &Validators,
) -> Result<Response, Problem> {
    let not_found = || {
        Problem::not_found(
            "no-such-listing",
            "listings are /listings/YYYY-MM-DD.json or .rss",
        )
    };
    let (day, extension) = file.split_once('.').ok_or_else(not_found)?;
    let day: NaiveDate = day.parse().map_err(|_| not_found())?;
    if extension != "json" && extension != "rss" {
        return Err(not_found());
    }
    let generation = state.render_cache.generation(&state.ledger).await?;
    if let Some(rendered) = state.render_cache.get(file, generation) {
        return Ok(respond(&rendered, validators));
    }
    let Some(published) = state.ledger.published_day(day).await? else {
        let tz = state.ledger.time_zone();
        return Err(Problem::not_found(
            "not-yet-published",
            format!(
                "{day} is not published: a day is published once it has ended, so {day} will be \
                 published shortly after {} 00:00 ({tz})",
                day + Days::new(1)
            ),
        ));
    };
    let notices = state.ledger.notices_published_on(day).await?;
    let first_day = state.ledger.first_published_day().await?.unwrap_or(day);
    let links = ArchiveLinks::of(&state.site, day, first_day, extension);
    let body = if extension == "rss" {
        rss_feed::listing(&state.site, &published, &notices, &links)
    } else {
        json_feed::listing(&state.site, &published, &notices, &links)
    };
    let rendered = Rendered::new(body, content_type_of(file), Some(published_at(&published)));
    state
        .render_cache
        .put(file.to_owned(), generation, rendered.clone());
    Ok(respond(&rendered, validators))
}

/// The `bureau` and `item` filters; a value that names nothing in the catalogue is a 400.
fn filters(
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<(Option<BureauCode>, Option<ItemCode>), Problem> {
    if let Some(unknown) = query.keys().find(|k| *k != "bureau" && *k != "item") {
        return Err(Problem::bad_request(
            "unknown-parameter",
            format!("unknown query parameter {unknown:?}; feeds take bureau and item"),
        ));
    }
    let catalogue = &state.ledger.services().catalogue;
    let bureau = query
        .get("bureau")
        .map(|b| {
            BureauCode::parse(b)
                .ok()
                .filter(|b| {
                    catalogue.jurisdiction().province.code == *b
                        || catalogue.city_bureau(b).is_some()
                })
                .ok_or_else(|| {
                    Problem::bad_request(
                        "unknown-bureau",
                        format!("no bureau {b:?} publishes here"),
                    )
                })
        })
        .transpose()?;
    let item = query
        .get("item")
        .map(|i| {
            ItemCode::parse(i)
                .ok()
                .filter(|i| catalogue.item(i).is_some())
                .ok_or_else(|| {
                    Problem::bad_request("unknown-item", format!("no item {i:?} in the catalogue"))
                })
        })
        .transpose()?;
    Ok((bureau, item))
}

fn content_type_of(file: &str) -> &'static str {
    if file.ends_with(".rss") {
        RSS
    } else {
        JSON_FEED
    }
}

fn published_at(day: &PublishedDay) -> DateTime<Utc> {
    day.published_at.parse().unwrap_or_default()
}

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A rendered public document with its validators.
#[derive(Debug, Clone)]
pub struct Rendered {
    body: Bytes,
    content_type: &'static str,
    updated: Option<DateTime<Utc>>,
    etag: String,
}

impl Rendered {
    fn new(body: String, content_type: &'static str, updated: Option<DateTime<Utc>>) -> Self {
        let etag = format!(
            "\"{}\"",
            &hex::encode(Sha256::digest(body.as_bytes()))[..32]
        );
        Self {
            body: body.into(),
            content_type,
            updated,
            etag,
        }
    }
}

/// Rendered feeds and listings, each valid until the next day is published (the generation
/// is the position of the latest publication): a warm request renders nothing, and asks the
/// database nothing either while the generation it read last is fresh (see
/// [`GENERATION_TRUSTED_FOR`]).
#[derive(Debug, Default)]
pub struct RenderCache {
    entries: Mutex<HashMap<String, (i64, Rendered)>>,
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
    async fn generation(&self, ledger: &Ledger) -> Result<i64, Problem> {
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

    fn get(&self, key: &str, generation: i64) -> Option<Rendered> {
        let entries = self.entries.lock().expect("render cache lock");
        entries
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, rendered)| rendered.clone())
    }

    fn put(&self, key: String, generation: i64, rendered: Rendered) {
        let mut entries = self.entries.lock().expect("render cache lock");
        if entries.len() >= 1_000 {
            entries.clear();
        }
        entries.insert(key, (generation, rendered));
    }
}

/// The document with `ETag` (its digest) and `Last-Modified`, or 304 with no body when the
/// client's validators match (`If-None-Match` first, as RFC 9110 says).
fn respond(rendered: &Rendered, validators: &Validators) -> Response {
    let etag = &rendered.etag;
    let not_modified = match (
        &validators.if_none_match,
        &validators.if_modified_since,
        rendered.updated,
    ) {
        (Some(tags), _, _) => tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*"),
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
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}
