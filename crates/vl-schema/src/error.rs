//! [`DecodeError`]: why a JSON text is not a valid event, with the wire `error` code and param.

use std::fmt;

use crate::server::ProtocolError;

/// Error codes used in `error` / `warning` events (reliability.md §2.2, protocol.md §7).
pub mod codes {
    /// The text is not valid JSON (C1, C10).
    pub const INVALID_JSON: &str = "invalid_json";
    /// Not a JSON object, or no `type` (C2, C3).
    pub const INVALID_EVENT: &str = "invalid_event";
    /// A field has the wrong JSON type (C4, C7).
    pub const INVALID_TYPE: &str = "invalid_type";
    /// A value is out of range or not one of the allowed values (C8).
    pub const INVALID_VALUE: &str = "invalid_value";
    /// A required field is missing (C9).
    pub const MISSING_REQUIRED_PARAMETER: &str = "missing_required_parameter";
    /// The event `type` is not known (decisions.md).
    pub const UNKNOWN_EVENT_TYPE: &str = "unknown_event_type";
    /// A field is not known (warning, or error in strict mode; decisions.md).
    pub const UNKNOWN_PARAMETER: &str = "unknown_parameter";
    /// Server echo cancellation cannot use two input channels.
    pub const INVALID_EC_CHANNELS_REQUIRES_CLIENT: &str = "invalid_ec_channels_requires_client";
    /// Client-reference echo cancellation needs two input channels.
    pub const INVALID_EC_REFERENCE_CHANNELS: &str = "invalid_ec_reference_channels";
}

/// Longest message a [`DecodeError`] produces (reliability.md §2.2: ≤ 256 chars).
const MAX_MESSAGE_CHARS: usize = 256;
/// Longest `event_id` echoed back (reliability.md §2.1).
const MAX_EVENT_ID_CHARS: usize = 512;

/// Why a JSON text could not be decoded as an event.
///
/// Small on purpose (one pointer): the details are boxed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct DecodeError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: DecodeErrorKind,
    event_id: Option<String>,
    message: String,
}

