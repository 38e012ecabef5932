//! [`Session`]: one connection's state machine.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use vl_schema::audio_format::{AnimationOutput, InputAudioFormat, SAMPLING_RATES, TimestampType};
use vl_schema::client::{
    ConversationItemCreate, ConversationItemDelete, ConversationItemRetrieve,
    ConversationItemTruncate, InputAudioBufferAppend, InputTextDelta, InputTextDone,
    ResponseCancel, SessionUpdate,
};
use vl_schema::item::{RequestContentPart, RequestItem};
use vl_schema::server::{
    ConversationItemCreated, ConversationItemDeleted,
    ConversationItemInputAudioTranscriptionCompleted, ConversationItemInputAudioTranscriptionDelta,
    ConversationItemInputAudioTranscriptionFailed, ConversationItemRetrieved,
    ConversationItemTruncated, ErrorEvent, InputAudioBufferCleared, InputAudioBufferCommitted,
    InputAudioBufferSpeechStarted, InputAudioBufferSpeechStopped, OutputAudioBufferCleared,
    SessionCreated, SessionUpdated, TranscriptionError, Warning, WarningEvent,
};
use vl_schema::session::{MaxTokens, ReferenceSource, RequestSession};
use vl_schema::voice::{OpenAiVoice, Voice};
use vl_schema::{ClientEvent, ProtocolError, ResponseSession, ServerEvent};

use crate::PROCESSING_RATE_HZ;
use crate::backend::{
    BackendOutput, BackendRequest, RequestId, Role, TranscribeRequest, TranscribeStartRequest,
};
use crate::conversation::{Conversation, Item, ItemKind, Part, Placement, Status};
use crate::convert::{item_from_request, item_to_wire};
use crate::dsp::{EchoCanceller, NoiseSuppressor};
use crate::errors::{codes, invalid, invalid_value};
use crate::ids::IdGen;
use crate::input_audio::{AppendError, InputAudio, InputEvent, TurnParams, turn_params};
use crate::limits::Limits;
use crate::rate::{RateLimiter, Verdict};
use crate::response::{ActiveResponse, CancelReason};

/// How a session is set up; the server fills it from its config and the connection's query.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionConfig {
    /// The model from the URL (`model=`), echoed as `session.model`; it cannot change.
    pub model: String,
    /// Limits enforced on the client.
    pub limits: Limits,
    /// Unknown fields are errors (`unknown_parameter`) instead of warnings (decisions.md).
    pub strict_fields: bool,
    /// Seed of the id generator (`sess_…`, `item_…`, …); the server passes a random value, tests
    /// a fixed one for reproducible ids.
    pub id_seed: u64,
    /// Instructions of a new session (shown in `session.created`).
    pub default_instructions: String,
    /// Voice of a new session (an OpenAI voice name such as `alloy`).
    pub default_voice: String,
    /// `session.expires_at`, Unix seconds; the engine has no wall clock, so the server computes
    /// it (connect time + the session cap). `None` omits it.
    pub expires_at: Option<i64>,
    /// Builds the echo canceller when the client enables `input_audio_echo_cancellation`
    /// (default: [`dsp::vl_dsp_echo_canceller`](crate::dsp::vl_dsp_echo_canceller);
    /// [`dsp::Passthrough`](crate::dsp::Passthrough) changes nothing).
    pub echo_canceller: fn() -> Box<dyn EchoCanceller>,
    /// Builds the noise suppressor when the client enables `input_audio_noise_reduction`
    /// (default: [`dsp::vl_dsp_noise_suppressor`](crate::dsp::vl_dsp_noise_suppressor)).
    pub noise_suppressor: fn() -> Box<dyn NoiseSuppressor>,
    /// Builds the suppressor of `input_audio_noise_reduction: {type:
    /// "azure_deep_noise_suppression"}` (vl-server: DeepFilterNet3 when it has the model).
    /// `None` (the default): that type uses [`Self::noise_suppressor`] like the others. A
    /// `session.update` that switches between the deep type and another one rebuilds the stage.
    pub deep_noise_suppressor: Option<crate::dsp::NoiseSuppressorFactory>,
    /// Streams VAD turns to the recogniser while the user speaks
    /// ([`BackendRequest::TranscribeStart`] / `TranscribeAudio` / `TranscribeCommit`, see
    /// [`backend`](crate::backend)), so partial transcripts arrive during speech. Off: each turn
    /// is one [`BackendRequest::Transcribe`] at its commit. Default off; the scripted backend
    /// handles both.
    pub streaming_transcription: bool,
    /// The server can run avatar WebRTC peers: `session.avatar.connect` becomes an
    /// [`AvatarConnect`] for the server ([`Session::poll_avatar_connect`]) instead of an
    /// `unsupported_feature` error. Default off.
    pub avatar_available: bool,
    /// The ICE servers `session.updated` returns in `avatar.ice_servers` when the client set an
    /// avatar without any (with [`Self::avatar_available`]; empty: `[]`, host candidates only).
    pub avatar_ice_servers: Vec<vl_schema::session::IceServer>,
}

impl SessionConfig {
    /// A config for `model` with the default limits and settings.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            ..Self::default()
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            model: "gpt-4o".to_owned(),
            limits: Limits::default(),
            strict_fields: false,
            id_seed: 0x005E_ED0F_5E55_1017,
            default_instructions: "You are a helpful voice assistant.".to_owned(),
            default_voice: "alloy".to_owned(),
            expires_at: None,
            echo_canceller: crate::dsp::vl_dsp_echo_canceller,
            noise_suppressor: crate::dsp::vl_dsp_noise_suppressor,
            deep_noise_suppressor: None,
            streaming_transcription: false,
            avatar_available: false,
            avatar_ice_servers: Vec::new(),
        }
    }
}

/// A `session.avatar.connect` for the server to answer (with [`SessionConfig::avatar_available`]):
/// the server creates the WebRTC peer and sends `session.avatar.connecting` itself, or an `error`
/// with `param: client_sdp` when the offer is bad.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AvatarConnect {
    /// The client's offer as sent (base64 of the JSON `RTCSessionDescription`, or raw SDP).
    pub client_sdp: String,
    /// The session's validated `avatar` configuration at the time of the connect.
    pub avatar: vl_schema::session::AvatarConfig,
    /// The `event_id` of the client event, to echo in an `error`.
    pub event_id: Option<String>,
}

/// A request to close the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    /// WebSocket close code (1001 session expired, 1008 policy / rate limit).
    pub code: u16,
    /// Close reason (≤ 123 bytes).
    pub reason: String,
}

/// A transcription the session waits for.
#[derive(Debug, Clone)]
pub(crate) struct PendingTranscription {
    pub(crate) request: RequestId,
    pub(crate) item_id: String,
    /// Whether a response follows (VAD turn with `create_response`).
    pub(crate) respond: bool,
    /// The answer deadline; `None` while a streamed turn is not committed yet.
    pub(crate) deadline: Option<Instant>,
    pub(crate) started_output: bool,
    /// `remove_filler_words`: the turn's final transcript decides whether it responds and
    /// barges in.
    pub(crate) filler: Option<FillerGate>,
}

/// A VAD turn under `remove_filler_words`: whether it may respond and interrupt is decided by
/// its words ([`vl_vad::barge_in`], [`vl_vad::ignore_turn`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FillerGate {
    /// The response that was active when the turn started and that it has not interrupted
    /// (yet); `None` = nothing to interrupt.
    pub(crate) response_id: Option<String>,
    /// Whether a response was active or its audio still playing when the turn started
    /// (backchannels are ignored then).
    pub(crate) during_response: bool,
    /// Whether the turn still has to decide on a barge-in (`interrupt_response` and something
    /// to interrupt).
    pub(crate) pending_barge_in: bool,
    /// Speech / voiced speech of the turn at its end, in ms.
    pub(crate) speech_ms: (u32, u32),
}

/// The streaming recognition of the VAD turn in progress.
#[derive(Debug, Clone)]
pub(crate) struct TurnStream {
    pub(crate) request: RequestId,
    pub(crate) item_id: String,
    /// The partial transcript so far (for semantic end of turn).
    pub(crate) text: String,
}

