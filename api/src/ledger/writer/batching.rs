//! Gathering a batch: every append queued, and those of the commands underway and of
//! latecomers (see the writer's module documentation). Policy only: no store here.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Append, CommandsUnderway};

/// The most commands one transaction takes; a longer queue waits for the next one.
pub(super) const MAX_COMMANDS_PER_COMMIT: usize = 128;
/// The longest a batch waits for commands underway (see the module documentation).
const MAX_WAIT_FOR_UNDERWAY: Duration = Duration::from_millis(1);
/// Turns in a row without a new command after which the writer stops waiting for latecomers.
const IDLE_TURNS_FOR_LATECOMERS: usize = 8;
/// The most turns the writer waits for latecomers in all; each costs microseconds.
const MAX_TURNS_FOR_LATECOMERS: usize = 64;

/// The batch `first` opens: every append queued, and those of the commands underway and of
/// latecomers (see the module documentation).
pub(super) async fn gather(
    first: Append,
    queue: &mut mpsc::Receiver<Append>,
    underway: &CommandsUnderway,
    clients_at_once: bool,
) -> Vec<Append> {
    let mut batch = vec![first];
    let deadline = Instant::now() + MAX_WAIT_FOR_UNDERWAY;
    let (mut turns, mut idle_turns) = (0, 0);
    while batch.len() < MAX_COMMANDS_PER_COMMIT {
        if let Ok(next) = queue.try_recv() {
            batch.push(next);
            idle_turns = 0;
        } else if underway.count.load(Ordering::Acquire) > batch.len() && Instant::now() < deadline
        {
            tokio::select! {
                next = queue.recv() => match next {
                    Some(next) => batch.push(next),
                    None => break,
                },
                () = underway.ended.notified() => {}
                () = tokio::time::sleep_until(deadline) => {}
            }
        } else if clients_at_once
            && idle_turns < IDLE_TURNS_FOR_LATECOMERS
            && turns < MAX_TURNS_FOR_LATECOMERS
        {
            turns += 1;
            idle_turns += 1;
            tokio::task::yield_now().await;
        } else {
            break;
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::ledger::writer::testing::{append, event};
    use crate::ledger::writer::Underway;

    /// Gathers the batch a first append opens while `underway` commands are underway, after
    /// a previous batch of one command; returns its size and how long gathering took.
    async fn gathered(
        queue: &mut mpsc::Receiver<Append>,
        underway: &CommandsUnderway,
    ) -> (usize, Duration) {
        gathered_after(queue, underway, false).await
    }

    /// As [`gathered`], after a previous batch of several commands when `clients_at_once`.
    async fn gathered_after(
        queue: &mut mpsc::Receiver<Append>,
        underway: &CommandsUnderway,
        clients_at_once: bool,
    ) -> (usize, Duration) {
        let first = append(vec![event("Probe", "a", 1, json!(1))]).0;
        let started = Instant::now();
        let batch = gather(first, queue, underway, clients_at_once).await;
        (batch.len(), started.elapsed())
    }

    /// A command being decided: it gives the other tasks a few turns. (Tokio's timers count
    /// whole milliseconds, as long as the longest wait: these tests run in paused time and
    /// let the tasks take turns instead.)
    async fn still_deciding() {
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_command_is_written_at_once() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _lone = Underway::start(&underway);
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (1, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_underway_joins_the_batch_it_would_have_missed() {
        let (sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let second = Underway::start(&underway);
        tokio::spawn(async move {
            still_deciding().await;
            let _ = sender
                .send(append(vec![event("Probe", "b", 1, json!(2))]).0)
                .await;
            drop(second);
        });
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (2, Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_that_ends_without_appending_ends_the_wait() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let refused = Underway::start(&underway);
        tokio::spawn(async move {
            still_deciding().await;
            drop(refused);
        });
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!(
            (size, waited),
            (1, Duration::ZERO),
            "no wait for the deadline"
        );
    }

    /// A request still on its way in (not yet a command underway) joins the batch when the
    /// previous commit carried several commands, and only then.
    async fn a_latecomer_joins_when_clients_write_at_once(clients_at_once: bool) -> usize {
        let (sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        tokio::spawn(async move {
            still_deciding().await;
            let _ = sender
                .send(append(vec![event("Probe", "b", 1, json!(2))]).0)
                .await;
        });
        let (size, waited) = gathered_after(&mut queue, &underway, clients_at_once).await;
        assert_eq!(waited, Duration::ZERO, "turns, never a timer");
        size
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_on_its_way_joins_only_while_clients_write_at_once() {
        assert_eq!(a_latecomer_joins_when_clients_write_at_once(true).await, 2);
        assert_eq!(a_latecomer_joins_when_clients_write_at_once(false).await, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_for_commands_underway_is_bounded() {
        let (_sender, mut queue) = mpsc::channel(8);
        let underway = Arc::new(CommandsUnderway::default());
        let _first = Underway::start(&underway);
        let _stuck = Underway::start(&underway);
        let (size, waited) = gathered(&mut queue, &underway).await;
        assert_eq!((size, waited), (1, MAX_WAIT_FOR_UNDERWAY));
    }
}
