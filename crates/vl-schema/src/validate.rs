//! Validation of decoded values: pure functions returning the protocol's error objects.
//!
//! Decoding already guarantees the JSON types, the closed enums and the unsigned integers
//! (so, e.g., `audio_end_ms` is never negative). These functions check ranges, lengths and the
//! combinations protocol.md, decisions.md and reliability.md §2.2 describe. Every error is an
//! `invalid_request_error` whose `param` is the JSON path in the client event (e.g.
//! `session.turn_detection.threshold`).

use std::collections::{BTreeMap, HashSet};

use crate::audio_format::{
    AnimationOutput, InputAudioFormat, Modality, NoiseReductionType, ReasoningEffort,
    SAMPLING_RATES, TimestampType,
};
use crate::client::{
    ClientEvent, ConversationItemCreate, ConversationItemTruncate, InputAudioBufferAppend,
    ResponseCreate, ResponseCreateParams,
};
use crate::error::codes;
use crate::item::{RequestContentPart, RequestItem, Role};
use crate::server::ProtocolError;
use crate::session::{
    AvatarConfig, EchoCancellation, InterimResponse, MaxTokens, ReferenceSource, RequestSession,
    ResponseSession,
};
use crate::tool::{Tool, ToolChoice};
use crate::turn_detection::{AzureSemanticVad, Eagerness, EndOfUtteranceDetection, TurnDetection};
use crate::voice::{Voice, VoiceObject};

/// Model temperature range (decisions.md: follow the Voice Live docs).
pub const TEMPERATURE_RANGE: (f64, f64) = (0.6, 1.2);
/// Azure HD voice temperature range.
pub const VOICE_TEMPERATURE_RANGE: (f64, f64) = (0.0, 1.0);
/// VAD threshold range.
pub const THRESHOLD_RANGE: (f64, f64) = (0.0, 1.0);
/// Upper bound of every duration parameter (prefix padding, silence, speech, EOU timeout,
/// interim latency), in ms.
pub const MAX_DURATION_MS: u32 = 60_000;
/// Largest `max_response_output_tokens` / `max_output_tokens`.
pub const MAX_OUTPUT_TOKENS: u32 = 4096;
/// Metadata limits: pairs, key chars, value chars.
pub const METADATA_LIMITS: (usize, usize, usize) = (16, 64, 512);
/// Longest `instructions` (and other free strings), in bytes (reliability.md §2.1).
pub const MAX_STRING_BYTES: usize = 256 * 1024;
/// Most tools per session or response (reliability.md §2.1).
pub const MAX_TOOLS: usize = 128;
/// Longest `event_id`, in chars (reliability.md §2.1).
pub const MAX_EVENT_ID_CHARS: usize = 512;
/// Most decoded audio bytes per `input_audio_buffer.append` (15 MiB).
pub const MAX_APPEND_AUDIO_BYTES: usize = 15 * 1024 * 1024;

/// Collects errors with their param paths.
struct Errors {
    list: Vec<ProtocolError>,
}

impl Errors {
    fn new() -> Self {
        Self { list: Vec::new() }
    }

    fn push(&mut self, code: &str, param: impl Into<String>, message: impl Into<String>) {
        self.list.push(ProtocolError::invalid_request(
            code,
            message,
            Some(param.into()),
        ));
    }

    fn value(&mut self, param: impl Into<String>, message: impl Into<String>) {
        self.push(codes::INVALID_VALUE, param, message);
    }

    fn range(&mut self, param: &str, value: f64, (low, high): (f64, f64)) {
        if !(low..=high).contains(&value) {
            self.value(
                param,
                format!("Invalid '{param}': {value} is outside the allowed range {low} to {high}."),
            );
        }
    }

    fn duration(&mut self, param: &str, value: Option<u32>) {
        if let Some(value) = value {
            if value > MAX_DURATION_MS {
                self.value(
                    param,
                    format!("Invalid '{param}': {value} ms is above the maximum of {MAX_DURATION_MS} ms."),
                );
            }
        }
    }

