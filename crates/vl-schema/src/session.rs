//! The session object: [`RequestSession`] (a patch, sent in `session.update`) and
//! [`ResponseSession`] (the full effective state, in `session.created` / `session.updated`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::audio_format::{
    AnimationOutput, InputAudioFormat, Modality, NoiseReductionType, OutputAudioFormat,
    ReasoningEffort, TimestampType, TranscriptionModel,
};
use crate::tool::{Tool, ToolChoice};
use crate::turn_detection::TurnDetection;
use crate::voice::Voice;

/// A nullable patch field: `None` = absent (keep), `Some(None)` = `null` (turn off),
/// `Some(Some(v))` = set.
pub type Patch<T> = Option<Option<T>>;

/// `max_response_output_tokens` / `max_output_tokens`: a limit or `"inf"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MaxTokens {
    /// At most this many tokens (valid: 1–4096).
    Limit(u32),
    /// No limit (`"inf"`).
    #[default]
    Inf,
}

impl Serialize for MaxTokens {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Limit(n) => serializer.serialize_u32(*n),
            Self::Inf => serializer.serialize_str("inf"),
        }
    }
}

impl<'de> Deserialize<'de> for MaxTokens {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MaxTokens;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or \"inf\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaxTokens, E> {
                u32::try_from(v)
                    .map(MaxTokens::Limit)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MaxTokens, E> {
                u64::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaxTokens, E> {
                if v == "inf" {
                    Ok(MaxTokens::Inf)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

wire_struct! {
    /// `input_audio_noise_reduction`.
    NoiseReduction {
        /// The noise reduction type.
        #[serde(rename = "type")]
        kind: NoiseReductionType,
    }
}

/// `input_audio_echo_cancellation.reference_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSource {
    /// The server uses the audio it sent as the echo reference.
    #[default]
    Server,
    /// The client sends the reference as the second channel of stereo input.
    Client,
}

wire_struct! {
    /// `input_audio_echo_cancellation`.
    EchoCancellation {
        /// `server_echo_cancellation`.
        #[serde(rename = "type", default = "default_ec_type")]
        kind: String,
        /// Where the echo reference comes from (default `server`).
        reference_source?: ReferenceSource,
        /// Input channels: 1, or 2 with `reference_source:"client"` (default 1).
        channels?: u8,
    }
}

fn default_ec_type() -> String {
    "server_echo_cancellation".to_owned()
}

impl Default for EchoCancellation {
    fn default() -> Self {
        Self {
            kind: default_ec_type(),
            reference_source: None,
            channels: None,
        }
    }
}

wire_struct! {
    /// `input_audio_transcription`.
    InputAudioTranscription {
        /// The ASR model.
        model: TranscriptionModel,
        /// Language (BCP-47, ISO-639-1 or a comma list for auto-detection).
        language?: String,
        /// Custom speech endpoints (azure-speech only).
        custom_speech?: BTreeMap<String, String>,
        /// Phrase hints.
        phrase_list?: Vec<String>,
        /// Prompt (OpenAI models only).
        prompt?: String,
    }
}

wire_struct! {
    /// `animation`.
    #[derive(Default)]
    Animation {
        /// Animation model (default `default`).
        model_name?: String,
        /// Requested outputs (default `["blendshapes"]`).
        outputs?: Vec<AnimationOutput>,
    }
}

/// `avatar.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AvatarType {
    /// A video avatar (default).
    #[default]
    VideoAvatar,
    /// A photo avatar (needs `model:"vasa-1"`).
    PhotoAvatar,
}

/// `avatar.output_protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvatarOutputProtocol {
    /// WebRTC media (default).
    #[default]
    Webrtc,
    /// `response.video.delta` events over the WebSocket.
    Websocket,
}

wire_struct! {
    /// An ICE server for the avatar WebRTC connection.
    IceServer {
        /// STUN/TURN URLs.
        urls: Vec<String>,
        /// TURN user name.
        username?: String,
        /// TURN credential.
        credential?: String,
    }
}

wire_struct! {
    /// `avatar.video.crop`.
    AvatarCrop {
        /// `[x, y]` of the top-left corner.
        top_left: Vec<i64>,
        /// `[x, y]` of the bottom-right corner.
        bottom_right: Vec<i64>,
    }
}

wire_struct! {
    /// `avatar.video.resolution`.
    AvatarResolution {
        /// Width in pixels (> 0).
        width: u32,
        /// Height in pixels (> 0).
        height: u32,
    }
}

wire_struct! {
    /// `avatar.video.background`: `color` xor `image_url`.
    AvatarBackground {
        /// `#RRGGBBAA`.
        color?: String,
        /// Background image URL.
        image_url?: String,
    }
}

wire_struct! {
    /// `avatar.video`.
    AvatarVideo {
        /// Bit rate in bit/s (default 2000000).
        bitrate?: u32,
        /// `h264` only.
        codec?: String,
        /// Crop rectangle.
        crop?: AvatarCrop,
        /// Output resolution.
        resolution?: AvatarResolution,
        /// Background.
        background?: AvatarBackground,
        /// GOP size (default 10, 1–2000).
        gop_size?: u32,
    }
}

wire_struct! {
    /// `avatar.scene`.
    AvatarScene {
        /// Zoom.
        zoom?: f64,
        /// Horizontal position.
        position_x?: f64,
        /// Vertical position.
        position_y?: f64,
        /// Rotation about x.
        rotation_x?: f64,
        /// Rotation about y.
        rotation_y?: f64,
        /// Rotation about z.
        rotation_z?: f64,
        /// Motion amplitude.
        amplitude?: f64,
    }
}

wire_struct! {
    /// `avatar` (§4.6).
    AvatarConfig {
        /// `video-avatar` (default) or `photo-avatar`.
        #[serde(rename = "type")]
        kind?: AvatarType,
        /// Avatar character.
        character: String,
        /// Avatar style.
        style?: String,
        /// Whether the character is a custom avatar.
        customized?: bool,
        /// `vasa-1` (photo avatars).
        model?: String,
        /// ICE servers; the server returns its own when omitted.
        ice_servers?: Vec<IceServer>,
        /// Video settings.
        video?: AvatarVideo,
        /// Scene settings.
        scene?: AvatarScene,
        /// `webrtc` (default) or `websocket`.
        output_protocol?: AvatarOutputProtocol,
        /// Also return the audit audio.
        output_audit_audio?: bool,
    }
}

/// An `interim_response` trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterimTrigger {
    /// When the answer takes longer than `latency_threshold_ms`.
    Latency,
    /// While a tool runs.
    Tool,
}

