//! Global per-key quotas in Redis (reliability.md §5, "Per-key new-connection rate and
//! concurrency quotas"; cargo feature `redis`, flag `--redis-url`), shared by every server that
//! uses the same Redis.
//!
//! - **New-connection rate:** a fixed window per key per minute: `INCR` of
//!   `vl:quota:rate:{key}:{minute}` (with `EXPIRE` 120 s on the first), refused past the limit until
//!   the minute ends.
//! - **Concurrent sessions:** leases in the sorted set `vl:quota:leases:{key}`, one member per
//!   session, scored by its expiry (Redis server time, ms). Expired members are dropped before
//!   counting; a live session refreshes its lease every third of the lease TTL (the heartbeat);
//!   closing the session removes it. A server that dies leaves leases that expire after the TTL.
//!
//! Both run as Lua scripts, atomic on the Redis server, on its clock (`TIME`), so servers with
//! skewed clocks agree. Every call is bounded by [`OP_TIMEOUT`]; when Redis does not answer, the
//! caller applies the configured failure mode ([`RedisConfig::fail_closed`]): fail-open (the
//! default) falls back to this server's local limits, fail-closed refuses with HTTP 503.

use std::time::Duration;

/// The Redis settings (`--redis-url`, `--redis-fail-closed`, `--redis-lease-ttl`).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]` (or `rediss://`, `unix://`).
    pub url: String,
    /// Refuse new sessions (HTTP 503) when Redis cannot be reached, instead of falling back to
    /// the local limits.
    pub fail_closed: bool,
    /// How long a concurrency lease lives without a heartbeat (a heartbeat every third of it).
    pub lease_ttl: Duration,
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.debug_struct("RedisConfig")
            .field("url", &"<set>")
            .field("fail_closed", &self.fail_closed)
            .field("lease_ttl", &self.lease_ttl)
            .finish()
    }
}

/// Default of [`RedisConfig::lease_ttl`].
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// Longest wait for one Redis call (connecting included) before the failure mode applies.
pub const OP_TIMEOUT: Duration = Duration::from_millis(500);

/// Why a Redis quota call did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// The URL does not parse.
    #[error("invalid redis url: {0}")]
    Url(String),
    /// Redis answered with an error or the connection failed.
    #[error("redis: {0}")]
    Redis(String),
    /// Redis did not answer within [`OP_TIMEOUT`].
    #[error("redis did not answer within {OP_TIMEOUT:?}")]
    Timeout,
}

/// What the global quota decided for one new session.
#[derive(Debug)]
pub enum Decision {
    /// Admitted; the lease (if a concurrency quota applies) is held until dropped.
    Admitted(Option<GlobalLease>),
    /// The key used its new connections of this minute; retry after the duration.
    RateLimited(Duration),
    /// The key has its maximum number of sessions open across all servers.
    TooManySessions,
}

#[cfg(feature = "redis")]
pub use imp::{GlobalLease, PREFIX, RedisQuotas};

/// Checks that `url` is a Redis URL, without connecting.
///
/// # Errors
///
/// [`QuotaError::Url`] when it does not parse.
#[cfg(feature = "redis")]
pub fn check_url(url: &str) -> Result<(), QuotaError> {
    redis::Client::open(url)
        .map(drop)
        .map_err(|e| QuotaError::Url(e.to_string()))
}

#[cfg(not(feature = "redis"))]
/// A global concurrency lease (feature `redis`; never built without it).
#[derive(Debug)]
pub struct GlobalLease(());

#[cfg(feature = "redis")]
mod imp {
    use std::future::Future;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use redis::Script;
    use redis::aio::{ConnectionManager, ConnectionManagerConfig};
    use tokio_util::sync::CancellationToken;
    use tracing::{debug, warn};

    use super::{Decision, OP_TIMEOUT, QuotaError, RedisConfig};

    /// Fixed-window counter: KEYS[1] the window's key, ARGV[1] its TTL in s. Returns the count.
    const RATE: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
";

    /// Takes a lease: KEYS[1] the sorted set, ARGV[1] the member, ARGV[2] the max, ARGV[3] the
    /// TTL in ms. Returns 1 when taken, 0 when the key is at its max.
    const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return 1
";

    /// Refreshes a lease: KEYS[1] the sorted set, ARGV[1] the member, ARGV[2] the TTL in ms.
    /// Returns 1 when the lease was still there.
    const HEARTBEAT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return n
";

    /// Seconds of the Redis server clock (for the window of the rate).
    const NOW: &str = r"
local t = redis.call('TIME')
return tonumber(t[1])
";

    /// The prefix of every key this server writes.
    pub const PREFIX: &str = "vl:quota:";

    /// The global quotas of one server: a lazily connected, self-reconnecting Redis client.
    #[derive(Clone)]
    pub struct RedisQuotas {
        conn: ConnectionManager,
        config: RedisConfig,
        /// Makes lease members unique across servers and restarts.
        instance: Arc<str>,
        next: Arc<AtomicU64>,
        rate: Arc<Script>,
        acquire: Arc<Script>,
        heartbeat: Arc<Script>,
        now: Arc<Script>,
    }