    fn non_empty(&mut self, param: &str, value: &str) {
        if value.trim().is_empty() {
            self.value(param, format!("Invalid '{param}': must not be empty."));
        }
    }

    fn max_len(&mut self, param: &str, value: &str) {
        if value.len() > MAX_STRING_BYTES {
            self.value(
                param,
                format!(
                    "Invalid '{param}': {} bytes is longer than the maximum of {MAX_STRING_BYTES} bytes.",
                    value.len()
                ),
            );
        }
    }

    fn finish(self, event_id: Option<&str>) -> Result<(), Vec<ProtocolError>> {
        if self.list.is_empty() {
            Ok(())
        } else {
            let event_id = event_id.map(str::to_owned);
            Err(self
                .list
                .into_iter()
                .map(|e| e.with_event_id(event_id.clone()))
                .collect())
        }
    }
}

/// Validates any client event; the errors carry the event's `event_id`.
///
/// # Errors
///
/// Every rule violated, each as a `ProtocolError` with its param path.
pub fn validate_client_event(event: &ClientEvent) -> Result<(), Vec<ProtocolError>> {
    let mut errors = Errors::new();
    if let Some(id) = event.event_id() {
        if id.chars().count() > MAX_EVENT_ID_CHARS {
            errors.value(
                "event_id",
                format!("Invalid 'event_id': longer than {MAX_EVENT_ID_CHARS} characters."),
            );
        }
    }
    match event {
        ClientEvent::SessionUpdate(update) => session(&mut errors, "session", &update.session),
        ClientEvent::InputAudioBufferAppend(append) => audio(&mut errors, append),
        ClientEvent::InputTextDelta(delta) => errors.non_empty("id", &delta.id),
        ClientEvent::InputTextDone(done) => errors.non_empty("id", &done.id),
        ClientEvent::ConversationItemCreate(create) => item_create(&mut errors, create),
        ClientEvent::ConversationItemRetrieve(e) => errors.non_empty("item_id", &e.item_id),
        ClientEvent::ConversationItemDelete(e) => errors.non_empty("item_id", &e.item_id),
        ClientEvent::ConversationItemTruncate(e) => truncate(&mut errors, e),
        ClientEvent::ResponseCreate(create) => response_create(&mut errors, create),
        ClientEvent::SessionAvatarConnect(e) => errors.non_empty("client_sdp", &e.client_sdp),
        ClientEvent::InputAudioTurnAppend(e) => {
            errors.non_empty("turn_id", &e.turn_id);
            errors.non_empty("audio", &e.audio);
        }
        _ => {}
    }
    errors.finish(event.event_id())
}

/// Validates a `session.update` patch on its own (params are `session.…`).
///
/// # Errors
///
/// Every rule violated.
pub fn validate_session_update(patch: &RequestSession) -> Result<(), Vec<ProtocolError>> {
    let mut errors = Errors::new();
    session(&mut errors, "session", patch);
    errors.finish(None)
}

/// Validates a patch against the current effective session: the rules of
/// [`validate_session_update`] plus those that depend on the current state (the model, the
/// input format, the sampling rate and the EC channel count cannot change mid-session; the
/// voice cannot change after audio was produced; a G.711 input needs 8000 Hz after merging).
///
/// # Errors
///
/// Every rule violated.
pub fn validate_session_update_against(
    current: &ResponseSession,
    patch: &RequestSession,
    audio_produced: bool,
) -> Result<(), Vec<ProtocolError>> {
    let mut errors = Errors::new();
    session(&mut errors, "session", patch);
    if let (Some(model), Some(current_model)) = (&patch.model, &current.model) {
        if model != current_model {
            errors.value("session.model", "The model cannot change during a session.");
        }
    }
    if let Some(format) = patch.input_audio_format {
        if format != current.input_audio_format {
            errors.value(
                "session.input_audio_format",
                "The input audio format cannot change during a session.",
            );
        }
    }
    if let Some(rate) = patch.input_audio_sampling_rate {
        if rate != current.input_audio_sampling_rate {
            errors.value(
                "session.input_audio_sampling_rate",
                "The input sampling rate cannot change during a session.",
            );
        }
    }
    if let Some(Some(ec)) = &patch.input_audio_echo_cancellation {
        let current_channels = current
            .input_audio_echo_cancellation
            .as_ref()
            .and_then(|c| c.channels)
            .unwrap_or(1);
        if ec.channels.unwrap_or(1) != current_channels {
            errors.value(
                "session.input_audio_echo_cancellation.channels",
                "The echo cancellation channel count cannot change during a session.",
            );
        }
    }
    if audio_produced {
        if let Some(voice) = &patch.voice {
            if current.voice.as_ref() != Some(voice) {
                errors.value(
                    "session.voice",
                    "The voice cannot change after the session produced audio.",
                );
            }
        }
    }
    errors.finish(None)
}

