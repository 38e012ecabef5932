//! Fault injection through `vl_load::faultproxy` in front of the real server (reliability.md
//! §4.6): a session behind a faulty link is freed (the `voicelive_sessions_active` gauge of
//! `/metrics` goes back down), the other sessions are unaffected, and the audio they committed
//! is intact: its scripted-ASR transcript (one word per voiced run, from the run's index and
//! length) equals the one computed from the audio sent.

use super::*;
use base64::Engine as _;
use vl_load::faultproxy::{Faults, ProxyConfig, start as start_proxy};

/// Polls `voicelive_sessions_active` until it equals `want` (at most 5 s).
async fn wait_active(addr: SocketAddr, want: u64) {
    super::metrics::wait_metric(addr, "voicelive_sessions_active", want as f64).await;
}

/// Voiced runs (in 20 ms chunks) of the test audio, each followed by [`GAP_CHUNKS`] silent
/// chunks: the scripted ASR makes one word per run from its index and length, so a lost,
/// duplicated or reordered run changes the transcript.
/// Their durations (140, 160, 240, 260, 340 ms) stay 40 ms or more away from the ASR's 100 ms
/// word steps, so the server's resampling cannot move a word across a step.
const RUNS: [usize; 5] = [7, 8, 12, 13, 17];
/// Silent chunks after each run (80 ms: longer than the ASR's 40 ms bridge). The 75 chunks the
/// live session sends end inside the gap after the fifth run.
const GAP_CHUNKS: usize = 4;

/// Whether chunk `k` of the test audio is voiced.
fn voiced(k: usize) -> bool {
    let cycle: usize = RUNS.iter().map(|r| r + GAP_CHUNKS).sum();
    let mut pos = k % cycle;
    for run in RUNS {
        if pos < run {
            return true;
        }
        if pos < run + GAP_CHUNKS {
            return false;
        }
        pos -= run + GAP_CHUNKS;
    }
    false
}

/// 20 ms of deterministic 24 kHz PCM16, chunk `k`: a sawtooth when voiced, else silence.
fn pattern_chunk(k: usize) -> Vec<u8> {
    (0..480)
        .flat_map(|i| {
            let v = if voiced(k) {
                (((k * 480 + i) * 37) % 20_000) as i16 - 10_000
            } else {
                0
            };
            v.to_le_bytes()
        })
        .collect()
}

/// The scripted ASR's transcript of PCM16 bytes at 24 kHz.
fn expected_transcript(pcm: &[u8]) -> String {
    let samples: Vec<i16> = pcm
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    vl_engine::scripted::asr::transcript_for(&samples, 24_000)
}

fn append_event(pcm: &[u8]) -> Value {
    json!({
        "type": "input_audio_buffer.append",
        "audio": base64::engine::general_purpose::STANDARD.encode(pcm),
    })
}

/// A session with turn detection off, so only an explicit commit commits.
async fn open_manual(server: &TestServer, base: &str) -> Ws {
    let mut ws = TestServer::open_url(base).await;
    send_json(
        &mut ws,
        json!({"type": "session.update", "session": {"turn_detection": null}}),
    )
    .await;
    recv_until(&mut ws, "session.updated").await;
    let _ = server;
    ws
}

