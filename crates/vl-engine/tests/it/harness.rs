//! A virtual-clock driver: client JSON in, server events (as JSON values) out, with the
//! scripted backend answering every request.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use vl_engine::backend::{BackendOutput, BackendRequest, RequestId, SynthesizeRequest};
use vl_engine::scripted::ScriptedBackend;
use vl_engine::{Close, Limits, Session, SessionConfig};

pub(crate) struct Harness {
    pub(crate) session: Session,
    pub(crate) backend: ScriptedBackend,
    pub(crate) now: Instant,
    /// Every server event so far, serialized as the client would see it.
    pub(crate) events: Vec<Value>,
    pub(crate) closes: Vec<Close>,
    /// Every backend request so far.
    pub(crate) requests: Vec<BackendRequest>,
    /// When true, backend outputs are queued in `held` instead of being fed back.
    pub(crate) hold: bool,
    pub(crate) held: VecDeque<BackendOutput>,
    /// Index into `events` of the first event not yet returned by `take`.
    taken: usize,
    /// When set, every transcript of the scripted recogniser says this instead: the first
    /// delta of a recognition carries it, later deltas are dropped, and the final transcript
    /// is it.
    pub(crate) asr_text: Option<String>,
    /// Recognitions that already sent the `asr_text` delta.
    asr_sent: Vec<RequestId>,
}

impl Harness {
    pub(crate) fn new() -> Self {
        Self::with_config(SessionConfig::new("gpt-4o"))
    }

    pub(crate) fn with_limits(limits: Limits) -> Self {
        let mut config = SessionConfig::new("gpt-4o");
        config.limits = limits;
        Self::with_config(config)
    }

    pub(crate) fn with_config(config: SessionConfig) -> Self {
        let start = Instant::now();
        let session = Session::new(config, start);
        let mut h = Self {
            session,
            backend: ScriptedBackend::new(),
            now: start,
            events: Vec::new(),
            closes: Vec::new(),
            requests: Vec::new(),
            hold: false,
            held: VecDeque::new(),
            taken: 0,
            asr_text: None,
            asr_sent: Vec::new(),
        };
        h.drive();
        h
    }

    /// A session with turn detection off, events so far discarded.
    pub(crate) fn manual() -> Self {
        let mut h = Self::new();
        h.send(json!({"type": "session.update", "session": {"turn_detection": null}}));
        h.take();
        h
    }

    pub(crate) fn send(&mut self, event: Value) {
        let text = event.to_string();
        self.send_raw(&text);
    }

    pub(crate) fn send_raw(&mut self, text: &str) {
        self.session.handle_client_message(self.now, text);
        self.drive();
    }

    /// Drains events, close requests and backend requests until the session is quiet.
    pub(crate) fn drive(&mut self) {
        loop {
            while let Some(ev) = self.session.poll_event() {
                let value = serde_json::to_value(&ev).expect("server events serialize");
                assert_eq!(value["type"], ev.type_name());
                self.events.push(value);
            }
            if let Some(close) = self.session.poll_close() {
                self.closes.push(close);
            }
            let Some(req) = self.session.poll_backend_request() else {
                break;
            };
            self.requests.push(req.clone());
            let outputs = self.backend.handle(req);
            let outputs = self.rewrite_asr(outputs);
            if self.hold {
                self.held.extend(outputs);
            } else {
                for out in outputs {
                    self.session.handle_backend_output(self.now, out);
                }
            }
        }
    }

