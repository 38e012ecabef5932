//! The `error` / `warning` answers of the engine (reliability.md §2.2, protocol.md §7).

use vl_schema::ProtocolError;

/// Codes the engine uses beyond the decoding codes of `vl_schema::error::codes`.
pub mod codes {
    /// `input_audio_buffer.commit` with less than the minimum audio (C18).
    pub const COMMIT_EMPTY: &str = "input_audio_buffer_commit_empty";
    /// An append that would overflow the uncommitted buffer (C16).
    pub const BUFFER_FULL: &str = "input_audio_buffer_full";
    /// `response.create` while a response is active (C19).
    pub const ACTIVE_RESPONSE: &str = "conversation_already_has_active_response";
    /// `response.cancel` with nothing active (C20).
    pub const CANCEL_NOT_ACTIVE: &str = "response_cancel_not_active";
    /// A value out of range, an unknown item id, … (C8, C21).
    pub const INVALID_VALUE: &str = "invalid_value";
    /// A field that this version does not know (warning, or error in strict mode).
    pub const UNKNOWN_PARAMETER: &str = "unknown_parameter";
    /// Too many client events (C22).
    pub const RATE_LIMIT: &str = "rate_limit_exceeded";
    /// The session reached its maximum duration (E1).
    pub const SESSION_EXPIRED: &str = "session_expired";
    /// `conversation.item.create` beyond `Limits::max_items`.
    pub const MAX_ITEMS: &str = "max_items_exceeded";
    /// A feature this server does not implement (avatar, MCP approvals).
    pub const UNSUPPORTED: &str = "unsupported_feature";
    /// The session will expire soon (warning).
    pub const SESSION_EXPIRING: &str = "session_expiring";
    /// `azure_deep_noise_suppression` could not get a deep stage (e.g. the server's limit on
    /// concurrent deep streams); the built-in suppressor runs instead (warning).
    pub const DEEP_NOISE_SUPPRESSION_UNAVAILABLE: &str = "deep_noise_suppression_unavailable";
    /// A backend failed (`response.done` failed).
    pub const BACKEND_ERROR: &str = "backend_error";
    /// A backend did not answer in time (`response.done` failed).
    pub const BACKEND_TIMEOUT: &str = "backend_timeout";
}

/// An `invalid_request_error` with `code`, `message` and `param`.
pub(crate) fn invalid(
    code: &str,
    message: impl Into<String>,
    param: Option<&str>,
) -> ProtocolError {
    ProtocolError::invalid_request(code, message, param.map(str::to_owned))
}

/// An `invalid_value` error for `param`.
pub(crate) fn invalid_value(param: &str, message: impl Into<String>) -> ProtocolError {
    invalid(codes::INVALID_VALUE, message, Some(param))
}
