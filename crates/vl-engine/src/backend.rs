//! What the engine asks of its backends (ASR, LLM, TTS) and what they answer.
//!
//! Backends are IO to the engine, as sockets are to quinn: the engine emits a [`BackendRequest`]
//! with a [`RequestId`] from [`Session::poll_backend_request`](crate::Session::poll_backend_request)
//! and later receives [`BackendOutput`]s carrying the same id through
//! [`Session::handle_backend_output`](crate::Session::handle_backend_output). Outputs for a request
//! the engine no longer waits for (cancelled, finished, timed out) are ignored, so a backend never
//! has to race a cancel.
//!
//! # Speech recognition: one-shot and streaming
//!
//! A user turn is recognised in one of two ways; a recogniser must handle both.
//!
//! * **One-shot** ([`BackendRequest::Transcribe`]): the whole turn's audio in one request. Used
//!   for a manual `input_audio_buffer.commit` without turn detection, for client `input_audio`
//!   items without a transcript, and for every turn when
//!   [`SessionConfig::streaming_transcription`](crate::SessionConfig::streaming_transcription) is
//!   off.
//! * **Streaming** (server VAD turns when `streaming_transcription` is on):
//!   1. [`BackendRequest::TranscribeStart`] when turn detection reports `speech_started`; its
//!      `item_id` is the id announced in `input_audio_buffer.speech_started`.
//!   2. [`BackendRequest::TranscribeAudio`] chunks as the turn goes on: 16 kHz mono PCM16 after
//!      echo cancellation and noise suppression, starting with the prefix padding, in order and
//!      without gaps (about every [`STREAM_CHUNK_MS`] ms). Their concatenation is exactly the
//!      audio of the committed item.
//!   3. [`BackendRequest::TranscribeCommit`] when the turn is committed (`speech_stopped` or a
//!      manual commit during the turn); the last audio chunk precedes it.
//!   4. Or [`BackendRequest::Cancel`] when the turn is dropped (`input_audio_buffer.clear`, turn
//!      detection switched off, session closed); no item is created then.
//!
//!   The recogniser may answer [`BackendOutput::TranscriptDelta`]s at any time after the start
//!   (partials during speech); the engine sends each at once as
//!   `conversation.item.input_audio_transcription.delta` for the announced item id, so deltas may
//!   precede `input_audio_buffer.committed` (as Azure's streaming recogniser does). Deltas are
//!   appended to each other: send only text that will not be revised (the stable prefix of a
//!   partial hypothesis). [`BackendOutput::TranscriptDone`] (or [`BackendOutput::Failed`]) ends
//!   the request and is only valid after the commit; its transcript is authoritative and goes
//!   into `…transcription.completed`, which always follows `conversation.item.created`. A
//!   [`BackendOutput::Failed`] before the commit makes the engine fall back to a one-shot
//!   [`BackendRequest::Transcribe`] of the committed audio. The answer deadline
//!   ([`Limits::backend_first_output_timeout`](crate::Limits::backend_first_output_timeout)) runs
//!   from the commit.

use std::fmt;

/// Identifies one backend request within a session; unique and increasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "req_{}", self.0)
    }
}

/// Work the engine asks a backend to do.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BackendRequest {
    /// Speech recognition of one committed user turn, all audio at once.
    Transcribe(TranscribeRequest),
    /// Starts a streaming recognition of the user turn that just began (module docs).
    TranscribeStart(TranscribeStartRequest),
    /// More audio of a streaming recognition.
    TranscribeAudio {
        /// The [`TranscribeStartRequest`]'s id.
        id: RequestId,
        /// Mono PCM16 samples at the start request's rate (16 000 Hz), following the previous
        /// chunk without a gap.
        samples: Vec<i16>,
    },
    /// The streamed turn was committed: no more audio follows; answer the final transcript.
    TranscribeCommit {
        /// The [`TranscribeStartRequest`]'s id.
        id: RequestId,
    },
    /// One LLM turn: the conversation so far in, text and/or tool calls out.
    Generate(GenerateRequest),
    /// Speech synthesis of one text segment of a response.
    Synthesize(SynthesizeRequest),
    /// Stop working on an earlier request; its later outputs are ignored anyway.
    Cancel {
        /// The request to stop.
        id: RequestId,
    },
}

impl BackendRequest {
    /// The id of the request (for [`Cancel`](Self::Cancel): the id of the request to stop).
    pub fn id(&self) -> RequestId {
        match self {
            Self::Transcribe(r) => r.id,
            Self::TranscribeStart(r) => r.id,
            Self::TranscribeAudio { id, .. } | Self::TranscribeCommit { id } => *id,
            Self::Generate(r) => r.id,
            Self::Synthesize(r) => r.id,
            Self::Cancel { id } => *id,
        }
    }
}

