//! The response lifecycle: `response.create` → backend requests → the `response.*` cascade →
//! `response.done` (protocol.md §6 B7–B15, D, E, F, G).

use std::collections::VecDeque;
use std::time::Instant;

use vl_schema::ProtocolError;
use vl_schema::audio_format::{Modality, OutputAudioFormat, TimestampType};
use vl_schema::client::ResponseCreate;
use vl_schema::item::{ResponseAudioPart, ResponseContentPart, TextPart};
use vl_schema::server::{
    BlendshapeFrames, CachedTokensDetails, ConversationItemCreated, FailedDetails,
    InputTokenDetails, OutputTokenDetails, ReasonDetails, Response,
    ResponseAnimationBlendshapesDelta, ResponseAnimationBlendshapesDone,
    ResponseAnimationVisemeDelta, ResponseAnimationVisemeDone, ResponseAudioDelta,
    ResponseAudioDone, ResponseAudioTimestampDelta, ResponseAudioTimestampDone,
    ResponseAudioTranscriptDelta, ResponseAudioTranscriptDone, ResponseContentPartAdded,
    ResponseContentPartDone, ResponseCreated, ResponseDone, ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone, ResponseOutputItemAdded, ResponseOutputItemDone,
    ResponseStatus, ResponseTextDelta, ResponseTextDone, StatusDetails, StatusError, Usage,
};
use vl_schema::session::MaxTokens;
use vl_schema::tool::{Tool, ToolChoice as WireToolChoice};
use vl_schema::voice::{OpenAiVoice, Voice};

use crate::audio::{self, RateConverter};
use crate::backend::{
    BLENDSHAPE_CHANNELS, BackendOutput, BackendRequest, ContextItem, FinishReason, GenerateRequest,
    RequestId, Role, SynthesizeRequest, TokenUsage, ToolChoice, ToolSpec,
};
use crate::conversation::{AudioPart, Item, ItemKind, Part, Status, context_item};
use crate::convert::{item_from_request, item_to_wire, part_to_wire};
use crate::errors::{codes, invalid, invalid_value};
use crate::output::Chunker;
use crate::session::{CommonParams, Playback, Session};

/// Why a response was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelReason {
    /// Speech started while it was active (barge-in).
    TurnDetected,
    /// `response.cancel`.
    ClientCancelled,
}

impl CancelReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::TurnDetected => "turn_detected",
            Self::ClientCancelled => "client_cancelled",
        }
    }
}

/// The effective parameters of one response.
#[derive(Debug, Clone)]
struct ResponseParams {
    modalities: Vec<Modality>,
    audio: bool,
    voice: Voice,
    output_format: OutputAudioFormat,
    temperature: f64,
    max_tokens: MaxTokens,
    instructions: String,
    tools: Vec<ToolSpec>,
    tool_choice: ToolChoice,
    in_conversation: bool,
    metadata: Option<std::collections::BTreeMap<String, String>>,
}

/// Output audio: rate conversion from the TTS rate, encoding, chunking.
#[derive(Debug)]
struct Encoder {
    format: OutputAudioFormat,
    rate_hz: u32,
    converter: Option<(u32, RateConverter)>,
    chunker: Chunker,
    pcm: Vec<i16>,
    bytes: Vec<u8>,
}

impl Encoder {
    fn new(format: OutputAudioFormat) -> Self {
        let rate_hz = format.sample_rate();
        Self {
            format,
            rate_hz,
            converter: None,
            chunker: Chunker::new(rate_hz, audio::output_bytes_per_sample(format)),
            pcm: Vec::new(),
            bytes: Vec::new(),
        }
    }

    /// Encodes TTS samples at `in_hz`; returns the delta payloads (each ≤ 100 ms).
    fn push(&mut self, samples: &[i16], in_hz: u32) -> Vec<Vec<u8>> {
        self.pcm.clear();
        if in_hz == self.rate_hz || in_hz == 0 {
            self.pcm.extend_from_slice(samples);
        } else {
            if self.converter.as_ref().is_none_or(|(hz, _)| *hz != in_hz) {
                self.converter = Some((in_hz, RateConverter::new(in_hz, self.rate_hz)));
            }
            if let Some((_, c)) = &mut self.converter {
                c.process_i16(samples, &mut self.pcm);
            }
        }
        self.bytes.clear();
        audio::encode_output(self.format, &self.pcm, &mut self.bytes);
        let mut chunks = Vec::new();
        self.chunker.push(&self.bytes, |c| chunks.push(c.to_vec()));
        chunks
    }
}

/// One output item of the response.
#[derive(Debug)]
struct OutItem {
    item: Item,
    output_index: u32,
    open: bool,
}

