//! Admission control before the upgrade (reliability.md §2.1): per-key connection rate and
//! concurrent sessions, and the failed-authentication throttle per client IP.
//!
//! Rates are token buckets refilled continuously: a bucket of `n` per minute holds at most `n`
//! tokens and gains one every `60/n` s, so a burst of `n` is allowed and the sustained rate is
//! `n`/min. A refusal carries the whole seconds until a token is back (for `Retry-After`).
//! The maps are bounded: past [`MAX_TRACKED`] entries, buckets that are full again (idle
//! clients) are dropped.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most keys or IPs tracked per map before idle entries are pruned.
pub const MAX_TRACKED: usize = 10_000;

/// A token bucket of `per_minute` tokens a minute.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(per_minute: u32, now: Instant) -> Self {
        Self {
            tokens: f64::from(per_minute),
            at: now,
        }
    }

    fn refill(&mut self, per_minute: u32, now: Instant) {
        let cap = f64::from(per_minute);
        let gained = now.saturating_duration_since(self.at).as_secs_f64() * cap / 60.0;
        self.tokens = (self.tokens + gained).min(cap);
        self.at = now;
    }

    fn is_full(&self, per_minute: u32, now: Instant) -> bool {
        let mut b = *self;
        b.refill(per_minute, now);
        b.tokens >= f64::from(per_minute)
    }

    /// Time until one token is available (zero if one is).
    fn wait(&self, per_minute: u32) -> Duration {
        if self.tokens >= 1.0 || per_minute == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((1.0 - self.tokens) * 60.0 / f64::from(per_minute))
    }
}

/// Buckets by key, bounded.
#[derive(Debug)]
struct Buckets<K> {
    map: HashMap<K, Bucket>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new() -> Self {
        Self {
            map: HashMap::new(),
        }
    }

    fn prune(&mut self, per_minute: u32, now: Instant) {
        if self.map.len() >= MAX_TRACKED {
            self.map.retain(|_, b| !b.is_full(per_minute, now));
        }
    }

    /// Takes a token for `key`; `Err(wait)` when none is left.
    fn take(&mut self, key: &K, per_minute: u32, now: Instant) -> Result<(), Duration> {
        self.prune(per_minute, now);
        let b = self
            .map
            .entry(key.clone())
            .or_insert_with(|| Bucket::full(per_minute, now));
        b.refill(per_minute, now);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(b.wait(per_minute))
        }
    }

    /// `Err(wait)` when `key` has no token left, without taking one.
    fn check(&mut self, key: &K, per_minute: u32, now: Instant) -> Result<(), Duration> {
        match self.map.get_mut(key) {
            None => Ok(()),
            Some(b) => {
                b.refill(per_minute, now);
                if b.tokens >= 1.0 {
                    Ok(())
                } else {
                    Err(b.wait(per_minute))
                }
            }
        }
    }
}

/// Why admission refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many new connections for this key; retry after the duration.
    KeyRate(Duration),
    /// The key has its maximum number of sessions open.
    KeySessions,
    /// Too many failed authentications from this IP; retry after the duration.
    AuthFailures(Duration),
}

impl Refusal {
    /// Whole seconds for `Retry-After` (at least 1).
    pub fn retry_after_secs(self) -> u64 {
        let d = match self {
            Self::KeyRate(d) | Self::AuthFailures(d) => d,
            Self::KeySessions => Duration::from_secs(5),
        };
        d.as_secs_f64().ceil().max(1.0) as u64
    }
}

/// The admission state of one server.
#[derive(Debug)]
pub struct Admission {
    key_rate: Mutex<Buckets<Arc<str>>>,
    key_sessions: Arc<Mutex<HashMap<Arc<str>, usize>>>,
    auth_failures: Mutex<Buckets<IpAddr>>,
    auth_failures_per_minute: Option<u32>,
}

