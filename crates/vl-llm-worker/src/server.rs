//! The HTTP layer: `POST /v1/chat/completions` (SSE streaming and whole answers),
//! `GET /v1/models`, `GET /health`.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use vl_openai::WireMessage;

use crate::model::{ChatModel, Finish, GenParams, GenStats, Message, ModelError};
use crate::stop::{MAX_STOP_SEQUENCES, StopFilter};

/// What the embedded demo model says when a request offers tools: it cannot call them, and
/// it must not pretend to.
pub const TOOLS_NOTICE: &str =
    "(Note: the embedded demo model cannot call tools, so no tool was called.) ";

/// Largest accepted request body, in bytes.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Worker settings the HTTP layer applies to every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Upper bound on `max_tokens` (also the default), in tokens.
    pub max_tokens: u32,
}

/// Sampling settings of the worker that win over, or fill in for, a request's fields.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sampling {
    /// Temperature used for every request whatever it asks (0 = greedy); `None` keeps the
    /// request's `temperature` (absent: greedy).
    pub force_temperature: Option<f32>,
    /// Seed for requests without `seed`; `None` seeds each such request from the clock.
    pub default_seed: Option<u32>,
}

/// Shared state: the model (one generation at a time) and settings.
#[derive(Clone)]
pub struct AppState {
    model: Arc<Mutex<Box<dyn ChatModel>>>,
    name: Arc<str>,
    limits: Limits,
    sampling: Sampling,
    counter: Arc<AtomicU64>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("name", &self.name)
            .field("limits", &self.limits)
            .field("sampling", &self.sampling)
            .finish()
    }
}

impl AppState {
    /// State serving `model`.
    pub fn new(model: Box<dyn ChatModel>, limits: Limits) -> Self {
        let name: Arc<str> = Arc::from(model.name());
        Self {
            model: Arc::new(Mutex::new(model)),
            name,
            limits,
            sampling: Sampling::default(),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The same state with the worker's sampling settings.
    #[must_use]
    pub fn with_sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = sampling;
        self
    }
}

/// The router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(chat))
        .route("/chat/completions", post(chat))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(state)
}

async fn health(State(s): State<AppState>) -> Response {
    axum::Json(json!({"status": "ok", "model": &*s.name})).into_response()
}

async fn models(State(s): State<AppState>) -> Response {
    axum::Json(json!({
        "object": "list",
        "data": [{"id": &*s.name, "object": "model", "created": 0, "owned_by": "vl-llm-worker"}]
    }))
    .into_response()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let kind = if status.is_server_error() {
        "server_error"
    } else {
        "invalid_request_error"
    };
    (
        status,
        axum::Json(json!({"error": {"message": message, "type": kind, "code": code}})),
    )
        .into_response()
}

/// The accepted request fields (everything optional, unknown fields ignored).
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ChatBody {
    messages: Option<Vec<WireMessage>>,
    stream: Option<bool>,
    stream_options: Option<Value>,
    temperature: Option<f32>,
    max_tokens: Option<u32>,
    max_completion_tokens: Option<u32>,
    tools: Option<Vec<Value>>,
    tool_choice: Option<Value>,
    seed: Option<u32>,
    stop: Option<Value>,
}

