//! Building and running the server: store, ledger, token keys, listener, background
//! projector, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use domain::CaseServices;
use projections::Db;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::http::rate_limit::WriteLimiter;
use crate::http::server::serve;
use crate::http::tokens::TokenKeys;
use crate::http::{api, AppState};
use crate::ledger::clock::Clock;
use crate::ledger::master_key::load_master_key;
use crate::ledger::Ledger;
use crate::settings::{Limits, Settings};

/// Opens the store named in `settings` and the ledger on it, migrating the schema.
pub async fn open_ledger(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Ledger> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let services = CaseServices::bundled();
    let origin = format!(
        "permit-ledger/{}",
        services.catalogue.jurisdiction().province.code
    );
    let signer = crate::ledger::checkpoints::load_or_create_signer(&settings.data_dir, &origin)
        .context("cannot load the checkpoint signing key")?;
    let db = Db::connect(&settings.store_url()).await?;
    db.migrate().await?;
    let master_key =
        load_master_key(&db, &settings.data_dir, settings.master_key.as_deref()).await?;
    let ledger = Ledger::open(db, services, clock, settings.time_zone, signer, master_key).await?;
    ledger
        .personal_keys()
        .set_sealing(settings.seal_personal_data);
    refuse_another_time_zone(&ledger, settings).await?;
    refuse_another_signer(&ledger, settings).await?;
    Ok(ledger)
}

/// Refuses to go on in another business time zone than the ledger's, fixed when it was
/// created: the day an event falls on decides what each published day lists, and a replay in
/// another zone would rewrite the public notices of days that never change.
async fn refuse_another_time_zone(ledger: &Ledger, settings: &Settings) -> anyhow::Result<()> {
    let asked = settings.time_zone.name();
    let fixed = projections::ledger_settings::time_zone(ledger.db(), asked).await?;
    if fixed != asked {
        anyhow::bail!(
            "this ledger counts its business days in {fixed}, fixed when it was created; it \
             was opened with --time-zone {asked} (PERMIT_LEDGER_TIME_ZONE): open it with \
             --time-zone {fixed}"
        );
    }
    Ok(())
}

/// Refuses to go on with a checkpoint key that is not the one that signed the log's latest
/// checkpoint: several servers on one PostgreSQL database share one log, and a second key
/// would sign a second, unverifiable history of it.
async fn refuse_another_signer(ledger: &Ledger, settings: &Settings) -> anyhow::Result<()> {
    let Some(latest) = ledger.checkpoint(None).await? else {
        return Ok(());
    };
    if ledger.signer().verifier().open(&latest.note).is_err() {
        anyhow::bail!(
            "{} holds another key than the one that signed this log's checkpoints (the \
             latest covers {} events): servers sharing a store share its checkpoint key; copy \
             the first server's checkpoint-key into this data directory",
            settings.data_dir.join("checkpoint-key").display(),
            latest.size
        );
    }
    Ok(())
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    retention_days: Option<u32>,
    checkpoint_interval: Duration,
    limits: Limits,
    /// The metrics listener and what it serves, when metrics are asked for.
    metrics: Option<(TcpListener, metrics_exporter_prometheus::PrometheusHandle)>,
}