/// Commits and returns the committed item's transcript (the server's scripted ASR), retrieving
/// the item until the transcript is there.
async fn commit_and_transcribe(ws: &mut Ws) -> String {
    send_json(ws, json!({"type": "input_audio_buffer.commit"})).await;
    let events = recv_until(ws, "input_audio_buffer.committed").await;
    let committed = events.last().unwrap();
    let item_id = committed["item_id"].as_str().unwrap().to_owned();
    for _ in 0..50 {
        send_json(
            ws,
            json!({"type": "conversation.item.retrieve", "item_id": item_id}),
        )
        .await;
        let events = recv_until(ws, "conversation.item.retrieved").await;
        let item = &events.last().unwrap()["item"];
        if let Some(t) = item["content"][0]["transcript"].as_str() {
            return t.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the committed item never got a transcript");
}

impl TestServer {
    async fn open_url(base: &str) -> Ws {
        let url = format!("{base}/voice-live/realtime?{QUERY}");
        let (mut ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(url))
            .await
            .expect("handshake timed out")
            .expect("handshake failed");
        let created = recv_json(&mut ws).await;
        assert_eq!(created["type"], "session.created", "{created}");
        ws
    }
}

fn proxy_cfg(upstream: SocketAddr, to_server: Faults, to_client: Faults) -> ProxyConfig {
    ProxyConfig {
        upstream,
        to_server,
        to_client,
    }
}

/// Streams `chunks` pattern chunks from `first` into `ws` (no reply expected).
async fn stream_chunks(ws: &mut Ws, first: usize, chunks: usize) -> Vec<u8> {
    let mut sent = Vec::new();
    for k in first..first + chunks {
        let pcm = pattern_chunk(k);
        send_json(ws, append_event(&pcm)).await;
        sent.extend_from_slice(&pcm);
    }
    sent
}

/// Runs one fault against a proxied session while a direct session streams across it.
async fn fault_frees_the_session_and_spares_the_other(to_server: Faults, to_client: Faults) {
    let mut config = Config::default();
    config.limits.write_deadline = Duration::from_millis(800);
    config.limits.outbound_queue = 8;
    config.limits.liveness_timeout = Some(Duration::from_secs(2));
    config.limits.ping_interval = Some(Duration::from_millis(500));
    let server = TestServer::start(config).await;
    let proxy = start_proxy(
        "127.0.0.1:0".parse().unwrap(),
        proxy_cfg(server.addr, to_server, to_client),
    )
    .await
    .unwrap();

    let mut live = open_manual(&server, &format!("ws://{}", server.addr)).await;
    let mut sent = stream_chunks(&mut live, 0, 25).await;

    // The faulty session: whatever the fault, it sends audio and asks for large replies.
    let mut faulty = TestServer::open_url(&format!("ws://{}", proxy.addr())).await;
    wait_active(server.addr, 2).await;
    let big = "x".repeat(64 * 1024);
    let flood = async {
        for k in 0..200 {
            let a = append_event(&pattern_chunk(k));
            if faulty
                .send(Message::Text(a.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
            let u = json!({"type": "session.update", "session": {"instructions": big}});
            if faulty
                .send(Message::Text(u.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    };
    // Bounded below the 2 s liveness timeout: the live session sends nothing meanwhile.
    let _ = tokio::time::timeout(Duration::from_millis(1500), flood).await;

    // Meanwhile and afterwards the live session goes on.
    sent.extend(stream_chunks(&mut live, 25, 25).await);
    wait_active(server.addr, 1).await;
    sent.extend(stream_chunks(&mut live, 50, 25).await);
    assert_alive(&mut live).await;
    let want = expected_transcript(&sent);
    assert_eq!(want.split(' ').count(), 5, "test audio: {want}");
    let got = commit_and_transcribe(&mut live).await;
    assert_eq!(got, want, "the committed audio differs from what was sent");
    drop(faulty);
    live.close(None).await.unwrap();
    wait_active(server.addr, 0).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_reset_link_frees_the_session() {
    bounded(fault_frees_the_session_and_spares_the_other(
        Faults {
            reset_after: Some(60_000),
            ..Faults::default()
        },
        Faults::default(),
    ))
    .await;
}

#[tokio::test]
async fn a_frame_truncated_mid_stream_frees_the_session() {
    bounded(fault_frees_the_session_and_spares_the_other(
        Faults {
            truncate_after: Some(60_001),
            ..Faults::default()
        },
        Faults::default(),
    ))
    .await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_as_a_slow_consumer() {
    bounded(fault_frees_the_session_and_spares_the_other(
        Faults::default(),
        Faults {
            stall_after: Some(20_000),
            ..Faults::default()
        },
    ))
    .await;
}

#[tokio::test]
async fn a_link_that_stalls_both_ways_is_closed_at_the_liveness_timeout() {
    bounded(fault_frees_the_session_and_spares_the_other(
        Faults {
            stall_after: Some(30_000),
            ..Faults::default()
        },
        Faults {
            stall_after: Some(30_000),
            ..Faults::default()
        },
    ))
    .await;
}

/// A slow but sufficient link (80 ms each way, 200 kB/s) keeps the session working and its
/// committed audio intact.
#[tokio::test]
async fn a_delayed_throttled_link_loses_nothing() {
    bounded(async {
        let server = TestServer::default().await;
        let slow = Faults {
            delay: Duration::from_millis(80),
            throttle_bps: Some(200_000),
            ..Faults::default()
        };
        let proxy = start_proxy(
            "127.0.0.1:0".parse().unwrap(),
            proxy_cfg(server.addr, slow.clone(), slow),
        )
        .await
        .unwrap();
        let mut ws = open_manual(&server, &format!("ws://{}", proxy.addr())).await;
        let t = tokio::time::Instant::now();
        let sent = stream_chunks(&mut ws, 0, 56).await;
        let want = expected_transcript(&sent);
        let got = commit_and_transcribe(&mut ws).await;
        assert!(t.elapsed() >= Duration::from_millis(160), "no delay seen");
        assert_eq!(got, want, "the committed audio differs from what was sent");
        ws.close(None).await.unwrap();
        wait_active(server.addr, 0).await;
        server.shutdown().await;
    })
    .await;
}
