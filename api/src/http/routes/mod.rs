//! One file per resource; each endpoint is one filter function named after what it does.

pub mod blacklist;
pub mod cases;
pub mod catalogue;
pub mod checkpoints;
pub mod efficiency_csv;
pub mod erasures;
pub mod feeds;
pub mod guidance;
pub mod health;
pub mod history;
pub mod inspections;
pub mod supervision;
pub mod tiles;
pub mod transparency;
pub mod worklist_query;
