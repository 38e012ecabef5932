//! The Azure signalling encoding of SDP: `client_sdp` / `server_sdp` are base64 of the JSON of an
//! `RTCSessionDescription` (`btoa(JSON.stringify(pc.localDescription))`, avatar.md §1.3).
//!
//! Decoding is tolerant: raw SDP (`v=0…`), base64 of raw SDP, and base64 of the JSON (standard or
//! URL-safe alphabet, padded or not) are all accepted.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Why a `client_sdp` was refused. The server maps every variant to an `error` event with
/// `type: invalid_request_error` and `param: client_sdp`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// The value is empty.
    #[error("client_sdp is empty")]
    Empty,
    /// Neither raw SDP nor base64.
    #[error("client_sdp is neither SDP nor base64")]
    NotBase64,
    /// The decoded bytes are not UTF-8 text.
    #[error("client_sdp does not decode to text")]
    NotText,
    /// A JSON `RTCSessionDescription` without an `sdp` string, or with a `type` other than `offer`.
    #[error("client_sdp: {0}")]
    BadDescription(String),
    /// The text is not a parsable SDP offer.
    #[error("client_sdp is not a valid SDP offer: {0}")]
    BadSdp(String),
}

impl SdpError {
    /// The request parameter the error refers to (for the `error` event's `param`).
    pub const PARAM: &'static str = "client_sdp";
}

/// Extracts the SDP text from a `client_sdp` value (raw, base64 or base64-JSON).
pub fn decode_client_sdp(value: &str) -> Result<String, SdpError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(SdpError::Empty);
    }
    if value.starts_with("v=0") {
        return Ok(value.to_owned());
    }
    if value.starts_with('{') {
        return from_json(value);
    }
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(compact.as_bytes()).ok())
        .ok_or(SdpError::NotBase64)?;
    let text = String::from_utf8(bytes).map_err(|_| SdpError::NotText)?;
    let text = text.trim();
    if text.starts_with('{') {
        from_json(text)
    } else if text.starts_with("v=0") {
        Ok(text.to_owned())
    } else {
        Err(SdpError::BadSdp("does not start with v=0".into()))
    }
}

fn from_json(text: &str) -> Result<String, SdpError> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| SdpError::BadDescription(e.to_string()))?;
    if let Some(kind) = json.get("type").and_then(|t| t.as_str()) {
        if kind != "offer" {
            return Err(SdpError::BadDescription(format!(
                "expected type \"offer\", got \"{kind}\""
            )));
        }
    }
    json.get("sdp")
        .and_then(|s| s.as_str())
        .map(str::to_owned)
        .ok_or_else(|| SdpError::BadDescription("missing \"sdp\" string".into()))
}

/// Encodes an answer the Azure way: base64 of `{"type":"answer","sdp":…}`.
pub fn encode_server_sdp(answer_sdp: &str) -> String {
    let json = serde_json::json!({"type": "answer", "sdp": answer_sdp});
    STANDARD.encode(json.to_string())
}

/// Parses a `server_sdp` (base64-JSON answer) back to SDP text; for clients and tests.
pub fn decode_server_sdp(value: &str) -> Option<String> {
    let bytes = STANDARD.decode(value.trim()).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    (json.get("type")?.as_str()? == "answer").then_some(())?;
    Some(json.get("sdp")?.as_str()?.to_owned())
}

/// Encodes an offer the way browsers and the official samples do (for clients and tests).
pub fn encode_client_sdp(offer_sdp: &str) -> String {
    let json = serde_json::json!({"type": "offer", "sdp": offer_sdp});
    STANDARD.encode(json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    #[test]
    fn accepts_every_documented_shape() {
        let json = serde_json::json!({"type": "offer", "sdp": SDP}).to_string();
        assert_eq!(decode_client_sdp(&encode_client_sdp(SDP)).unwrap(), SDP);
        assert_eq!(decode_client_sdp(SDP).unwrap(), SDP.trim());
        assert_eq!(
            decode_client_sdp(&STANDARD.encode(SDP)).unwrap(),
            SDP.trim()
        );
        assert_eq!(
            decode_client_sdp(&URL_SAFE_NO_PAD.encode(&json)).unwrap(),
            SDP
        );
        assert_eq!(decode_client_sdp(&json).unwrap(), SDP);
        // Line-wrapped base64 (some encoders insert newlines).
        let wrapped: String = encode_client_sdp(SDP)
            .as_bytes()
            .chunks(20)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        assert_eq!(decode_client_sdp(&wrapped).unwrap(), SDP);
    }

    #[test]
    fn refuses_garbage_with_typed_errors() {
        assert_eq!(decode_client_sdp("  "), Err(SdpError::Empty));
        assert_eq!(decode_client_sdp("not base64 !!"), Err(SdpError::NotBase64));
        assert_eq!(
            decode_client_sdp(&STANDARD.encode([0xff, 0xfe])),
            Err(SdpError::NotText)
        );
        assert!(matches!(
            decode_client_sdp(&STANDARD.encode("hello")),
            Err(SdpError::BadSdp(_))
        ));
        let answer = serde_json::json!({"type": "answer", "sdp": SDP}).to_string();
        assert!(matches!(
            decode_client_sdp(&STANDARD.encode(answer)),
            Err(SdpError::BadDescription(_))
        ));
        assert!(matches!(
            decode_client_sdp(&STANDARD.encode("{\"type\":\"offer\"}")),
            Err(SdpError::BadDescription(_))
        ));
        assert_eq!(SdpError::PARAM, "client_sdp");
    }

    #[test]
    fn server_sdp_round_trips() {
        assert_eq!(decode_server_sdp(&encode_server_sdp(SDP)).unwrap(), SDP);
        assert!(decode_server_sdp(&encode_client_sdp(SDP)).is_none());
    }
}
