//! The load run: `sessions` WebSocket sessions, each speaking the audio script in real time with
//! server VAD on, while the server's events are timed against what was sent.
//!
//! Latencies (all measured at the client, on one monotonic clock):
//! * `probe`: a `session.update` (sent every `probe_interval` by each session) → its
//!   `session.updated`. Pure server event latency under load.
//! * `vad_stop`: the append that completed the VAD's silence → `input_audio_buffer.speech_stopped`.
//!   That append is the one carrying audio position `audio_end_ms + silence_duration_ms` (the
//!   VAD reports the stop at exactly that position, vl-vad `turn.rs`).
//! * `commit`, `response_created`, `first_audio`: the same append →
//!   `input_audio_buffer.committed`, → `response.created`, → the first `response.audio.delta`
//!   (or `response.output_audio.delta`) of that turn's response.
//! * `handshake`: TCP connect + WebSocket upgrade.
//! * `send_lateness`: how late the client's 20 ms send ticks fired (a client overload check).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::audio::{CHUNK_MS, Script};
use crate::procstat::{self, ProcSample};
use crate::report::{Latency, Report, Second};

/// What a load run does.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// WebSocket URL, with query (`ws://127.0.0.1:8080/voice-live/realtime?...`).
    pub url: String,
    /// Concurrent sessions.
    pub sessions: usize,
    /// Streaming time per session, in s.
    pub seconds: f64,
    /// Time over which the sessions connect.
    pub ramp: Duration,
    /// How often each session sends a `session.update` probe.
    pub probe_interval: Duration,
    /// Server VAD `silence_duration_ms`, in ms.
    pub silence_ms: u64,
    /// `api-key` header to send, if any.
    pub api_key: Option<String>,
    /// Server process to sample from `/proc`.
    pub server_pid: Option<u32>,
    /// How long all sessions stay idle before streaming (the idle memory sample is taken then).
    pub idle_wait: Duration,
    /// Churn: each session lives a random (seeded) time in this range, in s, then closes and a
    /// new one opens in its place, until `seconds` are over. `None`: sessions live the whole run.
    pub churn: Option<(f64, f64)>,
    /// Turn the server's DSP on: `azure_deep_noise_suppression` noise reduction and
    /// `server_echo_cancellation`.
    pub dsp: bool,
}

impl Default for LoadConfig {
    fn default() -> Self {
        Self {
            url:
                "ws://127.0.0.1:8080/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime"
                    .to_owned(),
            sessions: 10,
            seconds: 10.0,
            ramp: Duration::from_secs(2),
            probe_interval: Duration::from_secs(2),
            silence_ms: 500,
            api_key: None,
            server_pid: None,
            idle_wait: Duration::from_secs(2),
            churn: None,
            dsp: false,
        }
    }
}

const STEP: Duration = Duration::from_secs(15);
const LATENCIES: [&str; 7] = [
    "probe",
    "vad_stop",
    "commit",
    "response_created",
    "first_audio",
    "handshake",
    "send_lateness",
];

/// Everything the sessions record.
#[derive(Debug, Default)]
struct Collector {
    latency: BTreeMap<&'static str, Latency>,
    per_second_event: Vec<Latency>,
    per_second_audio: Vec<Latency>,
    error_events: BTreeMap<String, u64>,
    failures: BTreeMap<String, u64>,
    events: BTreeMap<String, u64>,
    appends_sent: u64,
}

impl Collector {
    fn record(&mut self, name: &'static str, d: Duration, second: Option<usize>) {
        self.latency.entry(name).or_default().record(d);
        let Some(s) = second else { return };
        let series = match name {
            "first_audio" => &mut self.per_second_audio,
            "probe" | "vad_stop" | "commit" | "response_created" => &mut self.per_second_event,
            _ => return,
        };
        if series.len() <= s {
            series.resize_with(s + 1, Latency::new);
        }
        if let Some(h) = series.get_mut(s) {
            h.record(d);
        }
    }

    fn fail(&mut self, kind: impl Into<String>) {
        *self.failures.entry(kind.into()).or_default() += 1;
    }

    fn count(&mut self, event: &str) {
        *self.events.entry(event.to_owned()).or_default() += 1;
    }
}

type Shared = Arc<Mutex<Collector>>;