/// Validates `response.create` (params are `response.…`).
///
/// # Errors
///
/// Every rule violated.
pub fn validate_response_create(create: &ResponseCreate) -> Result<(), Vec<ProtocolError>> {
    let mut errors = Errors::new();
    response_create(&mut errors, create);
    errors.finish(create.event_id.as_deref())
}

fn session(errors: &mut Errors, base: &str, s: &RequestSession) {
    let p = |field: &str| format!("{base}.{field}");
    if let Some(modalities) = &s.modalities {
        self::modalities(errors, &p("modalities"), modalities);
    }
    if let Some(Some(animation)) = &s.animation {
        if let Some(outputs) = &animation.outputs {
            for (i, output) in outputs.iter().enumerate() {
                if !matches!(
                    output,
                    AnimationOutput::Blendshapes | AnimationOutput::VisemeId
                ) {
                    errors.value(
                        format!("{base}.animation.outputs[{i}]"),
                        "Invalid animation output. Supported values are: 'blendshapes', 'viseme_id'.",
                    );
                }
            }
        }
    }
    if let Some(voice) = &s.voice {
        self::voice(errors, &p("voice"), voice);
    }
    if let Some(instructions) = &s.instructions {
        errors.max_len(&p("instructions"), instructions);
    }
    if let Some(rate) = s.input_audio_sampling_rate {
        let param = p("input_audio_sampling_rate");
        if !SAMPLING_RATES.contains(&rate) {
            errors.value(
                &param,
                format!(
                    "Invalid '{param}': {rate}. Supported values are: 8000, 16000, 24000, 44100, 48000."
                ),
            );
        } else if s.input_audio_format.is_some_and(InputAudioFormat::is_g711) && rate != 8000 {
            errors.value(
                &param,
                format!("Invalid '{param}': G.711 input audio is always 8000 Hz."),
            );
        }
    }
    if let Some(Some(nr)) = &s.input_audio_noise_reduction {
        if !matches!(
            nr.kind,
            NoiseReductionType::AzureDeepNoiseSuppression
                | NoiseReductionType::NearField
                | NoiseReductionType::FarField
        ) {
            errors.value(
                format!("{base}.input_audio_noise_reduction.type"),
                "Invalid noise reduction type. Supported values are: 'azure_deep_noise_suppression', 'near_field', 'far_field'.",
            );
        }
    }
    if let Some(Some(ec)) = &s.input_audio_echo_cancellation {
        echo_cancellation(errors, &p("input_audio_echo_cancellation"), ec);
    }
    if let Some(Some(avatar)) = &s.avatar {
        self::avatar(errors, &p("avatar"), avatar);
    }
    if let Some(Some(transcription)) = &s.input_audio_transcription {
        if let Some(language) = &transcription.language {
            errors.non_empty(
                &format!("{base}.input_audio_transcription.language"),
                language,
            );
        }
        if let Some(phrases) = &transcription.phrase_list {
            for (i, phrase) in phrases.iter().enumerate() {
                errors.non_empty(
                    &format!("{base}.input_audio_transcription.phrase_list[{i}]"),
                    phrase,
                );
            }
        }
    }
    if let Some(types) = &s.output_audio_timestamp_types {
        for (i, t) in types.iter().enumerate() {
            if *t != TimestampType::Word {
                errors.value(
                    format!("{base}.output_audio_timestamp_types[{i}]"),
                    "Invalid timestamp type. Supported values are: 'word'.",
                );
            }
        }
    }
    if let Some(tools) = &s.tools {
        self::tools(errors, &p("tools"), tools);
    }
    if let Some(choice) = &s.tool_choice {
        tool_choice(errors, &p("tool_choice"), choice, s.tools.as_deref());
    }
    if let Some(t) = s.temperature {
        errors.range(&p("temperature"), t, TEMPERATURE_RANGE);
    }
    if let Some(max) = s.max_response_output_tokens {
        max_tokens(errors, &p("max_response_output_tokens"), max);
    }
    if let Some(Some(td)) = &s.turn_detection {
        turn_detection(errors, &p("turn_detection"), td);
    }
    if let Some(effort) = &s.reasoning_effort {
        reasoning_effort(errors, &p("reasoning_effort"), effort);
    }
    if let Some(Some(interim)) = &s.interim_response {
        interim_response(errors, &p("interim_response"), interim);
    }
    if let Some(metadata) = &s.metadata {
        self::metadata(errors, &p("metadata"), metadata);
    }
}

