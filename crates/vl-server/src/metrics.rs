//! Prometheus metrics of one server, served as text on `GET /metrics` (prometheus-client, the
//! OpenMetrics text format that Prometheus scrapes).
//!
//! Labels never carry keys, session ids or client text: event types are labelled only when
//! they are one of the protocol's known `type` values ([`vl_schema::ClientEvent::TYPES`] and
//! [`vl_schema::ServerEvent::TYPES`], OpenAI GA names mapped to their Voice Live names), anything
//! else counts as `other`, so a client cannot grow the label set. Every metric name starts with
//! `voicelive_`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A label value that is one of a fixed set of static strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(pub &'static str);

impl EncodeLabelValue for Name {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.0)
    }
}

/// `{type="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct TypeLabel {
    /// The event type.
    pub r#type: Name,
}

/// `{code="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct CodeLabel {
    /// An error or close code.
    pub code: Name,
}

/// `{status="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct StatusLabel {
    /// An HTTP status.
    pub status: u16,
}

/// `{close_code="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct CloseLabel {
    /// The WebSocket close code the session ended with (0: no close frame).
    pub close_code: u16,
}

/// `{kind="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct KindLabel {
    /// What was limited.
    pub kind: Name,
}

/// `{stage="…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct StageLabel {
    /// The latency stage.
    pub stage: Name,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms … ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Sessions open now.
    pub sessions_active: Gauge,
    /// Sessions ended, by close code.
    pub sessions_total: Family<CloseLabel, Counter>,
    /// Upgrade requests refused before the upgrade, by HTTP status.
    pub handshake_rejections: Family<StatusLabel, Counter>,
    /// Client events received, by type.
    pub events_in: Family<TypeLabel, Counter>,
    /// Server events sent, by type.
    pub events_out: Family<TypeLabel, Counter>,
    /// `error` events sent, by code.
    pub errors: Family<CodeLabel, Counter>,
    /// Depth of a session's outbound queue, in events, sampled at each event queued.
    pub outbound_queue_depth: Histogram,
    /// Depth of a session's inbound queue, in messages, sampled at each message taken.
    pub inbound_queue_depth: Histogram,
    /// Sessions closed with 1008 `slow_consumer`.
    pub slow_consumer_closes: Counter,
    /// Requests refused by a rate or concurrency limit, by kind.
    pub ratelimit_rejections: Family<KindLabel, Counter>,
    /// Per-turn latencies measured inside the server, in s, by stage.
    pub response_latency: HistogramFamily<StageLabel>,
    /// Heap bytes allocated and not freed (glibc `mallinfo2`), set at each scrape.
    heap_allocated: Gauge,
    /// Heap bytes freed but kept by malloc's arenas, set at each scrape.
    heap_free: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Error codes that get their own label; others count as `other`.
const ERROR_CODES: &[&str] = &[
    "invalid_json",
    "invalid_event",
    "invalid_type",
    "invalid_value",
    "unknown_parameter",
    "missing_required_parameter",
    "input_audio_buffer_full",
    "input_audio_buffer_commit_empty",
    "conversation_already_has_active_response",
    "response_cancel_not_active",
    "rate_limit_exceeded",
    "session_expired",
    "backend_error",
    "backend_timeout",
    "server_error",
];