fn lock(c: &Shared) -> MutexGuard<'_, Collector> {
    c.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The per-session state shared by its reader and writer halves.
#[derive(Debug, Default)]
struct SessionState {
    /// Send time of each append since streaming started.
    sent: Vec<Instant>,
    /// Outstanding probes: number and send time.
    probes: VecDeque<(u64, Instant)>,
    /// The append that ended the current turn, until its first audio delta.
    turn_ref: Option<Instant>,
    /// The writer sent its close frame.
    closing: bool,
}

/// The fields of a server event the client looks at.
#[derive(Debug, Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    audio_end_ms: Option<u64>,
    #[serde(default)]
    session: Option<SessionField>,
    #[serde(default)]
    error: Option<ErrorField>,
    #[serde(default)]
    response: Option<ResponseField>,
}

#[derive(Debug, Deserialize)]
struct SessionField {
    #[serde(default)]
    instructions: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorField {
    #[serde(default)]
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ResponseField {
    #[serde(default)]
    status: Option<String>,
}

/// Only the `type` of a server event (the audio deltas are parsed no further).
#[derive(Debug, Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Runs the load and returns its report.
pub async fn run(cfg: LoadConfig, script: Arc<Script>) -> Report {
    let cfg = Arc::new(cfg);
    let coll: Shared = Arc::default();
    let baseline = cfg.server_pid.and_then(procstat::sample);
    let (ready_tx, mut ready_rx) = mpsc::channel::<bool>(cfg.sessions.max(1));
    let (start_tx, start_rx) = watch::channel::<Option<Instant>>(None);
    let mut tasks = Vec::with_capacity(cfg.sessions);
    let gap = cfg
        .ramp
        .checked_div(u32::try_from(cfg.sessions.max(1)).unwrap_or(u32::MAX));
    for i in 0..cfg.sessions {
        tasks.push(tokio::spawn(session(
            i,
            Arc::clone(&cfg),
            Arc::clone(&script),
            Arc::clone(&coll),
            ready_tx.clone(),
            start_rx.clone(),
        )));
        if let Some(gap) = gap {
            sleep(gap).await;
        }
    }
    drop(ready_tx);
    let mut opened = 0usize;
    for _ in 0..cfg.sessions {
        match timeout(STEP * 2, ready_rx.recv()).await {
            Ok(Some(true)) => opened += 1,
            Ok(Some(false)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    sleep(cfg.idle_wait).await;
    let idle = cfg.server_pid.and_then(procstat::sample);
    let t0 = Instant::now() + Duration::from_millis(50);
    let _ = start_tx.send(Some(t0));

    let sampler = cfg.server_pid.map(|pid| {
        let seconds = cfg.seconds;
        tokio::spawn(async move {
            let mut out: Vec<(f64, ProcSample)> = Vec::new();
            let mut tick = tokio::time::interval_at(t0, Duration::from_secs(1));
            loop {
                let at = tick.tick().await;
                let t = at.duration_since(t0).as_secs_f64();
                if let Some(s) = procstat::sample(pid) {
                    out.push((t, s));
                }
                if t > seconds + 1.0 {
                    break;
                }
            }
            out
        })
    });
    for t in tasks {
        if t.await.is_err() {
            lock(&coll).fail("session_task_panicked");
        }
    }
    let end = cfg.server_pid.and_then(procstat::sample);
    let samples = match sampler {
        Some(h) => h.await.unwrap_or_default(),
        None => Vec::new(),
    };
    build_report(&cfg, &script, &coll, opened, baseline, idle, end, &samples)
}

#[allow(clippy::too_many_arguments, reason = "one call site, all plain data")]
fn build_report(
    cfg: &LoadConfig,
    script: &Script,
    coll: &Shared,
    opened: usize,
    baseline: Option<ProcSample>,
    idle: Option<ProcSample>,
    end: Option<ProcSample>,
    samples: &[(f64, ProcSample)],
) -> Report {
    let c = lock(coll);
    let mut report = Report {
        sessions: cfg.sessions,
        sessions_opened: opened,
        seconds: cfg.seconds,
        error_events: c.error_events.clone(),
        failures: c.failures.clone(),
        events: c.events.clone(),
        appends_sent: c.appends_sent,
        server_baseline: baseline,
        server_idle: idle,
        server_end: end,
        ..Report::default()
    };
    report
        .script
        .insert("utterances".into(), script.utterances as f64);
    report
        .script
        .insert("speech_seconds".into(), script.speech_seconds);
    report
        .script
        .insert("loop_seconds".into(), script.seconds());
    for name in LATENCIES {
        if let Some(l) = c.latency.get(name) {
            report.latency.insert(name.to_owned(), l.summary());
        }
    }
    if let (Some(b), Some(i)) = (baseline, idle)
        && opened > 0
    {
        report.idle_rss_per_session_kib =
            Some((i.rss_kib as f64 - b.rss_kib as f64) / opened as f64);
    }
    let streaming: Vec<_> = samples.iter().filter(|(t, _)| *t <= cfg.seconds).collect();
    if let (Some(first), Some(last)) = (streaming.first(), streaming.last())
        && last.0 > first.0
    {
        report.server_cpu_cores = Some((last.1.cpu_s - first.1.cpu_s) / (last.0 - first.0));
    }
    report.server_peak_rss_mib = streaming
        .iter()
        .map(|(_, s)| s.rss_kib as f64 / 1024.0)
        .reduce(f64::max);
    let n = (cfg.seconds.ceil() as usize).max(1);
    let mut prev: Option<&(f64, ProcSample)> = None;
    for s in 0..n {
        let sample = samples.iter().find(|(t, _)| (*t - s as f64).abs() < 0.5);
        let cpu = match (prev, sample) {
            (Some(p), Some(x)) if x.0 > p.0 => (x.1.cpu_s - p.1.cpu_s) / (x.0 - p.0),
            _ => 0.0,
        };
        if sample.is_some() {
            prev = sample;
        }
        report.timeline.push(Second {
            t_s: s as f64,
            event_p99_ms: c
                .per_second_event
                .get(s)
                .map_or(0.0, |h| h.summary().p99_ms),
            first_audio_p99_ms: c
                .per_second_audio
                .get(s)
                .map_or(0.0, |h| h.summary().p99_ms),
            rss_mib: sample.map_or(0.0, |x| x.1.rss_kib as f64 / 1024.0),
            cpu_cores: cpu,
        });
    }
    report
}

/// Connects and configures one session, reports readiness, waits for the start, then streams.
async fn session(
    i: usize,
    cfg: Arc<LoadConfig>,
    script: Arc<Script>,
    coll: Shared,
    ready: mpsc::Sender<bool>,
    mut start: watch::Receiver<Option<Instant>>,
) {
    let ws = match open(&cfg, &coll).await {
        Ok(ws) => ws,
        Err(kind) => {
            lock(&coll).fail(kind);
            let _ = ready.send(false).await;
            return;
        }
    };
    let _ = ready.send(true).await;
    drop(ready);
    let Ok(t0) = start
        .wait_for(Option::is_some)
        .await
        .map(|t| t.unwrap_or_else(Instant::now))
    else {
        return;
    };
    let deadline = t0 + Duration::from_secs_f64(cfg.seconds);
    let Some((min, max)) = cfg.churn else {
        stream(i, &cfg, &script, &coll, ws, t0, deadline).await;
        return;
    };
    // xorshift64, seeded by the session number: the same lifetimes on every run.
    let mut seed = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut ws = Some(ws);
    while Instant::now() + Duration::from_secs(1) < deadline {
        let life = Duration::from_secs_f64(min + (max - min).max(0.0) * next());
        let end = (Instant::now().max(t0) + life).min(deadline);
        let w = match ws.take() {
            Some(w) => w,
            None => match open(&cfg, &coll).await {
                Ok(w) => w,
                Err(kind) => {
                    lock(&coll).fail(kind);
                    sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        stream(i, &cfg, &script, &coll, w, t0, end).await;
        lock(&coll).count("sessions_closed");
    }
}

/// TCP + upgrade, `session.created`, `session.update` with server VAD, `session.updated`.
/// The client's WebSocket settings: an 8 KiB read buffer (tungstenite zero-fills the whole read
/// buffer, 128 KiB by default, before every socket read: at hundreds of sessions that memset
/// was 30 % of the generator's CPU), otherwise tungstenite's defaults.
fn client_websocket_config() -> tungstenite::protocol::WebSocketConfig {
    tungstenite::protocol::WebSocketConfig::default().read_buffer_size(8 * 1024)
}

async fn open(cfg: &LoadConfig, coll: &Shared) -> Result<Ws, String> {
    let mut request = cfg
        .url
        .as_str()
        .into_client_request()
        .map_err(|_| "bad_url".to_owned())?;
    if let Some(key) = &cfg.api_key {
        let value = key.parse().map_err(|_| "bad_api_key".to_owned())?;
        request.headers_mut().insert("api-key", value);
    }
    let begun = Instant::now();
    let (mut ws, _) = match timeout(
        STEP,
        tokio_tungstenite::connect_async_with_config(
            request,
            Some(client_websocket_config()),
            true,
        ),
    )
    .await
    {
        Ok(Ok(pair)) => pair,
        Ok(Err(tungstenite::Error::Http(r))) => {
            return Err(format!("http_{}", r.status().as_u16()));
        }
        Ok(Err(_)) => return Err("connect_failed".to_owned()),
        Err(_) => return Err("connect_timeout".to_owned()),
    };
    lock(coll).record("handshake", begun.elapsed(), None);
    expect_type(&mut ws, "session.created").await?;
    let mut update = serde_json::json!({
        "type": "session.update",
        "session": {
            "turn_detection": {"type": "server_vad", "silence_duration_ms": cfg.silence_ms},
        }
    });
    if cfg.dsp {
        update["session"]["input_audio_noise_reduction"] =
            serde_json::json!({"type": "azure_deep_noise_suppression"});
        update["session"]["input_audio_echo_cancellation"] =
            serde_json::json!({"type": "server_echo_cancellation"});
    }
    ws.send(Message::Text(update.to_string().into()))
        .await
        .map_err(|_| "send_failed".to_owned())?;
    expect_type(&mut ws, "session.updated").await?;
    Ok(ws)
}

async fn expect_type(ws: &mut Ws, wanted: &str) -> Result<(), String> {
    loop {
        let msg = match timeout(STEP, ws.next()).await {
            Ok(Some(Ok(m))) => m,
            Ok(Some(Err(_)) | None) => return Err(format!("closed_before_{wanted}")),
            Err(_) => return Err(format!("timeout_waiting_{wanted}")),
        };
        if let Message::Text(t) = msg {
            let head: Head = serde_json::from_str(t.as_str()).map_err(|_| "bad_json".to_owned())?;
            if head.kind == wanted {
                return Ok(());
            }
            if head.kind == "error" {
                return Err(format!("error_before_{wanted}"));
            }
        }
    }
}

fn st(s: &Mutex<SessionState>) -> MutexGuard<'_, SessionState> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Streams the script until `end`, reading events concurrently (`t0`: the run's start).
async fn stream(
    i: usize,
    cfg: &LoadConfig,
    script: &Script,
    coll: &Shared,
    ws: Ws,
    t0: Instant,
    end: Instant,
) {
    let (mut sink, mut source) = ws.split();
    let state = Mutex::new(SessionState::default());
    let n = script.appends.len().max(1);
    // Spread the sessions over the loop and over the 20 ms send period.
    let offset = (i * 7919) % n;
    let phase = Duration::from_micros(((i * 1_000) % 20_000) as u64);
    let start = t0.max(Instant::now());
    let probe_phase = cfg.probe_interval.mul_f64(((i * 37) % 100) as f64 / 100.0);

    let writer = async {
        let mut tick = interval_at(start + phase, Duration::from_millis(CHUNK_MS));
        tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let mut next_probe = start + probe_phase;
        let mut probe_no = 0u64;
        let mut k = 0usize;
        let mut sent = 0u64;
        loop {
            let scheduled = tick.tick().await;
            if scheduled >= end {
                break;
            }
            let now = Instant::now();
            lock(coll).record("send_lateness", now.duration_since(scheduled), None);
            let Some(msg) = script.appends.get((offset + k) % n) else {
                break;
            };
            st(&state).sent.push(now);
            if sink.send(Message::Text(msg.clone())).await.is_err() {
                if !st(&state).closing {
                    lock(coll).fail("send_failed");
                }
                break;
            }
            k += 1;
            sent += 1;
            if now >= next_probe {
                probe_no += 1;
                next_probe += cfg.probe_interval;
                let probe = serde_json::json!({
                    "type": "session.update",
                    "session": {"instructions": format!("probe {probe_no}")}
                });
                st(&state).probes.push_back((probe_no, Instant::now()));
                if sink
                    .send(Message::Text(probe.to_string().into()))
                    .await
                    .is_err()
                {
                    lock(coll).fail("send_failed");
                    break;
                }
            }
        }
        lock(coll).appends_sent += sent;
        st(&state).closing = true;
        let close = CloseFrame {
            code: CloseCode::Normal,
            reason: "done".into(),
        };
        let _ = timeout(STEP, sink.send(Message::Close(Some(close)))).await;
    };

    let reader = async {
        loop {
            let limit = if st(&state).closing {
                STEP
            } else {
                end.duration_since(Instant::now()) + STEP
            };
            let msg = match timeout(limit, source.next()).await {
                Ok(Some(Ok(m))) => m,
                Ok(Some(Err(_)) | None) => {
                    if !st(&state).closing {
                        lock(coll).fail("connection_lost");
                    }
                    return;
                }
                Err(_) => {
                    lock(coll).fail("read_timeout");
                    return;
                }
            };
            match msg {
                Message::Text(t) => on_event(t.as_str(), cfg, coll, &state, t0),
                Message::Close(frame) => {
                    if !st(&state).closing {
                        let code = frame.map_or(1005, |f| u16::from(f.code));
                        lock(coll).fail(format!("server_closed_{code}"));
                    }
                    return;
                }
                _ => {}
            }
        }
    };
    tokio::join!(writer, reader);
}

fn on_event(text: &str, cfg: &LoadConfig, coll: &Shared, state: &Mutex<SessionState>, t0: Instant) {
    let now = Instant::now();
    let second = usize::try_from(now.saturating_duration_since(t0).as_secs()).ok();
    let Ok(TypeOnly { kind }) = serde_json::from_str::<TypeOnly<'_>>(text) else {
        lock(coll).fail("bad_json");
        return;
    };
    if kind == "response.audio.delta" || kind == "response.output_audio.delta" {
        let turn = st(state).turn_ref.take();
        if let Some(r) = turn {
            lock(coll).record("first_audio", now.duration_since(r), second);
        }
        return;
    }
    let Ok(head) = serde_json::from_str::<Head>(text) else {
        lock(coll).fail("bad_json");
        return;
    };
    let mut c = lock(coll);
    match head.kind.as_str() {
        "input_audio_buffer.speech_stopped" => {
            c.count("speech_stopped");
            let Some(end_ms) = head.audio_end_ms else {
                return;
            };
            let pos = end_ms + cfg.silence_ms;
            let k = usize::try_from(pos.div_ceil(CHUNK_MS).saturating_sub(1)).unwrap_or(0);
            let r = {
                let s = st(state);
                s.sent.get(k).or(s.sent.last()).copied()
            };
            if let Some(r) = r {
                c.record("vad_stop", now.saturating_duration_since(r), second);
                st(state).turn_ref = Some(r);
            }
        }
        "input_audio_buffer.committed" => {
            c.count("committed");
            if let Some(r) = st(state).turn_ref {
                c.record("commit", now.saturating_duration_since(r), second);
            }
        }
        "response.created" => {
            c.count("response.created");
            if let Some(r) = st(state).turn_ref {
                c.record("response_created", now.saturating_duration_since(r), second);
            }
        }
        "response.done" => {
            let status = head.response.and_then(|r| r.status).unwrap_or_default();
            c.count(&format!("response.done.{status}"));
        }
        "session.updated" => {
            let instr = head
                .session
                .and_then(|s| s.instructions)
                .unwrap_or_default();
            if let Some(n) = instr
                .strip_prefix("probe ")
                .and_then(|n| n.parse::<u64>().ok())
            {
                let mut s = st(state);
                while let Some((m, at)) = s.probes.pop_front() {
                    if m == n {
                        c.record("probe", now.duration_since(at), second);
                        break;
                    }
                }
            }
        }
        "error" => {
            let code = head
                .error
                .and_then(|e| e.code)
                .unwrap_or_else(|| "none".to_owned());
            *c.error_events.entry(code).or_default() += 1;
        }
        "input_audio_buffer.speech_started" => c.count("speech_started"),
        _ => {}
    }
}
