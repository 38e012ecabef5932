//! Protocol voice names → local voices.
//!
//! The offline build has one natural voice, Piper `en_US-joe-medium` (US English, male, CC0), and
//! the espeak-ng formant voices as a fallback. Every protocol voice the server accepts maps to a
//! [`LocalVoice`] by the table below; the voice's gender picks the espeak-ng variant (`+m3` male,
//! `+f3` female) used when Piper is not installed. Piper has a single speaker, so every voice
//! sounds like joe there.
//!
//! | Family (`type`) | Names | Local voice |
//! |---|---|---|
//! | OpenAI (bare string or `openai`) | `alloy` `coral` `sage` `shimmer` `marin` (female) · `ash` `ballad` `echo` `verse` `cedar` (male) | Piper joe; espeak `en-us+f3` / `en-us+m3` |
//! | `azure-standard` | en-US: `Ava` `Emma` `Jenny` `Aria` `Jane` `Sara` `Nancy` `Amber` `Ana` `Ashley` `Cora` `Elizabeth` `Michelle` `Monica` `Amanda` `Phoebe` `Serena` `Evelyn` `Nova` `Lola` (female) · `Andrew` `Brian` `Guy` `Davis` `Jason` `Tony` `Brandon` `Christopher` `Eric` `Jacob` `Roger` `Steffan` `Adam` `Derek` `Dustin` `Lewis` `Samuel` `Kai` `Ryan` (male); en-GB `Sonia` `Libby` `Maisie` (f) · `Ryan` `Thomas` (m); en-AU `Natasha` (f) · `William` (m); en-IN `Neerja` (f) · `Prabhat` (m) — each as `<locale>-<Name>Neural`, `<locale>-<Name>MultilingualNeural`, or HD `<locale>-<Name>:DragonHD…Neural` | Piper joe; espeak `en-us+f3` / `en-us+m3` |
//! | `azure-realtime-native` | `ava` `aarti` `denise` `diya` `elsa` `francisca` `meera` `xiaoxiao` `ximena` (female) · `andrew` `florian` `yunxi` (male) | Piper joe (English only); espeak as above |
//!
//! Anything else is an error ([`VoiceError`]): an unknown name, a non-English Azure voice, or a
//! voice type that needs a trained voice we cannot have offline (`azure-custom`,
//! `azure-personal`, `avatar-voice-sync`).

use vl_schema::voice::{Voice, VoiceObject};

/// Why a voice has no local equivalent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoiceError {
    /// A name that is not in the table.
    #[error("unknown voice `{name}` ({family}); local voices exist for: {known}")]
    Unknown {
        /// The requested name.
        name: String,
        /// The voice family (`openai`, `azure-standard`, `azure-realtime-native`).
        family: &'static str,
        /// The names that are accepted for that family.
        known: String,
    },
    /// A voice type that cannot be served offline.
    #[error("voice type `{0}` needs a trained Azure voice and is not available offline")]
    Unsupported(&'static str),
}

/// Speaker gender of a table entry (it picks the espeak-ng variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// Female voice.
    Female,
    /// Male voice.
    Male,
}

/// The local voice a protocol voice maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalVoice {
    /// The protocol voice name as requested.
    pub requested: String,
    /// The Piper voice (the model file stem).
    pub piper_voice: &'static str,
    /// The espeak-ng voice for the process fallback, e.g. `en-us+f3`.
    pub espeak_voice: &'static str,
    /// Gender of the requested voice.
    pub gender: Gender,
}

/// The Piper voice every name maps to.
pub const PIPER_VOICE: &str = "en_US-joe-medium";

const OPENAI: &[(&str, Gender)] = &[
    ("alloy", Gender::Female),
    ("ash", Gender::Male),
    ("ballad", Gender::Male),
    ("coral", Gender::Female),
    ("echo", Gender::Male),
    ("sage", Gender::Female),
    ("shimmer", Gender::Female),
    ("verse", Gender::Male),
    ("marin", Gender::Female),
    ("cedar", Gender::Male),
];

