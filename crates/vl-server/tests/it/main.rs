//! Integration tests: the server runs in-process on `127.0.0.1:0` and is driven through a real
//! WebSocket client (tokio-tungstenite). Every test is bounded in time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on failure by design"
)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use vl_server::auth::ApiKey;
use vl_server::config::Config;

mod backends;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const STEP: Duration = Duration::from_secs(5);
const TEST: Duration = Duration::from_secs(20);
const QUERY: &str = "api-version=2026-07-15&model=gpt-realtime";

/// A server running in this process.
struct TestServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(vl_server::server::run(listener, config, async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            handle,
        }
    }

    async fn default() -> Self {
        Self::start(Config::default()).await
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("ws://{}{}", self.addr, path_and_query)
    }

    /// Connects to `/voice-live/realtime` with the usual query.
    async fn connect(&self) -> Ws {
        self.connect_to(&format!("/voice-live/realtime?{QUERY}"))
            .await
            .unwrap()
    }

    /// Connects to `/voice-live/realtime` and reads the `session.created` that comes first.
    async fn open(&self) -> Ws {
        self.open_at(&format!("/voice-live/realtime?{QUERY}")).await
    }

    /// Connects to `path_and_query`, which must be accepted, and reads `session.created`.
    async fn open_at(&self, path_and_query: &str) -> Ws {
        let mut ws = self
            .connect_to(path_and_query)
            .await
            .unwrap_or_else(|e| panic!("{path_and_query}: {e}"));
        let created = recv_json(&mut ws).await;
        assert_eq!(created["type"], "session.created", "{created}");
        ws
    }

    async fn connect_to(&self, path_and_query: &str) -> Result<Ws, tungstenite::Error> {
        self.connect_with(path_and_query, &[]).await
    }

    async fn connect_with(
        &self,
        path_and_query: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Ws, tungstenite::Error> {
        let mut request = self.url(path_and_query).into_client_request().unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        tokio::time::timeout(STEP, tokio_tungstenite::connect_async(request))
            .await
            .expect("handshake timed out")
            .map(|(ws, _)| ws)
    }

    /// Connects with `key` in each credential form: `api-key` header, `api-key` query parameter,
    /// `Authorization: Bearer` header and `Authorization` query parameter.
    async fn connect_with_each_credential_form(
        &self,
        path: &str,
        key: &str,
    ) -> [Result<Ws, tungstenite::Error>; 4] {
        let bearer = format!("Bearer {key}");
        [
            self.connect_with(path, &[("api-key", key)]).await,
            self.connect_to(&format!("{path}&api-key={key}")).await,
            self.connect_with(path, &[("authorization", &bearer)]).await,
            self.connect_to(&format!("{path}&Authorization=Bearer%20{key}"))
                .await,
        ]
    }

    /// Signals shutdown and waits for `run` to return.
    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.handle)
            .await
            .expect("server did not shut down")
            .unwrap()
            .unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST, f).await.expect("test timed out")
}

/// The next data message, as JSON (pings and pongs skipped).
async fn recv_json<S>(ws: &mut WebSocketStream<S>) -> Value
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("no message within the step timeout")
            .expect("stream ended")
            .expect("read failed");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Binary(b) => return serde_json::from_slice(&b).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

/// Reads until a close frame arrives; returns it (data messages are skipped).
async fn recv_close(ws: &mut Ws) -> Option<CloseFrame> {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("no close within the step timeout");
        match msg {
            Some(Ok(Message::Close(frame))) => return frame,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("read failed before the close frame: {e}"),
            None => panic!("stream ended without a close frame"),
        }
    }
}

