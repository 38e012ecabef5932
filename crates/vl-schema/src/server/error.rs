//! `error` and `warning`, and the protocol error object they carry.

use serde::{Deserialize, Serialize};

open_enum! {
    /// `error.type`.
    ErrorType {
        /// The client sent something invalid.
        InvalidRequestError = "invalid_request_error",
        /// The server failed.
        ServerError = "server_error",
    }
}

/// The error object of the `error` event (§7): also what validation returns.
///
/// `code`, `param` and `event_id` are always serialized (as `null` when unset), as the service
/// does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolError {
    /// `invalid_request_error` or `server_error`.
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// Machine-readable code, e.g. `invalid_value`.
    #[serde(default)]
    pub code: Option<String>,
    /// A message a person understands (never echoes the bad payload).
    pub message: String,
    /// JSON path of the offending parameter, e.g. `session.temperature`.
    #[serde(default)]
    pub param: Option<String>,
    /// The `event_id` of the client event that caused it.
    #[serde(default)]
    pub event_id: Option<String>,
}

impl ProtocolError {
    /// An `invalid_request_error` with `code`, `message` and `param`.
    pub fn invalid_request(
        code: impl Into<String>,
        message: impl Into<String>,
        param: Option<String>,
    ) -> Self {
        Self {
            kind: ErrorType::InvalidRequestError,
            code: Some(code.into()),
            message: message.into(),
            param,
            event_id: None,
        }
    }

    /// A `server_error` with `code` and `message`.
    pub fn server_error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorType::ServerError,
            code: Some(code.into()),
            message: message.into(),
            param: None,
            event_id: None,
        }
    }

    /// Sets the echoed client `event_id`.
    #[must_use]
    pub fn with_event_id(mut self, event_id: Option<String>) -> Self {
        self.event_id = event_id;
        self
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(param) = &self.param {
            write!(f, " [param {param}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProtocolError {}

wire_struct! {
    /// The object of the `warning` event.
    Warning {
        /// What happened.
        message: String,
        /// Machine-readable code, e.g. `unknown_parameter`.
        code?: String,
        /// JSON path concerned.
        param?: String,
    }
}

event_struct! {
    /// A (usually recoverable) error; the session stays open.
    ErrorEvent {
        /// The error.
        error: ProtocolError,
    }
}

event_struct! {
    /// A non-fatal warning.
    WarningEvent {
        /// The warning.
        warning: Warning,
    }
}