/// Where the client is assumed to be playing assistant audio (for `auto_truncate`).
#[derive(Debug, Clone)]
pub(crate) struct Playback {
    pub(crate) item_id: String,
    pub(crate) started: Instant,
}

impl Playback {
    /// Audio the client has played by `now`, in ms (real-time playback from `started`).
    fn played_ms(&self, now: Instant) -> u64 {
        let played = now.saturating_duration_since(self.started);
        u64::try_from(played.as_millis()).unwrap_or(u64::MAX)
    }
}

/// One Voice Live session: client events and backend outputs in, server events, backend
/// requests and close requests out. See the [crate docs](crate) for the driving loop.
#[derive(Debug)]
pub struct Session {
    pub(crate) config: SessionConfig,
    pub(crate) ids: IdGen,
    pub(crate) session: ResponseSession,
    pub(crate) conversation: Conversation,
    pub(crate) conversation_id: String,
    pub(crate) events: VecDeque<ServerEvent>,
    pub(crate) requests: VecDeque<BackendRequest>,
    pub(crate) close: Option<Close>,
    pub(crate) closed: bool,
    next_request: u64,
    started: Instant,
    rate: RateLimiter,
    pub(crate) input: InputAudio,
    pub(crate) turn: Option<TurnParams>,
    /// The id the user item of the VAD turn in progress will get.
    speech_item: Option<String>,
    /// The streaming recognition of that turn, if any.
    stream: Option<TurnStream>,
    /// `remove_filler_words` state of that turn.
    filler: Option<FillerGate>,
    pub(crate) response: Option<ActiveResponse>,
    /// A VAD turn ended while a response was active: respond when it finishes.
    pub(crate) pending_auto_response: bool,
    pub(crate) transcriptions: Vec<PendingTranscription>,
    /// Whether the session has produced audio (the voice is fixed after that).
    pub(crate) produced_audio: bool,
    pub(crate) playback: Option<Playback>,
    expiry_warned: bool,
    expired: bool,
    /// `input_text.delta` text per item id, until `input_text.done`.
    input_texts: BTreeMap<String, String>,
    /// `session.avatar.connect`s for the server.
    avatar_connects: VecDeque<AvatarConnect>,
    /// An avatar connect was handed to the server: viseme events are made for its renderer even
    /// when the client did not ask for them (see [`Session::client_visemes`]).
    avatar_visemes: bool,
}