/// Recognise the speech in `audio`.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeRequest {
    /// This request's id.
    pub id: RequestId,
    /// The user item the transcript belongs to.
    pub item_id: String,
    /// Mono PCM16 samples at [`sample_rate_hz`](Self::sample_rate_hz) (the processing rate).
    pub audio: Vec<i16>,
    /// Sample rate of [`audio`](Self::audio), in Hz (16 000).
    pub sample_rate_hz: u32,
    /// `input_audio_transcription.model`, if the client set one.
    pub model: Option<String>,
    /// `input_audio_transcription.language` (BCP-47, ISO-639-1 or a comma list), if set.
    pub language: Option<String>,
}

/// Audio chunk size of a streaming recognition, in ms: [`BackendRequest::TranscribeAudio`]
/// carries about this much (the last chunk before the commit may be shorter).
pub const STREAM_CHUNK_MS: u32 = 100;

/// Start recognising a user turn whose audio follows in [`BackendRequest::TranscribeAudio`]
/// chunks.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscribeStartRequest {
    /// This request's id (also carried by its audio chunks and commit).
    pub id: RequestId,
    /// The user item the transcript belongs to (announced in `speech_started`; the item itself
    /// is created at the commit).
    pub item_id: String,
    /// Sample rate of the audio chunks, in Hz (16 000).
    pub sample_rate_hz: u32,
    /// `input_audio_transcription.model`, if the client set one.
    pub model: Option<String>,
    /// `input_audio_transcription.language` (BCP-47, ISO-639-1 or a comma list), if set.
    pub language: Option<String>,
}

/// Who wrote a [`ContextItem::Message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A system message.
    System,
    /// The user (typed text or the transcript of speech).
    User,
    /// The assistant (its text, or the transcript of what it said).
    Assistant,
}

/// One conversation item as the LLM sees it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ContextItem {
    /// A message; audio parts are represented by their transcripts.
    Message {
        /// The author.
        role: Role,
        /// The text of all parts, joined with single spaces.
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
    /// The result of a tool call, supplied by the client.
    FunctionCallOutput {
        /// The call id of the [`FunctionCall`](Self::FunctionCall).
        call_id: String,
        /// The output, free text.
        output: String,
    },
}

/// A function tool the LLM may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The tool's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its parameters as a JSON Schema.
    pub parameters: serde_json::Value,
}

/// Whether and which tool the LLM must call.
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

/// Generate the assistant's next turn.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    /// This request's id.
    pub id: RequestId,
    /// The response this generation belongs to (`resp_…`).
    pub response_id: String,
    /// Effective instructions: the session's (or the response's) plus `additional_instructions`.
    pub instructions: String,
    /// The conversation, oldest first.
    pub context: Vec<ContextItem>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// The tool choice.
    pub tool_choice: ToolChoice,
    /// Sampling temperature (unitless).
    pub temperature: f32,
    /// Output token cap; `None` = unbounded (`"inf"`).
    pub max_output_tokens: Option<u32>,
}

/// Synthesize `text` with `voice`.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthesizeRequest {
    /// This request's id.
    pub id: RequestId,
    /// The response this audio belongs to.
    pub response_id: String,
    /// The text segment (a sentence or the rest of the reply).
    pub text: String,
    /// The voice name (`alloy`, `en-US-AvaNeural`, …).
    pub voice: String,
    /// The voice's protocol `type`: `openai` (also for a bare name), `azure-standard`,
    /// `azure-realtime-native`, `azure-custom`, `azure-personal` or `avatar-voice-sync`; a
    /// backend that cannot serve a type answers [`BackendOutput::Failed`] with code
    /// `invalid_value`.
    pub voice_type: String,
    /// The rate the engine would like the audio in, in Hz; the backend may answer with another
    /// rate (stated on each [`BackendOutput::Audio`]) and the engine resamples.
    pub sample_rate_hz: u32,
    /// Whether the session wants facial blendshapes (`animation.outputs` has `blendshapes`):
    /// answer [`BackendOutput::Blendshapes`] then; otherwise they would be dropped, so skip the
    /// work.
    pub blendshapes: bool,
}

/// Values per blendshape frame (Azure's 55: ARKit's 52 in Azure's order plus head and eye
/// rolls; backends.md §4.3).
pub const BLENDSHAPE_CHANNELS: usize = 55;

