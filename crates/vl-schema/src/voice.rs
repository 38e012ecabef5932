//! Voices: OpenAI names (string or object), Azure voices and Azure realtime-native voices.

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::Value;

open_enum! {
    /// An OpenAI voice name.
    OpenAiVoice {
        /// `alloy`.
        Alloy = "alloy",
        /// `ash`.
        Ash = "ash",
        /// `ballad`.
        Ballad = "ballad",
        /// `coral`.
        Coral = "coral",
        /// `echo`.
        Echo = "echo",
        /// `sage`.
        Sage = "sage",
        /// `shimmer`.
        Shimmer = "shimmer",
        /// `verse`.
        Verse = "verse",
        /// `marin`.
        Marin = "marin",
        /// `cedar`.
        Cedar = "cedar",
    }
}

open_enum! {
    /// The neural model of a personal voice (`azure-personal`, `avatar-voice-sync`).
    PersonalVoiceModel {
        /// `DragonLatestNeural`.
        DragonLatestNeural = "DragonLatestNeural",
        /// `PhoenixLatestNeural`.
        PhoenixLatestNeural = "PhoenixLatestNeural",
        /// `PhoenixV2Neural`.
        PhoenixV2Neural = "PhoenixV2Neural",
        /// `DragonHDOmniLatestNeural`.
        DragonHdOmniLatestNeural = "DragonHDOmniLatestNeural",
        /// `MAI-Voice-1`.
        MaiVoice1 = "MAI-Voice-1",
    }
}

/// `voice`: a bare OpenAI voice name or a voice object.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "voices are configuration, built rarely; a box would complicate matching"
)]
pub enum Voice {
    /// A bare name string, e.g. `"alloy"` (what the SDK sends for OpenAI voices).
    Name(OpenAiVoice),
    /// A voice object tagged by `type`.
    Object(VoiceObject),
}

impl Voice {
    /// The voice name, if the variant has one (`avatar-voice-sync` has none).
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Name(name) => Some(name.as_str()),
            Self::Object(VoiceObject::OpenAi(v)) => Some(v.name.as_str()),
            Self::Object(VoiceObject::AzureStandard(v)) => Some(&v.name),
            Self::Object(VoiceObject::AzureCustom(v)) => Some(&v.name),
            Self::Object(VoiceObject::AzurePersonal(v)) => Some(&v.name),
            Self::Object(VoiceObject::AvatarVoiceSync(_)) => None,
            Self::Object(VoiceObject::AzureRealtimeNative(v)) => Some(&v.name),
        }
    }
}

impl From<OpenAiVoice> for Voice {
    fn from(name: OpenAiVoice) -> Self {
        Self::Name(name)
    }
}

impl Serialize for Voice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Name(name) => name.serialize(serializer),
            Self::Object(object) => object.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Voice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(name) => Ok(Self::Name(OpenAiVoice::from(name))),
            object @ Value::Object(_) => {
                crate::de::from_value_tracked::<VoiceObject, D::Error>(object).map(Self::Object)
            }
            other => Err(de::Error::invalid_type(
                crate::de::unexpected(&other),
                &"a voice name or a voice object",
            )),
        }
    }
}

tagged_enum! {
    /// A voice object, tagged by `type`.
    VoiceObject {
        /// `{type:"openai", name}`.
        OpenAi(OpenAiVoiceObject) = "openai",
        /// A standard Azure neural voice.
        AzureStandard(AzureStandardVoice) = "azure-standard",
        /// An Azure custom neural voice.
        AzureCustom(AzureCustomVoice) = "azure-custom",
        /// An Azure personal voice.
        AzurePersonal(AzurePersonalVoice) = "azure-personal",
        /// Personal-voice synthesis synced with a custom avatar.
        AvatarVoiceSync(AvatarVoiceSync) = "avatar-voice-sync",
        /// A voice of the `azure-realtime` model.
        AzureRealtimeNative(AzureRealtimeNativeVoice) = "azure-realtime-native",
    }
}

wire_struct! {
    /// `{type:"openai", name}`.
    OpenAiVoiceObject {
        /// The OpenAI voice name.
        name: OpenAiVoice,
    }
}

wire_struct! {
    /// `{type:"azure-standard", name, ...}`.
    AzureStandardVoice {
        /// Voice name, e.g. `en-US-AvaNeural`.
        name: String,
        /// Voice temperature (0.0–1.0, HD voices).
        temperature?: f64,
        /// URL of a custom lexicon.
        custom_lexicon_url?: String,
        /// URL of a custom text normalization.
        custom_text_normalization_url?: String,
        /// Locales the voice prefers.
        prefer_locales?: Vec<String>,
        /// Forced TTS locale.
        locale?: String,
        /// SSML style.
        style?: String,
        /// SSML pitch.
        pitch?: String,
        /// SSML rate.
        rate?: String,
        /// SSML volume.
        volume?: String,
    }
}

wire_struct! {
    /// `{type:"azure-custom", name, endpoint_id, ...}`.
    AzureCustomVoice {
        /// Voice name.
        name: String,
        /// Custom voice deployment id.
        endpoint_id: String,
        /// Voice temperature (0.0–1.0, HD voices).
        temperature?: f64,
        /// URL of a custom lexicon.
        custom_lexicon_url?: String,
        /// URL of a custom text normalization.
        custom_text_normalization_url?: String,
        /// Locales the voice prefers.
        prefer_locales?: Vec<String>,
        /// Forced TTS locale.
        locale?: String,
        /// SSML style.
        style?: String,
        /// SSML pitch.
        pitch?: String,
        /// SSML rate.
        rate?: String,
        /// SSML volume.
        volume?: String,
    }
}

wire_struct! {
    /// `{type:"azure-personal", name, model, ...}`.
    AzurePersonalVoice {
        /// Speaker profile name.
        name: String,
        /// The personal voice model.
        model: PersonalVoiceModel,
        /// Voice temperature (0.0–1.0, HD voices).
        temperature?: f64,
        /// URL of a custom lexicon.
        custom_lexicon_url?: String,
        /// URL of a custom text normalization.
        custom_text_normalization_url?: String,
        /// Locales the voice prefers.
        prefer_locales?: Vec<String>,
        /// Forced TTS locale.
        locale?: String,
        /// SSML style (the SDK declares it for every Azure voice).
        style?: String,
        /// SSML pitch.
        pitch?: String,
        /// SSML rate.
        rate?: String,
        /// SSML volume.
        volume?: String,
    }
}

wire_struct! {
    /// `{type:"avatar-voice-sync", model, ...}`.
    AvatarVoiceSync {
        /// The personal voice model.
        model: PersonalVoiceModel,
        /// Voice temperature (0.0–1.0, HD voices).
        temperature?: f64,
        /// URL of a custom lexicon.
        custom_lexicon_url?: String,
        /// URL of a custom text normalization.
        custom_text_normalization_url?: String,
        /// Locales the voice prefers.
        prefer_locales?: Vec<String>,
        /// Forced TTS locale.
        locale?: String,
        /// SSML style (the SDK declares it for every Azure voice).
        style?: String,
        /// SSML pitch.
        pitch?: String,
        /// SSML rate.
        rate?: String,
        /// SSML volume.
        volume?: String,
    }
}

wire_struct! {
    /// `{type:"azure-realtime-native", name}` (model `azure-realtime` only).
    AzureRealtimeNativeVoice {
        /// Voice name, e.g. `ava`.
        name: String,
    }
}