tagged_enum! {
    /// `interim_response` (§4.7); the docs' kebab-case spellings are accepted as aliases.
    InterimResponse {
        /// Fixed texts.
        Static(StaticInterimResponse) = "static_interim_response" | "static-interim-response",
        /// Texts generated by a small model.
        Llm(LlmInterimResponse) = "llm_interim_response" | "llm-interim-response",
    }
}

wire_struct! {
    /// `static_interim_response`.
    StaticInterimResponse {
        /// Triggers (default `["latency"]`).
        triggers?: Vec<InterimTrigger>,
        /// Latency threshold in ms (default 2000).
        latency_threshold_ms?: u32,
        /// Texts to choose from.
        texts?: Vec<String>,
    }
}

wire_struct! {
    /// `llm_interim_response`.
    LlmInterimResponse {
        /// Triggers (default `["latency"]`).
        triggers?: Vec<InterimTrigger>,
        /// Latency threshold in ms (default 2000).
        latency_threshold_ms?: u32,
        /// Model (default `gpt-4.1-mini`).
        model?: String,
        /// Instructions of the interim model.
        instructions?: String,
        /// Token limit (default 50, ≥ 1).
        max_completion_tokens?: u32,
    }
}

wire_struct! {
    /// `agent` of a Foundry agent session (response only).
    AgentConfig {
        /// `agent`.
        #[serde(rename = "type")]
        kind?: String,
        /// Agent name.
        name?: String,
        /// Description.
        description?: String,
        /// Agent id.
        agent_id?: String,
        /// Thread id.
        thread_id?: String,
    }
}