async fn send_json(ws: &mut Ws, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// Asserts the session still answers: a `session.update` is answered by `session.updated`.
async fn assert_alive(ws: &mut Ws) {
    send_json(
        ws,
        json!({"type": "session.update", "session": {"instructions": "still here"}}),
    )
    .await;
    let ev = recv_json(ws).await;
    assert_eq!(ev["type"], "session.updated", "{ev}");
    assert_eq!(ev["session"]["instructions"], "still here", "{ev}");
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(STEP, s.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    out
}

fn http_status(result: Result<Ws, tungstenite::Error>) -> u16 {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("expected an HTTP error, got {e}"),
        Ok(_) => panic!("expected an HTTP error, got an upgrade"),
    }
}

fn with_key(key: &str) -> Config {
    Config {
        api_key: Some(ApiKey::new(key)),
        ..Config::default()
    }
}

#[tokio::test]
async fn healthz_answers_200() {
    bounded(async {
        let server = TestServer::default().await;
        let response = http_get(server.addr, "/healthz").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let response = http_get(server.addr, "/nope").await;
        assert!(response.starts_with("HTTP/1.1 404"), "{response}");
        server.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn plain_get_on_the_websocket_path_is_426() {
    bounded(async {
        let server = TestServer::default().await;
        let response = http_get(server.addr, &format!("/voice-live/realtime?{QUERY}")).await;
        assert!(response.starts_with("HTTP/1.1 426"), "{response}");
    })
    .await;
}

#[tokio::test]
async fn without_a_key_every_request_is_refused_with_401() {
    bounded(async {
        let server = TestServer::start(with_key("k3y")).await;
        let path = format!("/voice-live/realtime?{QUERY}");
        assert_eq!(http_status(server.connect_to(&path).await), 401);
        let response = http_get(server.addr, &path).await;
        assert!(response.starts_with("HTTP/1.1 401"), "{response}");
        assert!(response.contains("\"unauthorized\""), "{response}");
    })
    .await;
}

#[tokio::test]
async fn a_wrong_key_is_refused_on_each_credential_form() {
    bounded(async {
        let server = TestServer::start(with_key("k3y")).await;
        let path = format!("/voice-live/realtime?{QUERY}");
        let mut wrong = Vec::from(
            server
                .connect_with_each_credential_form(&path, "nope")
                .await,
        );
        wrong.extend([
            // The header wins over a correct query key.
            server
                .connect_with(&format!("{path}&api-key=k3y"), &[("api-key", "nope")])
                .await,
            // A prefix of the key is not the key.
            server.connect_with(&path, &[("api-key", "k3")]).await,
        ]);
        for (i, result) in wrong.into_iter().enumerate() {
            assert_eq!(http_status(result), 401, "case {i}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_right_key_is_accepted_on_each_credential_form() {
    bounded(async {
        let server = TestServer::start(with_key("k3y")).await;
        let path = format!("/voice-live/realtime?{QUERY}");
        let right = server.connect_with_each_credential_form(&path, "k3y").await;
        for (i, result) in right.into_iter().enumerate() {
            let mut ws = result.unwrap_or_else(|e| panic!("case {i}: {e}"));
            let ev = recv_json(&mut ws).await;
            assert_eq!(ev["type"], "session.created", "case {i}");
        }
    })
    .await;
}

#[tokio::test]
async fn api_version_unsupported_is_400_and_missing_is_accepted() {
    bounded(async {
        let server = TestServer::default().await;
        let bad = server
            .connect_to("/voice-live/realtime?api-version=1999-01-01&model=m")
            .await;
        assert_eq!(http_status(bad), 400);
        let response = http_get(
            server.addr,
            "/voice-live/realtime?api-version=1999-01-01&model=m",
        )
        .await;
        assert!(response.contains("invalid_api_version"), "{response}");
        server.open_at("/voice-live/realtime?model=m").await;
    })
    .await;
}

#[tokio::test]
async fn neither_model_nor_agent_is_400() {
    bounded(async {
        let server = TestServer::default().await;
        let result = server
            .connect_to("/voice-live/realtime?api-version=2026-07-15")
            .await;
        assert_eq!(http_status(result), 400);
        server
            .open_at(
                "/voice-live/realtime?api-version=2026-07-15&agent-name=a&agent-project-name=p",
            )
            .await;
    })
    .await;
}

#[tokio::test]
async fn any_path_prefix_and_the_voice_agent_alias_are_served() {
    bounded(async {
        let server = TestServer::default().await;
        for path in [
            format!("/base/voice-live/realtime?{QUERY}"),
            format!("/a/b/voice-live/realtime?{QUERY}"),
            format!("/voice-agent/realtime?{QUERY}"),
            "/v1/realtime?model=gpt-realtime".to_owned(),
            "/openai/v1/realtime?model=gpt-realtime".to_owned(),
        ] {
            let mut ws = server.connect_to(&path).await.unwrap();
            assert_eq!(
                recv_json(&mut ws).await["type"],
                "session.created",
                "{path}"
            );
        }
        assert_eq!(
            http_status(
                server
                    .connect_to(&format!("/voice-live/realtimex?{QUERY}"))
                    .await
            ),
            404
        );
        assert_eq!(http_status(server.connect_to("/foo").await), 404);
    })
    .await;
}

#[tokio::test]
async fn session_created_is_the_first_event() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.connect().await;
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "session.created", "{ev}");
        assert!(ev["session"]["id"].is_string(), "{ev}");
        assert!(ev["event_id"].is_string(), "{ev}");
    })
    .await;
}

#[tokio::test]
async fn malformed_json_gets_an_error_and_the_session_goes_on() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        ws.send(Message::Text("{\"type\":".into())).await.unwrap();
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "error", "{ev}");
        assert_eq!(ev["error"]["code"], "invalid_json", "{ev}");
        assert_alive(&mut ws).await;
    })
    .await;
}