const AZURE_EN_US: &[(&str, Gender)] = &[
    ("Ava", Gender::Female),
    ("Emma", Gender::Female),
    ("Jenny", Gender::Female),
    ("Aria", Gender::Female),
    ("Jane", Gender::Female),
    ("Sara", Gender::Female),
    ("Nancy", Gender::Female),
    ("Amber", Gender::Female),
    ("Ana", Gender::Female),
    ("Ashley", Gender::Female),
    ("Cora", Gender::Female),
    ("Elizabeth", Gender::Female),
    ("Michelle", Gender::Female),
    ("Monica", Gender::Female),
    ("Amanda", Gender::Female),
    ("Phoebe", Gender::Female),
    ("Serena", Gender::Female),
    ("Evelyn", Gender::Female),
    ("Nova", Gender::Female),
    ("Lola", Gender::Female),
    ("Andrew", Gender::Male),
    ("Brian", Gender::Male),
    ("Guy", Gender::Male),
    ("Davis", Gender::Male),
    ("Jason", Gender::Male),
    ("Tony", Gender::Male),
    ("Brandon", Gender::Male),
    ("Christopher", Gender::Male),
    ("Eric", Gender::Male),
    ("Jacob", Gender::Male),
    ("Roger", Gender::Male),
    ("Steffan", Gender::Male),
    ("Adam", Gender::Male),
    ("Derek", Gender::Male),
    ("Dustin", Gender::Male),
    ("Lewis", Gender::Male),
    ("Samuel", Gender::Male),
    ("Kai", Gender::Male),
    ("Ryan", Gender::Male),
];

const AZURE_OTHER_EN: &[(&str, &str, Gender)] = &[
    ("en-GB", "Sonia", Gender::Female),
    ("en-GB", "Libby", Gender::Female),
    ("en-GB", "Maisie", Gender::Female),
    ("en-GB", "Ryan", Gender::Male),
    ("en-GB", "Thomas", Gender::Male),
    ("en-AU", "Natasha", Gender::Female),
    ("en-AU", "William", Gender::Male),
    ("en-IN", "Neerja", Gender::Female),
    ("en-IN", "Prabhat", Gender::Male),
];

const NATIVE: &[(&str, Gender)] = &[
    ("ava", Gender::Female),
    ("aarti", Gender::Female),
    ("denise", Gender::Female),
    ("diya", Gender::Female),
    ("elsa", Gender::Female),
    ("francisca", Gender::Female),
    ("meera", Gender::Female),
    ("xiaoxiao", Gender::Female),
    ("ximena", Gender::Female),
    ("andrew", Gender::Male),
    ("florian", Gender::Male),
    ("yunxi", Gender::Male),
];

fn local(requested: &str, gender: Gender) -> LocalVoice {
    LocalVoice {
        requested: requested.to_string(),
        piper_voice: PIPER_VOICE,
        espeak_voice: match gender {
            Gender::Female => "en-us+f3",
            Gender::Male => "en-us+m3",
        },
        gender,
    }
}

fn known_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// Maps an OpenAI voice name (case-sensitive, as on the wire).
pub fn openai(name: &str) -> Result<LocalVoice, VoiceError> {
    OPENAI
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, g)| local(n, *g))
        .ok_or_else(|| VoiceError::Unknown {
            name: name.to_string(),
            family: "openai",
            known: known_list(OPENAI.iter().map(|(n, _)| *n)),
        })
}