impl Metrics {
    /// A fresh set of metrics, all zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("voicelive");
        let m = Self {
            registry: Registry::default(),
            sessions_active: Gauge::default(),
            sessions_total: Family::default(),
            handshake_rejections: Family::default(),
            events_in: Family::default(),
            events_out: Family::default(),
            errors: Family::default(),
            outbound_queue_depth: Histogram::new(exponential_buckets(1.0, 2.0, 10)),
            inbound_queue_depth: Histogram::new(exponential_buckets(1.0, 2.0, 8)),
            slow_consumer_closes: Counter::default(),
            ratelimit_rejections: Family::default(),
            response_latency: Family::new_with_constructor(latency_histogram),
            heap_allocated: Gauge::default(),
            heap_free: Gauge::default(),
        };
        registry.register(
            "sessions_active",
            "Sessions open now",
            m.sessions_active.clone(),
        );
        registry.register(
            "sessions",
            "Sessions ended, by close code",
            m.sessions_total.clone(),
        );
        registry.register(
            "handshake_rejections",
            "Upgrade requests refused before the upgrade, by HTTP status",
            m.handshake_rejections.clone(),
        );
        registry.register(
            "events_in",
            "Client events received, by type",
            m.events_in.clone(),
        );
        registry.register(
            "events_out",
            "Server events sent, by type",
            m.events_out.clone(),
        );
        registry.register("errors", "error events sent, by code", m.errors.clone());
        registry.register(
            "outbound_queue_depth",
            "Events waiting in a session's outbound queue, sampled at each event queued",
            m.outbound_queue_depth.clone(),
        );
        registry.register(
            "inbound_queue_depth",
            "Messages waiting in a session's inbound queue, sampled at each message taken",
            m.inbound_queue_depth.clone(),
        );
        registry.register(
            "slow_consumer_closes",
            "Sessions closed with 1008 slow_consumer",
            m.slow_consumer_closes.clone(),
        );
        registry.register(
            "ratelimit_rejections",
            "Requests refused by a rate or concurrency limit, by kind",
            m.ratelimit_rejections.clone(),
        );
        registry.register(
            "response_latency_seconds",
            "Per-turn latency inside the server, by stage",
            m.response_latency.clone(),
        );
        if crate::malloc::heap_figures().is_some() {
            registry.register(
                "heap_allocated_bytes",
                "Heap bytes allocated and not freed (glibc mallinfo2)",
                m.heap_allocated.clone(),
            );
            registry.register(
                "heap_free_bytes",
                "Heap bytes freed but kept by malloc's arenas (glibc mallinfo2)",
                m.heap_free.clone(),
            );
        }
        Self { registry, ..m }
    }

    /// The metrics in the text exposition format.
    pub fn encode(&self) -> String {
        if let Some(heap) = crate::malloc::heap_figures() {
            let bytes = |b: u64| i64::try_from(b).unwrap_or(i64::MAX);
            self.heap_allocated.set(bytes(heap.allocated));
            self.heap_free.set(bytes(heap.free));
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Counts a client event of wire type `kind` (unknown types count as `other`).
    pub fn event_in(&self, kind: &str) {
        let kind = vl_schema::dialect::event_type_from_ga(kind);
        let name = known(kind, vl_schema::ClientEvent::TYPES);
        self.events_in
            .get_or_create(&TypeLabel { r#type: Name(name) })
            .inc();
    }

    /// Counts a server event; `error` events are also counted by their code.
    pub fn event_out(&self, kind: &str, error_code: Option<&str>) {
        let kind = vl_schema::dialect::event_type_from_ga(kind);
        let name = known(kind, vl_schema::ServerEvent::TYPES);
        self.events_out
            .get_or_create(&TypeLabel { r#type: Name(name) })
            .inc();
        if let Some(code) = error_code {
            let code = known(code, ERROR_CODES);
            self.errors
                .get_or_create(&CodeLabel { code: Name(code) })
                .inc();
        }
    }

    /// Counts a refused upgrade.
    pub fn rejected(&self, status: u16) {
        self.handshake_rejections
            .get_or_create(&StatusLabel { status })
            .inc();
    }

    /// Counts a rate or concurrency refusal of `kind`.
    pub fn limited(&self, kind: &'static str) {
        self.ratelimit_rejections
            .get_or_create(&KindLabel { kind: Name(kind) })
            .inc();
    }

    /// Records a latency of `stage`.
    pub fn latency(&self, stage: &'static str, d: Duration) {
        self.response_latency
            .get_or_create(&StageLabel { stage: Name(stage) })
            .observe(d.as_secs_f64());
    }

    /// Counts a session that ended with `close_code` (0: no close frame).
    pub fn session_ended(&self, close_code: u16) {
        self.sessions_total
            .get_or_create(&CloseLabel { close_code })
            .inc();
    }
}

/// Times the stages of a turn inside one session, from the events it sees pass:
/// * `speech_stopped_to_response_created`: `input_audio_buffer.speech_stopped` → `response.created`;
/// * `speech_stopped_to_first_audio`: `input_audio_buffer.speech_stopped` → the first audio delta;
/// * `response_create_to_created`: a client `response.create` → `response.created`;
/// * `response_created_to_first_audio`: `response.created` → the first audio delta.
#[derive(Debug, Default)]
pub struct TurnTimer {
    speech_stopped: Option<Instant>,
    create_requested: Option<Instant>,
    response_created: Option<Instant>,
}

impl TurnTimer {
    /// A client event of wire type `kind` arrived.
    pub fn client_event(&mut self, kind: &str) {
        if kind == "response.create" {
            self.create_requested = Some(Instant::now());
        }
    }

    /// A server event of wire type `kind` is being queued.
    pub fn server_event(&mut self, kind: &str, metrics: &Metrics) {
        let now = Instant::now();
        match kind {
            "input_audio_buffer.speech_stopped" => self.speech_stopped = Some(now),
            "response.created" => {
                if let Some(t) = self.speech_stopped {
                    metrics.latency("speech_stopped_to_response_created", now - t);
                }
                if let Some(t) = self.create_requested.take() {
                    metrics.latency("response_create_to_created", now - t);
                }
                self.response_created = Some(now);
            }
            "response.audio.delta" | "response.output_audio.delta" => {
                if let Some(t) = self.speech_stopped.take() {
                    metrics.latency("speech_stopped_to_first_audio", now - t);
                }
                if let Some(t) = self.response_created.take() {
                    metrics.latency("response_created_to_first_audio", now - t);
                }
            }
            "response.done" => {
                self.speech_stopped = None;
                self.response_created = None;
            }
            _ => {}
        }
    }
}

/// `value` if it is in `set`, else `"other"`.
fn known(value: &str, set: &'static [&'static str]) -> &'static str {
    set.iter().copied().find(|t| *t == value).unwrap_or("other")
}

/// The wire `type` of a serialized event, read from its first bytes (`{"type":"…"`), without
/// parsing the rest (audio deltas are large).
pub fn peek_type(text: &str) -> Option<&str> {
    let start = text.get(..256.min(text.len())).unwrap_or(text);
    let i = start.find("\"type\"")?;
    let rest = text.get(i + 6..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    rest.get(..end)
}

/// The `error.code` of a serialized `error` event.
pub fn peek_error_code(text: &str) -> Option<&str> {
    let i = text.find("\"code\"")?;
    let rest = text.get(i + 6..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_peeked_and_bounded() {
        assert_eq!(
            peek_type(r#"{"type":"session.update","x":1}"#),
            Some("session.update")
        );
        assert_eq!(peek_type(r#"{ "type" : "a.b" }"#), Some("a.b"));
        assert_eq!(peek_type("[1,2]"), None);
        assert_eq!(peek_type(r#"{"type":42}"#), None);
        assert_eq!(
            peek_error_code(
                r#"{"type":"error","error":{"type":"invalid_request_error","code":"invalid_json"}}"#
            ),
            Some("invalid_json")
        );
        let m = Metrics::new();
        m.event_in("session.update");
        m.event_in("made.up.by.a.client");
        m.event_out("error", Some("invalid_json"));
        m.event_out("error", Some("secret-ish text"));
        m.sessions_active.inc();
        let text = m.encode();
        assert!(
            text.contains("voicelive_events_in_total{type=\"session.update\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("voicelive_events_in_total{type=\"other\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("voicelive_errors_total{code=\"invalid_json\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("voicelive_errors_total{code=\"other\"} 1"),
            "{text}"
        );
        assert!(text.contains("voicelive_sessions_active 1"), "{text}");
        assert!(!text.contains("made.up"), "{text}");
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn heap_gauges_are_set_at_each_scrape() {
        let _one_at_a_time = crate::malloc::HEAP_TEST_LOCK.lock();
        let m = Metrics::new();
        let allocated = |text: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix("voicelive_heap_allocated_bytes "))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no heap gauge in {text}"))
        };
        let before = allocated(&m.encode());
        let block = vec![1_u8; 64 << 20];
        let during = allocated(&m.encode());
        std::hint::black_box(&block);
        assert!(
            during >= before + f64::from(60_u32 << 20),
            "{before} -> {during}"
        );
        assert!(m.encode().contains("voicelive_heap_free_bytes "));
    }
}