#[tokio::test]
async fn an_oversize_message_is_closed_with_1009() {
    bounded(async {
        let mut config = Config::default();
        config.limits.max_message_size = 64 * 1024;
        let server = TestServer::start(config).await;
        let mut ws = server.open().await;
        let big = format!(
            "{{\"type\":\"input_audio_buffer.append\",\"audio\":\"{}\"}}",
            "A".repeat(100 * 1024)
        );
        ws.send(Message::Text(big.into())).await.unwrap();
        let frame = recv_close(&mut ws)
            .await
            .expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Size);
        // The server stays up for others.
        let mut other = server.connect().await;
        assert_eq!(recv_json(&mut other).await["type"], "session.created");
    })
    .await;
}

#[tokio::test]
async fn a_message_over_the_memory_budget_is_closed_with_1009() {
    bounded(async {
        let mut config = Config::default();
        config.limits.inbound_memory_budget = 1024;
        let server = TestServer::start(config).await;
        let mut ws = server.open().await;
        let big = format!(
            "{{\"type\":\"session.update\",\"session\":{{\"instructions\":\"{}\"}}}}",
            "x".repeat(2048)
        );
        ws.send(Message::Text(big.into())).await.unwrap();
        let frame = recv_close(&mut ws)
            .await
            .expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Size);
    })
    .await;
}

#[tokio::test]
async fn a_binary_frame_with_json_is_accepted() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        ws.send(Message::Binary(b"{\"type\":".to_vec().into()))
            .await
            .unwrap();
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["error"]["code"], "invalid_json", "{ev}");
        let update = json!({"type": "session.update", "session": {"instructions": "bin"}});
        ws.send(Message::Binary(update.to_string().into_bytes().into()))
            .await
            .unwrap();
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "session.updated", "{ev}");
        assert_eq!(ev["session"]["instructions"], "bin", "{ev}");
    })
    .await;
}

#[tokio::test]
async fn a_binary_frame_that_is_not_utf8_gets_invalid_json() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        ws.send(Message::Binary(vec![0xff, 0xfe, 0x00, 0x7b].into()))
            .await
            .unwrap();
        let ev = recv_json(&mut ws).await;
        assert_eq!(ev["type"], "error", "{ev}");
        assert_eq!(ev["error"]["code"], "invalid_json", "{ev}");
        assert_alive(&mut ws).await;
    })
    .await;
}

