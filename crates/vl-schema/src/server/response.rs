//! The response object and the `response.*` events of text, audio, transcripts, function calls,
//! searches, annotations, hosted agents and rate limits.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::audio_format::{Modality, OutputAudioFormat};
use crate::item::{ResponseContentPart, ResponseItem};
use crate::session::MaxTokens;
use crate::voice::Voice;

/// `response.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Generating.
    InProgress,
    /// Finished normally.
    Completed,
    /// Cancelled by the client or by a detected turn.
    Cancelled,
    /// Failed.
    Failed,
    /// Cut short (token limit, content filter).
    Incomplete,
}

tagged_enum! {
    /// `response.status_details`, tagged by `type`.
    StatusDetails {
        /// `{type:"completed"}`.
        Completed(CompletedDetails) = "completed",
        /// `{type:"cancelled", reason}`: `turn_detected` or `client_cancelled`.
        Cancelled(ReasonDetails) = "cancelled",
        /// `{type:"incomplete", reason}`: `max_output_tokens` or `content_filter`.
        Incomplete(ReasonDetails) = "incomplete",
        /// `{type:"failed", error:{type, code}}`.
        Failed(FailedDetails) = "failed",
    }
}

wire_struct! {
    /// `{type:"completed"}`.
    #[derive(Default)]
    CompletedDetails {}
}

wire_struct! {
    /// The `reason` of cancelled / incomplete details.
    #[derive(Default)]
    ReasonDetails {
        /// The reason.
        reason?: String,
    }
}

wire_struct! {
    /// The error of failed details.
    #[derive(Default)]
    StatusError {
        /// Error type, e.g. `server_error`.
        #[serde(rename = "type")]
        kind?: String,
        /// Code, e.g. `backend_error`.
        code?: String,
        /// Message.
        message?: String,
    }
}

wire_struct! {
    /// `{type:"failed", error}`.
    #[derive(Default)]
    FailedDetails {
        /// The error.
        error?: StatusError,
    }
}

wire_struct! {
    /// `cached_tokens_details`.
    #[derive(Default)]
    CachedTokensDetails {
        /// Cached text tokens.
        #[serde(default)]
        text_tokens: u64,
        /// Cached audio tokens.
        #[serde(default)]
        audio_tokens: u64,
        /// Cached image tokens.
        image_tokens?: u64,
    }
}

wire_struct! {
    /// `usage.input_token_details`.
    #[derive(Default)]
    InputTokenDetails {
        /// Cached tokens.
        #[serde(default)]
        cached_tokens: u64,
        /// Text tokens.
        #[serde(default)]
        text_tokens: u64,
        /// Audio tokens.
        #[serde(default)]
        audio_tokens: u64,
        /// Image tokens.
        image_tokens?: u64,
        /// Cached token breakdown.
        cached_tokens_details?: CachedTokensDetails,
    }
}

wire_struct! {
    /// `usage.output_token_details`.
    #[derive(Default)]
    OutputTokenDetails {
        /// Text tokens.
        #[serde(default)]
        text_tokens: u64,
        /// Audio tokens.
        #[serde(default)]
        audio_tokens: u64,
        /// Reasoning tokens.
        reasoning_tokens?: u64,
    }
}

wire_struct! {
    /// `response.usage`.
    #[derive(Default)]
    Usage {
        /// Input + output tokens.
        #[serde(default)]
        total_tokens: u64,
        /// Input tokens.
        #[serde(default)]
        input_tokens: u64,
        /// Output tokens.
        #[serde(default)]
        output_tokens: u64,
        /// Input breakdown.
        input_token_details?: InputTokenDetails,
        /// Output breakdown.
        output_token_details?: OutputTokenDetails,
    }
}

wire_struct! {
    /// The response object of `response.created` / `response.done` (§5.4).
    Response {
        /// `resp_…`.
        id: String,
        /// `realtime.response`.
        object?: String,
        /// Status.
        status: ResponseStatus,
        /// Details of the status (`null` while in progress; always sent).
        #[serde(default)]
        status_details: Option<StatusDetails>,
        /// Output items (`[]` in `response.created`).
        #[serde(default)]
        output: Vec<ResponseItem>,
        /// Token usage.
        usage?: Usage,
        /// Conversation (`null` for out-of-band responses; always sent).
        #[serde(default)]
        conversation_id: Option<String>,
        /// Effective voice.
        voice?: Voice,
        /// Effective modalities.
        modalities?: Vec<Modality>,
        /// Effective output format.
        output_audio_format?: OutputAudioFormat,
        /// Effective temperature.
        temperature?: f64,
        /// Effective token limit (alias `max_response_output_tokens`).
        #[serde(alias = "max_response_output_tokens")]
        max_output_tokens?: MaxTokens,
        /// Metadata.
        metadata?: BTreeMap<String, String>,
    }
}

