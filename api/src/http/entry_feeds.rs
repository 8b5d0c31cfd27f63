//! The routes of feeds of plain entries (`/feeds/blacklist.*`, `/feeds/inspections.*`): the
//! format asked for by name, and the rendered feed with validators like every public document.

use feed::entry_feed::{self, Entry, FeedHead};
use feed::notice_text::timestamp;
use feed::Site;
use warp::reply::Response;
use warp::{Filter, Rejection};

use crate::http::public_documents::{respond, Format, Rendered, Validators};

/// `/feeds/{name}.rss` or `/feeds/{name}.json`: the format named.
pub fn feed_format(
    name: &'static str,
) -> impl Filter<Extract = (Format,), Error = Rejection> + Clone {
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
pub fn respond_feed(
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