fn modalities(errors: &mut Errors, param: &str, m: &[Modality]) {
    if m.is_empty() {
        errors.value(
            param,
            format!("Invalid '{param}': at least one modality is required."),
        );
        return;
    }
    if m.contains(&Modality::Audio) && !m.contains(&Modality::Text) {
        errors.value(
            param,
            format!("Invalid '{param}': audio output needs 'text' too; ['audio'] alone is not supported."),
        );
    }
    let mut seen = HashSet::new();
    if !m.iter().all(|x| seen.insert(*x)) {
        errors.value(param, format!("Invalid '{param}': duplicate modality."));
    }
}

fn voice(errors: &mut Errors, param: &str, voice: &Voice) {
    let Voice::Object(object) = voice else {
        if voice.name().is_some_and(|n| n.trim().is_empty()) {
            errors.value(
                param,
                format!("Invalid '{param}': the voice name must not be empty."),
            );
        }
        return;
    };
    let name = format!("{param}.name");
    let temperature = format!("{param}.temperature");
    match object {
        VoiceObject::OpenAi(v) => errors.non_empty(&name, v.name.as_str()),
        VoiceObject::AzureStandard(v) => {
            errors.non_empty(&name, &v.name);
            if let Some(t) = v.temperature {
                errors.range(&temperature, t, VOICE_TEMPERATURE_RANGE);
            }
        }
        VoiceObject::AzureCustom(v) => {
            errors.non_empty(&name, &v.name);
            errors.non_empty(&format!("{param}.endpoint_id"), &v.endpoint_id);
            if let Some(t) = v.temperature {
                errors.range(&temperature, t, VOICE_TEMPERATURE_RANGE);
            }
        }
        VoiceObject::AzurePersonal(v) => {
            errors.non_empty(&name, &v.name);
            personal_model(errors, &format!("{param}.model"), v.model.is_known());
            if let Some(t) = v.temperature {
                errors.range(&temperature, t, VOICE_TEMPERATURE_RANGE);
            }
        }
        VoiceObject::AvatarVoiceSync(v) => {
            personal_model(errors, &format!("{param}.model"), v.model.is_known());
            if let Some(t) = v.temperature {
                errors.range(&temperature, t, VOICE_TEMPERATURE_RANGE);
            }
        }
        VoiceObject::AzureRealtimeNative(v) => errors.non_empty(&name, &v.name),
    }
}

fn personal_model(errors: &mut Errors, param: &str, known: bool) {
    if !known {
        errors.value(
            param,
            format!("Invalid '{param}'. Supported values are: DragonLatestNeural, PhoenixLatestNeural, PhoenixV2Neural, DragonHDOmniLatestNeural, MAI-Voice-1."),
        );
    }
}

