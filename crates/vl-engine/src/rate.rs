//! The client event rate limit: a token bucket over wall time passed in by the caller.

use std::time::{Duration, Instant};

/// What the limiter says about one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Within the rate: process the event.
    Allow,
    /// Over the rate: drop the event; `report` is true at most once per second.
    Drop { report: bool },
    /// Over the rate for longer than the configured grace: close the connection (1008).
    Close,
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    rate_per_s: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
    over_since: Option<Instant>,
    last_report: Option<Instant>,
    close_after: Duration,
}

impl RateLimiter {
    pub(crate) fn new(rate_per_s: u32, burst: u32, close_after: Duration, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate_per_s: f64::from(rate_per_s.max(1)),
            burst,
            tokens: burst,
            last: now,
            over_since: None,
            last_report: None,
            close_after,
        }
    }

    pub(crate) fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now.max(self.last);
        self.tokens = (self.tokens + elapsed * self.rate_per_s).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            // Back under the rate once the bucket has refilled to half.
            if self.tokens >= self.burst / 2.0 {
                self.over_since = None;
            }
            return Verdict::Allow;
        }
        let since = *self.over_since.get_or_insert(now);
        if now.saturating_duration_since(since) >= self.close_after {
            return Verdict::Close;
        }
        let report = self
            .last_report
            .is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_secs(1));
        if report {
            self.last_report = Some(now);
        }
        Verdict::Drop { report }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_drop_then_close() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(10, 5, Duration::from_secs(2), t0);
        for _ in 0..5 {
            assert_eq!(r.check(t0), Verdict::Allow);
        }
        assert_eq!(r.check(t0), Verdict::Drop { report: true });
        assert_eq!(r.check(t0), Verdict::Drop { report: false });
        // 100 ms later one token is back.
        assert_eq!(r.check(t0 + Duration::from_millis(100)), Verdict::Allow);
        let mut t = t0 + Duration::from_millis(100);
        let mut closed = false;
        for _ in 0..1000 {
            t += Duration::from_millis(10);
            for _ in 0..3 {
                if r.check(t) == Verdict::Close {
                    closed = true;
                }
            }
        }
        assert!(closed);
    }
}
