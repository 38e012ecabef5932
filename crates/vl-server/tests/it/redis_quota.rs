//! Global per-key quotas in Redis (feature `redis`; src/quota.rs), against a real `redis-server`
//! (Debian package `redis-server`) that each test starts on a free loopback port in a temporary
//! directory, without persistence. Two in-process servers share it.
//!
//! Without `redis-server` on the PATH the tests print why and return, unless `VL_REQUIRE_REDIS`
//! is set (`cargo xtask ci` sets it; `.ci/run` installs the package): then they fail.

use std::process::{Child, Command, Stdio};

use redis::AsyncCommands as _;
use vl_server::auth::KeyQuota;
use vl_server::quota::{RedisConfig, RedisQuotas};

use super::admission::{http_status_ref as status, retry_after};
use super::*;

const PATH: &str = "/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime";

/// A `redis-server` child process on a free port, killed (and its directory removed) on drop.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: std::path::PathBuf,
}

impl RedisServer {
    /// Starts one, or `None` when `redis-server` is not installed and not required.
    async fn start() -> Option<Self> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                std::env::var_os("VL_REQUIRE_REDIS").is_none(),
                "VL_REQUIRE_REDIS is set but redis-server is not installed (apt-get install \
                 redis-server)"
            );
            eprintln!("skipped: redis-server is not installed (set VL_REQUIRE_REDIS to fail)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("vl-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let server = Self {
            child: Some(child),
            port,
            dir,
        };
        let client = redis::Client::open(server.url()).unwrap();
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            {
                return Some(server);
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not answer"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn client(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    /// Leases of `key` in Redis, expired or not.
    async fn leases(&self, key: &str) -> usize {
        self.client()
            .await
            .zcard(RedisQuotas::leases_key(key))
            .await
            .unwrap()
    }

    /// Waits (bounded) until `key` holds `n` leases.
    async fn wait_leases(&self, key: &str, n: usize) {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let have = self.leases(key).await;
            if have == n {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{have} leases, expected {n}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the process (Redis "goes away").
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config(redis: &RedisServer, quota: KeyQuota) -> Config {
    Config {
        keys: vec![ApiKey::named("k", "key-k", quota)],
        redis: Some(RedisConfig {
            url: redis.url(),
            fail_closed: false,
            lease_ttl: Duration::from_secs(30),
        }),
        ..Config::default()
    }
}

async fn connect(server: &TestServer) -> Result<Ws, tungstenite::Error> {
    server.connect_with(PATH, &[("api-key", "key-k")]).await
}

fn error_code(result: &Result<Ws, tungstenite::Error>) -> String {
    match result {
        Err(tungstenite::Error::Http(r)) => {
            let body: Value =
                serde_json::from_slice(r.body().as_deref().unwrap_or(&b"{}"[..])).unwrap();
            body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
        _ => String::new(),
    }
}

#[tokio::test]
async fn two_servers_share_one_global_concurrency_quota_and_leases_are_released_on_close() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    bounded(async {
        let quota = KeyQuota {
            max_sessions: Some(2),
            ..KeyQuota::default()
        };
        let a = TestServer::start(config(&redis, quota)).await;
        let b = TestServer::start(config(&redis, quota)).await;
        let on_a = connect(&a).await.unwrap();
        let mut on_b = connect(&b).await.unwrap();
        assert_eq!(redis.leases("k").await, 2);
        // Each server holds one session, below its local cap of 2: only the global count refuses.
        let third = connect(&a).await;
        assert_eq!(status(&third), 429);
        assert_eq!(error_code(&third), "too_many_sessions");
        let third_b = connect(&b).await;
        assert_eq!(status(&third_b), 429);
        // Closing a session on B releases its lease: A may open one again.
        on_b.close(None).await.unwrap();
        while on_b.next().await.is_some() {}
        redis.wait_leases("k", 1).await;
        let again = connect(&a).await;
        assert_eq!(status(&again), 101);
        assert_eq!(redis.leases("k").await, 2);
        drop(on_a);
        drop(again);
        redis.wait_leases("k", 0).await;
        a.shutdown().await;
        b.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn two_servers_share_one_global_connection_rate() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    bounded(async {
        // The window is the Redis server's minute: start well inside one.
        let mut c = redis.client().await;
        let (secs, _): (u64, u64) = redis::cmd("TIME").query_async(&mut c).await.unwrap();
        if secs % 60 > 50 {
            tokio::time::sleep(Duration::from_secs(61 - secs % 60)).await;
        }
        let quota = KeyQuota {
            connections_per_minute: Some(3),
            ..KeyQuota::default()
        };
        let a = TestServer::start(config(&redis, quota)).await;
        let b = TestServer::start(config(&redis, quota)).await;
        let mut open = Vec::new();
        for server in [&a, &b, &a] {
            open.push(connect(server).await.unwrap());
        }
        // B took one of the 3; locally it could take 3 more.
        let over = connect(&b).await;
        assert_eq!(status(&over), 429);
        assert_eq!(error_code(&over), "rate_limit_exceeded");
        assert!(
            retry_after(&over).is_some_and(|s| (1..=60).contains(&s)),
            "{:?}",
            retry_after(&over)
        );
        assert_eq!(status(&connect(&a).await), 429);
        // No concurrency quota: no leases are written.
        assert_eq!(redis.leases("k").await, 0);
        drop(open);
        a.shutdown().await;
        b.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_lost_redis_fails_open_to_the_local_limits_by_default() {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    bounded(async {
        let quota = KeyQuota {
            max_sessions: Some(1),
            ..KeyQuota::default()
        };
        let a = TestServer::start(config(&redis, quota)).await;
        let first = connect(&a).await.unwrap();
        redis.kill();
        drop(first);
        // Redis is gone: the local limit (1 session) decides.
        let local = connect(&a).await;
        assert_eq!(status(&local), 101);
        let over = connect(&a).await;
        assert_eq!(status(&over), 429);
        assert_eq!(error_code(&over), "too_many_sessions");
        a.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_lost_redis_refuses_new_sessions_when_fail_closed() {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    bounded(async {
        let quota = KeyQuota {
            max_sessions: Some(5),
            ..KeyQuota::default()
        };
        let mut cfg = config(&redis, quota);
        if let Some(r) = cfg.redis.as_mut() {
            r.fail_closed = true;
        }
        let a = TestServer::start(cfg).await;
        let _first = connect(&a).await.unwrap();
        redis.kill();
        let refused = connect(&a).await;
        assert_eq!(status(&refused), 503);
        assert_eq!(error_code(&refused), "quota_unavailable");
        assert!(retry_after(&refused).is_some());
        a.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn heartbeats_keep_live_leases_and_a_dead_servers_leases_expire() {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    bounded(async {
        let quota = KeyQuota {
            max_sessions: Some(1),
            ..KeyQuota::default()
        };
        let mut cfg = config(&redis, quota);
        if let Some(r) = cfg.redis.as_mut() {
            r.lease_ttl = Duration::from_millis(600);
        }
        let a = TestServer::start(cfg.clone()).await;
        let held = connect(&a).await.unwrap();
        // Three TTLs later the heartbeat has kept the lease: still at the global cap.
        tokio::time::sleep(Duration::from_millis(1800)).await;
        let over = connect(&a).await;
        assert_eq!(status(&over), 429);
        drop(held);
        redis.wait_leases("k", 0).await;
        // A lease whose server died (never refreshed, never removed) stops counting after its
        // TTL: write one that expired a second ago on the Redis clock.
        let mut c = redis.client().await;
        let (secs, _): (u64, u64) = redis::cmd("TIME").query_async(&mut c).await.unwrap();
        let _: i64 = c
            .zadd(
                RedisQuotas::leases_key("k"),
                "dead-server-1",
                (secs - 1) * 1000,
            )
            .await
            .unwrap();
        let admitted = connect(&a).await;
        assert_eq!(status(&admitted), 101);
        assert_eq!(redis.leases("k").await, 1, "the expired lease was dropped");
        a.shutdown().await;
    })
    .await;
}