wire_struct! {
    /// The session patch of `session.update`: absent fields are kept; `null` turns off the
    /// nullable features (`turn_detection`, noise reduction, echo cancellation, transcription,
    /// avatar, animation, interim response).
    #[derive(Default)]
    RequestSession {
        /// Model (cannot change mid-session).
        model?: String,
        /// Output modalities.
        modalities?: Vec<Modality>,
        /// Animation outputs.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        animation: Patch<Animation>,
        /// Voice.
        voice?: Voice,
        /// Instructions (`""` clears).
        instructions?: String,
        /// Input sampling rate in Hz.
        input_audio_sampling_rate?: u32,
        /// Input audio format.
        input_audio_format?: InputAudioFormat,
        /// Output audio format.
        output_audio_format?: OutputAudioFormat,
        /// Noise reduction; `null` turns it off.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        input_audio_noise_reduction: Patch<NoiseReduction>,
        /// Echo cancellation; `null` turns it off.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        input_audio_echo_cancellation: Patch<EchoCancellation>,
        /// Avatar; `null` turns it off.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        avatar: Patch<AvatarConfig>,
        /// Input transcription; `null` turns it off.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        input_audio_transcription: Patch<InputAudioTranscription>,
        /// Word timestamps.
        output_audio_timestamp_types?: Vec<TimestampType>,
        /// Tools.
        tools?: Vec<Tool>,
        /// Tool choice.
        tool_choice?: ToolChoice,
        /// Sampling temperature (0.6–1.2).
        temperature?: f64,
        /// Output token limit (alias `max_output_tokens`).
        #[serde(alias = "max_output_tokens")]
        max_response_output_tokens?: MaxTokens,
        /// Turn detection; `null` turns it off.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        turn_detection: Patch<TurnDetection>,
        /// Allow parallel tool calls.
        parallel_tool_calls?: bool,
        /// Reasoning effort.
        reasoning_effort?: ReasoningEffort,
        /// Interim responses; `null` turns them off (alias `interim-response`).
        #[serde(default, alias = "interim-response", deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        interim_response: Patch<InterimResponse>,
        /// Extra outputs, e.g. `item.input_audio_transcription.logprobs`.
        include?: Vec<String>,
        /// Up to 16 string pairs.
        metadata?: BTreeMap<String, String>,
    }
}

wire_struct! {
    /// The full effective session of `session.created` / `session.updated`.
    ///
    /// The nullable features are always serialized (as `null` when off); missing fields decode
    /// to the documented defaults of [`ResponseSession::default`].
    #[serde(default)]
    ResponseSession {
        /// Session id (`sess_…`).
        id: String,
        /// `realtime.session`.
        object?: String,
        /// Model.
        model?: String,
        /// Output modalities.
        modalities: Vec<Modality>,
        /// Animation outputs.
        animation?: Animation,
        /// Voice.
        voice?: Voice,
        /// Instructions.
        instructions?: String,
        /// Input sampling rate in Hz.
        input_audio_sampling_rate: u32,
        /// Input audio format.
        input_audio_format: InputAudioFormat,
        /// Output audio format.
        output_audio_format: OutputAudioFormat,
        /// Noise reduction (`null` = off).
        input_audio_noise_reduction: Option<NoiseReduction>,
        /// Echo cancellation (`null` = off).
        input_audio_echo_cancellation: Option<EchoCancellation>,
        /// Avatar.
        avatar?: AvatarConfig,
        /// Input transcription (`null` = off).
        input_audio_transcription: Option<InputAudioTranscription>,
        /// Word timestamps.
        output_audio_timestamp_types?: Vec<TimestampType>,
        /// Tools.
        tools: Vec<Tool>,
        /// Tool choice.
        tool_choice: ToolChoice,
        /// Sampling temperature.
        temperature: f64,
        /// Output token limit (alias `max_output_tokens`).
        #[serde(alias = "max_output_tokens")]
        max_response_output_tokens: MaxTokens,
        /// Turn detection (`null` = off).
        turn_detection: Option<TurnDetection>,
        /// Allow parallel tool calls.
        parallel_tool_calls: bool,
        /// Reasoning effort.
        reasoning_effort?: ReasoningEffort,
        /// Interim responses (alias `interim-response`).
        #[serde(alias = "interim-response")]
        interim_response?: InterimResponse,
        /// Extra outputs.
        include?: Vec<String>,
        /// Metadata.
        metadata?: BTreeMap<String, String>,
        /// Expiry, Unix seconds (server-set).
        expires_at?: i64,
        /// Foundry agent of an agent session.
        agent?: AgentConfig,
    }
}

impl Default for ResponseSession {
    /// The documented defaults (decisions.md): `server_vad` (0.5 / 300 ms / 500 ms, create and
    /// interrupt response on), temperature 0.8, `"inf"` tokens, PCM16 24 kHz in and out,
    /// modalities text + audio, tool choice `auto`, parallel tool calls on, every optional
    /// feature off.
    fn default() -> Self {
        Self {
            id: String::new(),
            object: Some("realtime.session".to_owned()),
            model: None,
            modalities: vec![Modality::Text, Modality::Audio],
            animation: None,
            voice: None,
            instructions: None,
            input_audio_sampling_rate: 24000,
            input_audio_format: InputAudioFormat::Pcm16,
            output_audio_format: OutputAudioFormat::Pcm16,
            input_audio_noise_reduction: None,
            input_audio_echo_cancellation: None,
            avatar: None,
            input_audio_transcription: None,
            output_audio_timestamp_types: None,
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            temperature: 0.8,
            max_response_output_tokens: MaxTokens::Inf,
            turn_detection: Some(TurnDetection::default_server_vad()),
            parallel_tool_calls: true,
            reasoning_effort: None,
            interim_response: None,
            include: None,
            metadata: None,
            expires_at: None,
            agent: None,
        }
    }
}

