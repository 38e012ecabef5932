//! Errors of the clients: every message is written for a person and never carries more than a
//! short excerpt of what the server sent.

use std::time::Duration;

/// Longest excerpt of a server's error text kept in an [`Error`], in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Everything that can go wrong talking to an OpenAI-compatible service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configured URL cannot be used.
    #[error("invalid endpoint URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as configured.
        url: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The request could not be built (e.g. a header value with invalid characters).
    #[error("could not build the request: {0}")]
    Request(String),
    /// No connection could be made (after all retries).
    #[error("could not connect to {url} after {attempts} attempt(s): {reason}")]
    Connect {
        /// Where we tried to connect.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The service answered 429 Too Many Requests (after all retries).
    #[error(
        "the service is rate limiting requests (HTTP 429) after {attempts} attempt(s): {message}"
    )]
    RateLimited {
        /// How many attempts were made.
        attempts: u32,
        /// The service's message (an excerpt).
        message: String,
    },
    /// The service answered with an HTTP error status (for 5xx: after all retries).
    #[error("the service answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The service's message (an excerpt).
        message: String,
    },
    /// No response headers arrived in time.
    #[error("the service did not answer within {} ms", .0.as_millis())]
    ResponseTimeout(Duration),
    /// Headers arrived but no generated content did in time (e.g. only keep-alive comments).
    #[error("the service sent no output within {} ms of the request", .0.as_millis())]
    FirstTokenTimeout(Duration),
    /// The stream had begun but no bytes arrived for too long.
    #[error("the stream stalled: no data for {} ms", .0.as_millis())]
    Stalled(Duration),
    /// The connection broke after the response had begun.
    #[error("the connection broke during the response: {0}")]
    Interrupted(String),
    /// The server closed the response before sending anything usable.
    #[error("the service closed the response without sending any output")]
    EmptyResponse,
    /// A size cap was exceeded.
    #[error("the response exceeded the {what} limit of {limit} bytes")]
    TooLarge {
        /// Which limit (`event`, `response`, `tool arguments`, ...).
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The service sent something that is not the expected format.
    #[error("the service sent an invalid response: {0}")]
    Protocol(String),
    /// The service reported an error inside the stream.
    #[error("the service reported an error: {0}")]
    Service(String),
}

impl Error {
    /// A machine-readable code for the Voice Live `error` event / `response.done` failure:
    /// `rate_limit_exceeded`, `backend_timeout`, `backend_unavailable` or `backend_error`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limit_exceeded",
            Self::ResponseTimeout(_) | Self::FirstTokenTimeout(_) | Self::Stalled(_) => {
                "backend_timeout"
            }
            Self::Connect { .. } => "backend_unavailable",
            Self::Status { status, .. } if *status >= 500 => "backend_unavailable",
            _ => "backend_error",
        }
    }

    /// Whether a new attempt of the same request may succeed (connect failures, 429, 5xx,
    /// timeouts, broken connections).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. }
            | Self::RateLimited { .. }
            | Self::ResponseTimeout(_)
            | Self::FirstTokenTimeout(_)
            | Self::Stalled(_)
            | Self::Interrupted(_) => true,
            Self::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// A short, single-line excerpt of `text` for error messages: control characters become spaces,
/// runs of whitespace collapse, and at most [`EXCERPT_CHARS`] characters are kept.
pub fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    let mut last_space = true;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        if count == EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The human message of an error body: `error.message` of an OpenAI-style JSON error (or
/// `message` / `detail` / a string `error`), else an excerpt of the text itself.
pub fn error_message_from_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Some(m) = json_error_message(&v) {
            return excerpt(&m);
        }
    }
    let e = excerpt(&text);
    if e.is_empty() {
        "(empty body)".to_owned()
    } else {
        e
    }
}

/// Extracts a message from an OpenAI-style error value, if there is one.
pub(crate) fn json_error_message(v: &serde_json::Value) -> Option<String> {
    let err = v.get("error").unwrap_or(v);
    if let Some(s) = err.as_str() {
        return Some(s.to_owned());
    }
    for key in ["message", "detail", "msg"] {
        if let Some(m) = err.get(key) {
            return Some(match m.as_str() {
                Some(s) => s.to_owned(),
                None => m.to_string(),
            });
        }
    }
    if v.get("error").is_some() {
        return Some(err.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_short_and_single_line() {
        let long = "a\nb\t\tc ".repeat(200);
        let e = excerpt(&long);
        assert!(!e.contains('\n'));
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(e.starts_with("a b c a b c"));
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("  hi  "), "hi");
    }

    #[test]
    fn messages_from_bodies() {
        let b =
            br#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#;
        assert_eq!(error_message_from_body(b), "Incorrect API key provided");
        assert_eq!(
            error_message_from_body(br#"{"error":"model not found"}"#),
            "model not found"
        );
        assert_eq!(
            error_message_from_body(br#"{"detail":"Not Found"}"#),
            "Not Found"
        );
        assert_eq!(
            error_message_from_body(b"<html>Bad gateway</html>"),
            "<html>Bad gateway</html>"
        );
        assert_eq!(error_message_from_body(b""), "(empty body)");
    }

    #[test]
    fn codes() {
        assert_eq!(
            Error::RateLimited {
                attempts: 3,
                message: String::new()
            }
            .code(),
            "rate_limit_exceeded"
        );
        assert_eq!(
            Error::Stalled(Duration::from_secs(1)).code(),
            "backend_timeout"
        );
        assert_eq!(
            Error::Status {
                status: 503,
                message: String::new()
            }
            .code(),
            "backend_unavailable"
        );
        assert_eq!(
            Error::Status {
                status: 400,
                message: String::new()
            }
            .code(),
            "backend_error"
        );
        assert!(
            !Error::Status {
                status: 400,
                message: String::new()
            }
            .is_transient()
        );
    }
}