impl Session {
    /// Creates a session and queues `session.created` (always the first event).
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        let mut ids = IdGen::new(config.id_seed);
        let mut session = ResponseSession {
            id: ids.next("sess"),
            model: Some(config.model.clone()),
            instructions: Some(config.default_instructions.clone()),
            voice: Some(Voice::Name(OpenAiVoice::from(
                config.default_voice.as_str(),
            ))),
            expires_at: config.expires_at,
            ..ResponseSession::default()
        };
        session.object = Some("realtime.session".to_owned());
        let turn = turn_params(session.turn_detection.as_ref());
        let mut input = InputAudio::new(
            session.input_audio_format,
            session.input_audio_sampling_rate,
        );
        // The default detector's parameters are valid by construction.
        let _ = input.set_turn(turn.as_ref());
        input.stream_turns = config.streaming_transcription;
        let rate = RateLimiter::new(
            config.limits.event_rate_per_s,
            config.limits.event_burst,
            config.limits.rate_limit_close_after,
            now,
        );
        let conversation_id = ids.next("conv");
        let mut s = Self {
            config,
            ids,
            session,
            conversation: Conversation::default(),
            conversation_id,
            events: VecDeque::new(),
            requests: VecDeque::new(),
            close: None,
            closed: false,
            next_request: 1,
            started: now,
            rate,
            input,
            turn,
            speech_item: None,
            stream: None,
            filler: None,
            response: None,
            pending_auto_response: false,
            transcriptions: Vec::new(),
            produced_audio: false,
            playback: None,
            expiry_warned: false,
            expired: false,
            input_texts: BTreeMap::new(),
            avatar_connects: VecDeque::new(),
            avatar_visemes: false,
        };
        let created = SessionCreated {
            event_id: None,
            session: s.session.clone(),
        };
        s.emit(created);
        s
    }

    // ---------------------------------------------------------------------------------------
    // Getters.

    /// The effective session (what `session.updated` would show).
    pub fn effective_session(&self) -> &ResponseSession {
        &self.session
    }

    /// The session id (`sess_…`).
    pub fn id(&self) -> &str {
        &self.session.id
    }

    /// Whether a close was requested; the session ignores further input then.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Number of conversation items.
    pub fn item_count(&self) -> usize {
        self.conversation.len()
    }

    /// Whether a response is active.
    pub fn has_active_response(&self) -> bool {
        self.response.is_some()
    }

    // ---------------------------------------------------------------------------------------
    // Outputs.

    /// The next server event, in order (canonical Voice Live names).
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// The next backend request, in order.
    pub fn poll_backend_request(&mut self) -> Option<BackendRequest> {
        self.requests.pop_front()
    }

    /// A close request, once; send the remaining events first, then close.
    pub fn poll_close(&mut self) -> Option<Close> {
        self.close.take()
    }

    /// The next instant at which [`handle_timeout`](Self::handle_timeout) must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let mut deadline: Option<Instant> = None;
        let mut consider = |t: Instant| {
            deadline = Some(deadline.map_or(t, |d| d.min(t)));
        };
        if let Some(cap) = self.config.limits.max_session_duration {
            if !self.expiry_warned {
                consider(
                    self.started + cap.saturating_sub(self.config.limits.session_expiry_warning),
                );
            }
            consider(self.started + cap);
        }
        if let Some(r) = &self.response {
            if let Some(d) = r.deadline {
                consider(d);
            }
        }
        for t in &self.transcriptions {
            if let Some(d) = t.deadline {
                consider(d);
            }
        }
        deadline
    }

    // ---------------------------------------------------------------------------------------
    // Inputs.

    /// Handles the raw JSON text of one WebSocket message (Voice Live dialect). Decoding
    /// errors, unknown fields and rate-limit violations become `error` / `warning` events.
    pub fn handle_client_message(&mut self, now: Instant, text: &str) {
        if !self.admit(now) {
            return;
        }
        self.handle_admitted_text(now, text);
    }

    /// Handles one binary WebSocket message: UTF-8 is handled as
    /// [`handle_client_message`](Self::handle_client_message) does; other bytes get an `error`
    /// `invalid_json` (reliability.md B5). Rate-limited like every message.
    pub fn handle_client_bytes(&mut self, now: Instant, bytes: &[u8]) {
        if !self.admit(now) {
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.handle_admitted_text(now, text),
            Err(e) => {
                let err = invalid(
                    vl_schema::error::codes::INVALID_JSON,
                    format!(
                        "The message is not valid JSON: invalid UTF-8 at byte {}.",
                        e.valid_up_to()
                    ),
                    None,
                );
                self.emit_error(err, None);
            }
        }
    }

    /// The rate limit and closed check every client message passes first; `false` = drop it.
    fn admit(&mut self, now: Instant) -> bool {
        if self.closed {
            return false;
        }
        match self.rate.check(now) {
            Verdict::Allow => {}
            Verdict::Drop { report } => {
                if report {
                    let err = invalid(
                        codes::RATE_LIMIT,
                        format!(
                            "Too many events: at most {} per second are allowed (burst {}). \
                             Events over the limit are dropped.",
                            self.config.limits.event_rate_per_s, self.config.limits.event_burst
                        ),
                        None,
                    );
                    self.emit_error(err, None);
                }
                return false;
            }
            Verdict::Close => {
                self.request_close(1008, "rate_limit_exceeded");
                return false;
            }
        }
        true
    }

    fn handle_admitted_text(&mut self, now: Instant, text: &str) {
        let event = match vl_schema::decode_client_event(text) {
            Ok(event) => event,
            Err(err) => {
                let event_id = err.event_id().map(str::to_owned);
                self.emit_error(err.to_protocol_error(), event_id);
                return;
            }
        };
        let event_id = event.event_id().map(str::to_owned);
        if let Some(id) = &event_id {
            if id.chars().count() > self.config.limits.max_event_id_chars {
                let err = invalid_value(
                    "event_id",
                    format!(
                        "Invalid 'event_id': longer than {} characters.",
                        self.config.limits.max_event_id_chars
                    ),
                );
                // Do not echo an over-long id.
                self.emit_error(err, None);
                return;
            }
        }
        let unknown = vl_schema::unknown_fields(text, &event);
        if !unknown.is_empty() {
            if self.config.strict_fields {
                let param = unknown.first().cloned().unwrap_or_default();
                let err = invalid(
                    codes::UNKNOWN_PARAMETER,
                    format!("Unknown parameter: '{param}'."),
                    Some(&param),
                );
                self.emit_error(err, event_id);
                return;
            }
            for param in unknown {
                self.emit(WarningEvent {
                    event_id: None,
                    warning: Warning {
                        message: format!("Unknown parameter '{param}' was ignored."),
                        code: Some(codes::UNKNOWN_PARAMETER.to_owned()),
                        param: Some(param),
                    },
                });
            }
        }
        self.handle_client_event(now, event);
    }

    /// Handles one typed client event (for embedders and tests; no rate limit, no unknown-field
    /// check).
    pub fn handle_client_event(&mut self, now: Instant, event: ClientEvent) {
        if self.closed {
            return;
        }
        let event_id = event.event_id().map(str::to_owned);
        match event {
            ClientEvent::SessionUpdate(e) => self.on_session_update(now, e),
            ClientEvent::TranscriptionSessionUpdate(e) => {
                let patch = RequestSession {
                    input_audio_format: e.session.input_audio_format,
                    input_audio_transcription: e.session.input_audio_transcription,
                    turn_detection: e.session.turn_detection,
                    input_audio_noise_reduction: e.session.input_audio_noise_reduction,
                    include: e.session.include,
                    ..RequestSession::default()
                };
                self.on_session_update(
                    now,
                    SessionUpdate {
                        event_id: e.event_id,
                        session: patch,
                    },
                );
            }
            ClientEvent::InputAudioBufferAppend(e) => self.on_append(now, e),
            ClientEvent::InputAudioTurnAppend(e) => self.on_append(
                now,
                InputAudioBufferAppend {
                    event_id: e.event_id,
                    audio: e.audio,
                },
            ),
            ClientEvent::InputAudioBufferCommit(_) | ClientEvent::InputAudioTurnEnd(_) => {
                self.on_commit(now, event_id);
            }
            ClientEvent::InputAudioBufferClear(_) | ClientEvent::InputAudioClear(_) => {
                self.input.clear();
                self.speech_item = None;
                self.filler = None;
                self.cancel_stream();
                self.emit(InputAudioBufferCleared::default());
            }
            ClientEvent::InputAudioTurnStart(_) => {}
            ClientEvent::InputAudioTurnCancel(_) => {
                self.input.clear();
                self.speech_item = None;
                self.filler = None;
                self.cancel_stream();
            }
            ClientEvent::InputTextDelta(e) => self.on_input_text_delta(e),
            ClientEvent::InputTextDone(e) => self.on_input_text_done(e),
            ClientEvent::ConversationItemCreate(e) => self.on_item_create(now, e),
            ClientEvent::ConversationItemRetrieve(e) => self.on_item_retrieve(e),
            ClientEvent::ConversationItemTruncate(e) => self.on_item_truncate(e),
            ClientEvent::ConversationItemDelete(e) => self.on_item_delete(e),
            ClientEvent::ResponseCreate(e) => self.create_response(now, e, event_id),
            ClientEvent::ResponseCancel(e) => self.on_response_cancel(now, e),
            ClientEvent::OutputAudioBufferClear(_) => {
                self.playback = None;
                self.input.clear_render();
                self.emit(OutputAudioBufferCleared::default());
            }
            ClientEvent::SessionAvatarConnect(e) => self.on_avatar_connect(e, event_id),
            ClientEvent::McpApprovalResponse(_) => {
                let err = invalid(
                    codes::UNSUPPORTED,
                    "MCP approvals are not supported: this server has no MCP tools.",
                    None,
                );
                self.emit_error(err, event_id);
            }
            _ => {
                let err = invalid(
                    codes::UNSUPPORTED,
                    format!("The event type '{}' is not supported.", event.type_name()),
                    Some("type"),
                );
                self.emit_error(err, event_id);
            }
        }
    }

    /// Handles one output of a backend. Outputs of requests the session no longer waits for
    /// are ignored.
    pub fn handle_backend_output(&mut self, now: Instant, output: BackendOutput) {
        if self.closed {
            return;
        }
        let request = output.request();
        if let Some(pos) = self
            .transcriptions
            .iter()
            .position(|t| t.request == request)
        {
            self.on_transcription_output(now, pos, output);
            return;
        }
        self.on_response_output(now, output);
    }

    /// Handles expired deadlines (session cap, backend timeouts).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        if let Some(cap) = self.config.limits.max_session_duration {
            let warn_at =
                self.started + cap.saturating_sub(self.config.limits.session_expiry_warning);
            if !self.expiry_warned && now >= warn_at {
                self.expiry_warned = true;
                let left = (self.started + cap)
                    .saturating_duration_since(now)
                    .as_secs();
                self.emit(WarningEvent {
                    event_id: None,
                    warning: Warning {
                        message: format!(
                            "The session will expire in {left} seconds (maximum duration {} minutes).",
                            cap.as_secs() / 60
                        ),
                        code: Some(codes::SESSION_EXPIRING.to_owned()),
                        param: None,
                    },
                });
            }
            if !self.expired && now >= self.started + cap {
                self.expired = true;
                let minutes = cap.as_secs() / 60;
                let err = invalid(
                    codes::SESSION_EXPIRED,
                    format!("Your session hit the maximum duration of {minutes} minutes."),
                    None,
                );
                self.emit_error(err, None);
                self.request_close(1001, "session_expired");
                return;
            }
        }
        let expired: Vec<usize> = self
            .transcriptions
            .iter()
            .enumerate()
            .filter(|(_, t)| t.deadline.is_some_and(|d| now >= d))
            .map(|(i, _)| i)
            .collect();
        for pos in expired.into_iter().rev() {
            let request = self.transcriptions.get(pos).map(|t| t.request);
            if let Some(request) = request {
                self.requests
                    .push_back(BackendRequest::Cancel { id: request });
                self.on_transcription_output(
                    now,
                    pos,
                    BackendOutput::Failed {
                        request,
                        error: crate::backend::BackendError {
                            code: codes::BACKEND_TIMEOUT.to_owned(),
                            message: "The speech recognizer did not answer in time.".to_owned(),
                        },
                    },
                );
            }
        }
        let response_expired = self
            .response
            .as_ref()
            .and_then(|r| r.deadline)
            .is_some_and(|d| now >= d);
        if response_expired {
            self.fail_response(
                now,
                codes::BACKEND_TIMEOUT,
                "The model backend did not answer in time.",
            );
        }
    }

    // ---------------------------------------------------------------------------------------
    // Internals shared with the response module.

    pub(crate) fn next_request_id(&mut self) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        id
    }

    /// Queues a server event with a fresh server `event_id`.
    /// The next `session.avatar.connect` for the server to answer (only with
    /// [`SessionConfig::avatar_available`]). Drain it with the events.
    pub fn poll_avatar_connect(&mut self) -> Option<AvatarConnect> {
        self.avatar_connects.pop_front()
    }

    fn on_avatar_connect(
        &mut self,
        e: vl_schema::client::SessionAvatarConnect,
        event_id: Option<String>,
    ) {
        if !self.config.avatar_available {
            let err = invalid(
                codes::UNSUPPORTED,
                "Avatar sessions are not supported by this server.",
                None,
            );
            self.emit_error(err, event_id);
            return;
        }
        let Some(avatar) = self.session.avatar.clone() else {
            let err = invalid_value(
                "avatar",
                "session.avatar.connect needs an avatar: set session.avatar with session.update first.",
            );
            self.emit_error(err, event_id);
            return;
        };
        if avatar.output_protocol == Some(vl_schema::session::AvatarOutputProtocol::Websocket) {
            let err = invalid(
                codes::UNSUPPORTED,
                "Avatar output over the WebSocket (output_protocol: websocket) is not supported; use webrtc.",
                Some("avatar.output_protocol"),
            );
            self.emit_error(err, event_id);
            return;
        }
        if e.client_sdp.trim().is_empty() {
            let err = invalid_value("client_sdp", "client_sdp is empty.");
            self.emit_error(err, event_id);
            return;
        }
        self.avatar_visemes = true;
        self.avatar_connects.push_back(AvatarConnect {
            client_sdp: e.client_sdp,
            avatar,
            event_id,
        });
    }

    pub(crate) fn emit(&mut self, event: impl Into<ServerEvent>) {
        let mut event = event.into();
        event.set_event_id(Some(self.ids.next("event")));
        self.events.push_back(event);
    }

    /// Queues an `error` event echoing the client's `event_id`.
    pub(crate) fn emit_error(&mut self, error: ProtocolError, client_event_id: Option<String>) {
        let error = error.with_event_id(client_event_id);
        self.emit(ErrorEvent {
            event_id: None,
            error,
        });
    }

    fn request_close(&mut self, code: u16, reason: &str) {
        if !self.closed {
            self.closed = true;
            self.close = Some(Close {
                code,
                reason: reason.to_owned(),
            });
            for id in self.all_backend_requests() {
                self.requests.push_back(BackendRequest::Cancel { id });
            }
        }
    }

    fn all_backend_requests(&self) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> = self.transcriptions.iter().map(|t| t.request).collect();
        if let Some(r) = &self.response {
            ids.extend(r.backend_requests());
        }
        ids
    }

    /// Inserts an item the server creates. At the item cap
    /// ([`Limits::max_items`](crate::Limits::max_items)) the oldest items are dropped first, each
    /// announced with `conversation.item.deleted`, so the history (and the LLM context) stays
    /// bounded however long the session runs and the client's copy stays in step.
    pub(crate) fn insert_server_item(&mut self, item: Item) -> Option<String> {
        while self.conversation.len() >= self.config.limits.max_items.max(1) {
            let Some(id) = self.conversation.evict_oldest() else {
                break;
            };
            if self.playback.as_ref().is_some_and(|p| p.item_id == id) {
                self.playback = None;
            }
            self.emit(ConversationItemDeleted {
                event_id: None,
                item_id: id,
            });
        }
        self.conversation
            .insert(item, &Placement::Append)
            .unwrap_or(None)
    }

    pub(crate) fn session_instructions(&self) -> String {
        self.session.instructions.clone().unwrap_or_default()
    }

    pub(crate) fn word_timestamps(&self) -> bool {
        self.session
            .output_audio_timestamp_types
            .as_ref()
            .is_some_and(|t| t.contains(&TimestampType::Word))
    }

    /// Whether viseme events are made: the client asked for them, or an avatar lip-syncs to them.
    pub(crate) fn visemes(&self) -> bool {
        self.client_visemes() || self.avatar_visemes
    }

    /// Whether the client asked for `response.animation_viseme.*` events (`animation.outputs`
    /// has `viseme_id`). After a `session.avatar.connect` the engine makes them anyway, for the
    /// server's avatar renderer; a server sends them to the client only when this is true.
    pub fn client_visemes(&self) -> bool {
        self.session
            .animation
            .as_ref()
            .and_then(|a| a.outputs.as_ref())
            .is_some_and(|o| o.contains(&AnimationOutput::VisemeId))
    }

    /// Whether blendshape frames are sent: `animation` is set and its `outputs` name
    /// `blendshapes` (or are absent: their default is `["blendshapes"]`, protocol.md §4).
    pub(crate) fn blendshapes(&self) -> bool {
        self.session.animation.as_ref().is_some_and(|a| {
            a.outputs
                .as_ref()
                .is_none_or(|o| o.contains(&AnimationOutput::Blendshapes))
        })
    }

    // ---------------------------------------------------------------------------------------
    // session.update

    fn on_session_update(&mut self, _now: Instant, e: SessionUpdate) {
        let event_id = e.event_id.clone();
        let patch = e.session;
        if let Err(err) = self.validate_patch(&patch) {
            self.emit_error(err, event_id);
            return;
        }
        let mut next = self.session.clone();
        next.apply(&patch);
        if let Err(err) = self.validate_effective(&next, &patch) {
            self.emit_error(err, event_id);
            return;
        }
        let turn = turn_params(next.turn_detection.as_ref());
        if let Err(_e) = self.input.set_turn(turn.as_ref()) {
            let err = invalid_value(
                "session.turn_detection.threshold",
                "Invalid 'session.turn_detection.threshold': expected a number from 0.0 to 1.0.",
            );
            self.emit_error(err, event_id);
            return;
        }
        self.turn = turn;
        self.input
            .set_format(next.input_audio_format, next.input_audio_sampling_rate);
        // Echo cancellation and noise suppression: the stages come from the config's factories
        // (vl-dsp by default). A stage survives an update that keeps it on (its adaptation
        // too); `null` drops it.
        match (
            &next.input_audio_echo_cancellation,
            self.input.echo_canceller.is_some(),
        ) {
            (None, _) => self.input.echo_canceller = None,
            (Some(_), false) => self.input.echo_canceller = Some((self.config.echo_canceller)()),
            (Some(_), true) => {}
        }
        // The deep type has its own stage when the config has one; switching to or from it
        // rebuilds the stage, near_field <-> far_field keeps it.
        let wanted = next.input_audio_noise_reduction.as_ref().map(|nr| {
            nr.kind == vl_schema::audio_format::NoiseReductionType::AzureDeepNoiseSuppression
                && self.config.deep_noise_suppressor.is_some()
        });
        match (wanted, self.input.noise_suppressor.is_some()) {
            (None, _) => self.input.noise_suppressor = None,
            (Some(deep), on) if !on || deep != self.input.noise_suppressor_deep => {
                let built = match (&self.config.deep_noise_suppressor, deep) {
                    (Some(factory), true) => factory.build(),
                    _ => Ok((self.config.noise_suppressor)()),
                };
                let (stage, deep) = match built {
                    Ok(stage) => (stage, deep),
                    Err(reason) => {
                        self.emit(WarningEvent {
                            event_id: None,
                            warning: Warning {
                                message: format!(
                                    "Deep noise suppression is not available ({reason}); the built-in noise suppressor is used instead."
                                ),
                                code: Some(codes::DEEP_NOISE_SUPPRESSION_UNAVAILABLE.to_owned()),
                                param: Some("session.input_audio_noise_reduction.type".to_owned()),
                            },
                        });
                        ((self.config.noise_suppressor)(), false)
                    }
                };
                self.input.noise_suppressor = Some(stage);
                self.input.noise_suppressor_deep = deep;
            }
            (Some(_), _) => {}
        }
        if self.turn.is_none() {
            self.speech_item = None;
            self.filler = None;
            self.cancel_stream();
        }
        // The server's ICE servers for a client that gave none (protocol.md §4, avatar).
        if self.config.avatar_available {
            if let Some(avatar) = next.avatar.as_mut() {
                if avatar.ice_servers.is_none() {
                    avatar.ice_servers = Some(self.config.avatar_ice_servers.clone());
                }
            }
        }
        self.session = next;
        let updated = SessionUpdated {
            event_id: None,
            session: self.session.clone(),
        };
        self.emit(updated);
    }

    /// Checks of the patch itself (what cannot change, sizes).
    fn validate_patch(&self, patch: &RequestSession) -> Result<(), ProtocolError> {
        let limits = &self.config.limits;
        if let Some(model) = &patch.model {
            if Some(model) != self.session.model.as_ref() {
                return Err(invalid_value(
                    "session.model",
                    "Invalid 'session.model': the model cannot be changed during a session.",
                ));
            }
        }
        if let Some(voice) = &patch.voice {
            if self.produced_audio && Some(voice) != self.session.voice.as_ref() {
                return Err(invalid_value(
                    "session.voice",
                    "Invalid 'session.voice': the voice cannot be changed after the session has produced audio.",
                ));
            }
        }
        if self.input.received_audio {
            if let Some(format) = patch.input_audio_format {
                if format != self.session.input_audio_format {
                    return Err(invalid_value(
                        "session.input_audio_format",
                        "Invalid 'session.input_audio_format': it cannot change after audio was sent.",
                    ));
                }
            }
            if let Some(rate) = patch.input_audio_sampling_rate {
                if rate != self.session.input_audio_sampling_rate {
                    return Err(invalid_value(
                        "session.input_audio_sampling_rate",
                        "Invalid 'session.input_audio_sampling_rate': it cannot change after audio was sent.",
                    ));
                }
            }
        }
        CommonParams {
            scope: "session",
            instructions_bytes: patch.instructions.as_ref().map_or(0, String::len),
            tools: patch.tools.as_deref(),
            temperature: patch.temperature,
            max_tokens: patch.max_response_output_tokens,
            max_tokens_field: "max_response_output_tokens",
            metadata: patch.metadata.as_ref(),
        }
        .check(limits)
    }

    /// Checks of the effective session after the patch.
    fn validate_effective(
        &self,
        next: &ResponseSession,
        patch: &RequestSession,
    ) -> Result<(), ProtocolError> {
        let rate = next.input_audio_sampling_rate;
        if next.input_audio_format == InputAudioFormat::Pcm16 && !SAMPLING_RATES.contains(&rate) {
            return Err(invalid_value(
                "session.input_audio_sampling_rate",
                format!(
                    "Invalid value for 'session.input_audio_sampling_rate': {rate}. Supported values are: 8000, 16000, 24000, 44100, 48000."
                ),
            ));
        }
        if next.input_audio_format.is_g711() {
            if let Some(r) = patch.input_audio_sampling_rate {
                if r != 8000 {
                    return Err(invalid_value(
                        "session.input_audio_sampling_rate",
                        format!(
                            "Invalid value for 'session.input_audio_sampling_rate': {r}. G.711 audio is always 8000 Hz."
                        ),
                    ));
                }
            }
        }
        if let Some(td) = &next.turn_detection {
            if let Some(p) = turn_params(Some(td)) {
                let t = p.vad.threshold;
                if !(0.0..=1.0).contains(&t) || !t.is_finite() {
                    return Err(invalid_value(
                        "session.turn_detection.threshold",
                        "Invalid 'session.turn_detection.threshold': expected a number from 0.0 to 1.0.",
                    ));
                }
            }
        }
        if let Some(ec) = &next.input_audio_echo_cancellation {
            let source = ec.reference_source.unwrap_or_default();
            let channels = ec.channels.unwrap_or(1);
            match (source, channels) {
                (ReferenceSource::Server, 2) => {
                    return Err(invalid(
                        vl_schema::error::codes::INVALID_EC_CHANNELS_REQUIRES_CLIENT,
                        "Two input channels need 'reference_source': 'client' (the second channel is the echo reference).",
                        Some("session.input_audio_echo_cancellation.channels"),
                    ));
                }
                (ReferenceSource::Client, 1) => {
                    return Err(invalid(
                        vl_schema::error::codes::INVALID_EC_REFERENCE_CHANNELS,
                        "'reference_source': 'client' needs 'channels': 2 (microphone and reference interleaved).",
                        Some("session.input_audio_echo_cancellation.channels"),
                    ));
                }
                (_, 1 | 2) => {}
                _ => {
                    return Err(invalid_value(
                        "session.input_audio_echo_cancellation.channels",
                        "Invalid 'session.input_audio_echo_cancellation.channels': expected 1 or 2.",
                    ));
                }
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------------------------------
    // Input audio.

    fn on_append(&mut self, now: Instant, e: InputAudioBufferAppend) {
        let limits = &self.config.limits;
        let result = self.input.append(
            &e.audio,
            limits.max_append_audio_bytes,
            limits.max_buffer_ms,
        );
        match result {
            Ok(events) => {
                for event in events {
                    self.on_input_event(now, event);
                }
                self.check_barge_in(now);
            }
            Err(err) => {
                let format = match self.session.input_audio_format {
                    InputAudioFormat::Pcm16 => {
                        format!("mono PCM16 at {}Hz", self.session.input_audio_sampling_rate)
                    }
                    InputAudioFormat::G711Ulaw => "G.711 mu-law at 8000Hz".to_owned(),
                    InputAudioFormat::G711Alaw => "G.711 A-law at 8000Hz".to_owned(),
                };
                let err = match err {
                    AppendError::Base64 => invalid_value(
                        "audio",
                        format!(
                            "Invalid 'audio'. Expected base64-encoded audio bytes ({format}) but got an invalid value."
                        ),
                    ),
                    AppendError::Empty => invalid_value(
                        "audio",
                        format!(
                            "Invalid 'audio'. Expected base64-encoded audio bytes ({format}) but got an empty value."
                        ),
                    ),
                    AppendError::OddLength => invalid_value(
                        "audio",
                        "Invalid 'audio'. PCM16 audio must have an even number of bytes (2 per sample).",
                    ),
                    AppendError::TooLarge => invalid_value(
                        "audio",
                        format!(
                            "Invalid 'audio'. At most {} bytes of audio are allowed per append.",
                            self.config.limits.max_append_audio_bytes
                        ),
                    ),
                    AppendError::BufferFull => invalid(
                        codes::BUFFER_FULL,
                        format!(
                            "The input audio buffer is full: at most {} ms of uncommitted audio are allowed. Commit or clear the buffer.",
                            self.config.limits.max_buffer_ms
                        ),
                        Some("audio"),
                    ),
                };
                self.emit_error(err, e.event_id);
            }
        }
    }

    fn on_input_event(&mut self, now: Instant, event: InputEvent) {
        match event {
            InputEvent::SpeechStarted { audio_start_ms } => {
                let item_id = self.ids.next("item");
                self.speech_item = Some(item_id.clone());
                self.emit(InputAudioBufferSpeechStarted {
                    event_id: None,
                    audio_start_ms: clamp_u32(audio_start_ms),
                    item_id: item_id.clone(),
                });
                if self.config.streaming_transcription {
                    self.start_stream(item_id);
                }
                let interrupt = self.turn.as_ref().is_some_and(|t| t.interrupt_response);
                let auto_truncate = self.turn.as_ref().is_some_and(|t| t.auto_truncate);
                if self.turn.as_ref().is_some_and(|t| t.remove_filler_words) {
                    // The barge-in waits for the words (`check_barge_in`).
                    let active = self.response.as_ref().map(|r| r.id.clone());
                    let playing = self.assistant_playing(now);
                    self.filler = Some(FillerGate {
                        during_response: active.is_some() || playing,
                        pending_barge_in: interrupt
                            && (active.is_some() || (auto_truncate && playing)),
                        response_id: active,
                        speech_ms: (0, 0),
                    });
                    return;
                }
                if interrupt && self.response.is_some() {
                    self.cancel_response(now, CancelReason::TurnDetected);
                }
                if interrupt && auto_truncate {
                    self.auto_truncate(now);
                }
            }
            InputEvent::TurnAudio(samples) => {
                if let Some(stream) = &self.stream {
                    let id = stream.request;
                    self.requests
                        .push_back(BackendRequest::TranscribeAudio { id, samples });
                }
            }
            InputEvent::SpeechStopped {
                audio_end_ms,
                audio,
                speech_ms,
            } => {
                let item_id = self
                    .speech_item
                    .take()
                    .unwrap_or_else(|| self.ids.next("item"));
                self.emit(InputAudioBufferSpeechStopped {
                    event_id: None,
                    audio_end_ms: clamp_u32(audio_end_ms),
                    item_id: item_id.clone(),
                });
                let respond = self.turn.as_ref().is_some_and(|t| t.create_response);
                let gate = self.filler.take().map(|g| FillerGate { speech_ms, ..g });
                self.commit_audio(now, item_id.clone(), audio, respond);
                if let Some(p) = self
                    .transcriptions
                    .iter_mut()
                    .find(|t| t.item_id == item_id)
                {
                    p.filler = gate;
                }
            }
        }
    }

    /// `remove_filler_words` during a VAD turn that began while the assistant spoke: barges in
    /// (cancels the response that was active, `auto_truncate`) as soon as
    /// [`vl_vad::barge_in`] says so for the partial transcript so far (empty without streaming
    /// recognition: then only the final transcript decides, [`Self::filler_verdict`]).
    fn check_barge_in(&mut self, now: Instant) {
        if !self.filler.as_ref().is_some_and(|g| g.pending_barge_in) {
            return;
        }
        let text = self.stream.as_ref().map_or("", |s| s.text.as_str());
        let langs = self.turn.as_ref().map_or(&[][..], |t| &t.languages[..]);
        let (speech, voiced) = self.input.turn_speech();
        let min = self.input.barge_in_speech_ms();
        if vl_vad::barge_in(text, langs, speech, voiced, min, true) == vl_vad::BargeIn::Interrupt {
            if let Some(gate) = self.filler.take() {
                self.barge_in_now(now, &gate);
                self.filler = Some(FillerGate {
                    pending_barge_in: false,
                    ..gate
                });
            }
        }
    }

    /// Whether the client is still playing assistant audio at `now`, assuming real-time
    /// playback from the first audio delta (the `auto_truncate` model).
    fn assistant_playing(&self, now: Instant) -> bool {
        let Some(p) = &self.playback else {
            return false;
        };
        let played_ms = p.played_ms(now);
        self.conversation
            .get(&p.item_id)
            .is_some_and(|item| match &item.kind {
                ItemKind::Message { content, .. } => content
                    .iter()
                    .any(|part| matches!(part, Part::Audio(a) if played_ms < a.duration_ms())),
                _ => false,
            })
    }

    /// Interrupts what `gate`'s turn started over: cancels its response if still active, and
    /// `auto_truncate`s the playback.
    fn barge_in_now(&mut self, now: Instant, gate: &FillerGate) {
        let active = self.response.as_ref().map(|r| r.id.clone());
        if active.is_some() && active == gate.response_id {
            self.cancel_response(now, CancelReason::TurnDetected);
        }
        if self.turn.as_ref().is_some_and(|t| t.auto_truncate) {
            self.auto_truncate(now);
        }
    }

    /// `remove_filler_words` at the final transcript of a VAD turn: `false` when the turn is
    /// fillers only (or fillers / backchannels while a response was active) and must not
    /// respond; otherwise barges in if it was still pending and [`vl_vad::barge_in`] says so.
    fn filler_verdict(&mut self, now: Instant, gate: Option<FillerGate>, text: &str) -> bool {
        let Some(gate) = gate else {
            return true;
        };
        let langs = self
            .turn
            .as_ref()
            .map(|t| t.languages.clone())
            .unwrap_or_default();
        let active = gate.during_response || self.response.is_some();
        if vl_vad::ignore_turn(text, &langs, active, true) {
            return false;
        }
        let (speech, voiced) = gate.speech_ms;
        let min = self.input.barge_in_speech_ms();
        if gate.pending_barge_in
            && vl_vad::barge_in(text, &langs, speech, voiced, min, true)
                == vl_vad::BargeIn::Interrupt
        {
            self.barge_in_now(now, &gate);
        }
        true
    }

    fn on_commit(&mut self, now: Instant, event_id: Option<String>) {
        let have = self.input.committable_ms();
        let min = self.config.limits.min_commit_ms;
        if have < min || have == 0 {
            let err = invalid(
                codes::COMMIT_EMPTY,
                format!(
                    "Error committing input audio buffer: buffer too small. Expected at least {min}ms of audio, but buffer only has {have}ms of audio."
                ),
                None,
            );
            self.emit_error(err, event_id);
            return;
        }
        if let Some(rest) = self.input.stream_remainder() {
            if let Some(stream) = &self.stream {
                let id = stream.request;
                self.requests
                    .push_back(BackendRequest::TranscribeAudio { id, samples: rest });
            }
        }
        let audio = self.input.commit();
        self.filler = None;
        let item_id = self
            .speech_item
            .take()
            .unwrap_or_else(|| self.ids.next("item"));
        self.commit_audio(now, item_id, audio, false);
    }

    /// Turns committed audio into a user item and starts its transcription.
    fn commit_audio(&mut self, now: Instant, item_id: String, audio: Vec<i16>, respond: bool) {
        let audio_ms = audio.len() as u64 * 1000 / u64::from(PROCESSING_RATE_HZ);
        let item = Item {
            id: item_id.clone(),
            status: Status::Completed,
            kind: ItemKind::Message {
                role: Role::User,
                content: vec![Part::InputAudio {
                    transcript: None,
                    audio_ms,
                }],
            },
        };
        let wire = item_to_wire(&item, false);
        let previous = self.insert_server_item(item);
        self.emit(InputAudioBufferCommitted {
            event_id: None,
            previous_item_id: previous.clone(),
            item_id: item_id.clone(),
        });
        self.emit(ConversationItemCreated {
            event_id: None,
            previous_item_id: previous,
            item: wire,
        });
        match self.stream.take() {
            Some(stream) if stream.item_id == item_id => {
                self.requests
                    .push_back(BackendRequest::TranscribeCommit { id: stream.request });
                let deadline = now + self.config.limits.backend_first_output_timeout;
                if let Some(p) = self
                    .transcriptions
                    .iter_mut()
                    .find(|t| t.request == stream.request)
                {
                    p.respond = respond;
                    p.deadline = Some(deadline);
                }
            }
            other => {
                if let Some(stream) = other {
                    self.drop_stream(stream.request);
                }
                self.start_transcription(now, item_id, audio, respond);
            }
        }
    }

    /// Starts the streaming recognition of the VAD turn that will become item `item_id`.
    fn start_stream(&mut self, item_id: String) {
        self.cancel_stream();
        let request = self.next_request_id();
        let transcription = self.session.input_audio_transcription.as_ref();
        self.requests
            .push_back(BackendRequest::TranscribeStart(TranscribeStartRequest {
                id: request,
                item_id: item_id.clone(),
                sample_rate_hz: PROCESSING_RATE_HZ,
                model: transcription.map(|t| t.model.as_str().to_owned()),
                language: transcription.and_then(|t| t.language.clone()),
            }));
        self.transcriptions.push(PendingTranscription {
            request,
            item_id: item_id.clone(),
            respond: false,
            deadline: None,
            started_output: false,
            filler: None,
        });
        self.stream = Some(TurnStream {
            request,
            item_id,
            text: String::new(),
        });
    }

    /// Cancels the streaming recognition of a turn that will not be committed.
    fn cancel_stream(&mut self) {
        if let Some(stream) = self.stream.take() {
            self.drop_stream(stream.request);
        }
    }

    fn drop_stream(&mut self, request: RequestId) {
        self.transcriptions.retain(|t| t.request != request);
        self.requests
            .push_back(BackendRequest::Cancel { id: request });
    }

    /// Asks the recogniser for the transcript of user item `item_id` (16 kHz audio).
    fn start_transcription(
        &mut self,
        now: Instant,
        item_id: String,
        audio: Vec<i16>,
        respond: bool,
    ) {
        let request = self.next_request_id();
        let transcription = self.session.input_audio_transcription.as_ref();
        self.requests
            .push_back(BackendRequest::Transcribe(TranscribeRequest {
                id: request,
                item_id: item_id.clone(),
                audio,
                sample_rate_hz: PROCESSING_RATE_HZ,
                model: transcription.map(|t| t.model.as_str().to_owned()),
                language: transcription.and_then(|t| t.language.clone()),
            }));
        self.transcriptions.push(PendingTranscription {
            request,
            item_id,
            respond,
            deadline: Some(now + self.config.limits.backend_first_output_timeout),
            started_output: false,
            filler: None,
        });
    }

    /// Decodes the base64 audio of a client `input_audio` part (session input format) to 16 kHz.
    fn decode_item_audio(&mut self, text: &str) -> Option<Vec<i16>> {
        let max = self.config.limits.max_append_audio_bytes;
        if text.is_empty() || crate::audio::decoded_len_bound(text.len()) > max.saturating_add(2) {
            return None;
        }
        let mut scratch = Vec::new();
        let mut pcm = Vec::new();
        crate::audio::decode_input(
            self.session.input_audio_format,
            text,
            &mut scratch,
            &mut pcm,
        )
        .ok()?;
        let mut out = Vec::with_capacity(pcm.len());
        crate::audio::RateConverter::new(
            self.session.input_audio_sampling_rate,
            PROCESSING_RATE_HZ,
        )
        .process_i16(&pcm, &mut out);
        Some(out)
    }

    /// Whether `conversation.item.input_audio_transcription.*` events are sent: when the session
    /// configures `input_audio_transcription`, or for a cascaded model, whose speech recognition
    /// is implicitly on (protocol.md §4.1). A native audio model (`*realtime*`) has it off by
    /// default. Recognition itself always runs: the LLM of this server reads text.
    fn announces_transcription(&self) -> bool {
        self.session.input_audio_transcription.is_some()
            || !self
                .session
                .model
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("realtime"))
    }

    fn on_transcription_output(&mut self, now: Instant, pos: usize, output: BackendOutput) {
        let stall = self.config.limits.backend_stall_timeout;
        let announce = self.announces_transcription();
        let Some(pending) = self.transcriptions.get_mut(pos) else {
            return;
        };
        let item_id = pending.item_id.clone();
        let committed = pending.deadline.is_some();
        let output_request = output.request();
        match output {
            BackendOutput::TranscriptDelta { delta, .. } => {
                if committed {
                    pending.deadline = Some(now + stall);
                }
                pending.started_output = true;
                // Partials of the turn in progress feed semantic end-of-turn detection.
                if let Some(stream) = &mut self.stream {
                    if stream.request == output_request && stream.text.len() < 64 * 1024 {
                        stream.text.push_str(&delta);
                        self.input.set_transcript(&stream.text);
                    }
                }
                self.check_barge_in(now);
                if !announce {
                    return;
                }
                self.emit(ConversationItemInputAudioTranscriptionDelta {
                    event_id: None,
                    item_id,
                    content_index: Some(0),
                    delta: Some(delta),
                    logprobs: None,
                });
            }
            // A streamed turn answers only after its commit (backend contract); ignore it.
            BackendOutput::TranscriptDone { .. } if !committed => {}
            // The streaming recogniser failed during the turn: recognise at the commit instead.
            BackendOutput::Failed { .. } if !committed => {
                self.transcriptions.remove(pos);
                if self
                    .stream
                    .as_ref()
                    .is_some_and(|s| s.request == output.request())
                {
                    self.stream = None;
                }
            }
            BackendOutput::TranscriptDone { transcript, .. } => {
                let pending = self.transcriptions.remove(pos);
                if let Some(item) = self.conversation.get_mut(&item_id) {
                    if let ItemKind::Message { content, .. } = &mut item.kind {
                        let slot = content.iter_mut().find_map(|p| match p {
                            Part::InputAudio { transcript: t, .. } if t.is_none() => Some(t),
                            _ => None,
                        });
                        if let Some(t) = slot {
                            *t = Some(transcript.clone());
                        }
                    }
                }
                if announce {
                    self.emit(ConversationItemInputAudioTranscriptionCompleted {
                        event_id: None,
                        item_id,
                        content_index: 0,
                        transcript: transcript.clone(),
                        logprobs: None,
                        phrases: None,
                    });
                }
                let words = self.filler_verdict(now, pending.filler, &transcript);
                self.after_transcription(now, pending.respond && words);
            }
            BackendOutput::Failed { error, .. } => {
                let pending = self.transcriptions.remove(pos);
                self.emit(ConversationItemInputAudioTranscriptionFailed {
                    event_id: None,
                    item_id,
                    content_index: 0,
                    error: TranscriptionError {
                        kind: Some("server_error".to_owned()),
                        code: Some(error.code),
                        message: error.message,
                        param: None,
                        event_id: None,
                    },
                });
                // No words: nothing to barge in with, but the turn still responds.
                let words = self.filler_verdict(now, pending.filler, "");
                self.after_transcription(now, pending.respond && words);
            }
            _ => {}
        }
    }

    fn after_transcription(&mut self, now: Instant, respond: bool) {
        if respond {
            if self.response.is_some() {
                self.pending_auto_response = true;
            } else {
                self.create_response(now, Default::default(), None);
            }
        }
        self.resume_waiting_response(now);
    }

    // ---------------------------------------------------------------------------------------
    // input_text.*

    fn on_input_text_delta(&mut self, e: InputTextDelta) {
        let limit = self.config.limits.max_instructions_bytes;
        let buffered: usize = self.input_texts.values().map(String::len).sum();
        if buffered + e.delta.len() > limit {
            let err = invalid_value(
                "delta",
                format!("Invalid 'delta': streamed input text is limited to {limit} bytes."),
            );
            self.emit_error(err, e.event_id);
            return;
        }
        self.input_texts.entry(e.id).or_default().push_str(&e.delta);
    }

    fn on_input_text_done(&mut self, e: InputTextDone) {
        let text = self.input_texts.remove(&e.id).unwrap_or_default();
        if let Some(item) = self.conversation.get_mut(&e.id) {
            if let ItemKind::Message {
                role: Role::User,
                content,
            } = &mut item.kind
            {
                match content.iter_mut().find_map(|p| match p {
                    Part::InputText(t) => Some(t),
                    _ => None,
                }) {
                    Some(t) => t.push_str(&text),
                    None => content.push(Part::InputText(text)),
                }
                return;
            }
            let err = invalid_value(
                "id",
                "Invalid 'id': input text can only go into a user message.",
            );
            self.emit_error(err, e.event_id);
            return;
        }
        let item = Item {
            id: e.id,
            status: Status::Completed,
            kind: ItemKind::Message {
                role: Role::User,
                content: vec![Part::InputText(text)],
            },
        };
        let wire = item_to_wire(&item, false);
        let previous = self.insert_server_item(item);
        self.emit(ConversationItemCreated {
            event_id: None,
            previous_item_id: previous,
            item: wire,
        });
    }

    // ---------------------------------------------------------------------------------------
    // conversation.item.*

    fn on_item_create(&mut self, now: Instant, e: ConversationItemCreate) {
        let event_id = e.event_id;
        if self.conversation.len() >= self.config.limits.max_items {
            let err = invalid(
                codes::MAX_ITEMS,
                format!(
                    "The conversation already has the maximum of {} items. Delete items first.",
                    self.config.limits.max_items
                ),
                Some("item"),
            );
            self.emit_error(err, event_id);
            return;
        }
        let ids = &mut self.ids;
        let item = match item_from_request(&e.item, "item", || ids.next("item")) {
            Ok(item) => item,
            Err(err) => {
                self.emit_error(err, event_id);
                return;
            }
        };
        if self.conversation.contains(&item.id) {
            let err = invalid_value(
                "item.id",
                format!(
                    "Invalid 'item.id': an item with id '{}' already exists.",
                    short(&item.id)
                ),
            );
            self.emit_error(err, event_id);
            return;
        }
        // User audio without a transcript is recognised like committed audio.
        let mut to_transcribe: Option<Vec<i16>> = None;
        if let RequestItem::Message(m) = &e.item {
            for (i, part) in m.content.iter().enumerate() {
                let RequestContentPart::InputAudio(a) = part else {
                    continue;
                };
                if a.transcript.is_some() {
                    continue;
                }
                match self.decode_item_audio(&a.audio) {
                    Some(pcm) => to_transcribe.get_or_insert_with(Vec::new).extend(pcm),
                    None => {
                        let err = invalid_value(
                            &format!("item.content[{i}].audio"),
                            "Invalid 'audio'. Expected base64-encoded audio bytes in the session's input audio format.",
                        );
                        self.emit_error(err, event_id);
                        return;
                    }
                }
            }
        }
        let item_id = item.id.clone();
        let placement = match e.previous_item_id.as_deref() {
            None => Placement::Append,
            Some("root") => Placement::Root,
            Some(prev) => Placement::After(prev.to_owned()),
        };
        let wire = item_to_wire(&item, false);
        match self.conversation.insert(item, &placement) {
            Ok(previous) => {
                self.emit(ConversationItemCreated {
                    event_id: None,
                    previous_item_id: previous,
                    item: wire,
                });
                if let Some(audio) = to_transcribe {
                    self.start_transcription(now, item_id, audio, false);
                }
            }
            Err(_) => {
                let err = invalid_value(
                    "previous_item_id",
                    format!(
                        "Invalid 'previous_item_id': no item with id '{}' exists.",
                        short(e.previous_item_id.as_deref().unwrap_or_default())
                    ),
                );
                self.emit_error(err, event_id);
            }
        }
    }

    fn on_item_retrieve(&mut self, e: ConversationItemRetrieve) {
        match self.conversation.get(&e.item_id) {
            Some(item) => {
                let wire = item_to_wire(item, true);
                self.emit(ConversationItemRetrieved {
                    event_id: None,
                    item: wire,
                });
            }
            None => {
                let err = unknown_item(&e.item_id);
                self.emit_error(err, e.event_id);
            }
        }
    }

    fn on_item_delete(&mut self, e: ConversationItemDelete) {
        if self.conversation.remove(&e.item_id).is_some() {
            if self
                .playback
                .as_ref()
                .is_some_and(|p| p.item_id == e.item_id)
            {
                self.playback = None;
            }
            self.emit(ConversationItemDeleted {
                event_id: None,
                item_id: e.item_id,
            });
        } else {
            let err = unknown_item(&e.item_id);
            self.emit_error(err, e.event_id);
        }
    }

    fn on_item_truncate(&mut self, e: ConversationItemTruncate) {
        let in_progress = self
            .response
            .as_ref()
            .is_some_and(|r| r.has_open_item(&e.item_id));
        let result = match self.conversation.get_mut(&e.item_id) {
            None => Err(unknown_item(&e.item_id)),
            Some(_) if in_progress => Err(invalid_value(
                "item_id",
                "Invalid 'item_id': the item is still being generated; cancel the response first.",
            )),
            Some(item) => match &mut item.kind {
                ItemKind::Message {
                    role: Role::Assistant,
                    content,
                } => match content.get_mut(e.content_index as usize) {
                    Some(Part::Audio(audio)) => {
                        let duration = audio.duration_ms();
                        if u64::from(e.audio_end_ms) > duration {
                            Err(invalid_value(
                                "audio_end_ms",
                                format!(
                                    "Invalid 'audio_end_ms': {} ms is beyond the end of the item's audio ({duration} ms).",
                                    e.audio_end_ms
                                ),
                            ))
                        } else {
                            audio.truncate(u64::from(e.audio_end_ms));
                            Ok(())
                        }
                    }
                    _ => Err(invalid_value(
                        "content_index",
                        format!(
                            "Invalid 'content_index': part {} of the item is not audio.",
                            e.content_index
                        ),
                    )),
                },
                _ => Err(invalid_value(
                    "item_id",
                    "Invalid 'item_id': only assistant messages can be truncated.",
                )),
            },
        };
        match result {
            Ok(()) => {
                if self
                    .playback
                    .as_ref()
                    .is_some_and(|p| p.item_id == e.item_id)
                {
                    self.playback = None;
                    self.input.clear_render();
                }
                self.emit(ConversationItemTruncated {
                    event_id: None,
                    item_id: e.item_id,
                    content_index: e.content_index,
                    audio_end_ms: e.audio_end_ms,
                });
            }
            Err(err) => self.emit_error(err, e.event_id),
        }
    }

    /// `auto_truncate`: cut the assistant audio the client is assumed to be playing in real
    /// time at what has been played by `now`.
    fn auto_truncate(&mut self, now: Instant) {
        let Some(playback) = self.playback.take() else {
            return;
        };
        let played_ms = playback.played_ms(now);
        let Some(item) = self.conversation.get_mut(&playback.item_id) else {
            return;
        };
        let ItemKind::Message { content, .. } = &mut item.kind else {
            return;
        };
        let Some((index, Part::Audio(audio))) = content
            .iter_mut()
            .enumerate()
            .find(|(_, p)| matches!(p, Part::Audio(_)))
        else {
            return;
        };
        if played_ms >= audio.duration_ms() {
            return;
        }
        // The client stops playing at the cut: the rest of the reply is no echo to come.
        self.input.clear_render();
        audio.truncate(played_ms);
        self.emit(ConversationItemTruncated {
            event_id: None,
            item_id: playback.item_id,
            content_index: clamp_u32(index as u64),
            audio_end_ms: clamp_u32(played_ms),
        });
    }

    fn on_response_cancel(&mut self, now: Instant, e: ResponseCancel) {
        let active = self.response.as_ref().map(|r| r.id.clone());
        match (active, e.response_id.as_deref()) {
            (Some(active), Some(requested)) if active != requested => {
                let err = invalid(
                    codes::CANCEL_NOT_ACTIVE,
                    format!(
                        "Cancellation failed: response '{}' is not active.",
                        short(requested)
                    ),
                    Some("response_id"),
                );
                self.emit_error(err, e.event_id);
            }
            (Some(_), _) => self.cancel_response(now, CancelReason::ClientCancelled),
            (None, _) => {
                let err = invalid(
                    codes::CANCEL_NOT_ACTIVE,
                    "Cancellation failed: no active response found.",
                    None,
                );
                self.emit_error(err, e.event_id);
            }
        }
    }
}

fn unknown_item(id: &str) -> ProtocolError {
    invalid_value(
        "item_id",
        format!("Invalid 'item_id': no item with id '{}' exists.", short(id)),
    )
}

/// At most 64 characters of a client string, for messages.
pub(crate) fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

pub(crate) fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The parameters `session.update` and `response.create` check alike, and where they live.
pub(crate) struct CommonParams<'a> {
    /// `"session"` or `"response"`: the prefix of every `param` path.
    pub(crate) scope: &'static str,
    /// Bytes of instructions (for a response, with `additional_instructions`).
    pub(crate) instructions_bytes: usize,
    pub(crate) tools: Option<&'a [vl_schema::tool::Tool]>,
    pub(crate) temperature: Option<f64>,
    pub(crate) max_tokens: Option<MaxTokens>,
    /// The field name of the output-token cap in this scope.
    pub(crate) max_tokens_field: &'static str,
    pub(crate) metadata: Option<&'a BTreeMap<String, String>>,
}

