//! Writes per sender: each token subject may make so many writes a minute, in bursts of up to
//! a quarter of them (a generic cell rate, `governor`); one more is a 429 saying when to
//! come back. Reads are not limited here: they are cached and cheap, and a proxy in front
//! limits by address.

use std::num::NonZeroU32;

use domain::Actor;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use warp::http::StatusCode;

use crate::http::problem::Problem;

/// The writes each sender has left; none when writes are not limited.
pub struct WriteLimiter {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    per_minute: u32,
}

impl WriteLimiter {
    /// `per_minute` writes a minute for each sender (0: no limit).
    pub fn new(per_minute: u32) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|rate| {
            let burst = NonZeroU32::new(per_minute.div_ceil(4)).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        Self {
            limiter,
            per_minute,
        }
    }

    /// Takes one write of `actor`'s, or says when it may write again.
    pub fn admit(&self, actor: &Actor) -> Result<(), Problem> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&actor.sender()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "write-rate-limited",
                format!(
                    "a sender makes at most {} writes a minute; write again in {} s",
                    self.per_minute,
                    seconds.max(1)
                ),
            )
            .retry_after(seconds.max(1))
        })
    }

    /// Forgets the senders whose allowance is full again, so that the table holds only
    /// recent ones.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::Post;
    use test_support::fixtures::officer;

    use super::*;

    #[test]
    fn a_sender_past_its_burst_waits_and_others_do_not() {
        let limiter = WriteLimiter::new(8);
        let reviewer = officer(Post::Reviewer);
        for _ in 0..2 {
            assert!(limiter.admit(&reviewer).is_ok());
        }
        let refused = limiter.admit(&reviewer).unwrap_err();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.rule, "write-rate-limited");
        assert!(
            (1..=8).contains(&refused.retry_after.unwrap()),
            "{refused:?}"
        );
        assert!(limiter.admit(&officer(Post::Approver)).is_ok());
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = WriteLimiter::new(0);
        for _ in 0..1_000 {
            assert!(limiter.admit(&officer(Post::Reviewer)).is_ok());
        }
    }
}