/// The `stop` field: a string or an array of up to [`MAX_STOP_SEQUENCES`] strings.
fn stop_sequences(v: Option<&Value>) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) if a.len() <= MAX_STOP_SEQUENCES => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| "`stop` entries must be strings".to_owned())
            })
            .collect(),
        Some(Value::Array(_)) => Err(format!(
            "`stop` takes at most {MAX_STOP_SEQUENCES} sequences"
        )),
        Some(_) => Err("`stop` must be a string or an array of strings".to_owned()),
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str).or_else(|| p.as_str()))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Renders the wire messages for a model without tool support: tool calls and results become
/// plain text; unknown roles count as `user`.
fn normalise(messages: &[WireMessage]) -> Vec<Message> {
    let mut out = Vec::new();
    for m in messages {
        let text = text_of(m.content.as_ref());
        match m.role.as_str() {
            "system" | "developer" => out.push(Message {
                role: "system".into(),
                content: text,
            }),
            "assistant" => {
                let mut content = text;
                for c in m.tool_calls.iter().flatten() {
                    let f = c.function.clone().unwrap_or_default();
                    let args = match f.arguments {
                        Some(Value::String(s)) => s,
                        Some(v) => v.to_string(),
                        None => String::new(),
                    };
                    if !content.is_empty() {
                        content.push(' ');
                    }
                    content.push_str(&format!("[called {}({args})]", f.name.unwrap_or_default()));
                }
                out.push(Message {
                    role: "assistant".into(),
                    content,
                });
            }
            "tool" | "function" => {
                out.push(Message {
                    role: "user".into(),
                    content: format!("Tool result: {text}"),
                });
            }
            _ => out.push(Message {
                role: "user".into(),
                content: text,
            }),
        }
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

enum Piece {
    Text(String),
    Done(Result<GenStats, ModelError>),
}

async fn chat(State(s): State<AppState>, body: Bytes) -> Response {
    let req: ChatBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("the request body is not valid JSON: {e}"),
            );
        }
    };
    let Some(messages) = req.messages.filter(|m| !m.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_messages",
            "`messages` must be a non-empty array",
        );
    };
    let stops = match stop_sequences(req.stop.as_ref()) {
        Ok(s) => s,
        Err(m) => return error(StatusCode::BAD_REQUEST, "invalid_stop", &m),
    };
    let tools_offered = req.tools.as_ref().is_some_and(|t| !t.is_empty())
        && req.tool_choice.as_ref().and_then(Value::as_str) != Some("none");
    let max_tokens = req
        .max_completion_tokens
        .or(req.max_tokens)
        .unwrap_or(s.limits.max_tokens)
        .clamp(1, s.limits.max_tokens.max(1));
    let params = GenParams {
        messages: normalise(&messages),
        max_tokens,
        temperature: s
            .sampling
            .force_temperature
            .or(req.temperature)
            .filter(|t| t.is_finite())
            .unwrap_or(0.0)
            .clamp(0.0, 2.0),
        seed: req
            .seed
            .or(s.sampling.default_seed)
            .unwrap_or_else(|| u32::try_from(now_secs() % u64::from(u32::MAX)).unwrap_or(0)),
    };
    let include_usage = req
        .stream_options
        .as_ref()
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let id = format!("chatcmpl-{}", s.counter.fetch_add(1, Ordering::Relaxed));

    let (tx, rx) = mpsc::channel::<Piece>(64);
    let model = s.model.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = match model.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let mut filter = StopFilter::new(stops);
        let mut result = {
            // Returning `false` stops the model: a stop sequence was seen, or the client went
            // away (the receiver is dropped with the response).
            let mut sink = |t: &str| {
                let out = filter.push(t);
                let sent = if out.is_empty() {
                    !tx.is_closed()
                } else {
                    tx.blocking_send(Piece::Text(out)).is_ok()
                };
                sent && !filter.hit()
            };
            guard.generate(&params, &mut sink)
        };
        if let Ok(stats) = &mut result {
            if filter.hit() {
                stats.finish = Finish::Stop;
            } else {
                let rest = filter.finish();
                if !rest.is_empty() {
                    let _ = tx.blocking_send(Piece::Text(rest));
                }
            }
        }
        let _ = tx.blocking_send(Piece::Done(result));
    });
    let notice = tools_offered.then(|| TOOLS_NOTICE.to_owned());
    if req.stream.unwrap_or(false) {
        stream_response(s.name.clone(), id, notice, include_usage, rx)
    } else {
        whole_response(&s.name, &id, notice, rx).await
    }
}

async fn whole_response(
    name: &str,
    id: &str,
    notice: Option<String>,
    mut rx: mpsc::Receiver<Piece>,
) -> Response {
    let mut text = notice.unwrap_or_default();
    let stats = loop {
        match rx.recv().await {
            Some(Piece::Text(t)) => text.push_str(&t),
            Some(Piece::Done(r)) => break r,
            None => break Err(ModelError::Failed("the generation thread ended".into())),
        }
    };
    match stats {
        Ok(st) => axum::Json(json!({
            "id": id,
            "object": "chat.completion",
            "created": now_secs(),
            "model": name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": st.finish.as_wire()}],
            "usage": usage_json(&st),
        }))
        .into_response(),
        Err(e @ ModelError::ContextLength { .. }) => error(StatusCode::BAD_REQUEST, "context_length_exceeded", &e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "model_error", &e.to_string()),
    }
}

