//! Audio formats, modalities and the other small closed enums of the session.

use serde::{Deserialize, Serialize};

/// `input_audio_format`: the encoding of `input_audio_buffer.append` audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum InputAudioFormat {
    /// 16-bit little-endian mono PCM at `input_audio_sampling_rate` (default 24 kHz).
    #[default]
    #[serde(rename = "pcm16")]
    Pcm16,
    /// G.711 µ-law at 8 kHz.
    #[serde(rename = "g711_ulaw")]
    G711Ulaw,
    /// G.711 A-law at 8 kHz.
    #[serde(rename = "g711_alaw")]
    G711Alaw,
}

impl InputAudioFormat {
    /// True for the G.711 formats, which only exist at 8 kHz.
    pub fn is_g711(self) -> bool {
        matches!(self, Self::G711Ulaw | Self::G711Alaw)
    }

    /// The default `input_audio_sampling_rate` for this format.
    pub fn default_sampling_rate(self) -> u32 {
        if self.is_g711() { 8000 } else { 24000 }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pcm16 => "pcm16",
            Self::G711Ulaw => "g711_ulaw",
            Self::G711Alaw => "g711_alaw",
        }
    }
}

/// `output_audio_format`: the encoding of `response.audio.delta`.
///
/// The legacy hyphen spellings (`pcm16-8000hz`, ...) are accepted as aliases; serialization always
/// uses the underscore form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum OutputAudioFormat {
    /// PCM16 at 24 kHz.
    #[default]
    #[serde(rename = "pcm16")]
    Pcm16,
    /// PCM16 at 8 kHz.
    #[serde(rename = "pcm16_8000hz", alias = "pcm16-8000hz")]
    Pcm16At8000,
    /// PCM16 at 16 kHz.
    #[serde(rename = "pcm16_16000hz", alias = "pcm16-16000hz")]
    Pcm16At16000,
    /// PCM16 at 22.05 kHz (Azure voices).
    #[serde(rename = "pcm16_22050hz", alias = "pcm16-22050hz")]
    Pcm16At22050,
    /// PCM16 at 24 kHz, explicit spelling (Azure voices).
    #[serde(rename = "pcm16_24000hz", alias = "pcm16-24000hz")]
    Pcm16At24000,
    /// PCM16 at 44.1 kHz (Azure voices).
    #[serde(rename = "pcm16_44100hz", alias = "pcm16-44100hz")]
    Pcm16At44100,
    /// PCM16 at 48 kHz (Azure voices).
    #[serde(rename = "pcm16_48000hz", alias = "pcm16-48000hz")]
    Pcm16At48000,
    /// G.711 µ-law at 8 kHz.
    #[serde(rename = "g711_ulaw")]
    G711Ulaw,
    /// G.711 A-law at 8 kHz.
    #[serde(rename = "g711_alaw")]
    G711Alaw,
}

impl OutputAudioFormat {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::Pcm16,
        Self::Pcm16At8000,
        Self::Pcm16At16000,
        Self::Pcm16At22050,
        Self::Pcm16At24000,
        Self::Pcm16At44100,
        Self::Pcm16At48000,
        Self::G711Ulaw,
        Self::G711Alaw,
    ];

    /// The sample rate in Hz.
    pub fn sample_rate(self) -> u32 {
        match self {
            Self::Pcm16 | Self::Pcm16At24000 => 24000,
            Self::Pcm16At8000 | Self::G711Ulaw | Self::G711Alaw => 8000,
            Self::Pcm16At16000 => 16000,
            Self::Pcm16At22050 => 22050,
            Self::Pcm16At44100 => 44100,
            Self::Pcm16At48000 => 48000,
        }
    }

    /// True for the G.711 formats.
    pub fn is_g711(self) -> bool {
        matches!(self, Self::G711Ulaw | Self::G711Alaw)
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pcm16 => "pcm16",
            Self::Pcm16At8000 => "pcm16_8000hz",
            Self::Pcm16At16000 => "pcm16_16000hz",
            Self::Pcm16At22050 => "pcm16_22050hz",
            Self::Pcm16At24000 => "pcm16_24000hz",
            Self::Pcm16At44100 => "pcm16_44100hz",
            Self::Pcm16At48000 => "pcm16_48000hz",
            Self::G711Ulaw => "g711_ulaw",
            Self::G711Alaw => "g711_alaw",
        }
    }
}

/// One entry of `modalities`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Text output.
    Text,
    /// Audio output (requires `text` as well).
    Audio,
    /// Animation (viseme / blendshape) events.
    Animation,
    /// The avatar video stream.
    Avatar,
}

/// `input_audio_sampling_rate` values the server accepts (decisions.md).
pub const SAMPLING_RATES: [u32; 5] = [8000, 16000, 24000, 44100, 48000];

open_enum! {
    /// `reasoning_effort` of reasoning models.
    ReasoningEffort {
        /// `none`.
        None = "none",
        /// `minimal`.
        Minimal = "minimal",
        /// `low`.
        Low = "low",
        /// `medium`.
        Medium = "medium",
        /// `high`.
        High = "high",
        /// `xhigh`.
        XHigh = "xhigh",
    }
}

open_enum! {
    /// One entry of `output_audio_timestamp_types`.
    TimestampType {
        /// Word timestamps (`response.audio_timestamp.*`).
        Word = "word",
    }
}

open_enum! {
    /// One entry of `animation.outputs`.
    AnimationOutput {
        /// ARKit-style blendshape frames.
        Blendshapes = "blendshapes",
        /// Viseme ids.
        VisemeId = "viseme_id",
    }
}

open_enum! {
    /// The `type` of `input_audio_noise_reduction`.
    NoiseReductionType {
        /// Azure deep noise suppression.
        AzureDeepNoiseSuppression = "azure_deep_noise_suppression",
        /// Near-field (gpt-realtime models).
        NearField = "near_field",
        /// Far-field (gpt-realtime models).
        FarField = "far_field",
    }
}

open_enum! {
    /// `input_audio_transcription.model`.
    TranscriptionModel {
        /// `whisper-1`.
        Whisper1 = "whisper-1",
        /// `gpt-4o-transcribe`.
        Gpt4oTranscribe = "gpt-4o-transcribe",
        /// `gpt-4o-mini-transcribe`.
        Gpt4oMiniTranscribe = "gpt-4o-mini-transcribe",
        /// `gpt-4o-transcribe-diarize`.
        Gpt4oTranscribeDiarize = "gpt-4o-transcribe-diarize",
        /// `azure-speech`.
        AzureSpeech = "azure-speech",
        /// `mai-transcribe` (alias of `mai-transcribe-2` in the 07-15 docs).
        MaiTranscribe = "mai-transcribe",
        /// `mai-transcribe-1` (the SDK enum spelling).
        MaiTranscribe1 = "mai-transcribe-1",
        /// `mai-transcribe-2`.
        MaiTranscribe2 = "mai-transcribe-2",
    }
}