wire_struct! {
    /// One entry of `rate_limits.updated`.
    RateLimit {
        /// `requests` or `tokens`.
        name: String,
        /// The limit.
        limit: u64,
        /// What remains.
        remaining: u64,
        /// Seconds until reset.
        reset_seconds: f64,
    }
}

event_struct! {
    /// A response started.
    ResponseCreated {
        /// The response (`in_progress`, empty output).
        response: Response,
    }
}

event_struct! {
    /// A response ended (any status).
    ResponseDone {
        /// The final response.
        response: Response,
    }
}

event_struct! {
    /// An output item started.
    ResponseOutputItemAdded {
        /// The response.
        response_id: String,
        /// Output index.
        output_index: u32,
        /// The item.
        item: ResponseItem,
    }
}

event_struct! {
    /// An output item finished.
    ResponseOutputItemDone {
        /// The response.
        response_id: String,
        /// Output index.
        output_index: u32,
        /// The item.
        item: ResponseItem,
    }
}

event_struct! {
    /// A content part started.
    ResponseContentPartAdded {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The (empty) part.
        part: ResponseContentPart,
    }
}

event_struct! {
    /// A content part finished.
    ResponseContentPartDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The complete part.
        part: ResponseContentPart,
    }
}

event_struct! {
    /// A text fragment.
    ResponseTextDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The fragment.
        delta: String,
    }
}

event_struct! {
    /// The text is complete.
    ResponseTextDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The whole text.
        text: String,
    }
}

event_struct! {
    /// A transcript fragment of the generated audio.
    ResponseAudioTranscriptDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The fragment.
        delta: String,
    }
}

event_struct! {
    /// The audio transcript is complete.
    ResponseAudioTranscriptDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// The whole transcript.
        transcript: String,
    }
}

event_struct! {
    /// A chunk of generated audio.
    ResponseAudioDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// Base64 audio in `output_audio_format` (standard, padded).
        delta: String,
    }
}

event_struct! {
    /// The generated audio is complete.
    ResponseAudioDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
    }
}

event_struct! {
    /// An annotation on the audio transcript.
    ResponseAudioTranscriptAnnotationAdded {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Content index.
        content_index: u32,
        /// Annotation index.
        annotation_index: u32,
        /// The annotation object.
        annotation: Value,
    }
}

event_struct! {
    /// A fragment of function call arguments.
    ResponseFunctionCallArgumentsDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The call.
        call_id: String,
        /// The fragment.
        delta: String,
    }
}

event_struct! {
    /// Function call arguments are complete.
    ResponseFunctionCallArgumentsDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The call.
        call_id: String,
        /// The function name.
        name: String,
        /// The whole arguments JSON string.
        arguments: String,
    }
}

event_struct! {
    /// `response.web_search_call.searching`.
    ResponseWebSearchCallSearching {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// `response.web_search_call.in_progress`.
    ResponseWebSearchCallInProgress {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// `response.web_search_call.completed`.
    ResponseWebSearchCallCompleted {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// `response.file_search_call.searching`.
    ResponseFileSearchCallSearching {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// `response.file_search_call.in_progress`.
    ResponseFileSearchCallInProgress {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// `response.file_search_call.completed`.
    ResponseFileSearchCallCompleted {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// Sequence number.
        sequence_number: u64,
    }
}

event_struct! {
    /// A raw delta from a hosted agent.
    ResponseInvocationDelta {
        /// The raw object.
        delta: Value,
    }
}

event_struct! {
    /// Rate limits (docs only; emitted at the start of a response).
    RateLimitsUpdated {
        /// The limits.
        rate_limits: Vec<RateLimit>,
    }
}

event_struct! {
    /// A fragment of foundry agent call arguments (docs only).
    ResponseFoundryAgentCallArgumentsDelta {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The fragment.
        delta: String,
        /// The agent response.
        agent_response_id?: String,
    }
}

event_struct! {
    /// Foundry agent call arguments are complete (docs only).
    ResponseFoundryAgentCallArgumentsDone {
        /// The response.
        response_id: String,
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The whole arguments.
        arguments?: String,
        /// The agent response.
        agent_response_id?: String,
    }
}

event_struct! {
    /// `response.foundry_agent_call.in_progress` (docs only).
    ResponseFoundryAgentCallInProgress {
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The agent response.
        agent_response_id?: String,
    }
}

event_struct! {
    /// `response.foundry_agent_call.completed` (docs only).
    ResponseFoundryAgentCallCompleted {
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The agent response.
        agent_response_id?: String,
    }
}

event_struct! {
    /// `response.foundry_agent_call.failed` (docs only).
    ResponseFoundryAgentCallFailed {
        /// The item.
        item_id: String,
        /// Output index.
        output_index: u32,
        /// The agent response.
        agent_response_id?: String,
    }
}
