//! Timing many operations from concurrent clients.

use std::future::Future;
use std::time::{Duration, Instant};

/// Throughput and latency of `clients` tasks each running `per_client` operations.
pub struct Timing {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Runs `operation(client, i)` `per_client` times in each of `clients` concurrent tasks; an
/// operation returns how many units it did (commands, requests).
pub async fn timed<F, Fut>(
    clients: usize,
    per_client: usize,
    operation: F,
) -> anyhow::Result<Timing>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = anyhow::Result<Vec<Duration>>> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let operation = operation.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for i in 0..per_client {
                    latencies.extend(operation(client, i).await?);
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    Ok(Timing {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile_ms(&latencies, 0.50),
        p99_ms: percentile_ms(&latencies, 0.99),
    })
}

/// The `p` quantile (0 to 1, nearest rank) of `sorted` durations, in milliseconds; 0 for none.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
