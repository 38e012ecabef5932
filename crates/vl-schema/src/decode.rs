//! Decoding and encoding: peek `type` first, then deserialize the matching payload struct.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::client::{ClientEvent, InputAudioBufferAppend};
use crate::error::{DecodeError, DecodeErrorKind, FieldProblem};
use crate::server::ServerEvent;

const APPEND: &str = "input_audio_buffer.append";

/// A top-level value seen by the peek, borrowed where possible.
#[derive(Debug)]
enum Loose<'a> {
    Null,
    Str(Cow<'a, str>),
    Other,
}

impl Loose<'_> {
    fn to_event_id(&self) -> Option<String> {
        match self {
            Self::Str(s) => Some(s.clone().into_owned()),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Loose<'de>, E> {
                Ok(Loose::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose<'de>, E> {
                Ok(Loose::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Loose<'de>, E> {
                Ok(Loose::Str(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose<'de>, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Loose<'de>, E> {
                Ok(Loose::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Loose<'de>, E> {
                Ok(Loose::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Loose<'de>, E> {
                Ok(Loose::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Loose<'de>, E> {
                Ok(Loose::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Loose<'de>, E> {
                Ok(Loose::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Skips any value through `deserialize_any`, so serde_json's nesting limit (128) applies;
/// `IgnoredAny` skips iteratively and would accept arbitrarily deep unknown fields.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// The keys the peek looks at.
enum PeekKey {
    Type,
    EventId,
    Audio,
    Other,
}

impl<'de> Deserialize<'de> for PeekKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PeekKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PeekKey, E> {
                Ok(match v {
                    "type" => PeekKey::Type,
                    "event_id" => PeekKey::EventId,
                    "audio" => PeekKey::Audio,
                    _ => PeekKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// `type`, `event_id` and `audio` of an event object; everything else is skipped unparsed.
#[derive(Debug, Default)]
struct Peek<'a> {
    kind: Option<Loose<'a>>,
    event_id: Option<Loose<'a>>,
    audio: Option<Loose<'a>>,
}

const NOT_AN_OBJECT: &str = "a JSON object";

impl<'de> Deserialize<'de> for Peek<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Peek<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(NOT_AN_OBJECT)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Peek<'de>, A::Error> {
                let mut peek = Peek::default();
                while let Some(key) = map.next_key::<PeekKey>()? {
                    let (slot, name) = match key {
                        PeekKey::Type => (&mut peek.kind, "type"),
                        PeekKey::EventId => (&mut peek.event_id, "event_id"),
                        PeekKey::Audio => (&mut peek.audio, "audio"),
                        PeekKey::Other => {
                            map.next_value::<Skip>()?;
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(name));
                    }
                    *slot = Some(map.next_value::<Loose<'de>>()?);
                }
                Ok(peek)
            }
        }
        deserializer.deserialize_map(V)
    }
}

fn peek(json: &str) -> Result<Peek<'_>, DecodeError> {
    serde_json::from_str::<Peek<'_>>(json).map_err(|e| {
        if e.is_data() && e.to_string().contains(NOT_AN_OBJECT) {
            DecodeError::not_an_object()
        } else {
            let text = e.to_string();
            DecodeError::syntax(&text)
        }
    })
}

impl<'a> Peek<'a> {
    fn event_id(&self) -> Option<String> {
        self.event_id.as_ref().and_then(Loose::to_event_id)
    }

    fn type_name(&self) -> Result<&str, DecodeError> {
        match &self.kind {
            Some(Loose::Str(kind)) => Ok(kind),
            None => Err(DecodeError::missing_type(self.event_id())),
            Some(_) => Err(DecodeError::invalid_type_field(self.event_id())),
        }
    }

    /// The append payload straight from the peek, when it is well-formed.
    fn into_append(self) -> Option<InputAudioBufferAppend> {
        let event_id = match self.event_id {
            None | Some(Loose::Null) => None,
            Some(Loose::Str(id)) => Some(id.into_owned()),
            Some(Loose::Other) => return None,
        };
        match self.audio {
            Some(Loose::Str(audio)) => Some(InputAudioBufferAppend {
                event_id,
                audio: audio.into_owned(),
            }),
            _ => None,
        }
    }
}

/// Decodes one client event.
///
/// The `type` is peeked first (one pass that borrows strings and skips other values); the
/// matching payload struct is then deserialized with its JSON path tracked. For
/// `input_audio_buffer.append` the peek already holds `audio`, so the event is built from it
/// without a second parse or serde's tagged-enum buffering.
///
/// # Errors
///
/// A [`DecodeError`] for invalid JSON, a non-object, a missing or non-string `type`, an unknown
/// type, or a missing / invalid field (with its path). Never panics.
pub fn decode_client_event(json: &str) -> Result<ClientEvent, DecodeError> {
    let peek = peek(json)?;
    let type_name = peek.type_name()?;
    if type_name == APPEND {
        let event_id = peek.event_id();
        if let Some(append) = peek.into_append() {
            return Ok(ClientEvent::InputAudioBufferAppend(append));
        }
        return typed(ClientEvent::decode_typed(APPEND, json), APPEND, event_id);
    }
    let event_id = peek.event_id();
    typed(
        ClientEvent::decode_typed(type_name, json),
        type_name,
        event_id,
    )
}

/// Decodes one server event (used when this crate acts as a client, and by tests).
///
/// # Errors
///
/// As [`decode_client_event`].
pub fn decode_server_event(json: &str) -> Result<ServerEvent, DecodeError> {
    let peek = peek(json)?;
    let type_name = peek.type_name()?;
    let event_id = peek.event_id();
    typed(
        ServerEvent::decode_typed(type_name, json),
        type_name,
        event_id,
    )
}

fn typed<T>(
    result: Option<Result<T, serde_path_to_error::Error<serde_json::Error>>>,
    type_name: &str,
    event_id: Option<String>,
) -> Result<T, DecodeError> {
    match result {
        None => Err(DecodeError::unknown_type(type_name, event_id)),
        Some(Ok(event)) => Ok(event),
        Some(Err(err)) => Err(DecodeError::from_path_error(&err, event_id)),
    }
}

/// Serializes a server event to JSON text.
pub fn encode_server_event(event: &ServerEvent) -> String {
    // Serialization cannot fail: every map is keyed by strings and no type has a fallible
    // `Serialize`. The fallback keeps the signature infallible without a panic.
    serde_json::to_string(event).unwrap_or_else(|_| ENCODE_FALLBACK.to_owned())
}

/// Serializes a client event to JSON text.
pub fn encode_client_event(event: &ClientEvent) -> String {
    // See `encode_server_event`.
    serde_json::to_string(event).unwrap_or_else(|_| ENCODE_FALLBACK.to_owned())
}

const ENCODE_FALLBACK: &str = r#"{"type":"error","error":{"type":"server_error","code":"encode_failed","message":"The event could not be serialized.","param":null,"event_id":null}}"#;

/// A borrowed view of `input_audio_buffer.append`: `audio` borrows the input unless it
/// contains JSON escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRef<'a> {
    /// The client's event id.
    pub event_id: Option<&'a str>,
    /// Base64 audio.
    pub audio: Cow<'a, str>,
}

impl AppendRef<'_> {
    /// An owned [`InputAudioBufferAppend`].
    pub fn to_owned_event(&self) -> InputAudioBufferAppend {
        InputAudioBufferAppend {
            event_id: self.event_id.map(str::to_owned),
            audio: self.audio.clone().into_owned(),
        }
    }
}

/// Parses an `input_audio_buffer.append` without copying the audio.
///
/// # Errors
///
/// As [`decode_client_event`]; additionally an `InvalidField` at `type` if the event is not an
/// append, and at `event_id` if the event id contains JSON escapes (it cannot be borrowed; use
/// [`decode_client_event`] for such input).
pub fn parse_append_ref(json: &str) -> Result<AppendRef<'_>, DecodeError> {
    let peek = peek(json)?;
    let type_name = peek.type_name()?;
    let event_id_owned = peek.event_id();
    if type_name != APPEND {
        return Err(DecodeError::field(
            "type".to_owned(),
            FieldProblem::InvalidValue,
            "`input_audio_buffer.append`",
            event_id_owned,
        ));
    }
    let event_id = match peek.event_id {
        None | Some(Loose::Null) => None,
        Some(Loose::Str(Cow::Borrowed(id))) => Some(id),
        Some(Loose::Str(Cow::Owned(_))) => {
            return Err(DecodeError::field(
                "event_id".to_owned(),
                FieldProblem::InvalidValue,
                "a string without escapes",
                event_id_owned,
            ));
        }
        Some(Loose::Other) => {
            return Err(DecodeError::field(
                "event_id".to_owned(),
                FieldProblem::WrongType,
                "a string",
                None,
            ));
        }
    };
    match peek.audio {
        Some(Loose::Str(audio)) => Ok(AppendRef { event_id, audio }),
        None => Err(DecodeError::field(
            "audio".to_owned(),
            FieldProblem::Missing,
            "",
            event_id_owned,
        )),
        Some(_) => Err(DecodeError::field(
            "audio".to_owned(),
            FieldProblem::WrongType,
            "a string",
            event_id_owned,
        )),
    }
}

/// Key pairs that name the same field (an alias in the input is not an unknown field).
const KEY_ALIASES: &[(&str, &str)] = &[
    ("max_output_tokens", "max_response_output_tokens"),
    ("max_response_output_tokens", "max_output_tokens"),
    ("interim-response", "interim_response"),
    ("url", "image_url"),
    ("function", "name"),
];

/// Lists the JSON paths of fields in `json` that the typed `event` does not know (and so were
/// ignored when decoding), e.g. `session.foo` or `session.tools[0].bar`.
///
/// Works by comparing the input with the re-serialized event: a key missing from the typed
/// form is unknown. Known aliases count as known. Limitation: an unknown key whose value is
/// `null` is not reported (a known optional field sent as `null` is dropped the same way).
/// For `input_audio_buffer.append` only the top-level keys are scanned and the audio is not
/// copied.
pub fn unknown_fields(json: &str, event: &ClientEvent) -> Vec<String> {
    if let ClientEvent::InputAudioBufferAppend(_) = event {
        let Ok(keys) = serde_json::from_str::<BTreeMap<String, IgnoredAny>>(json) else {
            return Vec::new();
        };
        return keys
            .into_keys()
            .filter(|k| !matches!(k.as_str(), "type" | "event_id" | "audio"))
            .collect();
    }
    let (Ok(input), Ok(typed)) = (
        serde_json::from_str::<Value>(json),
        serde_json::to_value(event),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    diff(&input, &typed, "", &mut out);
    out
}

fn diff(input: &Value, typed: &Value, path: &str, out: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(input), Value::Object(typed)) => {
            for (key, value) in input {
                let child = crate::de::join_path(path, key);
                let known = typed.get(key).or_else(|| {
                    KEY_ALIASES
                        .iter()
                        .find(|(alias, _)| alias == key)
                        .and_then(|(_, canonical)| typed.get(*canonical))
                });
                match known {
                    Some(typed_value) => diff(value, typed_value, &child, out),
                    None if value.is_null() => {}
                    None => out.push(child),
                }
            }
        }
        (Value::Array(input), Value::Array(typed)) => {
            for (index, (value, typed_value)) in input.iter().zip(typed).enumerate() {
                diff(value, typed_value, &format!("{path}[{index}]"), out);
            }
        }
        _ => {}
    }
}

impl DecodeErrorKind {
    /// True for [`DecodeErrorKind::UnknownType`].
    pub fn is_unknown_type(&self) -> bool {
        matches!(self, Self::UnknownType { .. })
    }
}
