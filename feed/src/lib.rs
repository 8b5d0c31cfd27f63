//! The public transparency feed: renders published listings as RSS 2.0 and JSON Feed 1.1,
//! and each day's listing as an RFC 5005 archive document. Pure: data in, bytes out; the same
//! data always renders the same bytes.
//!
//! - [`site`]: the public base URL and the paths of feeds, listings and permits.
//! - [`notice_text`]: a notice's title and text, shared by both formats.
//! - [`archive`]: the RFC 5005 links of a day's listing.
//! - [`entry_feed`]: feeds of plain entries, in both formats.
//! - [`blacklist_feed`]: the list of seriously untrustworthy entities as feeds.
//! - [`inspections_feed`]: inspection plans, draws and results as feeds.
//! - [`rss_feed`]: RSS 2.0 documents.
//! - [`json_feed`]: JSON Feed 1.1 documents.

pub mod archive;
pub mod blacklist_feed;
pub mod entry_feed;
pub mod inspections_feed;
pub mod json_feed;
pub mod notice_text;
pub mod rss_feed;
pub mod site;

pub use archive::ArchiveLinks;
pub use site::Site;

use projections::PublicNotice;

/// A notice with the log position of the publication that listed it, whose checkpoint
/// (`/transparency/checkpoint/POSITION`) covers both.
#[derive(Debug, Clone)]
pub struct PublishedNotice {
    pub notice: PublicNotice,
    pub publication: i64,
}