impl CommonParams<'_> {
    /// Instructions size, tool count, temperature, output-token cap and metadata.
    pub(crate) fn check(&self, limits: &crate::Limits) -> Result<(), ProtocolError> {
        let scope = self.scope;
        if self.instructions_bytes > limits.max_instructions_bytes {
            let param = format!("{scope}.instructions");
            return Err(invalid_value(
                &param,
                format!(
                    "Invalid '{param}': instructions are limited to {} bytes.",
                    limits.max_instructions_bytes
                ),
            ));
        }
        if let Some(tools) = self.tools {
            check_tools(tools, limits.max_tools, &format!("{scope}.tools"))?;
        }
        if let Some(t) = self.temperature {
            check_temperature(t, &format!("{scope}.temperature"))?;
        }
        if let Some(m) = self.max_tokens {
            check_max_tokens(m, &format!("{scope}.{}", self.max_tokens_field))?;
        }
        if let Some(m) = self.metadata {
            check_metadata(m, &format!("{scope}.metadata"))?;
        }
        Ok(())
    }
}

pub(crate) fn check_tools(
    tools: &[vl_schema::tool::Tool],
    max: usize,
    param: &str,
) -> Result<(), ProtocolError> {
    if tools.len() > max {
        return Err(invalid_value(
            param,
            format!("Invalid '{param}': at most {max} tools are allowed."),
        ));
    }
    Ok(())
}

pub(crate) fn check_temperature(t: f64, param: &str) -> Result<(), ProtocolError> {
    if !(0.6..=1.2).contains(&t) {
        return Err(invalid_value(
            param,
            format!("Invalid '{param}': expected a number from 0.6 to 1.2."),
        ));
    }
    Ok(())
}

pub(crate) fn check_max_tokens(m: MaxTokens, param: &str) -> Result<(), ProtocolError> {
    if let MaxTokens::Limit(n) = m {
        if !(1..=4096).contains(&n) {
            return Err(invalid_value(
                param,
                format!("Invalid '{param}': expected an integer from 1 to 4096 or \"inf\"."),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_metadata(
    metadata: &BTreeMap<String, String>,
    param: &str,
) -> Result<(), ProtocolError> {
    if metadata.len() > 16
        || metadata
            .iter()
            .any(|(k, v)| k.chars().count() > 64 || v.chars().count() > 512)
    {
        return Err(invalid_value(
            param,
            format!(
                "Invalid '{param}': at most 16 pairs, keys of at most 64 and values of at most 512 characters."
            ),
        ));
    }
    Ok(())
}