/// Token counts of one generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenUsage {
    /// Text tokens the model read.
    pub input_text_tokens: u64,
    /// Of those, tokens served from a prompt cache.
    pub cached_tokens: u64,
    /// Text tokens the model wrote.
    pub output_text_tokens: u64,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinishReason {
    /// The model finished its turn.
    #[default]
    Stop,
    /// The output token cap was reached (`incomplete` / `max_output_tokens`).
    Length,
    /// A content filter stopped it (`incomplete` / `content_filter`).
    ContentFilter,
}

/// A backend failure, mapped into `response.done` `failed` or a transcription `failed` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    /// Machine-readable code, e.g. `backend_error`, `rate_limit_exceeded`, `tts_error`.
    pub code: String,
    /// A message a person understands; never the raw backend body.
    pub message: String,
}

/// What a backend answers, each tagged with the request it belongs to.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BackendOutput {
    /// A partial transcript (appended to the previous ones).
    TranscriptDelta {
        /// The [`TranscribeRequest`]'s or [`TranscribeStartRequest`]'s id.
        request: RequestId,
        /// New text.
        delta: String,
    },
    /// The final transcript; ends the request (for a streaming one: only after its commit).
    TranscriptDone {
        /// The [`TranscribeRequest`]'s or [`TranscribeStartRequest`]'s id.
        request: RequestId,
        /// The whole transcript.
        transcript: String,
    },
    /// Streamed reply text.
    TextDelta {
        /// The [`GenerateRequest`]'s id.
        request: RequestId,
        /// New text.
        delta: String,
    },
    /// A complete tool call.
    ToolCall {
        /// The [`GenerateRequest`]'s id.
        request: RequestId,
        /// The tool's name.
        name: String,
        /// The arguments, a JSON text.
        arguments: String,
    },
    /// The generation ended; ends the request.
    GenerateDone {
        /// The [`GenerateRequest`]'s id.
        request: RequestId,
        /// Token counts.
        usage: TokenUsage,
        /// Why it ended.
        finish: FinishReason,
    },
    /// Synthesized audio, following the previous chunk without a gap.
    Audio {
        /// The [`SynthesizeRequest`]'s id.
        request: RequestId,
        /// Mono PCM16 samples.
        samples: Vec<i16>,
        /// Their rate, in Hz.
        sample_rate_hz: u32,
    },
    /// Timing of one spoken word.
    Word {
        /// The [`SynthesizeRequest`]'s id.
        request: RequestId,
        /// The word as written in the request text.
        text: String,
        /// Start from the beginning of this request's audio, in ms.
        offset_ms: u64,
        /// Duration, in ms.
        duration_ms: u64,
    },
    /// A mouth shape (Azure viseme ids 0–21, backends.md §4.1).
    Viseme {
        /// The [`SynthesizeRequest`]'s id.
        request: RequestId,
        /// The viseme id, 0–21.
        viseme_id: u32,
        /// Start from the beginning of this request's audio, in ms.
        offset_ms: u64,
    },
    /// Facial blendshape frames (Azure's 55-value order) following the previous ones; the
    /// engine sends them as `response.animation_blendshapes.delta` when `animation.outputs` asks
    /// for `blendshapes`, with `frame_index` = (start of this request in the item's audio +
    /// `offset_ms`) × `fps` / 1000, rounded. Non-finite values are sent as 0.
    Blendshapes {
        /// The [`SynthesizeRequest`]'s id.
        request: RequestId,
        /// Time of the first frame from the beginning of this request's audio, in ms.
        offset_ms: u64,
        /// Frame rate, in frames per second (Azure: 60); 0 drops the output.
        fps: u32,
        /// The frames, one row of [`BLENDSHAPE_CHANNELS`] weights each.
        frames: Vec<[f32; BLENDSHAPE_CHANNELS]>,
    },
    /// The synthesis ended; ends the request.
    SynthesizeDone {
        /// The [`SynthesizeRequest`]'s id.
        request: RequestId,
    },
    /// The request failed; ends it.
    Failed {
        /// The failed request's id.
        request: RequestId,
        /// What went wrong.
        error: BackendError,
    },
}

impl BackendOutput {
    /// The request this output belongs to.
    pub fn request(&self) -> RequestId {
        match self {
            Self::TranscriptDelta { request, .. }
            | Self::TranscriptDone { request, .. }
            | Self::TextDelta { request, .. }
            | Self::ToolCall { request, .. }
            | Self::GenerateDone { request, .. }
            | Self::Audio { request, .. }
            | Self::Word { request, .. }
            | Self::Viseme { request, .. }
            | Self::Blendshapes { request, .. }
            | Self::SynthesizeDone { request }
            | Self::Failed { request, .. } => *request,
        }
    }
}