    /// Applies [`Self::asr_text`] to the recogniser's outputs.
    fn rewrite_asr(&mut self, outputs: Vec<BackendOutput>) -> Vec<BackendOutput> {
        let Some(text) = self.asr_text.clone() else {
            return outputs;
        };
        let mut out = Vec::with_capacity(outputs.len());
        for o in outputs {
            match o {
                BackendOutput::TranscriptDelta { request, .. } => {
                    if !self.asr_sent.contains(&request) {
                        self.asr_sent.push(request);
                        out.push(BackendOutput::TranscriptDelta {
                            request,
                            delta: text.clone(),
                        });
                    }
                }
                BackendOutput::TranscriptDone { request, .. } => {
                    if !self.asr_sent.contains(&request) {
                        self.asr_sent.push(request);
                        out.push(BackendOutput::TranscriptDelta {
                            request,
                            delta: text.clone(),
                        });
                    }
                    out.push(BackendOutput::TranscriptDone {
                        request,
                        transcript: text.clone(),
                    });
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Feeds up to `n` held outputs (advancing the clock 1 ms each), then drives.
    pub(crate) fn release(&mut self, n: usize) {
        for _ in 0..n {
            let Some(out) = self.held.pop_front() else {
                break;
            };
            self.now += Duration::from_millis(1);
            self.session.handle_backend_output(self.now, out);
            self.drive();
        }
    }

    /// The user says `text`, then `response.create`; the reply is fed up to its first audio
    /// and the rest held (`hold` stays on), so a response is active with audio playing. The
    /// events so far are taken.
    pub(crate) fn reply_in_progress(&mut self, text: &str) {
        self.user_text(text);
        self.hold = true;
        self.send(json!({"type": "response.create"}));
        self.release_until(|o| matches!(o, BackendOutput::GenerateDone { .. }));
        self.release_until(|o| matches!(o, BackendOutput::Audio { .. }));
        self.take();
    }

    /// Feeds held outputs until one satisfying `stop` has been fed.
    pub(crate) fn release_until(&mut self, stop: impl Fn(&BackendOutput) -> bool) {
        while let Some(out) = self.held.pop_front() {
            let done = stop(&out);
            self.session.handle_backend_output(self.now, out);
            self.drive();
            if done {
                break;
            }
        }
    }

    pub(crate) fn release_all(&mut self) {
        let n = self.held.len();
        self.release(n);
    }

    /// Advances the virtual clock, firing due timeouts.
    pub(crate) fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        while let Some(t) = self.session.poll_timeout() {
            if t > target {
                break;
            }
            self.now = t.max(self.now);
            self.session.handle_timeout(self.now);
            self.drive();
        }
        self.now = target;
    }

    /// Events since the last `take`.
    pub(crate) fn take(&mut self) -> Vec<Value> {
        let out = self.events[self.taken..].to_vec();
        self.taken = self.events.len();
        out
    }

    /// Appends PCM16 `samples` in `chunk_ms` chunks at `rate`, advancing the clock in real time.
    pub(crate) fn append_pcm(&mut self, samples: &[i16], rate: u32, chunk_ms: u32) {
        let n = (rate * chunk_ms / 1000) as usize;
        for chunk in samples.chunks(n) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|s| s.to_le_bytes()).collect();
            self.append_bytes(&bytes);
            self.advance(Duration::from_millis(u64::from(chunk_ms)));
        }
    }

    /// One append of raw wire bytes.
    pub(crate) fn append_bytes(&mut self, bytes: &[u8]) {
        let audio = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.send(json!({"type": "input_audio_buffer.append", "audio": audio}));
    }

    /// Adds a user text message.
    pub(crate) fn user_text(&mut self, text: &str) -> Value {
        self.send(json!({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": text}]}}));
        self.take()
            .into_iter()
            .find(|e| e["type"] == "conversation.item.created")
            .expect("conversation.item.created")
    }
}

pub(crate) fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("?").to_owned())
        .collect()
}

pub(crate) fn of_type<'a>(events: &'a [Value], t: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == t).collect()
}

pub(crate) fn one<'a>(events: &'a [Value], t: &str) -> &'a Value {
    let all = of_type(events, t);
    assert_eq!(
        all.len(),
        1,
        "expected exactly one {t} in {:?}",
        types(events)
    );
    all[0]
}

/// Collapses each run of one `*.delta` type into `type*` ("one or more"), to compare cascades.
pub(crate) fn collapsed(events: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in types(events) {
        if !t.ends_with(".delta") {
            out.push(t);
            continue;
        }
        let star = format!("{t}*");
        if out.last() != Some(&star) {
            out.push(star);
        }
    }
    out
}

pub(crate) fn b64(s: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().expect("base64 string"))
        .expect("valid base64")
}

/// Asserts the event is an `error` with `code`, the client's `event_id` and a message.
pub(crate) fn assert_error(event: &Value, code: &str, event_id: Option<&str>) {
    assert_eq!(event["type"], "error", "{event}");
    assert_eq!(event["error"]["code"], code, "{event}");
    assert_eq!(event["error"]["type"], "invalid_request_error", "{event}");
    let message = event["error"]["message"].as_str().expect("message");
    assert!(message.len() > 10 && message.len() <= 256, "{message}");
    match event_id {
        Some(id) => assert_eq!(event["error"]["event_id"], id, "{event}"),
        None => assert!(event["error"]["event_id"].is_null(), "{event}"),
    }
}

/// The scripted voice saying `text` at `rate`, with `lead_ms` silence before and `tail_ms`
/// after: synthetic speech-like input audio.
pub(crate) fn speech(text: &str, rate: u32, lead_ms: u32, tail_ms: u32) -> Vec<i16> {
    let mut backend = ScriptedBackend::new();
    let mut out = vec![0i16; (rate * lead_ms / 1000) as usize];
    for o in backend.handle(BackendRequest::Synthesize(SynthesizeRequest {
        id: RequestId(1),
        response_id: "resp_test".into(),
        text: text.into(),
        voice: "alloy".into(),
        voice_type: "openai".into(),
        sample_rate_hz: rate,
        blendshapes: false,
    })) {
        if let BackendOutput::Audio { samples, .. } = o {
            out.extend(samples);
        }
    }
    out.extend(std::iter::repeat_n(0i16, (rate * tail_ms / 1000) as usize));
    out
}

/// Silence.
pub(crate) fn silence(rate: u32, ms: u32) -> Vec<i16> {
    vec![0; (rate * ms / 1000) as usize]
}

/// A prompt of the Debian package `asterisk-core-sounds-en-wav` (8 kHz PCM16), as samples.
/// Fails with instructions when the package is missing.
pub(crate) fn asterisk(name: &str) -> Vec<i16> {
    let dir = std::env::var_os("VL_ASTERISK_SOUNDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/asterisk/sounds/en"));
    let path = dir.join(name);
    assert!(
        path.exists(),
        "missing recorded speech {}: install the Debian package asterisk-core-sounds-en-wav \
         (apt-get install -y asterisk-core-sounds-en-wav; `dpkg -L asterisk-core-sounds-en-wav` \
         shows the path) or set VL_ASTERISK_SOUNDS to its directory",
        path.display()
    );
    let mut reader = hound::WavReader::open(&path).expect("readable WAV");
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (8000, 1, 16)
    );
    reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}
