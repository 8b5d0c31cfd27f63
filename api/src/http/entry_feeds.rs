//! The routes of feeds of plain entries (`/feeds/blacklist.*`, `/feeds/inspections.*`): the
//! format asked for by name, and the rendered feed with validators like every public document.

use std::future::Future;

use feed::entry_feed::{self, Entry, FeedHead};
use feed::notice_text::timestamp;
use feed::Site;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::http::problem::Problem;
use crate::http::public_documents::{respond, validators, Format, Rendered, Validators};
use crate::http::request::get_or_head;
use crate::http::{with_state, AppState};

/// The most entries a feed carries (the newest).
const FEED_ENTRIES: usize = 100;

/// GET /feeds/{name}.rss and /feeds/{name}.json: the feed of the entries `entries` reads,
/// newest first, about what `head` says.
pub fn route<F, Fut>(
    state: AppState,
    name: &'static str,
    head: for<'a> fn(&Site, &'a str) -> FeedHead<'a>,
    entries: F,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    F: Fn(AppState) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<Entry>, Problem>> + Send,
{
    feed_format(name)
        .and(get_or_head())
        .and(with_state(state))
        .and(validators())
        .then(
            move |format: Format, state: AppState, validators: Validators| {
                let entries = entries.clone();
                async move {
                    match entries(state.clone()).await {
                        Ok(mut entries) => {
                            entries.truncate(FEED_ENTRIES);
                            respond_feed(&state.site, head, name, format, &entries, &validators)
                        }
                        Err(problem) => problem.into_response(),
                    }
                }
            },
        )
}

/// `/feeds/{name}.rss` or `/feeds/{name}.json`: the format named.
fn feed_format(name: &'static str) -> impl Filter<Extract = (Format,), Error = Rejection> + Clone {
    let named = move |format: Format| {
        warp::path("feeds")
            .and(warp::path::param::<String>())
            .and(warp::path::end())
            .and_then(move |file: String| async move {
                if file == format!("{name}.{}", format.extension()) {
                    Ok(format)
                } else {
                    Err(warp::reject::not_found())
                }
            })
    };
    named(Format::Rss).or(named(Format::Json)).unify()
}

/// The feed of `entries` (newest first) named `name`, in `format`, answered with its
/// validators.
fn respond_feed(
    site: &Site,
    head: for<'a> fn(&Site, &'a str) -> FeedHead<'a>,
    name: &str,
    format: Format,
    entries: &[Entry],
    validators: &Validators,
) -> Response {
    let self_url = site.url(&format!("/feeds/{name}.{}", format.extension()));
    let head = head(site, &self_url);
    let body = match format {
        Format::Rss => entry_feed::rss(site, &head, entries),
        Format::Json => entry_feed::json(site, &head, entries),
    };
    let updated = entries.first().map(|e| timestamp(&e.recorded_at));
    respond(
        &Rendered::new(body, format.content_type(), updated),
        validators,
    )
}
