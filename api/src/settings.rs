//! Where the ledger keeps its data, which store it uses, where it listens, which time zone its
//! business days are in. Set by flags or `PERMIT_LEDGER_*` environment variables (see `cli`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://...`; None for the SQLite file in the data directory.
    pub store: Option<String>,
    pub listen: SocketAddr,
    /// Business days and the daily publication are counted in this time zone.
    pub time_zone: Tz,
    /// The base URL the public reaches the server at, for links in feeds; default
    /// `http://LISTEN`.
    pub public_url: Option<String>,
    /// The master key (base64), when not kept in the data directory.
    pub master_key: Option<String>,
    /// Days after an enterprise's last case finished until its personal information is
    /// erased by the server itself; None: never by itself.
    pub retention_days: Option<u32>,
    /// Whether personal fields are sealed: always, but in the benchmark's measurement of
    /// what sealing costs (there is no flag for it).
    pub seal_personal_data: bool,
    /// What the server takes from its clients.
    pub limits: Limits,
    /// Where to serve `/metrics` (Prometheus text format); None: no metrics.
    pub metrics_listen: Option<SocketAddr>,
    /// How often a checkpoint is signed when the log has grown.
    pub checkpoint_interval: std::time::Duration,
}

/// How often a server signs a checkpoint of a log that has grown, by default.
pub const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// What one server takes from its clients before it refuses them or closes their
/// connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Time for a request's head to arrive, and for the next one on a kept-alive
    /// connection.
    pub header_timeout: Duration,
    /// Time for reading a request's body and answering it.
    pub request_timeout: Duration,
    /// Writes one sender may make in a minute, in bursts of up to a quarter of them;
    /// 0: no limit.
    pub writes_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            writes_per_minute: 240,
        }
    }
}

impl Settings {
    /// A ledger on `data_dir` and `store` (None: the SQLite file in the data directory),
    /// listening on any free port of 127.0.0.1, business days in Asia/Shanghai: for tests and
    /// measurements.
    pub fn for_store(data_dir: PathBuf, store: Option<String>) -> Self {
        Self {
            data_dir,
            store,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            time_zone: chrono_tz::Asia::Shanghai,
            public_url: None,
            master_key: None,
            retention_days: None,
            seal_personal_data: true,
            limits: Limits::default(),
            metrics_listen: None,
            checkpoint_interval: CHECKPOINT_INTERVAL,
        }
    }

    pub fn store_url(&self) -> String {
        self.store
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("ledger.db").display()))
    }
}