/// The state of the active response.
#[derive(Debug)]
pub(crate) struct ActiveResponse {
    pub(crate) id: String,
    params: ResponseParams,
    conversation_id: Option<String>,
    context_override: Option<Vec<ContextItem>>,
    generate: Option<RequestId>,
    awaiting_transcripts: bool,
    output: Vec<OutItem>,
    /// Index in `output` of the message being streamed.
    message: Option<usize>,
    /// No more text will come for the open message.
    message_input_closed: bool,
    pending_text: String,
    synth_queue: VecDeque<String>,
    /// The synthesis in flight and the audio offset (ms) its timings are relative to.
    synth: Option<(RequestId, u64)>,
    pending_calls: VecDeque<(String, String)>,
    llm_done: bool,
    usage: TokenUsage,
    finish: FinishReason,
    /// When the backend request in flight times out.
    pub(crate) deadline: Option<Instant>,
    encoder: Encoder,
    /// Output audio so far, in samples at the output rate.
    audio_samples: u64,
    input_audio_ms: u64,
    finished: bool,
}

impl ActiveResponse {
    /// Backend requests in flight.
    pub(crate) fn backend_requests(&self) -> Vec<RequestId> {
        self.generate
            .iter()
            .copied()
            .chain(self.synth.map(|(id, _)| id))
            .collect()
    }

    /// Whether `item_id` is an output item still being generated.
    pub(crate) fn has_open_item(&self, item_id: &str) -> bool {
        self.output.iter().any(|o| o.open && o.item.id == item_id)
    }

    fn audio_ms(&self) -> u64 {
        self.audio_samples * 1000 / u64::from(self.encoder.rate_hz.max(1))
    }

