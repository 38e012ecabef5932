//! Dialects: Voice Live (canonical, beta-style names and a flat session) and OpenAI GA
//! (`response.output_*` names, `conversation.item.added`/`.done`, a nested `audio` session).
//!
//! The mapping works on `serde_json::Value`, so it runs before decoding (GA → Voice Live) or after
//! encoding (Voice Live → GA), and the typed models stay canonical. Field names of the GA side
//! were checked against the `openai` Python package (`openai/types/realtime/*.py`).
//!
//! # What is mapped
//!
//! - Event names: `response.text.*` ↔ `response.output_text.*`, `response.audio.*` ↔
//!   `response.output_audio.*`, `response.audio_transcript.*` ↔
//!   `response.output_audio_transcript.*`, `conversation.item.created` ↔
//!   `conversation.item.added` (+ `conversation.item.done`).
//! - The session: `modalities` ↔ `output_modalities`; `input_audio_format` +
//!   `input_audio_sampling_rate` ↔ `audio.input.format {type:"audio/pcm", rate}` / `audio/pcmu` /
//!   `audio/pcma`; `turn_detection`, `input_audio_transcription`, `input_audio_noise_reduction`,
//!   `input_audio_echo_cancellation` ↔ `audio.input.{turn_detection, transcription,
//!   noise_reduction, echo_cancellation}`; `output_audio_format`, `voice` ↔
//!   `audio.output.{format, voice}`; `max_response_output_tokens` ↔ `max_output_tokens`;
//!   `reasoning_effort` ↔ `reasoning.effort`; GA adds `type:"realtime"`.
//! - Response parameters and response objects: the same for `modalities`, `voice`,
//!   `output_audio_format`; `input_items` ↔ `input`.
//! - Assistant content parts inside items: `text` ↔ `output_text`, `audio` ↔ `output_audio`.
//!
//! # What is lossy
//!
//! - GA `output_modalities` is `["text"]` or `["audio"]`: Voice Live `["text","audio"]` becomes
//!   `["audio"]` and comes back as `["text","audio"]`; `animation` / `avatar` modalities are
//!   dropped on the way to GA (the `avatar` / `animation` objects themselves are kept).
//! - `pcm16` and `pcm16_24000hz` both map to `{type:"audio/pcm", rate:24000}` and come back as
//!   `pcm16`.
//! - `audio.output.speed` (GA) has no Voice Live field and is dropped.
//! - `conversation.item.done` (GA) is dropped when mapping to Voice Live: its item is already in
//!   `conversation.item.created` or `response.output_item.done`. GA-only events
//!   (`input_audio_buffer.timeout_triggered`, `input_audio_buffer.dtmf_event_received`,
//!   `conversation.item.input_audio_transcription.segment`, `conversation.created`) map to
//!   nothing.
//! - Voice Live fields without a GA counterpart (`temperature`, `avatar`, `animation`,
//!   `output_audio_timestamp_types`, `interim_response`, ...) and Voice Live-only events
//!   (`warning`, visemes, timestamps, avatar events) pass through unchanged, as the Voice Live
//!   `v1` label does with its Azure extensions. GA-only session fields (`tracing`, `truncation`,
//!   `prompt`) also pass through unchanged, so validation can report them as unknown.

use serde_json::{Map, Value, json};

use crate::client::ClientEvent;
use crate::error::DecodeError;
use crate::server::ServerEvent;

/// The wire dialect of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// Voice Live dated versions (`/voice-live/realtime`): the canonical form.
    #[default]
    VoiceLive,
    /// OpenAI GA shapes (`/v1/realtime`).
    OpenAiGa,
}

impl Dialect {
    /// The dialect of a request path (decisions.md): `/v1/realtime` (also `/openai/v1/realtime`)
    /// speaks GA; anything else Voice Live.
    pub fn for_path(path: &str) -> Self {
        if path.trim_end_matches('/').ends_with("/v1/realtime") {
            Self::OpenAiGa
        } else {
            Self::VoiceLive
        }
    }
}

