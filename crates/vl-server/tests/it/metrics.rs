//! `GET /metrics` through the real server: sessions, events in/out by type, errors by code,
//! handshake rejections by status, queue depths.

use super::*;

/// `name{labels} value` from `/metrics`, 0 when absent.
pub(crate) async fn metric(addr: SocketAddr, series: &str) -> f64 {
    let text = http_get(addr, "/metrics").await;
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Polls `series` until it equals `want` (at most 5 s).
pub(crate) async fn wait_metric(addr: SocketAddr, series: &str, want: f64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let v = metric(addr, series).await;
        if v == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{series} stayed {v}, wanted {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn metrics_count_sessions_events_and_errors_by_type_and_code() {
    bounded(async {
        let server = TestServer::default().await;
        let a = server.addr;
        let text = http_get(a, "/metrics").await;
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.contains("openmetrics-text"), "{text}");
        assert!(text.contains("voicelive_sessions_active 0"), "{text}");
        let mut ws = server.open().await;
        send_json(&mut ws, json!({"type": "session.update", "session": {}})).await;
        let _ = recv_until(&mut ws, "session.updated").await;
        ws.send(Message::Text("{\"type\":".into())).await.unwrap();
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "error");
        send_json(&mut ws, json!({"type": "made.up.by.a.client"})).await;
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "error");
        assert_eq!(
            metric(a, "voicelive_events_in_total{type=\"session.update\"}").await,
            1.0
        );
        // The truncated event and the unknown type: bounded labels, never the client's text.
        assert_eq!(
            metric(a, "voicelive_events_in_total{type=\"other\"}").await,
            2.0
        );
        assert_eq!(
            metric(a, "voicelive_events_out_total{type=\"session.created\"}").await,
            1.0
        );
        assert_eq!(
            metric(a, "voicelive_events_out_total{type=\"session.updated\"}").await,
            1.0
        );
        assert_eq!(
            metric(a, "voicelive_events_out_total{type=\"error\"}").await,
            2.0
        );
        assert_eq!(
            metric(a, "voicelive_errors_total{code=\"invalid_json\"}").await,
            1.0
        );
        assert_eq!(metric(a, "voicelive_sessions_active").await, 1.0);
        let text = http_get(a, "/metrics").await;
        assert!(!text.contains("made.up"), "{text}");
        assert!(
            text.contains("# TYPE voicelive_outbound_queue_depth histogram"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE voicelive_inbound_queue_depth histogram"),
            "{text}"
        );
        // Four events queued (created, updated, two errors), each sampled once.
        assert_eq!(metric(a, "voicelive_outbound_queue_depth_count").await, 4.0);
        ws.close(None).await.unwrap();
        wait_metric(a, "voicelive_sessions_active", 0.0).await;
        assert_eq!(
            metric(a, "voicelive_sessions_total{close_code=\"1000\"}").await,
            1.0
        );
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn metrics_count_refused_handshakes_by_status() {
    bounded(async {
        let server = TestServer::start(with_key("k")).await;
        let r = server
            .connect_to(&format!("/voice-live/realtime?{QUERY}"))
            .await;
        assert_eq!(http_status(r), 401);
        let r = server.connect_to(&format!("/foo?{QUERY}")).await;
        assert_eq!(http_status(r), 404);
        let a = server.addr;
        assert_eq!(
            metric(a, "voicelive_handshake_rejections_total{status=\"401\"}").await,
            1.0
        );
        assert_eq!(
            metric(a, "voicelive_handshake_rejections_total{status=\"404\"}").await,
            1.0
        );
        assert_eq!(metric(a, "voicelive_sessions_active").await, 0.0);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_reset_connection_brings_the_session_gauge_back_down() {
    bounded(async {
        let server = TestServer::default().await;
        let a = server.addr;
        let ws = server.open().await;
        let _other = server.open().await;
        assert_eq!(metric(a, "voicelive_sessions_active").await, 2.0);
        // Drop without a close handshake: the TCP connection just goes away.
        drop(ws);
        wait_metric(a, "voicelive_sessions_active", 1.0).await;
        assert_eq!(
            metric(a, "voicelive_sessions_total{close_code=\"0\"}").await,
            1.0
        );
        server.shutdown().await;
    })
    .await;
}
