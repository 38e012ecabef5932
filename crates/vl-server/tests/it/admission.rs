//! Admission before the upgrade (reliability.md §2.1, §2.2 A7, A10, A11, §3), through the real
//! server: the process-wide session cap (503), per-key connection rate and concurrent sessions
//! (429), the failed-auth throttle per IP (429), named keys and the Origin allow-list.

use super::metrics::metric;
use super::*;
use vl_server::auth::KeyQuota;

/// The `Retry-After` seconds of a refused upgrade.
pub(super) fn retry_after(result: &Result<Ws, tungstenite::Error>) -> Option<u64> {
    match result {
        Err(tungstenite::Error::Http(r)) => r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok()),
        _ => None,
    }
}

/// The HTTP status of a refused upgrade (101 when it succeeded).
pub(super) fn http_status_ref(result: &Result<Ws, tungstenite::Error>) -> u16 {
    match result {
        Err(tungstenite::Error::Http(r)) => r.status().as_u16(),
        Err(e) => panic!("expected an HTTP error, got {e}"),
        Ok(_) => 101,
    }
}

const PATH: &str = "/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime";

#[tokio::test]
async fn the_process_session_cap_answers_503_with_retry_after_before_the_upgrade() {
    bounded(async {
        let mut config = Config::default();
        config.limits.max_sessions = Some(2);
        let server = TestServer::start(config).await;
        let _a = server.open().await;
        let _b = server.open().await;
        let third = server.connect_to(PATH).await;
        assert_eq!(http_status_ref(&third), 503);
        assert!(retry_after(&third).is_some_and(|s| s >= 1));
        assert_eq!(metric(server.addr, "voicelive_sessions_active").await, 2.0);
        assert_eq!(
            metric(
                server.addr,
                "voicelive_handshake_rejections_total{status=\"503\"}"
            )
            .await,
            1.0
        );
        server.shutdown().await;
    })
    .await;
}

fn keyed(keys: Vec<ApiKey>) -> Config {
    Config {
        keys,
        ..Config::default()
    }
}

#[tokio::test]
async fn the_per_key_connection_rate_answers_429_with_retry_after() {
    bounded(async {
        let mut config = keyed(vec![ApiKey::named("a", "key-a", KeyQuota::default())]);
        config.limits.key_connection_rate = Some(3);
        config
            .keys
            .push(ApiKey::named("b", "key-b", KeyQuota::default()));
        let server = TestServer::start(config).await;
        for _ in 0..3 {
            let ws = server.connect_with(PATH, &[("api-key", "key-a")]).await;
            assert!(ws.is_ok(), "within the rate");
        }
        let over = server.connect_with(PATH, &[("api-key", "key-a")]).await;
        assert_eq!(http_status_ref(&over), 429);
        // 3 per minute: one token every 20 s.
        assert!(
            retry_after(&over).is_some_and(|s| (1..=20).contains(&s)),
            "{:?}",
            retry_after(&over)
        );
        // Another key is not affected.
        assert!(
            server
                .connect_with(PATH, &[("api-key", "key-b")])
                .await
                .is_ok()
        );
        assert_eq!(
            metric(
                server.addr,
                "voicelive_ratelimit_rejections_total{kind=\"key_connection_rate\"}"
            )
            .await,
            1.0
        );
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn per_key_concurrent_sessions_are_capped_and_released_on_close() {
    bounded(async {
        let quota = KeyQuota {
            connections_per_minute: None,
            max_sessions: Some(2),
        };
        let server = TestServer::start(keyed(vec![ApiKey::named("k", "the-key", quota)])).await;
        let a = server
            .connect_with(PATH, &[("api-key", "the-key")])
            .await
            .unwrap();
        let _b = server
            .connect_with(PATH, &[("api-key", "the-key")])
            .await
            .unwrap();
        let c = server.connect_with(PATH, &[("api-key", "the-key")]).await;
        assert_eq!(http_status_ref(&c), 429);
        assert!(retry_after(&c).is_some());
        let mut a = a;
        a.close(None).await.unwrap();
        // The lease is released when the session ends.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let r = server.connect_with(PATH, &[("api-key", "the-key")]).await;
            if r.is_ok() {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "lease not released");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn failed_authentications_are_throttled_per_ip_with_429() {
    bounded(async {
        let mut config = keyed(vec![ApiKey::named("k", "right", KeyQuota::default())]);
        config.limits.auth_failures_per_minute = Some(5);
        let server = TestServer::start(config).await;
        for _ in 0..5 {
            let r = server.connect_with(PATH, &[("api-key", "wrong")]).await;
            assert_eq!(http_status_ref(&r), 401);
        }
        let r = server.connect_with(PATH, &[("api-key", "wrong")]).await;
        assert_eq!(http_status_ref(&r), 429);
        assert!(retry_after(&r).is_some_and(|s| (1..=12).contains(&s)));
        // Even the right key waits: the throttle comes before the key check.
        let r = server.connect_with(PATH, &[("api-key", "right")]).await;
        assert_eq!(http_status_ref(&r), 429);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn named_keys_from_the_config_each_authenticate() {
    bounded(async {
        let server = TestServer::start(keyed(vec![
            ApiKey::named("alice", "alice-key", KeyQuota::default()),
            ApiKey::named("bob", "bob-key", KeyQuota::default()),
        ]))
        .await;
        assert!(
            server
                .connect_with(PATH, &[("api-key", "alice-key")])
                .await
                .is_ok()
        );
        assert!(
            server
                .connect_with(PATH, &[("api-key", "bob-key")])
                .await
                .is_ok()
        );
        let r = server.connect_with(PATH, &[("api-key", "carol-key")]).await;
        assert_eq!(http_status_ref(&r), 401);
        let r = server.connect_to(PATH).await;
        assert_eq!(http_status_ref(&r), 401);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_origin_outside_the_allow_list_is_403() {
    bounded(async {
        let mut config = Config::default();
        config.limits.allowed_origins = vec!["https://app.example.com".into()];
        let server = TestServer::start(config).await;
        let r = server
            .connect_with(PATH, &[("origin", "https://evil.example.com")])
            .await;
        assert_eq!(http_status_ref(&r), 403);
        assert!(
            server
                .connect_with(PATH, &[("origin", "https://app.example.com")])
                .await
                .is_ok()
        );
        // Non-browser clients send no Origin.
        assert!(server.connect_to(PATH).await.is_ok());
        server.shutdown().await;
    })
    .await;
}