/// Event names that differ: (Voice Live, GA).
const RENAMES: &[(&str, &str)] = &[
    ("response.text.delta", "response.output_text.delta"),
    ("response.text.done", "response.output_text.done"),
    ("response.audio.delta", "response.output_audio.delta"),
    ("response.audio.done", "response.output_audio.done"),
    (
        "response.audio_transcript.delta",
        "response.output_audio_transcript.delta",
    ),
    (
        "response.audio_transcript.done",
        "response.output_audio_transcript.done",
    ),
    ("conversation.item.created", "conversation.item.added"),
];

/// GA server events with no Voice Live counterpart.
const GA_ONLY: &[&str] = &[
    "conversation.item.done",
    "conversation.created",
    "input_audio_buffer.timeout_triggered",
    "input_audio_buffer.dtmf_event_received",
    "conversation.item.input_audio_transcription.segment",
];

/// The GA name of a Voice Live event type (unchanged when both dialects share it).
pub fn event_type_to_ga(voice_live: &str) -> &str {
    RENAMES
        .iter()
        .find(|(vl, _)| *vl == voice_live)
        .map_or(voice_live, |(_, ga)| ga)
}

/// The Voice Live name of a GA event type (unchanged when both dialects share it).
pub fn event_type_from_ga(ga: &str) -> &str {
    RENAMES
        .iter()
        .find(|(_, g)| *g == ga)
        .map_or(ga, |(vl, _)| vl)
}

/// Maps a Voice Live server event to GA: usually one event; `conversation.item.created` of a
/// finished item becomes `conversation.item.added` + `conversation.item.done`, and
/// `response.output_item.done` is followed by `conversation.item.done`.
pub fn server_event_to_ga(event: Value) -> Vec<Value> {
    let Value::Object(mut map) = event else {
        return vec![event];
    };
    let kind = type_of(&map);
    rename_type(&mut map, event_type_to_ga);
    match kind.as_str() {
        "session.created" | "session.updated" => map_field(&mut map, "session", session_to_ga),
        "response.created" | "response.done" => map_field(&mut map, "response", response_to_ga),
        _ => {}
    }
    if let Some(item) = map.get_mut("item") {
        item_to_ga(item);
    }
    let done = match kind.as_str() {
        "conversation.item.created" => {
            let finished = map
                .get("item")
                .and_then(|i| i.get("status"))
                .and_then(Value::as_str)
                .is_none_or(|s| s != "in_progress");
            finished.then(|| item_done(&map))
        }
        "response.output_item.done" => Some(item_done(&map)),
        _ => None,
    };
    let mut out = vec![Value::Object(map)];
    out.extend(done);
    out
}

fn item_done(map: &Map<String, Value>) -> Value {
    let mut done = Map::new();
    if let Some(Value::String(id)) = map.get("event_id") {
        done.insert("event_id".into(), Value::String(format!("{id}_done")));
    }
    done.insert("type".into(), json!("conversation.item.done"));
    if let Some(previous) = map.get("previous_item_id") {
        done.insert("previous_item_id".into(), previous.clone());
    }
    if let Some(item) = map.get("item") {
        done.insert("item".into(), item.clone());
    }
    Value::Object(done)
}

/// Maps a GA server event to Voice Live; `None` for GA-only events (see the module docs).
pub fn server_event_from_ga(event: Value) -> Option<Value> {
    let Value::Object(mut map) = event else {
        return Some(event);
    };
    let kind = type_of(&map);
    if GA_ONLY.contains(&kind.as_str()) {
        return None;
    }
    rename_type(&mut map, event_type_from_ga);
    match kind.as_str() {
        "session.created" | "session.updated" => {
            map_field(&mut map, "session", session_from_ga);
        }
        "response.created" | "response.done" => map_field(&mut map, "response", response_from_ga),
        _ => {}
    }
    if let Some(item) = map.get_mut("item") {
        item_from_ga(item);
    }
    Some(Value::Object(map))
}

/// Maps a Voice Live client event to GA.
pub fn client_event_to_ga(event: Value) -> Value {
    let Value::Object(mut map) = event else {
        return event;
    };
    match type_of(&map).as_str() {
        "session.update" => map_field(&mut map, "session", session_to_ga),
        "response.create" => map_field(&mut map, "response", response_to_ga),
        _ => {}
    }
    if let Some(item) = map.get_mut("item") {
        item_to_ga(item);
    }
    Value::Object(map)
}