impl Application {
    pub async fn build(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let ledger = Arc::new(open_ledger(settings, clock).await?);
        let keys = TokenKeys::load_or_create(&settings.data_dir)
            .context("cannot load the token secret")?
            .for_jurisdiction(ledger.services().catalogue.jurisdiction());
        keys.set_revoked(projections::revoked_tokens::revoked(ledger.db()).await?);
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let metrics = match settings.metrics_listen {
            Some(address) => Some((
                crate::metrics::listen(address).await?,
                crate::metrics::recorder()?,
            )),
            None => None,
        };
        let address = listener
            .local_addr()
            .context("the listener has no address")?;
        let base_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        let publisher = ledger
            .services()
            .catalogue
            .jurisdiction()
            .province
            .name
            .clone();
        Ok(Self {
            listener,
            state: AppState {
                ledger,
                keys,
                site: feed::Site::new(&base_url, &publisher),
                render_cache: Default::default(),
                work: Default::default(),
                write_limiter: Arc::new(WriteLimiter::new(settings.limits.writes_per_minute)),
            },
            retention_days: settings.retention_days,
            checkpoint_interval: settings.checkpoint_interval,
            limits: settings.limits,
            metrics,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where metrics are served, if they are.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    pub fn ledger(&self) -> Arc<Ledger> {
        self.state.ledger.clone()
    }

    pub fn keys(&self) -> TokenKeys {
        self.state.keys.clone()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and stops the
    /// background projector.
    pub async fn run_until(mut self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let (stop, stopped) = watch::channel(false);
        let projector = tokio::spawn(project_in_background(
            self.state.ledger.clone(),
            self.state.keys.clone(),
            self.retention_days,
            self.checkpoint_interval,
            stopped,
        ));
        let limiter = tokio::spawn(forget_idle_senders(
            self.state.write_limiter.clone(),
            stop.subscribe(),
        ));
        let metrics = self.metrics.take().map(|(listener, handle)| {
            let mut stopped = stop.subscribe();
            tokio::spawn(crate::metrics::serve(listener, handle, async move {
                let _ = stopped.changed().await;
            }))
        });
        tracing::info!(address = %self.local_addr(), store = self.state.ledger.db().kind(), "serving");
        serve(
            self.listener,
            api(self.state.clone()),
            self.limits,
            shutdown,
        )
        .await;
        // Writes whose clients went away are finished before the store closes.
        self.state.work.close();
        self.state.work.wait().await;
        let _ = stop.send(true);
        let _ = projector.await;
        let _ = limiter.await;
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        self.state.ledger.db().close().await;
        tracing::info!("stopped");
    }
}

/// Keeps projections current for writes made by other processes on the same database,
/// retries after a failed inline catch-up, and publishes each day once it has ended (days
/// missed while no server ran are published on the first pass, at start-up). Once a second,
/// records the expiry of the permits past their validity. Then keeps the
/// Merkle block roots proofs are made of up with the recorded leaves (on the first pass it
/// reads them all, after the publications, which it must not delay). Forgets the personal-data
/// keys another process destroyed, and once an hour (and at start-up) erases what the
/// retention period calls for and forgets idempotency keys older than a day; every second,
/// reads the revoked tokens.
async fn project_in_background(
    ledger: Arc<Ledger>,
    keys: TokenKeys,
    retention_days: Option<u32>,
    checkpoint_interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut next_erasure = tokio::time::Instant::now();
    let mut next_checkpoint = tokio::time::Instant::now() + checkpoint_interval;
    let mut next_key_check = tokio::time::Instant::now();
    loop {
        let reached = ledger.catch_up().await;
        if let Err(error) = &reached {
            tracing::error!(%error, "background projection failed; retrying");
        }
        let publishing = std::time::Instant::now();
        match ledger.publish_due_days().await {
            Ok(days) if !days.is_empty() => {
                metrics::histogram!("permit_ledger_publication_duration_seconds")
                    .record(publishing.elapsed().as_secs_f64());
                metrics::counter!("permit_ledger_days_published_total")
                    .increment(days.len() as u64);
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "daily publication failed; retrying"),
        }
        if let Ok(reached) = reached {
            if let Err(error) = ledger.merkle_blocks().keep_up(ledger.db(), reached).await {
                tracing::error!(%error, "reading the Merkle blocks failed; retrying");
            }
        }
        if tokio::time::Instant::now() >= next_checkpoint {
            next_checkpoint = tokio::time::Instant::now() + checkpoint_interval;
            match ledger.checkpoint_if_grown().await {
                Ok(Some(size)) => tracing::debug!(size, "periodic checkpoint signed"),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "signing a checkpoint failed; retrying"),
            }
        }
        // Once a second, not at every commit's wake-up.
        if tokio::time::Instant::now() >= next_key_check {
            next_key_check = tokio::time::Instant::now() + Duration::from_secs(1);
            match ledger.expire_due_permits().await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "permits past their validity expired"),
                Err(error) => tracing::error!(%error, "recording expiries failed; retrying"),
            }
            match ledger.draw_due_plans().await {
                Ok(0) => {}
                Ok(drawn) => tracing::info!(drawn, "inspection plans drawn"),
                Err(error) => tracing::error!(%error, "drawing inspection plans failed; retrying"),
            }
            if let Err(error) = ledger.personal_keys().forget_destroyed_keys().await {
                tracing::error!(%error, "reading which personal-data keys are destroyed failed");
            }
            match projections::revoked_tokens::revoked(ledger.db()).await {
                Ok(revoked) => keys.set_revoked(revoked),
                Err(error) => tracing::error!(%error, "reading the revoked tokens failed"),
            }
            if let Ok(projected) = &reached {
                if crate::metrics::enabled() {
                    record_positions(&ledger, *projected).await;
                }
            }
        }
        if tokio::time::Instant::now() >= next_erasure {
            if let Err(error) = ledger.forget_old_keys().await {
                tracing::error!(%error, "forgetting old idempotency keys failed");
            }
            match ledger.erase_what_is_due(retention_days).await {
                Ok(0) => next_erasure += ERASURE_INTERVAL,
                Ok(erased) => {
                    tracing::info!(erased, "personal data past its retention period erased");
                    next_erasure += ERASURE_INTERVAL;
                }
                Err(error) => tracing::error!(%error, "erasing what is due failed; retrying"),
            }
        }
        tokio::select! {
            _ = ledger.projector_wakeup().notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The log's head, the projection's checkpoint `projected` and the lag between them, as
/// metrics.
async fn record_positions(ledger: &Ledger, projected: i64) {
    if let Ok(head) = projections::log::head_position(ledger.db()).await {
        metrics::gauge!("permit_ledger_log_position").set(head as f64);
        metrics::gauge!("permit_ledger_projected_position").set(projected as f64);
        metrics::gauge!("permit_ledger_projector_lag_events").set((head - projected).max(0) as f64);
    }
}

/// Once a minute, forgets the senders whose write allowance is full again.
async fn forget_idle_senders(limiter: Arc<WriteLimiter>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => limiter.forget_idle(),
            _ = stop.changed() => return,
        }
    }
}

/// How often the server looks for personal data past its retention period.
const ERASURE_INTERVAL: Duration = Duration::from_secs(3600);

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