    fn message_audio(&mut self) -> Option<&mut AudioPart> {
        let idx = self.message?;
        match &mut self.output.get_mut(idx)?.item.kind {
            ItemKind::Message { content, .. } => match content.first_mut() {
                Some(Part::Audio(a)) => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    fn message_text(&mut self) -> Option<&mut String> {
        let idx = self.message?;
        match &mut self.output.get_mut(idx)?.item.kind {
            ItemKind::Message { content, .. } => match content.first_mut() {
                Some(Part::Text(t)) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Cuts complete sentences (ending in `.`, `!`, `?` or a newline, followed by whitespace) off
/// the front of `pending`.
fn take_sentences(pending: &mut String) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let bytes = pending.as_bytes();
        let cut = bytes.windows(2).position(|w| {
            matches!(w.first(), Some(b'.' | b'!' | b'?' | b'\n'))
                && w.get(1).is_some_and(u8::is_ascii_whitespace)
        });
        let Some(pos) = cut else { break };
        let rest = pending.split_off(pos + 1);
        let sentence = std::mem::replace(pending, rest);
        if !sentence.trim().is_empty() {
            out.push(sentence);
        }
    }
    out
}

fn tool_specs(tools: &[Tool]) -> Vec<ToolSpec> {
    tools
        .iter()
        .filter_map(|t| match t {
            Tool::Function(f) => Some(ToolSpec {
                name: f.name.clone(),
                description: f.description.clone(),
                parameters: f
                    .parameters
                    .clone()
                    .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
            }),
            _ => None,
        })
        .collect()
}

fn tool_choice(choice: &WireToolChoice) -> ToolChoice {
    match choice {
        WireToolChoice::Auto | WireToolChoice::Mcp { .. } => ToolChoice::Auto,
        WireToolChoice::None => ToolChoice::None,
        WireToolChoice::Required => ToolChoice::Required,
        WireToolChoice::Function { name } => ToolChoice::Function(name.clone()),
    }
}

impl Session {
    /// Runs `f` on the active response, taken out of `self`; puts it back unless it finished,
    /// and then starts a pending automatic response.
    fn with_response(&mut self, now: Instant, f: impl FnOnce(&mut Self, &mut ActiveResponse)) {
        let Some(mut r) = self.response.take() else {
            return;
        };
        f(self, &mut r);
        if r.finished {
            if self.pending_auto_response && self.response.is_none() {
                self.pending_auto_response = false;
                self.create_response(now, ResponseCreate::default(), None);
            }
        } else {
            self.response = Some(r);
        }
    }

    /// `response.create` (and the automatic response of a VAD turn, with `event_id: None`).
    pub(crate) fn create_response(
        &mut self,
        now: Instant,
        e: ResponseCreate,
        event_id: Option<String>,
    ) {
        let params = e.response.unwrap_or_default();
        if let Some(active) = &self.response {
            if params.cancel_previous == Some(true) {
                self.cancel_response(now, CancelReason::ClientCancelled);
            } else {
                let err = invalid(
                    codes::ACTIVE_RESPONSE,
                    format!(
                        "Conversation already has an active response in progress: {}. Wait until the response is finished before creating a new one.",
                        active.id
                    ),
                    None,
                );
                self.emit_error(err, event_id);
                return;
            }
        }
        if let Err(err) = self.validate_response(&params, e.additional_instructions.as_deref()) {
            self.emit_error(err, event_id);
            return;
        }
        let modalities = params
            .modalities
            .clone()
            .unwrap_or_else(|| self.session.modalities.clone());
        let mut instructions = params
            .instructions
            .clone()
            .unwrap_or_else(|| self.session_instructions());
        if let Some(extra) = &e.additional_instructions {
            if !instructions.is_empty() {
                instructions.push('\n');
            }
            instructions.push_str(extra);
        }
        let output_format = params
            .output_audio_format
            .unwrap_or(self.session.output_audio_format);
        let rparams = ResponseParams {
            audio: modalities.contains(&Modality::Audio),
            modalities,
            voice: params
                .voice
                .clone()
                .or_else(|| self.session.voice.clone())
                .unwrap_or_else(|| Voice::Name(OpenAiVoice::from("alloy"))),
            output_format,
            temperature: params.temperature.unwrap_or(self.session.temperature),
            max_tokens: params
                .max_output_tokens
                .unwrap_or(self.session.max_response_output_tokens),
            instructions,
            tools: tool_specs(params.tools.as_deref().unwrap_or(&self.session.tools)),
            tool_choice: tool_choice(
                params
                    .tool_choice
                    .as_ref()
                    .unwrap_or(&self.session.tool_choice),
            ),
            in_conversation: params.commit != Some(false)
                && params.conversation.as_deref() != Some("none"),
            metadata: params.metadata.clone(),
        };
        // Items appended to the conversation before generating.
        if let Some(items) = &params.append_input_items {
            let mut built = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let ids = &mut self.ids;
                match item_from_request(item, &format!("response.append_input_items[{i}]"), || {
                    ids.next("item")
                }) {
                    Ok(item) => built.push(item),
                    Err(err) => {
                        self.emit_error(err, event_id);
                        return;
                    }
                }
            }
            for item in built {
                let wire = item_to_wire(&item, false);
                let previous = self.insert_server_item(item);
                self.emit(ConversationItemCreated {
                    event_id: None,
                    previous_item_id: previous,
                    item: wire,
                });
            }
        }
        let context_override = match &params.input_items {
            None => None,
            Some(items) => {
                let mut context = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let ids = &mut self.ids;
                    match item_from_request(item, &format!("response.input_items[{i}]"), || {
                        ids.next("item")
                    }) {
                        Ok(item) => context.extend(context_item(&item)),
                        Err(err) => {
                            self.emit_error(err, event_id);
                            return;
                        }
                    }
                }
                Some(context)
            }
        };
        let pre_generated = match &params.pre_generated_assistant_message {
            None => None,
            Some(item) => match pre_generated_text(item) {
                Some(text) => Some(text),
                None => {
                    let err = invalid_value(
                        "response.pre_generated_assistant_message",
                        "Invalid 'response.pre_generated_assistant_message': expected an assistant message with exactly one text part.",
                    );
                    self.emit_error(err, event_id);
                    return;
                }
            },
        };
        let id = self.ids.next("resp");
        let r = ActiveResponse {
            id,
            encoder: Encoder::new(rparams.output_format),
            conversation_id: rparams
                .in_conversation
                .then(|| self.conversation_id.clone()),
            params: rparams,
            context_override,
            generate: None,
            awaiting_transcripts: false,
            output: Vec::new(),
            message: None,
            message_input_closed: false,
            pending_text: String::new(),
            synth_queue: VecDeque::new(),
            synth: None,
            pending_calls: VecDeque::new(),
            llm_done: false,
            usage: TokenUsage::default(),
            finish: FinishReason::Stop,
            deadline: None,
            audio_samples: 0,
            input_audio_ms: 0,
            finished: false,
        };
        let created = self.response_object(&r, ResponseStatus::InProgress, None, None);
        self.emit(ResponseCreated {
            event_id: None,
            response: created,
        });
        self.response = Some(r);
        if let Some(text) = pre_generated {
            self.with_response(now, |s, r| {
                r.llm_done = true;
                s.on_text(now, r, &text);
                r.message_input_closed = true;
                s.flush_text(now, r);
                s.advance(now, r);
            });
        } else if !self.transcriptions.is_empty()
            && self
                .response
                .as_ref()
                .is_some_and(|r| r.context_override.is_none())
        {
            // Wait for the user's words before asking the LLM.
            if let Some(r) = &mut self.response {
                r.awaiting_transcripts = true;
            }
        } else {
            self.with_response(now, |s, r| s.send_generate(now, r));
        }
    }

    fn validate_response(
        &self,
        params: &vl_schema::client::ResponseCreateParams,
        additional: Option<&str>,
    ) -> Result<(), ProtocolError> {
        let limits = &self.config.limits;
        CommonParams {
            scope: "response",
            instructions_bytes: params.instructions.as_ref().map_or(0, String::len)
                + additional.map_or(0, str::len),
            tools: params.tools.as_deref(),
            temperature: params.temperature,
            max_tokens: params.max_output_tokens,
            max_tokens_field: "max_output_tokens",
            metadata: params.metadata.as_ref(),
        }
        .check(limits)?;
        if let Some(items) = &params.append_input_items {
            if self.conversation.len() + items.len() > limits.max_items {
                return Err(invalid(
                    codes::MAX_ITEMS,
                    format!(
                        "The conversation would exceed the maximum of {} items.",
                        limits.max_items
                    ),
                    Some("response.append_input_items"),
                ));
            }
        }
        Ok(())
    }

    /// Starts a response that waited for transcriptions, once none is pending.
    pub(crate) fn resume_waiting_response(&mut self, now: Instant) {
        if !self.transcriptions.is_empty() {
            return;
        }
        let waiting = self
            .response
            .as_ref()
            .is_some_and(|r| r.awaiting_transcripts);
        if waiting {
            self.with_response(now, |s, r| {
                r.awaiting_transcripts = false;
                s.send_generate(now, r);
            });
        }
    }

    fn send_generate(&mut self, now: Instant, r: &mut ActiveResponse) {
        let context = r
            .context_override
            .clone()
            .unwrap_or_else(|| self.conversation.context());
        r.input_audio_ms = self
            .conversation
            .items()
            .iter()
            .map(|i| match &i.kind {
                ItemKind::Message { content, .. } => content
                    .iter()
                    .map(|p| match p {
                        Part::InputAudio { audio_ms, .. } => *audio_ms,
                        _ => 0,
                    })
                    .sum(),
                _ => 0,
            })
            .sum();
        let id = self.next_request_id();
        self.requests
            .push_back(BackendRequest::Generate(GenerateRequest {
                id,
                response_id: r.id.clone(),
                instructions: r.params.instructions.clone(),
                context,
                tools: r.params.tools.clone(),
                tool_choice: r.params.tool_choice.clone(),
                temperature: r.params.temperature as f32,
                max_output_tokens: match r.params.max_tokens {
                    MaxTokens::Limit(n) => Some(n),
                    MaxTokens::Inf => None,
                },
            }));
        r.generate = Some(id);
        r.deadline = Some(now + self.config.limits.backend_first_output_timeout);
    }

    /// Routes a backend output to the active response.
    pub(crate) fn on_response_output(&mut self, now: Instant, output: BackendOutput) {
        let request = output.request();
        let ours = self.response.as_ref().is_some_and(|r| {
            r.generate == Some(request) || r.synth.is_some_and(|(id, _)| id == request)
        });
        if !ours {
            return;
        }
        if let BackendOutput::Failed { error, .. } = &output {
            let code = if error.code.is_empty() {
                codes::BACKEND_ERROR.to_owned()
            } else {
                error.code.clone()
            };
            let message = error.message.clone();
            self.fail_response(now, &code, &message);
            return;
        }
        let stall = self.config.limits.backend_stall_timeout;
        self.with_response(now, |s, r| {
            let is_generate = r.generate == Some(request);
            r.deadline = Some(now + stall);
            match output {
                BackendOutput::TextDelta { delta, .. } if is_generate => {
                    s.on_text(now, r, &delta);
                }
                BackendOutput::ToolCall {
                    name, arguments, ..
                } if is_generate => {
                    r.pending_calls.push_back((name, arguments));
                    r.message_input_closed = true;
                    s.flush_text(now, r);
                    s.advance(now, r);
                }
                BackendOutput::GenerateDone { usage, finish, .. } if is_generate => {
                    r.generate = None;
                    r.llm_done = true;
                    r.usage = usage;
                    r.finish = finish;
                    r.message_input_closed = true;
                    s.flush_text(now, r);
                    s.advance(now, r);
                }
                BackendOutput::Audio {
                    samples,
                    sample_rate_hz,
                    ..
                } if !is_generate => s.on_audio(now, r, &samples, sample_rate_hz),
                BackendOutput::Word {
                    text,
                    offset_ms,
                    duration_ms,
                    ..
                } if !is_generate => s.on_word(r, &text, offset_ms, duration_ms),
                BackendOutput::Viseme {
                    viseme_id,
                    offset_ms,
                    ..
                } if !is_generate => s.on_viseme(r, viseme_id, offset_ms),
                BackendOutput::Blendshapes {
                    offset_ms,
                    fps,
                    frames,
                    ..
                } if !is_generate => s.on_blendshapes(r, offset_ms, fps, &frames),
                BackendOutput::SynthesizeDone { .. } if !is_generate => {
                    r.synth = None;
                    s.pump_synth(now, r);
                    s.advance(now, r);
                }
                _ => {}
            }
            if r.generate.is_none() && r.synth.is_none() {
                r.deadline = None;
            }
        });
    }

    /// Opens the assistant message (output item, conversation item, content part) if needed.
    fn ensure_message(&mut self, r: &mut ActiveResponse) {
        if r.message.is_some() {
            return;
        }
        let output_index = u32::try_from(r.output.len()).unwrap_or(u32::MAX);
        let mut item = Item {
            id: self.ids.next("item"),
            status: Status::InProgress,
            kind: ItemKind::Message {
                role: Role::Assistant,
                content: Vec::new(),
            },
        };
        self.announce_output_item(r, &item, output_index);
        let part = if r.params.audio {
            Part::Audio(AudioPart::new(
                r.encoder.rate_hz,
                audio::output_bytes_per_sample(r.params.output_format),
            ))
        } else {
            Part::Text(String::new())
        };
        self.emit(ResponseContentPartAdded {
            event_id: None,
            response_id: r.id.clone(),
            item_id: item.id.clone(),
            output_index,
            content_index: 0,
            part: part_to_wire(&part, false),
        });
        if let ItemKind::Message { content, .. } = &mut item.kind {
            content.push(part);
        }
        r.output.push(OutItem {
            item,
            output_index,
            open: true,
        });
        r.message = Some(r.output.len() - 1);
        r.message_input_closed = false;
    }

    fn message_ids(r: &ActiveResponse) -> Option<(String, String, u32)> {
        let o = r.output.get(r.message?)?;
        Some((r.id.clone(), o.item.id.clone(), o.output_index))
    }

    fn on_text(&mut self, now: Instant, r: &mut ActiveResponse, delta: &str) {
        if delta.is_empty() {
            return;
        }
        self.ensure_message(r);
        let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
            return;
        };
        if r.params.audio {
            if let Some(a) = r.message_audio() {
                a.transcript.push_str(delta);
            }
            self.emit(ResponseAudioTranscriptDelta {
                event_id: None,
                response_id,
                item_id,
                output_index,
                content_index: 0,
                delta: delta.to_owned(),
            });
            r.pending_text.push_str(delta);
            let sentences = take_sentences(&mut r.pending_text);
            r.synth_queue.extend(sentences);
            self.pump_synth(now, r);
        } else {
            if let Some(t) = r.message_text() {
                t.push_str(delta);
            }
            self.emit(ResponseTextDelta {
                event_id: None,
                response_id,
                item_id,
                output_index,
                content_index: 0,
                delta: delta.to_owned(),
            });
        }
    }

    /// Sends the text not yet synthesized as a last segment.
    fn flush_text(&mut self, now: Instant, r: &mut ActiveResponse) {
        if !r.pending_text.trim().is_empty() {
            let rest = std::mem::take(&mut r.pending_text);
            r.synth_queue.push_back(rest);
        } else {
            r.pending_text.clear();
        }
        self.pump_synth(now, r);
    }

    fn pump_synth(&mut self, now: Instant, r: &mut ActiveResponse) {
        if r.synth.is_some() || !r.params.audio {
            return;
        }
        let Some(text) = r.synth_queue.pop_front() else {
            return;
        };
        let id = self.next_request_id();
        self.requests
            .push_back(BackendRequest::Synthesize(SynthesizeRequest {
                id,
                response_id: r.id.clone(),
                text,
                voice: r.params.voice.name().unwrap_or("alloy").to_owned(),
                voice_type: voice_type(&r.params.voice).to_owned(),
                sample_rate_hz: r.encoder.rate_hz,
                blendshapes: self.blendshapes(),
            }));
        r.synth = Some((id, r.audio_ms()));
        r.deadline = Some(now + self.config.limits.backend_first_output_timeout);
    }

    fn on_audio(&mut self, now: Instant, r: &mut ActiveResponse, samples: &[i16], rate: u32) {
        let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
            return;
        };
        let chunks = r.encoder.push(samples, rate);
        if chunks.is_empty() {
            return;
        }
        let bps = audio::output_bytes_per_sample(r.params.output_format) as u64;
        if self.playback.as_ref().is_none_or(|p| p.item_id != item_id) {
            self.playback = Some(Playback {
                item_id: item_id.clone(),
                started: now,
            });
        }
        self.produced_audio = true;
        self.input.set_assistant_speaking(true);
        self.input.render(&r.encoder.pcm, r.encoder.rate_hz);
        for chunk in chunks {
            r.audio_samples += chunk.len() as u64 / bps;
            if let Some(a) = r.message_audio() {
                a.audio.extend_from_slice(&chunk);
            }
            self.emit(ResponseAudioDelta {
                event_id: None,
                response_id: response_id.clone(),
                item_id: item_id.clone(),
                output_index,
                content_index: 0,
                delta: audio::encode_base64(&chunk),
            });
        }
    }

    fn on_word(&mut self, r: &mut ActiveResponse, text: &str, offset_ms: u64, duration_ms: u64) {
        let base = r.synth.map_or(0, |(_, base)| base);
        let start = base + offset_ms;
        if let Some(a) = r.message_audio() {
            a.mark_word(text, start);
        }
        if self.word_timestamps() {
            let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
                return;
            };
            self.emit(ResponseAudioTimestampDelta {
                event_id: None,
                response_id,
                item_id,
                output_index,
                content_index: 0,
                audio_offset_ms: crate::session::clamp_u32(start),
                audio_duration_ms: crate::session::clamp_u32(duration_ms),
                text: text.to_owned(),
                timestamp_type: TimestampType::Word,
            });
        }
    }