/// Maps a GA client event to Voice Live. A GA `session.update` whose session has
/// `type:"transcription"` becomes `transcription_session.update` (never a realtime session).
pub fn client_event_from_ga(event: Value) -> Value {
    let Value::Object(mut map) = event else {
        return event;
    };
    let is_transcription = map
        .get("session")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("transcription");
    if type_of(&map) == "session.update" && is_transcription {
        map.insert("type".into(), json!("transcription_session.update"));
        if let Some(Value::Object(session)) = map.get_mut("session") {
            session.remove("type");
        }
    }
    match type_of(&map).as_str() {
        "transcription_session.update" => map_field(&mut map, "session", session_from_ga),
        "session.update" => map_field(&mut map, "session", session_from_ga),
        "response.create" => map_field(&mut map, "response", response_from_ga),
        _ => {}
    }
    if let Some(item) = map.get_mut("item") {
        item_from_ga(item);
    }
    Value::Object(map)
}

/// Decodes a client event sent in `dialect`.
///
/// # Errors
///
/// As [`crate::decode_client_event`]; invalid JSON is reported before any mapping.
pub fn decode_client_event_in(json: &str, dialect: Dialect) -> Result<ClientEvent, DecodeError> {
    match dialect {
        Dialect::VoiceLive => crate::decode_client_event(json),
        Dialect::OpenAiGa => {
            // The append hot path has the same shape in both dialects: skip the Value round trip.
            if let Ok(append) = crate::parse_append_ref(json) {
                return Ok(ClientEvent::InputAudioBufferAppend(append.to_owned_event()));
            }
            let value: Value =
                serde_json::from_str(json).map_err(|e| DecodeError::syntax(&e.to_string()))?;
            let mapped = client_event_from_ga(value);
            crate::decode_client_event(&mapped.to_string())
        }
    }
}

/// Encodes a server event in `dialect` (one or more JSON texts, see [`server_event_to_ga`]).
pub fn encode_server_event_in(event: &ServerEvent, dialect: Dialect) -> Vec<String> {
    match dialect {
        Dialect::VoiceLive => vec![crate::encode_server_event(event)],
        Dialect::OpenAiGa => match serde_json::to_value(event) {
            Ok(value) => server_event_to_ga(value)
                .into_iter()
                .map(|v| v.to_string())
                .collect(),
            Err(_) => vec![crate::encode_server_event(event)],
        },
    }
}

/// Maps a Voice Live session object (request or response form) to GA.
pub fn session_to_ga(session: Value) -> Value {
    let Value::Object(mut s) = session else {
        return session;
    };
    let mut input = Map::new();
    let format = s.remove("input_audio_format");
    let rate = s.remove("input_audio_sampling_rate");
    if format.is_some() || rate.is_some() {
        input.insert("format".into(), input_format_to_ga(format.as_ref(), rate));
    }
    for (vl, ga) in [
        ("turn_detection", "turn_detection"),
        ("input_audio_transcription", "transcription"),
        ("input_audio_noise_reduction", "noise_reduction"),
        ("input_audio_echo_cancellation", "echo_cancellation"),
    ] {
        if let Some(value) = s.remove(vl) {
            input.insert(ga.into(), value);
        }
    }
    let mut output = Map::new();
    if let Some(format) = s.remove("output_audio_format") {
        output.insert("format".into(), output_format_to_ga(&format));
    }
    if let Some(voice) = s.remove("voice") {
        output.insert("voice".into(), voice);
    }
    let mut audio = Map::new();
    if !input.is_empty() {
        audio.insert("input".into(), Value::Object(input));
    }
    if !output.is_empty() {
        audio.insert("output".into(), Value::Object(output));
    }
    if !audio.is_empty() {
        s.insert("audio".into(), Value::Object(audio));
    }
    if let Some(modalities) = s.remove("modalities") {
        s.insert("output_modalities".into(), modalities_to_ga(&modalities));
    }
    if let Some(max) = s.remove("max_response_output_tokens") {
        s.insert("max_output_tokens".into(), max);
    }
    if let Some(effort) = s.remove("reasoning_effort") {
        s.insert("reasoning".into(), json!({ "effort": effort }));
    }
    s.insert("type".into(), json!("realtime"));
    Value::Object(s)
}

