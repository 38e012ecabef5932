//! Avatar over WebRTC through the real server (feature `avatar`): a WebSocket session with the
//! scripted backend, `session.avatar.connect` with an offer from vl-avatar's str0m
//! [`ReceiverClient`], ICE/DTLS/SRTP over loopback UDP, and the media it receives.
//!
//! Bounds are loose on purpose (a loaded 2-core machine): they check that media flows, not how
//! smoothly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on failure by design"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use vl_avatar::client::{Received, ReceiverClient};
use vl_server::avatar::AvatarSettings;
use vl_server::config::Config;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const STEP: Duration = Duration::from_secs(10);

struct Server {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let config = Config {
        avatar: AvatarSettings {
            bind: "127.0.0.1:0".parse().unwrap(),
            ..AvatarSettings::default()
        },
        ..Config::default()
    };
    tokio::spawn(vl_server::server::run(listener, config, async move {
        let _ = stopped.await;
    }));
    Server { addr, _stop: stop }
}

async fn connect(server: &Server) -> Ws {
    let url = format!(
        "ws://{}/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime",
        server.addr
    );
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// Reads events until one of type `t` (returned with everything before it).
async fn until(ws: &mut Ws, t: &str) -> (Value, Vec<Value>) {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {t} in time; saw {:?}", types(&seen)))
            .expect("socket open")
            .unwrap();
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["type"] == t {
            return (v, seen);
        }
        seen.push(v);
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("?").to_owned())
        .collect()
}

async fn avatar_session(server: &Server) -> Ws {
    avatar_session_with(server, json!({"outputs": ["viseme_id"]})).await
}

/// A session with the avatar and `animation` (`null`: no animation events asked for).
async fn avatar_session_with(server: &Server, animation: Value) -> Ws {
    let mut ws = connect(server).await;
    until(&mut ws, "session.created").await;
    send(
        &mut ws,
        json!({"type": "session.update", "session": {
            "turn_detection": null,
            "avatar": {"character": "lisa", "style": "casual-sitting"},
            "animation": animation
        }}),
    )
    .await;
    until(&mut ws, "session.updated").await;
    ws
}

/// A client stepping in its own thread until stopped.
struct Running {
    stop: Arc<AtomicBool>,
    connected: Option<oneshot::Receiver<()>>,
    counts: Arc<std::sync::Mutex<(usize, usize)>>,
    handle: std::thread::JoinHandle<Received>,
}

fn run(mut client: ReceiverClient) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(std::sync::Mutex::new((0, 0)));
    let (tx, rx) = oneshot::channel();
    let (s, c) = (Arc::clone(&stop), Arc::clone(&counts));
    let handle = std::thread::spawn(move || {
        let mut tx = Some(tx);
        while !s.load(Ordering::Relaxed) {
            client.step(Duration::from_millis(1)).unwrap();
            if client.received.connected_at.is_some() {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            }
            *c.lock().unwrap() = (client.received.audio.len(), client.received.video.len());
        }
        client.received
    });
    Running {
        stop,
        connected: Some(rx),
        counts,
        handle,
    }
}

impl Running {
    async fn connected(&mut self) {
        let rx = self.connected.take().unwrap();
        tokio::time::timeout(STEP, rx)
            .await
            .expect("ICE/DTLS up in time")
            .unwrap();
    }

    fn counts(&self) -> (usize, usize) {
        *self.counts.lock().unwrap()
    }

    fn finish(self) -> Received {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

/// Sends the offer and applies the answer; returns the running client.
async fn offer(ws: &mut Ws) -> Running {
    let (mut client, client_sdp) = ReceiverClient::new(Instant::now()).unwrap();
    let mouth = vl_avatar::renderer::Renderer::new(vl_avatar::renderer::RenderConfig::default())
        .unwrap()
        .mouth_region();
    client.watch(mouth);
    send(
        ws,
        json!({"type": "session.avatar.connect", "event_id": "connect", "client_sdp": client_sdp}),
    )
    .await;
    let (connecting, _) = until(ws, "session.avatar.connecting").await;
    let server_sdp = connecting["server_sdp"].as_str().unwrap();
    client.accept_answer(server_sdp).unwrap();
    run(client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatar_speaks_a_reply_over_webrtc() {
    let server = server().await;
    let ws = avatar_session(&server).await;
    let all = speak_a_reply(ws).await;
    // The client asked for visemes: it gets them too.
    assert!(
        all.iter().any(|t| t == "response.animation_viseme.delta"),
        "{all:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_avatar_lip_syncs_when_the_client_asked_for_no_visemes() {
    let server = server().await;
    let ws = avatar_session_with(&server, Value::Null).await;
    let all = speak_a_reply(ws).await;
    assert!(
        !all.iter()
            .any(|t| t.starts_with("response.animation_viseme")),
        "visemes made for the avatar are not sent to a client that did not ask: {all:?}"
    );
}

/// Connects the avatar, asks for a reply, checks the media (audio loud while speaking, frames,
/// the mouth moving while speaking and still before) and returns the event types seen.
async fn speak_a_reply(mut ws: Ws) -> Vec<String> {
    let mut client = offer(&mut ws).await;
    client.connected().await;
    // Idle for a while first: the mouth's rest level and its idle motion.
    tokio::time::sleep(Duration::from_millis(600)).await;

    send(
        &mut ws,
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "hello there avatar"}]}}),
    )
    .await;
    send(&mut ws, json!({"type": "response.create"})).await;
    let (_, before_speaking) = until(&mut ws, "session.avatar.switch_to_speaking").await;
    let speaking_at = Instant::now();
    let (_, before_idle) = until(&mut ws, "session.avatar.switch_to_idle").await;
    let idle_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = client.finish();