    fn on_viseme(&mut self, r: &mut ActiveResponse, viseme_id: u32, offset_ms: u64) {
        if !self.visemes() {
            return;
        }
        let base = r.synth.map_or(0, |(_, base)| base);
        let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
            return;
        };
        self.emit(ResponseAnimationVisemeDelta {
            event_id: None,
            response_id,
            item_id,
            output_index,
            content_index: 0,
            audio_offset_ms: crate::session::clamp_u32(base + offset_ms),
            viseme_id,
        });
    }

    fn on_blendshapes(
        &mut self,
        r: &mut ActiveResponse,
        offset_ms: u64,
        fps: u32,
        frames: &[[f32; BLENDSHAPE_CHANNELS]],
    ) {
        if !self.blendshapes() || fps == 0 || frames.is_empty() {
            return;
        }
        let base = r.synth.map_or(0, |(_, base)| base);
        let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
            return;
        };
        let start_ms = base.saturating_add(offset_ms);
        let first = start_ms.saturating_mul(u64::from(fps)).saturating_add(500) / 1000;
        // At most one second of frames per delta.
        let per_delta = fps as usize;
        for (i, chunk) in frames.chunks(per_delta).enumerate() {
            let rows = chunk
                .iter()
                .map(|f| {
                    f.iter()
                        .map(|&v| if v.is_finite() { f64::from(v) } else { 0.0 })
                        .collect()
                })
                .collect();
            let index = first.saturating_add((i * per_delta) as u64);
            self.emit(ResponseAnimationBlendshapesDelta {
                event_id: None,
                response_id: response_id.clone(),
                item_id: item_id.clone(),
                output_index,
                content_index: 0,
                frame_index: crate::session::clamp_u32(index),
                frames: BlendshapeFrames::Rows(rows),
            });
        }
    }

    /// Closes what can be closed and ends the response when everything is done.
    fn advance(&mut self, now: Instant, r: &mut ActiveResponse) {
        loop {
            if r.message.is_some() {
                let idle = r.synth.is_none() && r.synth_queue.is_empty();
                if !r.message_input_closed || (r.params.audio && !idle) {
                    return;
                }
                let status = if r.llm_done && r.finish != FinishReason::Stop {
                    Status::Incomplete
                } else {
                    Status::Completed
                };
                self.close_message(r, status);
            }
            match r.pending_calls.pop_front() {
                Some((name, arguments)) => self.emit_function_call(r, name, arguments),
                None => break,
            }
        }
        if r.llm_done && r.message.is_none() {
            let (status, details) = match r.finish {
                FinishReason::Stop => (ResponseStatus::Completed, None),
                FinishReason::Length => (
                    ResponseStatus::Incomplete,
                    Some(StatusDetails::Incomplete(ReasonDetails {
                        reason: Some("max_output_tokens".to_owned()),
                    })),
                ),
                FinishReason::ContentFilter => (
                    ResponseStatus::Incomplete,
                    Some(StatusDetails::Incomplete(ReasonDetails {
                        reason: Some("content_filter".to_owned()),
                    })),
                ),
            };
            self.finish_response(now, r, status, details);
        }
    }

    /// Emits the `.done` cascade of the open message and marks it `status`.
    fn close_message(&mut self, r: &mut ActiveResponse, status: Status) {
        let Some((response_id, item_id, output_index)) = Self::message_ids(r) else {
            r.message = None;
            return;
        };
        let audio_mode = r.params.audio;
        let timestamps = self.word_timestamps();
        let visemes = self.visemes();
        let blendshapes = self.blendshapes();
        let Some(idx) = r.message.take() else {
            return;
        };
        let Some(out) = r.output.get_mut(idx) else {
            return;
        };
        let part = match &out.item.kind {
            ItemKind::Message { content, .. } => content.first().cloned(),
            _ => None,
        };
        let wire_part = match &part {
            Some(Part::Audio(a)) => {
                self.emit(ResponseAudioDone {
                    event_id: None,
                    response_id: response_id.clone(),
                    item_id: item_id.clone(),
                    output_index,
                    content_index: 0,
                });
                self.emit(ResponseAudioTranscriptDone {
                    event_id: None,
                    response_id: response_id.clone(),
                    item_id: item_id.clone(),
                    output_index,
                    content_index: 0,
                    transcript: a.transcript.clone(),
                });
                if timestamps {
                    self.emit(ResponseAudioTimestampDone {
                        event_id: None,
                        response_id: response_id.clone(),
                        item_id: item_id.clone(),
                        output_index,
                        content_index: 0,
                    });
                }
                if visemes {
                    self.emit(ResponseAnimationVisemeDone {
                        event_id: None,
                        response_id: response_id.clone(),
                        item_id: item_id.clone(),
                        output_index,
                        content_index: 0,
                    });
                }
                if blendshapes {
                    self.emit(ResponseAnimationBlendshapesDone {
                        event_id: None,
                        response_id: response_id.clone(),
                        item_id: item_id.clone(),
                        output_index,
                    });
                }
                ResponseContentPart::Audio(ResponseAudioPart {
                    audio: None,
                    transcript: Some(a.transcript.clone()),
                })
            }
            Some(Part::Text(t)) => {
                self.emit(ResponseTextDone {
                    event_id: None,
                    response_id: response_id.clone(),
                    item_id: item_id.clone(),
                    output_index,
                    content_index: 0,
                    text: t.clone(),
                });
                ResponseContentPart::Text(TextPart { text: t.clone() })
            }
            _ if audio_mode => ResponseContentPart::Audio(ResponseAudioPart {
                audio: None,
                transcript: Some(String::new()),
            }),
            _ => ResponseContentPart::Text(TextPart {
                text: String::new(),
            }),
        };
        self.emit(ResponseContentPartDone {
            event_id: None,
            response_id: response_id.clone(),
            item_id: item_id.clone(),
            output_index,
            content_index: 0,
            part: wire_part,
        });
        out.item.status = status;
        out.open = false;
        let item = out.item.clone();
        self.emit(ResponseOutputItemDone {
            event_id: None,
            response_id,
            output_index,
            item: item_to_wire(&item, false),
        });
        if r.params.in_conversation {
            if let Some(c) = self.conversation.get_mut(&item.id) {
                *c = item;
            }
        }
    }

    /// `response.output_item.added` for a new output item, and, when the response writes to the
    /// conversation, the item's insertion and `conversation.item.created`.
    fn announce_output_item(&mut self, r: &ActiveResponse, item: &Item, output_index: u32) {
        self.emit(ResponseOutputItemAdded {
            event_id: None,
            response_id: r.id.clone(),
            output_index,
            item: item_to_wire(item, false),
        });
        if r.params.in_conversation {
            let wire = item_to_wire(item, false);
            let previous = self.insert_server_item(item.clone());
            self.emit(ConversationItemCreated {
                event_id: None,
                previous_item_id: previous,
                item: wire,
            });
        }
    }

    fn emit_function_call(&mut self, r: &mut ActiveResponse, name: String, arguments: String) {
        let output_index = u32::try_from(r.output.len()).unwrap_or(u32::MAX);
        let call_id = self.ids.next("call");
        let mut item = Item {
            id: self.ids.next("item"),
            status: Status::InProgress,
            kind: ItemKind::FunctionCall {
                name: name.clone(),
                call_id: call_id.clone(),
                arguments: String::new(),
            },
        };
        self.announce_output_item(r, &item, output_index);
        self.emit(ResponseFunctionCallArgumentsDelta {
            event_id: None,
            response_id: r.id.clone(),
            item_id: item.id.clone(),
            output_index,
            call_id: call_id.clone(),
            delta: arguments.clone(),
        });
        self.emit(ResponseFunctionCallArgumentsDone {
            event_id: None,
            response_id: r.id.clone(),
            item_id: item.id.clone(),
            output_index,
            call_id: call_id.clone(),
            name: name.clone(),
            arguments: arguments.clone(),
        });
        item.kind = ItemKind::FunctionCall {
            name,
            call_id,
            arguments,
        };
        item.status = Status::Completed;
        self.emit(ResponseOutputItemDone {
            event_id: None,
            response_id: r.id.clone(),
            output_index,
            item: item_to_wire(&item, false),
        });
        if r.params.in_conversation {
            if let Some(c) = self.conversation.get_mut(&item.id) {
                *c = item.clone();
            }
        }
        r.output.push(OutItem {
            item,
            output_index,
            open: false,
        });
    }

    /// Cancels the active response (`response.cancel` or barge-in).
    pub(crate) fn cancel_response(&mut self, now: Instant, reason: CancelReason) {
        let details = StatusDetails::Cancelled(ReasonDetails {
            reason: Some(reason.as_str().to_owned()),
        });
        self.end_response_early(now, ResponseStatus::Cancelled, details);
    }

    /// Fails the active response (backend error or timeout).
    pub(crate) fn fail_response(&mut self, now: Instant, code: &str, message: &str) {
        // A clear `error` event goes with the failed `response.done` (only while a response is
        // active): `invalid_*` codes (a voice the backend cannot serve) are the client's to fix,
        // the rest are the server's.
        if self.response.is_some() {
            let error = if code.starts_with("invalid_") {
                invalid(code, message, None)
            } else {
                ProtocolError::server_error(code, message)
            };
            self.emit_error(error, None);
        }
        let details = StatusDetails::Failed(FailedDetails {
            error: Some(StatusError {
                kind: Some("server_error".to_owned()),
                code: Some(code.to_owned()),
                message: Some(message.to_owned()),
            }),
        });
        self.end_response_early(now, ResponseStatus::Failed, details);
    }

    /// Stops the active response's backends, closes its open message as incomplete, drops the
    /// tool calls not yet emitted and sends `response.done` with `status` and `details`.
    fn end_response_early(&mut self, now: Instant, status: ResponseStatus, details: StatusDetails) {
        self.with_response(now, |s, r| {
            s.stop_backends(r);
            if r.message.is_some() {
                s.close_message(r, Status::Incomplete);
            }
            r.pending_calls.clear();
            s.finish_response(now, r, status, Some(details));
        });
    }

    fn stop_backends(&mut self, r: &mut ActiveResponse) {
        for id in r.backend_requests() {
            self.requests.push_back(BackendRequest::Cancel { id });
        }
        r.generate = None;
        r.synth = None;
        r.synth_queue.clear();
        r.pending_text.clear();
        r.deadline = None;
    }

    fn finish_response(
        &mut self,
        _now: Instant,
        r: &mut ActiveResponse,
        status: ResponseStatus,
        details: Option<StatusDetails>,
    ) {
        let usage = self.usage(r);
        let done = self.response_object(r, status, details, Some(usage));
        self.emit(ResponseDone {
            event_id: None,
            response: done,
        });
        self.input.set_assistant_speaking(false);
        r.finished = true;
    }

    fn usage(&self, r: &ActiveResponse) -> Usage {
        let input_text = r.usage.input_text_tokens;
        let input_audio = r.input_audio_ms / 100; // ~10 tokens per second of input audio.
        let output_text = r.usage.output_text_tokens;
        let output_audio = r.audio_ms() / 50; // ~20 tokens per second of output audio.
        let input = input_text + input_audio;
        let output = output_text + output_audio;
        Usage {
            total_tokens: input + output,
            input_tokens: input,
            output_tokens: output,
            input_token_details: Some(InputTokenDetails {
                cached_tokens: r.usage.cached_tokens,
                text_tokens: input_text,
                audio_tokens: input_audio,
                image_tokens: None,
                cached_tokens_details: Some(CachedTokensDetails {
                    text_tokens: r.usage.cached_tokens,
                    audio_tokens: 0,
                    image_tokens: None,
                }),
            }),
            output_token_details: Some(OutputTokenDetails {
                text_tokens: output_text,
                audio_tokens: output_audio,
                reasoning_tokens: None,
            }),
        }
    }

    fn response_object(
        &self,
        r: &ActiveResponse,
        status: ResponseStatus,
        details: Option<StatusDetails>,
        usage: Option<Usage>,
    ) -> Response {
        Response {
            id: r.id.clone(),
            object: Some("realtime.response".to_owned()),
            status,
            status_details: details,
            output: r
                .output
                .iter()
                .map(|o| item_to_wire(&o.item, false))
                .collect(),
            usage,
            conversation_id: r.conversation_id.clone(),
            voice: Some(r.params.voice.clone()),
            modalities: Some(r.params.modalities.clone()),
            output_audio_format: Some(r.params.output_format),
            temperature: Some(r.params.temperature),
            max_output_tokens: Some(r.params.max_tokens),
            metadata: r.params.metadata.clone(),
        }
    }
}

