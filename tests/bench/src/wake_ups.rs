//! How late the runtime wakes a sleeping task while a measurement runs: a task asks to sleep
//! 1 ms, over and over. A late wake-up is a moment when every runtime thread was held by
//! something else at once (a long poll, a page fault, a core taken away), and every request
//! in flight waited with it. This is how the commands' p99 tail was traced to the allocator's
//! huge pages (ADR 04, item 21).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::load::percentile_ms;

/// What each wake-up is asked for; tokio's timer rounds it up to its next millisecond tick, so
/// an idle runtime wakes the task after 1-2 ms.
const ASKED: Duration = Duration::from_millis(1);

/// A running watch; [`WakeUpWatch::finish`] stops it and sums it up.
pub struct WakeUpWatch {
    stop: Arc<AtomicBool>,
    task: JoinHandle<Vec<Duration>>,
}

/// How long the 1 ms sleeps took, in milliseconds.
pub struct WakeUps {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub worst_ms: f64,
}

impl WakeUpWatch {
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let stop = stop.clone();
            async move {
                let mut slept = Vec::new();
                // At least one sleep, however short the measurement.
                loop {
                    let started = Instant::now();
                    tokio::time::sleep(ASKED).await;
                    slept.push(started.elapsed());
                    if stop.load(Ordering::Relaxed) {
                        return slept;
                    }
                }
            }
        });
        Self { stop, task }
    }

    pub async fn finish(self) -> anyhow::Result<WakeUps> {
        self.stop.store(true, Ordering::Relaxed);
        let mut slept = self.task.await?;
        slept.sort();
        Ok(WakeUps {
            p50_ms: percentile_ms(&slept, 0.50),
            p99_ms: percentile_ms(&slept, 0.99),
            worst_ms: percentile_ms(&slept, 1.0),
        })
    }
}