fn echo_cancellation(errors: &mut Errors, param: &str, ec: &EchoCancellation) {
    if ec.kind != "server_echo_cancellation" {
        errors.value(
            format!("{param}.type"),
            "Invalid echo cancellation type. Supported values are: 'server_echo_cancellation'.",
        );
    }
    let channels = ec.channels.unwrap_or(1);
    let channels_param = format!("{param}.channels");
    match (ec.reference_source.unwrap_or_default(), channels) {
        (_, c) if c != 1 && c != 2 => errors.value(
            &channels_param,
            format!("Invalid '{channels_param}': {c}. Supported values are: 1, 2."),
        ),
        (ReferenceSource::Server, 2) => errors.push(
            codes::INVALID_EC_CHANNELS_REQUIRES_CLIENT,
            &channels_param,
            "Two input channels need 'reference_source': 'client'; server echo cancellation uses mono input.",
        ),
        (ReferenceSource::Client, 1) => errors.push(
            codes::INVALID_EC_REFERENCE_CHANNELS,
            &channels_param,
            "'reference_source': 'client' needs 'channels': 2 (microphone and reference interleaved).",
        ),
        _ => {}
    }
}

fn avatar(errors: &mut Errors, param: &str, a: &AvatarConfig) {
    errors.non_empty(&format!("{param}.character"), &a.character);
    if let Some(servers) = &a.ice_servers {
        for (i, server) in servers.iter().enumerate() {
            if server.urls.is_empty() {
                errors.value(
                    format!("{param}.ice_servers[{i}].urls"),
                    "Invalid ICE server: at least one URL is required.",
                );
            }
        }
    }
    let Some(video) = &a.video else { return };
    if let Some(codec) = &video.codec {
        if codec != "h264" {
            errors.value(
                format!("{param}.video.codec"),
                "Invalid video codec. Supported values are: 'h264'.",
            );
        }
    }
    if let Some(gop) = video.gop_size {
        if !(1..=2000).contains(&gop) {
            errors.value(
                format!("{param}.video.gop_size"),
                "Invalid GOP size: must be between 1 and 2000.",
            );
        }
    }
    if let Some(resolution) = &video.resolution {
        if resolution.width == 0 || resolution.height == 0 {
            errors.value(
                format!("{param}.video.resolution"),
                "Invalid resolution: width and height must be greater than 0.",
            );
        }
    }
    if let Some(crop) = &video.crop {
        if crop.top_left.len() != 2 || crop.bottom_right.len() != 2 {
            errors.value(
                format!("{param}.video.crop"),
                "Invalid crop: corners are [x, y] pairs.",
            );
        }
    }
    if let Some(background) = &video.background {
        let bg = format!("{param}.video.background");
        match (&background.color, &background.image_url) {
            (Some(_), Some(_)) => errors.value(&bg, "Set either 'color' or 'image_url', not both."),
            (Some(color), None) if !is_rgba_color(color) => errors.value(
                format!("{bg}.color"),
                "Invalid color: expected '#RRGGBBAA'.",
            ),
            _ => {}
        }
    }
}