impl ResponseSession {
    /// Applies a `session.update` patch (§2 merge semantics): present fields replace, absent
    /// fields are kept, `null` turns a nullable feature off. A new turn detection, echo
    /// cancellation or animation gets its unset parameters filled with the documented defaults.
    /// Switching to a G.711 input format forces 8000 Hz; switching back to PCM16 without a rate
    /// restores 24000 Hz. Validation is separate ([`crate::validate::validate_session_update`]).
    pub fn apply(&mut self, patch: &RequestSession) {
        fn set<T: Clone>(slot: &mut T, value: Option<&T>) {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        }
        fn set_opt<T: Clone>(slot: &mut Option<T>, value: Option<&T>) {
            if let Some(value) = value {
                *slot = Some(value.clone());
            }
        }
        fn nullable<T: Clone>(slot: &mut Option<T>, value: &Patch<T>) {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        }

        set_opt(&mut self.model, patch.model.as_ref());
        set(&mut self.modalities, patch.modalities.as_ref());
        if let Some(animation) = &patch.animation {
            self.animation = animation.clone().map(|mut a| {
                a.model_name.get_or_insert_with(|| "default".to_owned());
                a.outputs
                    .get_or_insert_with(|| vec![AnimationOutput::Blendshapes]);
                a
            });
        }
        set_opt(&mut self.voice, patch.voice.as_ref());
        set_opt(&mut self.instructions, patch.instructions.as_ref());

        let previous_format = self.input_audio_format;
        set(
            &mut self.input_audio_format,
            patch.input_audio_format.as_ref(),
        );
        set(
            &mut self.input_audio_sampling_rate,
            patch.input_audio_sampling_rate.as_ref(),
        );
        if self.input_audio_format.is_g711() {
            self.input_audio_sampling_rate = 8000;
        } else if previous_format.is_g711() && patch.input_audio_sampling_rate.is_none() {
            self.input_audio_sampling_rate = InputAudioFormat::Pcm16.default_sampling_rate();
        }

        set(
            &mut self.output_audio_format,
            patch.output_audio_format.as_ref(),
        );
        nullable(
            &mut self.input_audio_noise_reduction,
            &patch.input_audio_noise_reduction,
        );
        if let Some(ec) = &patch.input_audio_echo_cancellation {
            self.input_audio_echo_cancellation = ec.clone().map(|mut ec| {
                ec.reference_source.get_or_insert(ReferenceSource::Server);
                ec.channels.get_or_insert(1);
                ec
            });
        }
        if let Some(avatar) = &patch.avatar {
            self.avatar = avatar.clone().map(|mut a| {
                a.customized.get_or_insert(false);
                a
            });
        }
        nullable(
            &mut self.input_audio_transcription,
            &patch.input_audio_transcription,
        );
        set_opt(
            &mut self.output_audio_timestamp_types,
            patch.output_audio_timestamp_types.as_ref(),
        );
        set(&mut self.tools, patch.tools.as_ref());
        set(&mut self.tool_choice, patch.tool_choice.as_ref());
        set(&mut self.temperature, patch.temperature.as_ref());
        set(
            &mut self.max_response_output_tokens,
            patch.max_response_output_tokens.as_ref(),
        );
        if let Some(turn_detection) = &patch.turn_detection {
            self.turn_detection = turn_detection.clone().map(TurnDetection::with_defaults);
        }
        set(
            &mut self.parallel_tool_calls,
            patch.parallel_tool_calls.as_ref(),
        );
        set_opt(&mut self.reasoning_effort, patch.reasoning_effort.as_ref());
        if let Some(interim) = &patch.interim_response {
            self.interim_response.clone_from(interim);
        }
        set_opt(&mut self.include, patch.include.as_ref());
        set_opt(&mut self.metadata, patch.metadata.as_ref());
    }
}

wire_struct! {
    /// The session of the SDK's `transcription_session.update` (not in any Voice Live spec).
    #[derive(Default)]
    TranscriptionSession {
        /// Input audio format.
        input_audio_format?: InputAudioFormat,
        /// Input sampling rate in Hz.
        input_audio_sampling_rate?: u32,
        /// Input transcription.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        input_audio_transcription: Patch<InputAudioTranscription>,
        /// Turn detection.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        turn_detection: Patch<TurnDetection>,
        /// Noise reduction.
        #[serde(default, deserialize_with = "crate::de::double_option", skip_serializing_if = "Option::is_none")]
        input_audio_noise_reduction: Patch<NoiseReduction>,
        /// Extra outputs.
        include?: Vec<String>,
    }
}