/// The text of a pre-generated assistant message: exactly one `text` part.
fn pre_generated_text(item: &vl_schema::item::RequestItem) -> Option<String> {
    use vl_schema::item::{RequestContentPart, RequestItem, Role as WireRole};
    match item {
        RequestItem::Message(m) if m.role == WireRole::Assistant => match m.content.as_slice() {
            [RequestContentPart::Text(t)] => Some(t.text.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The protocol `type` of a voice (`openai` for a bare name).
fn voice_type(voice: &Voice) -> &'static str {
    use vl_schema::voice::VoiceObject;
    match voice {
        Voice::Name(_) | Voice::Object(VoiceObject::OpenAi(_)) => "openai",
        Voice::Object(VoiceObject::AzureStandard(_)) => "azure-standard",
        Voice::Object(VoiceObject::AzureRealtimeNative(_)) => "azure-realtime-native",
        Voice::Object(VoiceObject::AzureCustom(_)) => "azure-custom",
        Voice::Object(VoiceObject::AzurePersonal(_)) => "azure-personal",
        Voice::Object(VoiceObject::AvatarVoiceSync(_)) => "avatar-voice-sync",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_cut_after_punctuation() {
        let mut p = "Hello there. How are you? Fine".to_owned();
        assert_eq!(take_sentences(&mut p), ["Hello there.", " How are you?"]);
        assert_eq!(p, " Fine");
        let mut p = "Version 3.5 is out".to_owned();
        assert!(take_sentences(&mut p).is_empty());
    }
}
