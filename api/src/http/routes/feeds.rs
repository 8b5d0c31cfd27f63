//! The public face: feeds, daily archived listings and permit look-up. No token needed.

use std::collections::HashMap;

use chrono::{DateTime, Days, Utc};
use domain::values::{BureauCode, ItemCode};
use feed::{json_feed, rss_feed, ArchiveLinks, PublishedNotice};
use projections::listing_queries::PublishedDay;
use projections::notices::NoticeKind;
use projections::permit_record::PermitRecord;
use projections::PublicNotice;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::public_documents::{
    respond, validators, Document, Feed, FeedKind, Format, Listing, NoticeFilter, Rendered,
    Validators,
};
use crate::http::request::{get_or_head, only_parameters};
use crate::http::{with_state, AppState};

/// Published days the subscription feeds cover.
const FEED_DAYS: i64 = 7;
/// Published days the daily feed lists.
const DAILY_DAYS: i64 = 60;

/// GET /feeds/{permits|daily}.{rss|json}?bureau=&item=&kind=
pub fn feeds(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("feeds" / String)
        .and(get_or_head())
        .and(with_state(state))
        .and(warp::query::<HashMap<String, String>>())
        .and(validators())
        .then(
            |file: String, state: AppState, query, validators| async move {
                handle_feed(&file, &state, &query, &validators)
                    .await
                    .unwrap_or_else(Reply::into_response)
            },
        )
}

/// GET /listings/{YYYY-MM-DD}.{json|rss}
pub fn listings(state: AppState) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("listings" / String)
        .and(get_or_head())
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
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(|number: String, state: AppState, validators| async move {
            handle_permit(&number, &state, &validators)
                .await
                .unwrap_or_else(Reply::into_response)
        })
}

/// Every published notice about one permit, with validators like every public document.
async fn handle_permit(
    number: &str,
    state: &AppState,
    validators: &Validators,
) -> Result<Response, Problem> {
    let notices = state.ledger.notices_for_permit(number).await?;
    let record = PermitRecord::of(notices).ok_or_else(|| {
        Problem::not_found(
            "permit-not-published",
            format!("no published permit {number}"),
        )
    })?;
    let updated = record
        .notices
        .iter()
        .filter_map(|n| n.recorded_at.parse::<DateTime<Utc>>().ok())
        .max();
    let body = serde_json::to_string(&record).expect("a permit record always serialises");
    let rendered = Rendered::new(body, "application/json", updated);
    Ok(respond(&rendered, validators))
}

async fn handle_feed(
    file: &str,
    state: &AppState,
    query: &HashMap<String, String>,
    validators: &Validators,
) -> Result<Response, Problem> {
    let feed = Feed::parse(file, filter(state, query)?).ok_or_else(|| {
        Problem::not_found(
            "no-such-feed",
            "feeds are permits.rss, permits.json, daily.rss, daily.json, blacklist.rss, blacklist.json, inspections.rss, inspections.json",
        )
    })?;
    let document = Document::Feed(feed.clone());
    let generation = state.render_cache.generation(&state.ledger).await?;
    if let Some(rendered) = state.render_cache.get(&document, generation) {
        return Ok(respond(&rendered, validators));
    }
    let site = &state.site;
    let self_url = site.url(&feed.path());
    let Feed {
        kind,
        format,
        filter,
    } = feed;
    let keep = |n: &PublicNotice| filter.keeps(n);
    let (body, updated) =
        match kind {
            FeedKind::Permits => {
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
                let body = match format {
                    Format::Rss => rss_feed::permits(site, &self_url, &notices, updated),
                    Format::Json => json_feed::permits(site, &self_url, &notices),
                };
                (body, updated)
            }
            FeedKind::Daily => {
                let mut days = state.ledger.published_days(DAILY_DAYS).await?;
                if !filter.is_empty() {
                    // A filtered daily feed counts only the matching notices of each day.
                    for day in &mut days {
                        let notices = state.ledger.notices_published_on(day.day).await?;
                        day.count = notices.iter().filter(|n| keep(n)).count() as i64;
                    }
                }
                let updated = days.first().map(published_at);
                let body = match format {
                    Format::Rss => rss_feed::daily(site, &self_url, &days),
                    Format::Json => json_feed::daily(site, &self_url, &days),
                };
                (body, updated)
            }
        };
    let rendered = Rendered::new(body, format.content_type(), updated);
    state
        .render_cache
        .put(document, generation, rendered.clone());
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
    let listing = Listing::parse(file).ok_or_else(not_found)?;
    let Listing { day, format } = listing;
    let document = Document::Listing(listing);
    let generation = state.render_cache.generation(&state.ledger).await?;
    if let Some(rendered) = state.render_cache.get(&document, generation) {
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
    let links = ArchiveLinks::of(&state.site, day, first_day, format.extension());
    let body = match format {
        Format::Rss => rss_feed::listing(&state.site, &published, &notices, &links),
        Format::Json => json_feed::listing(&state.site, &published, &notices, &links),
    };
    let rendered = Rendered::new(body, format.content_type(), Some(published_at(&published)));
    state
        .render_cache
        .put(document, generation, rendered.clone());
    Ok(respond(&rendered, validators))
}

/// The `bureau`, `item` and `kind` filters; a value that names nothing in the catalogue, or
/// no notice kind, is a 400.
fn filter(state: &AppState, query: &HashMap<String, String>) -> Result<NoticeFilter, Problem> {
    only_parameters(query, &["bureau", "item", "kind"])?;
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
    let kind = query
        .get("kind")
        .map(|k| {
            NoticeKind::parse(k).ok_or_else(|| {
                Problem::bad_request(
                    "unknown-notice-kind",
                    format!(
                        "no notice kind {k:?}: kinds are issued, amended, renewed, cancelled, \
                         expired and revoked"
                    ),
                )
            })
        })
        .transpose()?;
    Ok(NoticeFilter { bureau, item, kind })
}

fn published_at(day: &PublishedDay) -> DateTime<Utc> {
    day.published_at.parse().unwrap_or_default()
}
