//! End-to-end tests: the real server on 127.0.0.1:0 over real HTTP, each test on SQLite and
//! on PostgreSQL (which must be running: these tests fail, never skip, without it).
//! Set TEST_LOG=1 to see the server's logs.

mod helpers;

mod audit;
mod blacklist;
mod case_lifecycle;
mod demo;
mod duties;
mod errors;
mod export_checkpoints;
mod feeds;
mod guidance;
mod hostile_input;
mod inspections;
mod limits;
mod log_integrity;
mod master_key;
mod methods;
mod metrics;
mod openapi;
mod periodic_checkpoints;
mod permit_life;
mod personal_data;
mod post_issuance;
mod replay;
mod retries;
mod supervision;
mod tiles;
mod worklists;
