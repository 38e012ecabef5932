//! The caller-facing request and event types (they mirror `vl-engine`'s `GenerateRequest` and
//! `BackendOutput` without depending on it) and the JSON wire types, which are tolerant: every
//! field is optional, unknown fields are ignored, and fields some servers send with another
//! shape (`content` as parts, `arguments` as an object) are accepted as JSON values.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who wrote a [`ContextItem::Message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A system message.
    System,
    /// The user.
    User,
    /// The assistant.
    Assistant,
}

impl Role {
    /// The wire name (`system`, `user`, `assistant`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One conversation item.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextItem {
    /// A text message.
    Message {
        /// The author.
        role: Role,
        /// The text.
        text: String,
    },
    /// A tool call the assistant made.
    FunctionCall {
        /// The call id linking it to its output.
        call_id: String,
        /// The tool's name.
        name: String,
        /// The arguments, a JSON text.
        arguments: String,
    },
    /// The result of a tool call.
    FunctionCallOutput {
        /// The call id of the [`FunctionCall`](Self::FunctionCall).
        call_id: String,
        /// The output, free text.
        output: String,
    },
}

/// A function tool the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The tool's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its parameters as a JSON Schema (`null` is sent as an empty object schema).
    pub parameters: Value,
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// No tool calls.
    None,
    /// Some tool must be called.
    Required,
    /// This tool must be called.
    Function(String),
}

/// One Chat Completions request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatRequest {
    /// Overrides the configured model name for this request (`None`: the configured one).
    pub model: Option<String>,
    /// System instructions, sent as the first `system` message (skipped when empty).
    pub instructions: String,
    /// The conversation, oldest first.
    pub context: Vec<ContextItem>,
    /// Tools the model may call (none: `tools` and `tool_choice` are not sent).
    pub tools: Vec<ToolSpec>,
    /// The tool choice.
    pub tool_choice: ToolChoice,
    /// Sampling temperature (unitless); `None` leaves the server's default.
    pub temperature: Option<f32>,
    /// Output token cap; `None` = the server's default.
    pub max_output_tokens: Option<u32>,
}

/// Token counts of one generation, as the server reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenUsage {
    /// Tokens the model read (`prompt_tokens`).
    pub input_text_tokens: u64,
    /// Of those, tokens served from a prompt cache (`prompt_tokens_details.cached_tokens`).
    pub cached_tokens: u64,
    /// Tokens the model wrote (`completion_tokens`).
    pub output_text_tokens: u64,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinishReason {
    /// The model finished its turn (`stop`, or no reason given).
    #[default]
    Stop,
    /// The output token cap was reached (`length`).
    Length,
    /// A content filter stopped it (`content_filter`).
    ContentFilter,
    /// The model stopped to call tools (`tool_calls`, `function_call`).
    ToolCalls,
}

impl FinishReason {
    /// Maps a wire `finish_reason`; unknown values count as [`Stop`](Self::Stop).
    pub fn from_wire(s: &str) -> Self {
        match s {
            "length" | "max_tokens" => Self::Length,
            "content_filter" => Self::ContentFilter,
            "tool_calls" | "function_call" => Self::ToolCalls,
            _ => Self::Stop,
        }
    }
}

/// A complete tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The call id (the server's, or `call_<n>` when the server sent none).
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, a JSON text as the model wrote it (not validated).
    pub arguments: String,
}

/// What a chat stream yields, in order: text deltas and tool calls, then exactly one `Done`.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// Streamed reply text.
    TextDelta(String),
    /// A complete tool call (emitted once its arguments are complete).
    ToolCall(ToolCall),
    /// The generation ended.
    Done {
        /// Token counts, when the server reported them.
        usage: Option<TokenUsage>,
        /// Why it ended.
        finish_reason: FinishReason,
    },
}

// ---- wire: request -------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct WireRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) model: Option<String>,
    pub(crate) messages: Vec<WireMessage>,
    pub(crate) stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stream_options: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tools: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tool_choice: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_completion_tokens: Option<u32>,
}

/// One wire message (`role`, `content`, `tool_calls`, `tool_call_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct WireMessage {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// The text (`null` for an assistant message that only calls tools).
    pub content: Option<Value>,
    /// Tool calls of an assistant message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<WireToolCall>>,
    /// The call a `tool` message answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// One wire tool call (in a request's assistant message, or a non-streamed response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct WireToolCall {
    /// The position in a streamed response (absent elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The call id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `function`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The function and its arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<WireFunction>,
}

/// A function name and arguments (whole or a streamed fragment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct WireFunction {
    /// The tool name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The arguments: a JSON text (some servers send an object; it is re-encoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
}

// ---- wire: response ------------------------------------------------------------------------

/// A streamed chunk or a whole non-streamed completion; every field optional.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WireChunk {
    pub(crate) choices: Option<Vec<WireChoice>>,
    pub(crate) usage: Option<WireUsage>,
    pub(crate) error: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WireChoice {
    pub(crate) index: Option<u64>,
    pub(crate) delta: Option<WireMessage>,
    pub(crate) message: Option<WireMessage>,
    pub(crate) finish_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WireUsage {
    pub(crate) prompt_tokens: Option<u64>,
    pub(crate) completion_tokens: Option<u64>,
    pub(crate) prompt_tokens_details: Option<WireTokenDetails>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub(crate) struct WireTokenDetails {
    pub(crate) cached_tokens: Option<u64>,
}

impl WireUsage {
    pub(crate) fn to_usage(&self) -> TokenUsage {
        TokenUsage {
            input_text_tokens: self.prompt_tokens.unwrap_or(0),
            cached_tokens: self
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
            output_text_tokens: self.completion_tokens.unwrap_or(0),
        }
    }
}

/// Text of a `content` value: a string, or the `text` of an array of parts.
pub(crate) fn content_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let mut out = String::new();
            for p in parts {
                if let Some(t) = p.get("text").and_then(Value::as_str) {
                    out.push_str(t);
                } else if let Some(t) = p.as_str() {
                    out.push_str(t);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// An `arguments` value as JSON text: strings as they are, anything else re-encoded.
pub(crate) fn arguments_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