/// Maps a GA session object to Voice Live.
pub fn session_from_ga(session: Value) -> Value {
    let Value::Object(mut s) = session else {
        return session;
    };
    if s.get("type").and_then(Value::as_str) == Some("realtime") {
        s.remove("type");
    }
    if let Some(Value::Object(mut audio)) = s.remove("audio") {
        if let Some(Value::Object(mut input)) = audio.remove("input") {
            if let Some(format) = input.remove("format") {
                let (format, rate) = input_format_from_ga(&format);
                s.insert("input_audio_format".into(), format);
                if let Some(rate) = rate {
                    s.insert("input_audio_sampling_rate".into(), rate);
                }
            }
            for (ga, vl) in [
                ("turn_detection", "turn_detection"),
                ("transcription", "input_audio_transcription"),
                ("noise_reduction", "input_audio_noise_reduction"),
                ("echo_cancellation", "input_audio_echo_cancellation"),
            ] {
                if let Some(value) = input.remove(ga) {
                    s.insert(vl.into(), value);
                }
            }
        }
        if let Some(Value::Object(mut output)) = audio.remove("output") {
            if let Some(format) = output.remove("format") {
                s.insert("output_audio_format".into(), output_format_from_ga(&format));
            }
            if let Some(voice) = output.remove("voice") {
                s.insert("voice".into(), voice);
            }
        }
    }
    if let Some(modalities) = s.remove("output_modalities") {
        s.insert("modalities".into(), modalities_from_ga(&modalities));
    }
    if let Some(max) = s.remove("max_output_tokens") {
        s.insert("max_response_output_tokens".into(), max);
    }
    if let Some(Value::Object(mut reasoning)) = s.remove("reasoning") {
        if let Some(effort) = reasoning.remove("effort") {
            s.insert("reasoning_effort".into(), effort);
        }
    }
    Value::Object(s)
}

/// Maps response parameters or a response object to GA.
fn response_to_ga(response: Value) -> Value {
    let Value::Object(mut r) = response else {
        return response;
    };
    let mut output = Map::new();
    if let Some(format) = r.remove("output_audio_format") {
        output.insert("format".into(), output_format_to_ga(&format));
    }
    if let Some(voice) = r.remove("voice") {
        output.insert("voice".into(), voice);
    }
    if !output.is_empty() {
        r.insert("audio".into(), json!({ "output": output }));
    }
    if let Some(modalities) = r.remove("modalities") {
        r.insert("output_modalities".into(), modalities_to_ga(&modalities));
    }
    if let Some(items) = r.remove("input_items") {
        r.insert("input".into(), items);
    }
    if let Some(effort) = r.remove("reasoning_effort") {
        r.insert("reasoning".into(), json!({ "effort": effort }));
    }
    for key in ["output", "input", "append_input_items"] {
        if let Some(Value::Array(items)) = r.get_mut(key) {
            items.iter_mut().for_each(item_to_ga);
        }
    }
    Value::Object(r)
}

/// Maps GA response parameters or a GA response object to Voice Live.
fn response_from_ga(response: Value) -> Value {
    let Value::Object(mut r) = response else {
        return response;
    };
    if let Some(Value::Object(mut audio)) = r.remove("audio") {
        if let Some(Value::Object(mut output)) = audio.remove("output") {
            if let Some(format) = output.remove("format") {
                r.insert("output_audio_format".into(), output_format_from_ga(&format));
            }
            if let Some(voice) = output.remove("voice") {
                r.insert("voice".into(), voice);
            }
        }
    }
    if let Some(modalities) = r.remove("output_modalities") {
        r.insert("modalities".into(), modalities_from_ga(&modalities));
    }
    if let Some(items) = r.remove("input") {
        r.insert("input_items".into(), items);
    }
    if let Some(Value::Object(mut reasoning)) = r.remove("reasoning") {
        if let Some(effort) = reasoning.remove("effort") {
            r.insert("reasoning_effort".into(), effort);
        }
    }
    for key in ["output", "input_items", "append_input_items"] {
        if let Some(Value::Array(items)) = r.get_mut(key) {
            items.iter_mut().for_each(item_from_ga);
        }
    }
    Value::Object(r)
}