/// Maps an Azure standard voice name: `en-US-AvaNeural`, `en-US-AvaMultilingualNeural` or the HD
/// form `en-US-Ava:DragonHDLatestNeural`.
pub fn azure_standard(name: &str) -> Result<LocalVoice, VoiceError> {
    let unknown = || VoiceError::Unknown {
        name: name.to_string(),
        family: "azure-standard",
        known: format!(
            "<locale>-<Name>Neural, <locale>-<Name>MultilingualNeural or \
             <locale>-<Name>:DragonHD…Neural with en-US names {}; and {}",
            known_list(AZURE_EN_US.iter().map(|(n, _)| *n)),
            AZURE_OTHER_EN
                .iter()
                .map(|(l, n, _)| format!("{l}-{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    // Locale = the first two dash-separated parts.
    let mut parts = name.splitn(3, '-');
    let (Some(lang), Some(region), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unknown());
    };
    let locale = format!("{lang}-{region}");
    let person = match rest.split_once(':') {
        Some((person, hd)) if hd.starts_with("Dragon") && hd.ends_with("Neural") => person,
        Some(_) => return Err(unknown()),
        None => {
            let Some(base) = rest.strip_suffix("Neural") else {
                return Err(unknown());
            };
            base.strip_suffix("Multilingual").unwrap_or(base)
        }
    };
    let gender = if locale == "en-US" {
        AZURE_EN_US
            .iter()
            .find(|(n, _)| *n == person)
            .map(|(_, g)| *g)
    } else {
        AZURE_OTHER_EN
            .iter()
            .find(|(l, n, _)| *l == locale && *n == person)
            .map(|(_, _, g)| *g)
    };
    gender.map(|g| local(name, g)).ok_or_else(unknown)
}

/// Maps an `azure-realtime-native` voice name (`ava`, `andrew`, …).
pub fn realtime_native(name: &str) -> Result<LocalVoice, VoiceError> {
    NATIVE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, g)| local(n, *g))
        .ok_or_else(|| VoiceError::Unknown {
            name: name.to_string(),
            family: "azure-realtime-native",
            known: known_list(NATIVE.iter().map(|(n, _)| *n)),
        })
}

/// Maps a session's `voice` to a local voice (see the module docs for the table).
pub fn resolve(voice: &Voice) -> Result<LocalVoice, VoiceError> {
    match voice {
        Voice::Name(name) => openai(name.as_str()),
        Voice::Object(VoiceObject::OpenAi(v)) => openai(v.name.as_str()),
        Voice::Object(VoiceObject::AzureStandard(v)) => azure_standard(&v.name),
        Voice::Object(VoiceObject::AzureRealtimeNative(v)) => realtime_native(&v.name),
        Voice::Object(VoiceObject::AzureCustom(_)) => Err(VoiceError::Unsupported("azure-custom")),
        Voice::Object(VoiceObject::AzurePersonal(_)) => {
            Err(VoiceError::Unsupported("azure-personal"))
        }
        Voice::Object(VoiceObject::AvatarVoiceSync(_)) => {
            Err(VoiceError::Unsupported("avatar-voice-sync"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(json: &str) -> Voice {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_openai_voice_of_the_schema_maps() {
        for name in vl_schema::voice::OpenAiVoice::KNOWN {
            let v = resolve(&voice(&format!("\"{name}\""))).unwrap();
            assert_eq!(v.piper_voice, PIPER_VOICE);
            assert_eq!(v.requested, *name);
        }
        let v = resolve(&voice(r#"{"type":"openai","name":"echo"}"#)).unwrap();
        assert_eq!((v.gender, v.espeak_voice), (Gender::Male, "en-us+m3"));
    }

    #[test]
    fn azure_standard_forms() {
        for name in [
            "en-US-AvaNeural",
            "en-US-AvaMultilingualNeural",
            "en-US-Ava:DragonHDLatestNeural",
            "en-GB-SoniaNeural",
            "en-IN-PrabhatNeural",
        ] {
            let v = resolve(&voice(&format!(
                r#"{{"type":"azure-standard","name":"{name}"}}"#
            )));
            assert!(v.is_ok(), "{name}: {v:?}");
        }
        assert_eq!(
            azure_standard("en-US-AndrewNeural").unwrap().gender,
            Gender::Male
        );
        assert_eq!(
            azure_standard("en-US-AvaNeural").unwrap().espeak_voice,
            "en-us+f3"
        );
    }

    #[test]
    fn unknown_voices_are_clear_errors() {
        let e = resolve(&voice("\"nova\"")).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`nova`") && text.contains("alloy"), "{text}");
        for bad in [
            "de-DE-KatjaNeural",
            "en-US-Nobody",
            "en-US-AvaNeural:x",
            "Ava",
            "",
        ] {
            assert!(
                matches!(azure_standard(bad), Err(VoiceError::Unknown { .. })),
                "{bad}"
            );
        }
        assert!(realtime_native("ava").is_ok());
        assert!(realtime_native("bob").is_err());
        let e = resolve(&voice(
            r#"{"type":"azure-custom","name":"x","endpoint_id":"e"}"#,
        ))
        .unwrap_err();
        assert_eq!(e, VoiceError::Unsupported("azure-custom"));
        assert!(
            resolve(&voice(
                r#"{"type":"azure-personal","name":"x","model":"DragonLatestNeural"}"#
            ))
            .is_err()
        );
    }
}