#[tokio::test]
async fn a_ping_is_answered_with_the_same_payload() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        ws.send(Message::Ping(b"hello".to_vec().into()))
            .await
            .unwrap();
        loop {
            let msg = tokio::time::timeout(STEP, ws.next())
                .await
                .expect("no pong")
                .unwrap()
                .unwrap();
            if let Message::Pong(payload) = msg {
                assert_eq!(&payload[..], b"hello");
                break;
            }
        }
        assert_alive(&mut ws).await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_sends_every_session_a_close_frame() {
    bounded(async {
        let server = TestServer::default().await;
        let mut a = server.connect().await;
        let mut b = server.connect().await;
        recv_json(&mut a).await;
        recv_json(&mut b).await;
        let addr = server.addr;
        let done = tokio::spawn(server.shutdown());
        for ws in [&mut a, &mut b] {
            let frame = recv_close(ws).await.expect("a close frame with a code");
            assert_eq!(frame.code, CloseCode::Away);
        }
        done.await.unwrap();
        // The listener is gone.
        assert!(TcpStream::connect(addr).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn sessions_are_independent() {
    bounded(async {
        let server = TestServer::default().await;
        let mut a = server.connect().await;
        let mut b = server.connect().await;
        let ca = recv_json(&mut a).await;
        let cb = recv_json(&mut b).await;
        assert_ne!(ca["session"]["id"], cb["session"]["id"]);
        // Garbage and a close on one session do not touch the other.
        a.send(Message::Text("not json".into())).await.unwrap();
        assert_eq!(recv_json(&mut a).await["type"], "error");
        a.close(None).await.unwrap();
        assert_alive(&mut b).await;
        // Nothing was queued on b by a's traffic.
        b.send(Message::Ping(b"p".to_vec().into())).await.unwrap();
        let next = tokio::time::timeout(STEP, b.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(matches!(next, Message::Pong(_)), "unexpected {next:?}");
    })
    .await;
}

#[tokio::test]
async fn a_silent_client_is_closed_at_the_liveness_timeout() {
    bounded(async {
        let mut config = Config::default();
        config.limits.liveness_timeout = Some(Duration::from_millis(800));
        config.limits.ping_interval = None;
        let server = TestServer::start(config).await;
        let mut ws = server.connect().await;
        let frame = recv_close(&mut ws)
            .await
            .expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Away);
    })
    .await;
}

#[tokio::test]
async fn the_server_pings() {
    bounded(async {
        let mut config = Config::default();
        config.limits.ping_interval = Some(Duration::from_millis(200));
        let server = TestServer::start(config).await;
        let mut ws = server.connect().await;
        loop {
            let msg = tokio::time::timeout(STEP, ws.next())
                .await
                .expect("no ping")
                .unwrap()
                .unwrap();
            if matches!(msg, Message::Ping(_)) {
                break;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_session_cap_refuses_with_503() {
    bounded(async {
        let mut config = Config::default();
        config.limits.max_sessions = Some(1);
        let server = TestServer::start(config).await;
        let mut a = server.connect().await;
        recv_json(&mut a).await;
        let path = format!("/voice-live/realtime?{QUERY}");
        assert_eq!(http_status(server.connect_to(&path).await), 503);
        a.close(None).await.unwrap();
        // Once the first session is gone, a new one is admitted.
        let mut admitted = None;
        for _ in 0..50 {
            if let Ok(ws) = server.connect_to(&path).await {
                admitted = Some(ws);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut b = admitted.expect("a session after the first closed");
        assert_eq!(recv_json(&mut b).await["type"], "session.created");
    })
    .await;
}

#[tokio::test]
async fn a_client_close_is_answered() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        ws.close(None).await.unwrap();
        loop {
            match tokio::time::timeout(STEP, ws.next())
                .await
                .expect("no close reply")
            {
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("{e}"),
            }
        }
    })
    .await;
}

/// Events up to and including the first of type `wanted`.
async fn recv_until(ws: &mut Ws, wanted: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..500 {
        let ev = recv_json(ws).await;
        let done = ev["type"] == wanted;
        seen.push(ev);
        if done {
            return seen;
        }
    }
    panic!("no {wanted} in {} events", seen.len());
}

fn text_of_response_done(done: &Value) -> Vec<String> {
    done["response"]["output"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|item| item["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|part| part["text"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_text_conversation_gets_the_scripted_reply() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open().await;
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {"modalities": ["text"]}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;
        send_json(
            &mut ws,
            json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                   "content": [{"type": "input_text", "text": "hello there"}]}}),
        )
        .await;
        recv_until(&mut ws, "conversation.item.created").await;
        send_json(&mut ws, json!({"type": "response.create"})).await;
        let events = recv_until(&mut ws, "response.done").await;
        let done = events.last().unwrap();
        assert_eq!(done["response"]["status"], "completed", "{done}");
        assert_eq!(text_of_response_done(done), ["You said: hello there"]);
        let deltas: String = events
            .iter()
            .filter(|e| e["type"] == "response.text.delta")
            .filter_map(|e| e["delta"].as_str())
            .collect();
        assert_eq!(deltas, "You said: hello there");
    })
    .await;
}

#[tokio::test]
async fn the_ga_endpoint_speaks_ga_names() {
    bounded(async {
        let server = TestServer::default().await;
        let mut ws = server.open_at("/v1/realtime?model=gpt-realtime").await;
        send_json(
            &mut ws,
            json!({"type": "session.update",
                   "session": {"type": "realtime", "output_modalities": ["text"]}}),
        )
        .await;
        let updated = recv_until(&mut ws, "session.updated").await;
        let session = &updated.last().unwrap()["session"];
        assert_eq!(session["output_modalities"], json!(["text"]), "{session}");
        send_json(
            &mut ws,
            json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                   "content": [{"type": "input_text", "text": "hi ga"}]}}),
        )
        .await;
        recv_until(&mut ws, "conversation.item.added").await;
        send_json(&mut ws, json!({"type": "response.create"})).await;
        let events = recv_until(&mut ws, "response.done").await;
        assert!(
            events
                .iter()
                .any(|e| e["type"] == "response.output_text.delta"),
            "{events:?}"
        );
        assert!(
            !events.iter().any(|e| e["type"] == "response.text.delta"),
            "{events:?}"
        );
        assert_eq!(
            text_of_response_done(events.last().unwrap()),
            ["You said: hi ga"]
        );
    })
    .await;
}

#[tokio::test]
async fn the_session_cap_warns_then_closes_with_1001_session_expired() {
    bounded(async {
        let mut config = Config::default();
        config.limits.max_session_duration = Some(Duration::from_millis(1500));
        config.limits.session_expiry_warning = Duration::from_millis(1000);
        let server = TestServer::start(config).await;
        let mut ws = server.connect().await;
        let created = recv_json(&mut ws).await;
        assert!(created["session"]["expires_at"].is_i64(), "{created}");
        let warning = recv_json(&mut ws).await;
        assert_eq!(warning["type"], "warning", "{warning}");
        assert_eq!(warning["warning"]["code"], "session_expiring", "{warning}");
        let error = recv_json(&mut ws).await;
        assert_eq!(error["type"], "error", "{error}");
        assert_eq!(error["error"]["code"], "session_expired", "{error}");
        let frame = recv_close(&mut ws)
            .await
            .expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Away);
        assert_eq!(frame.reason.as_str(), "session_expired");
    })
    .await;
}

#[tokio::test]
async fn the_event_rate_limit_is_configurable() {
    bounded(async {
        let mut config = Config::default();
        config.limits.event_rate = 2;
        config.limits.event_burst = 2;
        let server = TestServer::start(config).await;
        let mut ws = server.open().await;
        for _ in 0..10 {
            send_json(&mut ws, json!({"type": "input_audio_buffer.clear"})).await;
        }
        let mut codes = Vec::new();
        for _ in 0..10 {
            let ev = recv_json(&mut ws).await;
            if ev["type"] == "error" {
                codes.push(ev["error"]["code"].as_str().unwrap_or_default().to_owned());
                break;
            }
        }
        assert_eq!(codes, ["rate_limit_exceeded"]);
    })
    .await;
}

#[tokio::test]
async fn the_echo_endpoint_is_off_by_default_and_echoes_behind_the_session_limits() {
    bounded(async {
        let server = TestServer::default().await;
        let refused = server.connect_to("/echo").await;
        assert!(
            matches!(&refused, Err(tungstenite::Error::Http(r)) if r.status() == 404),
            "{refused:?}"
        );
        server.shutdown().await;

        let mut config = Config {
            websocket_echo_path: Some("/echo".into()),
            ..Config::default()
        };
        config.limits.max_message_size = 1024;
        let server = TestServer::start(config).await;
        let mut ws = server.connect_to("/echo").await.unwrap();
        ws.send(Message::Text("hello".into())).await.unwrap();
        ws.send(Message::Binary(vec![7u8; 1024].into()))
            .await
            .unwrap();
        for want in [
            Message::Text("hello".into()),
            Message::Binary(vec![7u8; 1024].into()),
        ] {
            let got = tokio::time::timeout(STEP, ws.next())
                .await
                .expect("no echo")
                .expect("stream ended")
                .expect("read failed");
            assert_eq!(got, want);
        }
        // One byte over --max-message-size: the same refusal as a session's (close 1009).
        ws.send(Message::Binary(vec![0u8; 1025].into()))
            .await
            .unwrap();
        let frame = recv_close(&mut ws)
            .await
            .expect("a close frame with a code");
        assert_eq!(frame.code, CloseCode::Size);
        server.shutdown().await;
    })
    .await;
}

mod admission;
mod console;
mod deploy;
mod faults;
mod jwt;
mod metrics;
#[cfg(feature = "redis")]
mod redis_quota;
mod tls;