/// Assistant content `text`/`audio` → GA `output_text`/`output_audio`.
fn item_to_ga(item: &mut Value) {
    map_assistant_parts(item, &[("text", "output_text"), ("audio", "output_audio")]);
}

/// GA `output_text`/`output_audio` → `text`/`audio`.
fn item_from_ga(item: &mut Value) {
    map_assistant_parts(item, &[("output_text", "text"), ("output_audio", "audio")]);
}

fn map_assistant_parts(item: &mut Value, renames: &[(&str, &str)]) {
    if item.get("role").and_then(Value::as_str) != Some("assistant") {
        return;
    }
    let Some(Value::Array(parts)) = item.get_mut("content") else {
        return;
    };
    for part in parts {
        if let Some(Value::String(kind)) = part.get_mut("type") {
            if let Some((_, to)) = renames.iter().find(|(from, _)| from == kind) {
                *kind = (*to).to_owned();
            }
        }
    }
}

fn input_format_to_ga(format: Option<&Value>, rate: Option<Value>) -> Value {
    match format.and_then(Value::as_str) {
        Some("g711_ulaw") => json!({ "type": "audio/pcmu" }),
        Some("g711_alaw") => json!({ "type": "audio/pcma" }),
        _ => {
            let rate = rate.unwrap_or_else(|| json!(24000));
            json!({ "type": "audio/pcm", "rate": rate })
        }
    }
}

fn input_format_from_ga(format: &Value) -> (Value, Option<Value>) {
    match format.get("type").and_then(Value::as_str) {
        Some("audio/pcmu") => (json!("g711_ulaw"), Some(json!(8000))),
        Some("audio/pcma") => (json!("g711_alaw"), Some(json!(8000))),
        _ => (json!("pcm16"), format.get("rate").cloned()),
    }
}

fn output_format_to_ga(format: &Value) -> Value {
    let Some(name) = format.as_str() else {
        return format.clone();
    };
    match name {
        "g711_ulaw" => json!({ "type": "audio/pcmu" }),
        "g711_alaw" => json!({ "type": "audio/pcma" }),
        other => {
            let rate = other
                .strip_prefix("pcm16")
                .map(|rest| rest.trim_start_matches(['_', '-']).trim_end_matches("hz"))
                .and_then(|digits| digits.parse::<u32>().ok())
                .unwrap_or(24000);
            json!({ "type": "audio/pcm", "rate": rate })
        }
    }
}

fn output_format_from_ga(format: &Value) -> Value {
    match format.get("type").and_then(Value::as_str) {
        Some("audio/pcmu") => json!("g711_ulaw"),
        Some("audio/pcma") => json!("g711_alaw"),
        _ => match format.get("rate").and_then(Value::as_u64) {
            None | Some(24000) => json!("pcm16"),
            Some(rate) => json!(format!("pcm16_{rate}hz")),
        },
    }
}

fn modalities_to_ga(modalities: &Value) -> Value {
    let Some(list) = modalities.as_array() else {
        return modalities.clone();
    };
    let has = |m: &str| list.iter().any(|v| v.as_str() == Some(m));
    if has("audio") {
        json!(["audio"])
    } else if has("text") {
        json!(["text"])
    } else {
        json!([])
    }
}

fn modalities_from_ga(modalities: &Value) -> Value {
    let Some(list) = modalities.as_array() else {
        return modalities.clone();
    };
    if list.iter().any(|v| v.as_str() == Some("audio")) {
        json!(["text", "audio"])
    } else {
        modalities.clone()
    }
}

fn type_of(map: &Map<String, Value>) -> String {
    map.get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn rename_type(map: &mut Map<String, Value>, rename: fn(&str) -> &str) {
    if let Some(Value::String(kind)) = map.get_mut("type") {
        let renamed = rename(kind).to_owned();
        *kind = renamed;
    }
}

fn map_field(map: &mut Map<String, Value>, key: &str, f: fn(Value) -> Value) {
    if let Some(value) = map.remove(key) {
        map.insert(key.to_owned(), f(value));
    }
}