fn is_rgba_color(color: &str) -> bool {
    color
        .strip_prefix('#')
        .is_some_and(|hex| hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn tools(errors: &mut Errors, param: &str, tools: &[Tool]) {
    if tools.len() > MAX_TOOLS {
        errors.value(
            param,
            format!("Invalid '{param}': at most {MAX_TOOLS} tools are allowed."),
        );
    }
    let mut names = HashSet::new();
    for (i, tool) in tools.iter().enumerate() {
        let (field, name) = match tool {
            Tool::Function(f) => ("name", f.name.as_str()),
            Tool::Mcp(m) => ("server_label", m.server_label.as_str()),
            Tool::FoundryAgent(a) => ("agent_name", a.agent_name.as_str()),
        };
        let name_param = format!("{param}[{i}].{field}");
        if !valid_tool_name(name) {
            errors.value(
                &name_param,
                format!("Invalid '{name_param}': use 1 to 64 letters, digits, '_' or '-'."),
            );
        } else if !names.insert(name) {
            errors.value(
                &name_param,
                format!("Invalid '{name_param}': duplicate tool name."),
            );
        }
        match tool {
            Tool::Function(f) => {
                if let Some(parameters) = &f.parameters {
                    if !parameters.is_object() {
                        errors.value(
                            format!("{param}[{i}].parameters"),
                            "Invalid 'parameters': expected a JSON Schema object.",
                        );
                    }
                }
            }
            Tool::Mcp(m) => {
                let url = m.server_url.trim();
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 10 {
                    errors.value(
                        format!("{param}[{i}].server_url"),
                        "Invalid 'server_url': expected an http(s) URL.",
                    );
                }
            }
            Tool::FoundryAgent(a) => {
                errors.non_empty(&format!("{param}[{i}].project_name"), &a.project_name)
            }
        }
    }
}

fn tool_choice(errors: &mut Errors, param: &str, choice: &ToolChoice, tools: Option<&[Tool]>) {
    let ToolChoice::Function { name } = choice else {
        return;
    };
    if name.is_empty() {
        errors.value(
            format!("{param}.name"),
            "Invalid tool choice: the function name is empty.",
        );
    } else if let Some(tools) = tools {
        if !tools
            .iter()
            .any(|t| matches!(t, Tool::Function(f) if &f.name == name))
        {
            errors.value(
                format!("{param}.name"),
                "Invalid tool choice: no function tool has this name.",
            );
        }
    }
}

fn max_tokens(errors: &mut Errors, param: &str, max: MaxTokens) {
    if let MaxTokens::Limit(n) = max {
        if !(1..=MAX_OUTPUT_TOKENS).contains(&n) {
            errors.value(
                param,
                format!(
                    "Invalid '{param}': {n}. Use an integer from 1 to {MAX_OUTPUT_TOKENS} or 'inf'."
                ),
            );
        }
    }
}

fn turn_detection(errors: &mut Errors, param: &str, td: &TurnDetection) {
    let p = |field: &str| format!("{param}.{field}");
    let mut common = |threshold: Option<f64>,
                      prefix: Option<u32>,
                      silence: Option<u32>,
                      speech: Option<u32>,
                      eou: Option<&EndOfUtteranceDetection>| {
        if let Some(t) = threshold {
            errors.range(&p("threshold"), t, THRESHOLD_RANGE);
        }
        errors.duration(&p("prefix_padding_ms"), prefix);
        errors.duration(&p("silence_duration_ms"), silence);
        errors.duration(&p("speech_duration_ms"), speech);
        if let Some(eou) = eou {
            errors.duration(&p("end_of_utterance_detection.timeout_ms"), eou.timeout_ms);
            if eou.model.as_ref().is_some_and(|m| !m.is_known()) {
                errors.value(
                    p("end_of_utterance_detection.model"),
                    "Invalid end-of-utterance model. Supported values are: 'semantic_detection_v1', 'semantic_detection_v1_en', 'semantic_detection_v1_multilingual'.",
                );
            }
            if eou.threshold_level.as_ref().is_some_and(|m| !m.is_known()) {
                errors.value(
                    p("end_of_utterance_detection.threshold_level"),
                    "Invalid threshold level. Supported values are: 'low', 'medium', 'high', 'default'.",
                );
            }
        }
    };
    match td {
        TurnDetection::None(_) => {}
        TurnDetection::ServerVad(v) => common(
            v.threshold,
            v.prefix_padding_ms,
            v.silence_duration_ms,
            v.speech_duration_ms,
            v.end_of_utterance_detection.as_ref(),
        ),
        TurnDetection::AzureSemanticVad(v)
        | TurnDetection::AzureSemanticVadEn(v)
        | TurnDetection::AzureSemanticVadMultilingual(v) => {
            common(
                v.threshold,
                v.prefix_padding_ms,
                v.silence_duration_ms,
                v.speech_duration_ms,
                v.end_of_utterance_detection.as_ref(),
            );
            semantic_extras(errors, param, v);
        }
        TurnDetection::SemanticVad(v) => {
            if v.eagerness.as_ref().is_some_and(|e| !e.is_known()) {
                errors.value(
                    p("eagerness"),
                    format!(
                        "Invalid eagerness. Supported values are: {}.",
                        Eagerness::KNOWN.join(", ")
                    ),
                );
            }
        }
    }
}

fn semantic_extras(errors: &mut Errors, param: &str, v: &AzureSemanticVad) {
    errors.duration(
        &format!("{param}.speech_duration_assistant_speaking_ms"),
        v.speech_duration_assistant_speaking_ms,
    );
    if let Some(languages) = &v.languages {
        for (i, language) in languages.iter().enumerate() {
            errors.non_empty(&format!("{param}.languages[{i}]"), language);
        }
    }
}

fn reasoning_effort(errors: &mut Errors, param: &str, effort: &ReasoningEffort) {
    if !effort.is_known() {
        errors.value(
            param,
            format!(
                "Invalid '{param}'. Supported values are: {}.",
                ReasoningEffort::KNOWN.join(", ")
            ),
        );
    }
}

fn interim_response(errors: &mut Errors, param: &str, interim: &InterimResponse) {
    match interim {
        InterimResponse::Static(s) => {
            errors.duration(
                &format!("{param}.latency_threshold_ms"),
                s.latency_threshold_ms,
            );
            if s.texts.as_ref().is_some_and(Vec::is_empty) {
                errors.value(
                    format!("{param}.texts"),
                    "Invalid 'texts': at least one text is required.",
                );
            }
        }
        InterimResponse::Llm(l) => {
            errors.duration(
                &format!("{param}.latency_threshold_ms"),
                l.latency_threshold_ms,
            );
            if l.max_completion_tokens == Some(0) {
                errors.value(
                    format!("{param}.max_completion_tokens"),
                    "Invalid 'max_completion_tokens': must be at least 1.",
                );
            }
        }
    }
}

fn metadata(errors: &mut Errors, param: &str, metadata: &BTreeMap<String, String>) {
    let (pairs, key_chars, value_chars) = METADATA_LIMITS;
    if metadata.len() > pairs {
        errors.value(
            param,
            format!("Invalid '{param}': at most {pairs} pairs are allowed."),
        );
    }
    for (key, value) in metadata {
        if key.chars().count() > key_chars {
            errors.value(
                param,
                format!("Invalid '{param}': keys are at most {key_chars} characters."),
            );
        }
        if value.chars().count() > value_chars {
            errors.value(
                format!("{param}.{key}"),
                format!("Invalid '{param}': values are at most {value_chars} characters."),
            );
        }
    }
}

fn audio(errors: &mut Errors, append: &InputAudioBufferAppend) {
    if append.audio.is_empty() {
        errors.value("audio", "Invalid 'audio': the audio is empty.");
    } else if append.audio.len() / 4 * 3 > MAX_APPEND_AUDIO_BYTES {
        errors.value(
            "audio",
            "Invalid 'audio': more than 15 MiB of audio in one event.",
        );
    }
}

fn truncate(errors: &mut Errors, e: &ConversationItemTruncate) {
    errors.non_empty("item_id", &e.item_id);
    if e.content_index != 0 {
        errors.value(
            "content_index",
            "Invalid 'content_index': assistant audio is always content part 0.",
        );
    }
}

fn item_create(errors: &mut Errors, e: &ConversationItemCreate) {
    if let Some(previous) = &e.previous_item_id {
        errors.non_empty("previous_item_id", previous);
    }
    request_item(errors, "item", &e.item);
}

fn request_item(errors: &mut Errors, param: &str, item: &RequestItem) {
    match item {
        RequestItem::Message(m) => {
            for (i, part) in m.content.iter().enumerate() {
                let part_param = format!("{param}.content[{i}]");
                let allowed = matches!(
                    (m.role, part),
                    (Role::System, RequestContentPart::InputText(_))
                        | (
                            Role::User,
                            RequestContentPart::InputText(_)
                                | RequestContentPart::InputAudio(_)
                                | RequestContentPart::InputImage(_),
                        )
                        | (Role::Assistant, RequestContentPart::Text(_))
                );
                if !allowed {
                    let message = if m.role == Role::Assistant {
                        "Invalid content: assistant messages take only 'text' parts (assistant audio cannot be created)."
                    } else if m.role == Role::System {
                        "Invalid content: system messages take only 'input_text' parts."
                    } else {
                        "Invalid content: user messages take 'input_text', 'input_audio' or 'input_image' parts."
                    };
                    errors.value(format!("{part_param}.type"), message);
                }
                match part {
                    RequestContentPart::InputText(t) => {
                        errors.max_len(&format!("{part_param}.text"), &t.text);
                    }
                    RequestContentPart::Text(t) => {
                        errors.max_len(&format!("{part_param}.text"), &t.text);
                    }
                    RequestContentPart::InputAudio(a) => {
                        if a.audio.is_empty() {
                            errors.value(
                                format!("{part_param}.audio"),
                                "Invalid 'audio': the audio is empty.",
                            );
                        }
                    }
                    RequestContentPart::InputImage(img) => {
                        errors.non_empty(&format!("{part_param}.image_url"), &img.image_url);
                    }
                }
            }
        }
        RequestItem::FunctionCall(f) => {
            errors.non_empty(&format!("{param}.call_id"), &f.call_id);
            errors.non_empty(&format!("{param}.name"), &f.name);
        }
        RequestItem::FunctionCallOutput(f) => {
            errors.non_empty(&format!("{param}.call_id"), &f.call_id);
            errors.max_len(&format!("{param}.output"), &f.output);
        }
        RequestItem::McpApprovalResponse(a) => {
            errors.non_empty(
                &format!("{param}.approval_request_id"),
                &a.approval_request_id,
            );
        }
    }
}

fn response_create(errors: &mut Errors, create: &ResponseCreate) {
    if let Some(extra) = &create.additional_instructions {
        errors.max_len("additional_instructions", extra);
    }
    if let Some(params) = &create.response {
        response_params(errors, "response", params);
    }
}

fn response_params(errors: &mut Errors, base: &str, r: &ResponseCreateParams) {
    let p = |field: &str| format!("{base}.{field}");
    if let Some(m) = &r.modalities {
        modalities(errors, &p("modalities"), m);
    }
    if let Some(instructions) = &r.instructions {
        errors.max_len(&p("instructions"), instructions);
    }
    if let Some(voice) = &r.voice {
        self::voice(errors, &p("voice"), voice);
    }
    if let Some(t) = &r.tools {
        tools(errors, &p("tools"), t);
    }
    if let Some(choice) = &r.tool_choice {
        tool_choice(errors, &p("tool_choice"), choice, r.tools.as_deref());
    }
    if let Some(t) = r.temperature {
        errors.range(&p("temperature"), t, TEMPERATURE_RANGE);
    }
    if let Some(max) = r.max_output_tokens {
        max_tokens(errors, &p("max_output_tokens"), max);
    }
    if let Some(effort) = &r.reasoning_effort {
        reasoning_effort(errors, &p("reasoning_effort"), effort);
    }
    if let Some(metadata) = &r.metadata {
        self::metadata(errors, &p("metadata"), metadata);
    }
    if let Some(interim) = &r.interim_response {
        interim_response(errors, &p("interim_response"), interim);
    }
    if let Some(conversation) = &r.conversation {
        if conversation != "auto" && conversation != "none" {
            errors.value(
                p("conversation"),
                "Invalid 'conversation'. Supported values are: 'auto', 'none'.",
            );
        }
    }
    for (field, items) in [
        ("input_items", &r.input_items),
        ("append_input_items", &r.append_input_items),
    ] {
        if let Some(items) = items {
            for (i, item) in items.iter().enumerate() {
                request_item(errors, &format!("{base}.{field}[{i}]"), item);
            }
        }
    }
    if let Some(message) = &r.pre_generated_assistant_message {
        let param = p("pre_generated_assistant_message");
        let ok = matches!(
            message,
            RequestItem::Message(m)
                if m.role == Role::Assistant
                    && m.content.len() == 1
                    && matches!(m.content.first(), Some(RequestContentPart::Text(_)))
        );
        if !ok {
            errors.value(
                &param,
                "Invalid 'pre_generated_assistant_message': expected an assistant message with exactly one 'text' part.",
            );
        }
    }
}