/// The category of a [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// Not valid JSON (also: duplicate keys, nesting deeper than 128). Code `invalid_json`.
    Syntax,
    /// Valid JSON but not an object. Code `invalid_event`.
    NotAnObject,
    /// An object without `type`. Code `invalid_event`.
    MissingType,
    /// `type` is not a string. Code `invalid_type`, param `type`.
    InvalidTypeField,
    /// `type` names no event of this direction. Code `unknown_event_type`, param `type`.
    UnknownType {
        /// The unknown type (truncated to 128 chars).
        type_name: String,
    },
    /// A field of a known event is missing or invalid. Param: its JSON path.
    InvalidField {
        /// JSON path, e.g. `session.turn_detection.threshold` or `session.tools[0].name`.
        path: String,
        /// What is wrong with it.
        problem: FieldProblem,
    },
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldProblem {
    /// A required field is absent. Code `missing_required_parameter`.
    Missing,
    /// The JSON type is wrong (including `null` where not allowed). Code `invalid_type`.
    WrongType,
    /// The type is right but the value is not allowed (unknown enum value, out of range for the
    /// integer type). Code `invalid_value`.
    InvalidValue,
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, event_id: Option<String>, message: String) -> Self {
        let event_id = event_id.map(|id| truncate(&id, MAX_EVENT_ID_CHARS));
        Self(Box::new(Inner {
            kind,
            event_id,
            message: truncate(&message, MAX_MESSAGE_CHARS),
        }))
    }

    pub(crate) fn syntax(detail: &str) -> Self {
        Self::new(
            DecodeErrorKind::Syntax,
            None,
            format!("The event is not valid JSON: {detail}."),
        )
    }

    pub(crate) fn not_an_object() -> Self {
        Self::new(
            DecodeErrorKind::NotAnObject,
            None,
            "Expected a JSON object.".to_owned(),
        )
    }

    pub(crate) fn missing_type(event_id: Option<String>) -> Self {
        Self::new(
            DecodeErrorKind::MissingType,
            event_id,
            "The 'type' field is missing.".to_owned(),
        )
    }

    pub(crate) fn invalid_type_field(event_id: Option<String>) -> Self {
        Self::new(
            DecodeErrorKind::InvalidTypeField,
            event_id,
            "Invalid type for 'type': expected a string.".to_owned(),
        )
    }

    pub(crate) fn unknown_type(type_name: &str, event_id: Option<String>) -> Self {
        let type_name = truncate(type_name, 128);
        let message = format!("Invalid value: '{type_name}'. Not a supported event type.");
        Self::new(
            DecodeErrorKind::UnknownType { type_name },
            event_id,
            message,
        )
    }

    pub(crate) fn field(
        path: String,
        problem: FieldProblem,
        detail: &str,
        event_id: Option<String>,
    ) -> Self {
        let message = match problem {
            FieldProblem::Missing => format!("Missing required parameter: '{path}'."),
            FieldProblem::WrongType => format!("Invalid type for '{path}': expected {detail}."),
            FieldProblem::InvalidValue => format!("Invalid value for '{path}': expected {detail}."),
        };
        Self::new(
            DecodeErrorKind::InvalidField { path, problem },
            event_id,
            message,
        )
    }

    /// Classifies a path-tracked serde error of a known event type.
    pub(crate) fn from_path_error(
        err: &serde_path_to_error::Error<serde_json::Error>,
        event_id: Option<String>,
    ) -> Self {
        let inner = err.inner();
        if inner.is_syntax() || inner.is_eof() {
            // The text was valid JSON (the peek parsed it): a field's own parser refused the
            // shape of its value. Name the field and keep the client's event id.
            let path = err.path().to_string();
            if !path.is_empty() && path != "." {
                return Self::field(path, FieldProblem::WrongType, "a valid value", event_id);
            }
            return Self::new(
                DecodeErrorKind::Syntax,
                event_id,
                format!("The event is not valid JSON: {inner}."),
            );
        }
        let full = inner.to_string();
        // serde_json appends " at line L column C" to messages of errors it positions.
        let message = match full.rfind(" at line ") {
            Some(at) if inner.line() != 0 => full.get(..at).unwrap_or(&full),
            _ => full.as_str(),
        };
        let (embedded, message) = crate::de::split_path(message);
        let outer = err.path().to_string();
        let mut path = crate::de::join_path(&outer, embedded.unwrap_or(""));
        if let Some(rest) = message.strip_prefix("missing field `") {
            let field = rest.split('`').next().unwrap_or_default();
            path = crate::de::join_path(&path, field);
            return Self::field(path, FieldProblem::Missing, "", event_id);
        }
        if message.starts_with("duplicate field `") {
            return Self::new(
                DecodeErrorKind::Syntax,
                event_id,
                format!("The event is not valid JSON: duplicate key '{path}'."),
            );
        }
        let expected = message
            .split_once(", expected ")
            .map_or("a valid value", |(_, expected)| expected);
        let problem = if message.starts_with("invalid type: ") {
            FieldProblem::WrongType
        } else {
            FieldProblem::InvalidValue
        };
        Self::field(path, problem, expected, event_id)
    }

    /// The category.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }

    /// The client's `event_id`, recovered by a best-effort peek (to echo in `error.event_id`).
    pub fn event_id(&self) -> Option<&str> {
        self.0.event_id.as_deref()
    }

    /// A message a person understands (≤ 256 chars, never the offending payload).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The wire `error.code` for this error.
    pub fn code(&self) -> &'static str {
        match &self.0.kind {
            DecodeErrorKind::Syntax => codes::INVALID_JSON,
            DecodeErrorKind::NotAnObject | DecodeErrorKind::MissingType => codes::INVALID_EVENT,
            DecodeErrorKind::InvalidTypeField => codes::INVALID_TYPE,
            DecodeErrorKind::UnknownType { .. } => codes::UNKNOWN_EVENT_TYPE,
            DecodeErrorKind::InvalidField { problem, .. } => match problem {
                FieldProblem::Missing => codes::MISSING_REQUIRED_PARAMETER,
                FieldProblem::WrongType => codes::INVALID_TYPE,
                FieldProblem::InvalidValue => codes::INVALID_VALUE,
            },
        }
    }

    /// The wire `error.param`: the JSON path concerned, if any.
    pub fn param(&self) -> Option<&str> {
        match &self.0.kind {
            DecodeErrorKind::InvalidTypeField | DecodeErrorKind::UnknownType { .. } => Some("type"),
            DecodeErrorKind::InvalidField { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The `error` object to send for this error (`invalid_request_error`).
    pub fn to_protocol_error(&self) -> ProtocolError {
        ProtocolError::invalid_request(self.code(), self.message(), self.param().map(str::to_owned))
            .with_event_id(self.0.event_id.clone())
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("syntax"),
            Self::NotAnObject => f.write_str("not an object"),
            Self::MissingType => f.write_str("missing type"),
            Self::InvalidTypeField => f.write_str("invalid type field"),
            Self::UnknownType { type_name } => write!(f, "unknown type {type_name}"),
            Self::InvalidField { path, problem } => write!(f, "invalid field {path} ({problem:?})"),
        }
    }
}

/// Truncates to at most `max` chars, on a char boundary.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text.get(..end).unwrap_or(text).to_owned(),
        None => text.to_owned(),
    }
}