    impl std::fmt::Debug for RedisQuotas {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("RedisQuotas")
                .field("config", &self.config)
                .field("instance", &self.instance)
                .finish_non_exhaustive()
        }
    }

    async fn bounded<T>(
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, QuotaError> {
        match tokio::time::timeout(OP_TIMEOUT, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(QuotaError::Redis(e.to_string())),
            Err(_) => Err(QuotaError::Timeout),
        }
    }

    impl RedisQuotas {
        /// A client for `config.url`; it connects on first use and reconnects by itself.
        ///
        /// # Errors
        ///
        /// [`QuotaError::Url`] when the URL does not parse.
        pub fn new(config: &RedisConfig) -> Result<Self, QuotaError> {
            let client = redis::Client::open(config.url.as_str())
                .map_err(|e| QuotaError::Url(e.to_string()))?;
            let manager = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(OP_TIMEOUT))
                .set_response_timeout(Some(OP_TIMEOUT))
                .set_number_of_retries(1)
                .set_max_delay(Duration::from_secs(1));
            let conn = ConnectionManager::new_lazy_with_config(client, manager)
                .map_err(|e| QuotaError::Redis(e.to_string()))?;
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            Ok(Self {
                conn,
                config: config.clone(),
                instance: Arc::from(format!("{}-{nanos:x}", std::process::id())),
                next: Arc::new(AtomicU64::new(0)),
                rate: Arc::new(Script::new(RATE)),
                acquire: Arc::new(Script::new(ACQUIRE)),
                heartbeat: Arc::new(Script::new(HEARTBEAT)),
                now: Arc::new(Script::new(NOW)),
            })
        }

        /// Whether the failure mode is fail-closed.
        pub fn fail_closed(&self) -> bool {
            self.config.fail_closed
        }

        /// The sorted set of `key`'s leases.
        pub fn leases_key(key: &str) -> String {
            format!("{PREFIX}leases:{key}")
        }

        /// Admits a new session of `key` against the global quotas: `per_minute` new connections
        /// (fixed window) and `max_sessions` concurrent sessions (leases); `None` limits are off.
        /// The concurrency lease is taken first, so a refused rate releases it again.
        ///
        /// # Errors
        ///
        /// Redis failed or did not answer in time; the caller applies the failure mode.
        pub async fn admit(
            &self,
            key: &str,
            per_minute: Option<u32>,
            max_sessions: Option<usize>,
        ) -> Result<Decision, QuotaError> {
            let lease = match max_sessions {
                Some(max) => match self.acquire(key, max).await? {
                    Some(lease) => Some(lease),
                    None => return Ok(Decision::TooManySessions),
                },
                None => None,
            };
            if let Some(n) = per_minute.filter(|n| *n > 0) {
                let mut conn = self.conn.clone();
                let now: u64 = bounded(self.now.prepare_invoke().invoke_async(&mut conn)).await?;
                let window = now / 60;
                let count: u64 = bounded(
                    self.rate
                        .key(format!("{PREFIX}rate:{key}:{window}"))
                        .arg(120)
                        .invoke_async(&mut conn),
                )
                .await?;
                if count > u64::from(n) {
                    // Dropping the lease releases it.
                    drop(lease);
                    return Ok(Decision::RateLimited(Duration::from_secs(60 - now % 60)));
                }
            }
            Ok(Decision::Admitted(lease))
        }

        async fn acquire(&self, key: &str, max: usize) -> Result<Option<GlobalLease>, QuotaError> {
            let member = format!(
                "{}-{}",
                self.instance,
                self.next.fetch_add(1, Ordering::Relaxed)
            );
            let set = Self::leases_key(key);
            let ttl_ms = u64::try_from(self.config.lease_ttl.as_millis()).unwrap_or(u64::MAX);
            let mut conn = self.conn.clone();
            let taken: i64 = bounded(
                self.acquire
                    .key(&set)
                    .arg(&member)
                    .arg(max)
                    .arg(ttl_ms)
                    .invoke_async(&mut conn),
            )
            .await?;
            if taken != 1 {
                return Ok(None);
            }
            let stop = CancellationToken::new();
            let lease = GlobalLease {
                quotas: self.clone(),
                set,
                member,
                stop: stop.clone(),
            };
            tokio::spawn(lease.heartbeat_task(stop));
            Ok(Some(lease))
        }
    }

    /// One session's share of its key's global concurrency quota: refreshed while held, removed
    /// from Redis when dropped.
    #[derive(Debug)]
    pub struct GlobalLease {
        quotas: RedisQuotas,
        set: String,
        member: String,
        stop: CancellationToken,
    }

    impl GlobalLease {
        /// The future that refreshes this lease every third of its TTL until `stop`.
        fn heartbeat_task(&self, stop: CancellationToken) -> impl Future<Output = ()> + use<> {
            let quotas = self.quotas.clone();
            let set = self.set.clone();
            let member = self.member.clone();
            async move {
                let ttl = quotas.config.lease_ttl;
                let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
                let every = (ttl / 3).max(Duration::from_millis(10));
                loop {
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(every) => {}
                    }
                    let mut conn = quotas.conn.clone();
                    let r: Result<i64, _> = bounded(
                        quotas
                            .heartbeat
                            .key(&set)
                            .arg(&member)
                            .arg(ttl_ms)
                            .invoke_async(&mut conn),
                    )
                    .await;
                    if let Err(e) = r {
                        debug!(error = %e, "quota lease heartbeat failed");
                    }
                }
            }
        }
    }

    impl Drop for GlobalLease {
        fn drop(&mut self) {
            self.stop.cancel();
            let Ok(rt) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let mut conn = self.quotas.conn.clone();
            let set = std::mem::take(&mut self.set);
            let member = std::mem::take(&mut self.member);
            rt.spawn(async move {
                let r: Result<i64, _> = bounded(
                    redis::cmd("ZREM")
                        .arg(&set)
                        .arg(&member)
                        .query_async(&mut conn),
                )
                .await;
                if let Err(e) = r {
                    // The lease expires after its TTL instead.
                    warn!(error = %e, "quota lease not released");
                }
            });
        }
    }
}