    let all: Vec<String> = types(&before_speaking)
        .into_iter()
        .chain(types(&before_idle))
        .collect();
    // Reply audio goes to WebRTC only (no output_audit_audio).
    assert!(!all.iter().any(|t| t == "response.audio.delta"), "{all:?}");
    assert!(all.iter().any(|t| t == "response.done"), "{all:?}");
    assert!(
        !all.iter().any(|t| t.starts_with("session.avatar.switch")),
        "one speaking, then one idle: {all:?}"
    );

    // Media: Opus packets all along, loud while speaking; H.264 512×512 frames with a keyframe.
    let t0 = got.connected_at.unwrap();
    let secs = (Instant::now() - t0).as_secs_f64();
    let spoken = idle_at - speaking_at;
    assert!(spoken >= Duration::from_millis(300), "spoke {spoken:?}");
    let loud = got.audio.iter().filter(|(_, rms)| *rms > 1000.0).count();
    eprintln!(
        "avatar e2e: {} audio packets ({loud} loud), {} video frames in {secs:.2} s, spoke {spoken:?}",
        got.audio.len(),
        got.video.len()
    );
    // 50 packets/s and 25 frames/s nominal; at least 40 % of that on a loaded machine.
    assert!(got.audio.len() as f64 >= 0.4 * 50.0 * secs, "audio packets");
    assert!(loud >= 10, "speech arrived as audio: {loud} loud packets");
    assert!(got.video.len() as f64 >= 0.4 * 25.0 * secs, "video frames");
    assert!(got.video.iter().all(|(_, size, _)| *size == (512, 512)));
    assert!(got.video.iter().any(|(_, _, key)| *key), "a keyframe");
    assert!(got.channel_open, "data channel");

    // Lip sync: the mouth region's luma moves while the avatar speaks, far more than at rest
    // (frames by arrival; the media is paced in real time, so arrival follows the media clock).
    assert_eq!(got.watched_luma.len(), got.video.len());
    let mouth = |from: Instant, to: Instant| -> Vec<f64> {
        got.video
            .iter()
            .zip(&got.watched_luma)
            .filter(|((t, _, _), l)| *t >= from && *t < to && l.is_finite())
            .map(|(_, &l)| l)
            .collect()
    };
    let spread = |v: &[f64]| {
        let n = v.len().max(1) as f64;
        let mean = v.iter().sum::<f64>() / n;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
    };
    let rest = mouth(t0 + Duration::from_millis(100), speaking_at);
    let talking = mouth(speaking_at + Duration::from_millis(100), idle_at);
    let (rest_spread, talking_spread) = (spread(&rest), spread(&talking));
    eprintln!(
        "avatar e2e: mouth luma spread at rest {rest_spread:.2} ({} frames), speaking \
         {talking_spread:.2} ({} frames)",
        rest.len(),
        talking.len()
    );
    assert!(rest.len() >= 3 && talking.len() >= 3, "frames to compare");
    assert!(
        talking_spread > 0.3 && talking_spread > 4.0 * rest_spread,
        "the mouth must move with the speech: spread {talking_spread:.2} vs {rest_spread:.2} at rest"
    );
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_client_sdp_is_an_error_and_the_session_stays_usable() {
    let server = server().await;
    let mut ws = connect(&server).await;
    until(&mut ws, "session.created").await;
    // No avatar configured yet.
    send(
        &mut ws,
        json!({"type": "session.avatar.connect", "client_sdp": "eyJ9"}),
    )
    .await;
    let (err, _) = until(&mut ws, "error").await;
    assert_eq!(err["error"]["param"], "avatar", "{err}");

    let mut ws = avatar_session(&server).await;
    for bad in ["%%% not base64 %%%", "dj0wDQpub3Qgc2RwDQo="] {
        send(
            &mut ws,
            json!({"type": "session.avatar.connect", "event_id": "bad", "client_sdp": bad}),
        )
        .await;
        let (err, _) = until(&mut ws, "error").await;
        assert_eq!(err["error"]["type"], "invalid_request_error", "{err}");
        assert_eq!(err["error"]["param"], "client_sdp", "{err}");
        assert_eq!(err["error"]["event_id"], "bad", "{err}");
    }
    // Still usable: an update, then a good offer.
    send(
        &mut ws,
        json!({"type": "session.update", "session": {"instructions": "still here"}}),
    )
    .await;
    until(&mut ws, "session.updated").await;
    let mut client = offer(&mut ws).await;
    client.connected().await;
    client.finish();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_connect_replaces_the_first_and_the_session_end_closes_it() {
    let server = server().await;
    let mut ws = avatar_session(&server).await;
    let mut first = offer(&mut ws).await;
    first.connected().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(first.counts().0 > 0, "first peer sends audio");

    let mut second = offer(&mut ws).await;
    second.connected().await;
    // What was in flight for the first peer has arrived after this.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first_after = first.counts();
    let second_before = second.counts();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(first.counts(), first_after, "the first peer stopped");
    let second_now = second.counts();
    assert!(
        second_now.0 > second_before.0 && second_now.1 > second_before.1,
        "the second peer streams: {second_before:?} -> {second_now:?}"
    );

    // Ending the session closes the second peer.
    ws.close(None).await.unwrap();
    drop(ws);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let closed = second.counts();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(second.counts(), closed, "the session end stopped the peer");
    first.finish();
    second.finish();
}
