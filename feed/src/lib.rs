//! The public transparency feed: RSS 2.0 and JSON Feed 1.1 rendering of the daily permit
//! listings, and daily publication. Pure renderers over projection data.
//!
//! Empty until the listings projection lands; the crate exists so that the dependency arrows
//! (domain <- projections <- feed <- api) are fixed from the start.