/// A key's share of its concurrent-session quota, released when dropped.
#[derive(Debug)]
pub struct Lease {
    key: Arc<str>,
    sessions: Arc<Mutex<HashMap<Arc<str>, usize>>>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut map = lock(&self.sessions);
        if let Some(n) = map.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Admission {
    /// Admission with a failed-auth throttle of `auth_failures_per_minute` per IP (`None`: off).
    pub fn new(auth_failures_per_minute: Option<u32>) -> Self {
        Self {
            key_rate: Mutex::new(Buckets::new()),
            key_sessions: Arc::default(),
            auth_failures: Mutex::new(Buckets::new()),
            auth_failures_per_minute: auth_failures_per_minute.filter(|n| *n > 0),
        }
    }

    /// Whether `ip` may try to authenticate now.
    ///
    /// # Errors
    ///
    /// [`Refusal::AuthFailures`] when the IP used up its failures.
    pub fn auth_allowed(&self, ip: IpAddr) -> Result<(), Refusal> {
        let Some(n) = self.auth_failures_per_minute else {
            return Ok(());
        };
        lock(&self.auth_failures)
            .check(&ip, n, Instant::now())
            .map_err(Refusal::AuthFailures)
    }

    /// Counts a failed authentication from `ip`.
    pub fn auth_failed(&self, ip: IpAddr) {
        if let Some(n) = self.auth_failures_per_minute {
            let _ = lock(&self.auth_failures).take(&ip, n, Instant::now());
        }
    }

    /// Admits a new session of `key`: takes a token of its connection rate (`per_minute`), and a
    /// lease of its concurrent sessions (`max_sessions`); `None` limits are off.
    ///
    /// # Errors
    ///
    /// [`Refusal::KeySessions`] or [`Refusal::KeyRate`].
    pub fn admit(
        &self,
        key: &Arc<str>,
        per_minute: Option<u32>,
        max_sessions: Option<usize>,
    ) -> Result<Lease, Refusal> {
        {
            let map = lock(&self.key_sessions);
            if let Some(max) = max_sessions
                && map.get(key).copied().unwrap_or(0) >= max
            {
                return Err(Refusal::KeySessions);
            }
        }
        if let Some(n) = per_minute.filter(|n| *n > 0) {
            lock(&self.key_rate)
                .take(key, n, Instant::now())
                .map_err(Refusal::KeyRate)?;
        }
        let mut map = lock(&self.key_sessions);
        if let Some(max) = max_sessions
            && map.get(key).copied().unwrap_or(0) >= max
        {
            return Err(Refusal::KeySessions);
        }
        *map.entry(Arc::clone(key)).or_default() += 1;
        Ok(Lease {
            key: Arc::clone(key),
            sessions: Arc::clone(&self.key_sessions),
        })
    }

    /// Sessions open for `key`.
    pub fn sessions_of(&self, key: &str) -> usize {
        lock(&self.key_sessions).get(key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_the_rate() {
        let t0 = Instant::now();
        let mut b: Buckets<u8> = Buckets::new();
        for _ in 0..30 {
            assert!(b.take(&1, 30, t0).is_ok());
        }
        let wait = b.take(&1, 30, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 2.0).abs() < 0.01, "{wait:?}");
        assert!(b.take(&1, 30, t0 + Duration::from_millis(1900)).is_err());
        assert!(b.take(&1, 30, t0 + Duration::from_millis(2100)).is_ok());
        // Another key is independent.
        assert!(b.take(&2, 30, t0).is_ok());
    }

    #[test]
    fn leases_bound_concurrent_sessions_and_release_on_drop() {
        let a = Admission::new(None);
        let key: Arc<str> = Arc::from("k");
        let l1 = a.admit(&key, None, Some(2)).unwrap();
        let _l2 = a.admit(&key, None, Some(2)).unwrap();
        assert_eq!(
            a.admit(&key, None, Some(2)).unwrap_err(),
            Refusal::KeySessions
        );
        drop(l1);
        assert_eq!(a.sessions_of("k"), 1);
        assert!(a.admit(&key, None, Some(2)).is_ok());
    }

    #[test]
    fn auth_failures_block_the_ip_only() {
        let a = Admission::new(Some(3));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(a.auth_allowed(ip).is_ok());
            a.auth_failed(ip);
        }
        let r = a.auth_allowed(ip).unwrap_err();
        assert!(matches!(r, Refusal::AuthFailures(_)));
        assert_eq!(r.retry_after_secs(), 20);
        assert!(a.auth_allowed(other).is_ok());
    }

    #[test]
    fn the_maps_stay_bounded() {
        let t0 = Instant::now();
        let mut b: Buckets<u32> = Buckets::new();
        for k in 0..(MAX_TRACKED as u32 + 50) {
            let _ = b.take(&k, 60, t0);
        }
        let later = t0 + Duration::from_secs(61);
        let _ = b.take(&u32::MAX, 60, later);
        assert!(b.map.len() < 10, "{}", b.map.len());
    }
}