fn usage_json(st: &GenStats) -> Value {
    json!({
        "prompt_tokens": st.prompt_tokens,
        "completion_tokens": st.completion_tokens,
        "total_tokens": st.prompt_tokens + st.completion_tokens,
    })
}

struct StreamState {
    rx: mpsc::Receiver<Piece>,
    name: Arc<str>,
    id: String,
    created: u64,
    queue: std::collections::VecDeque<String>,
    include_usage: bool,
    finished: bool,
}

impl StreamState {
    fn chunk(&self, delta: Value, finish: Option<&str>) -> String {
        let v = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": &*self.name,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        });
        format!("data: {v}\n\n")
    }
}

fn stream_response(
    name: Arc<str>,
    id: String,
    notice: Option<String>,
    include_usage: bool,
    rx: mpsc::Receiver<Piece>,
) -> Response {
    let mut st = StreamState {
        rx,
        name,
        id,
        created: now_secs(),
        queue: Default::default(),
        include_usage,
        finished: false,
    };
    let first = st.chunk(json!({"role": "assistant", "content": ""}), None);
    st.queue.push_back(first);
    if let Some(n) = notice {
        let c = st.chunk(json!({"content": n}), None);
        st.queue.push_back(c);
    }
    let stream = futures_util::stream::unfold(st, |mut st| async move {
        loop {
            if let Some(s) = st.queue.pop_front() {
                return Some((Ok::<_, Infallible>(Bytes::from(s)), st));
            }
            if st.finished {
                return None;
            }
            match st.rx.recv().await {
                Some(Piece::Text(t)) => {
                    let c = st.chunk(json!({"content": t}), None);
                    st.queue.push_back(c);
                }
                Some(Piece::Done(Ok(stats))) => {
                    let c = st.chunk(json!({}), Some(stats.finish.as_wire()));
                    st.queue.push_back(c);
                    if st.include_usage {
                        let v = json!({
                            "id": st.id, "object": "chat.completion.chunk", "created": st.created,
                            "model": &*st.name, "choices": [], "usage": usage_json(&stats),
                        });
                        st.queue.push_back(format!("data: {v}\n\n"));
                    }
                    st.queue.push_back("data: [DONE]\n\n".to_owned());
                    st.finished = true;
                }
                Some(Piece::Done(Err(e))) => {
                    let code = match e {
                        ModelError::ContextLength { .. } => "context_length_exceeded",
                        ModelError::Failed(_) => "model_error",
                    };
                    let v = json!({"error": {"message": e.to_string(), "type": "server_error", "code": code}});
                    st.queue.push_back(format!("data: {v}\n\n"));
                    st.finished = true;
                }
                None => {
                    st.finished = true;
                }
            }
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "could not build the response",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vl_openai::{WireFunction, WireToolCall};

    #[test]
    fn normalise_renders_tool_traffic_as_text() {
        let msgs = vec![
            WireMessage {
                role: "developer".into(),
                content: Some(json!("be nice")),
                ..Default::default()
            },
            WireMessage {
                role: "user".into(),
                content: Some(json!([{"type": "text", "text": "hi"}])),
                ..Default::default()
            },
            WireMessage {
                role: "assistant".into(),
                content: None,
                tool_calls: Some(vec![WireToolCall {
                    function: Some(WireFunction {
                        name: Some("f".into()),
                        arguments: Some(json!("{}")),
                    }),
                    ..Default::default()
                }]),
                tool_call_id: None,
            },
            WireMessage {
                role: "tool".into(),
                content: Some(json!("42")),
                tool_call_id: Some("c".into()),
                ..Default::default()
            },
        ];
        let n = normalise(&msgs);
        let pairs: Vec<(&str, &str)> = n
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("system", "be nice"),
                ("user", "hi"),
                ("assistant", "[called f({})]"),
                ("user", "Tool result: 42")
            ]
        );
    }
}
