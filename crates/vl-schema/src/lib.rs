//! Typed serde models of the Voice Live realtime API (version 2026-07-15).
//!
//! This crate is the only one in the workspace that knows JSON: every client and server event,
//! the session object in its request (patch) and response (effective) forms, validation of values
//! with the protocol's error codes, and the mapping between the Voice Live and OpenAI GA dialects.
//!
//! ```
//! use vl_schema::server::{ResponseAudioDelta, ServerEvent};
//! use vl_schema::{decode_client_event, encode_server_event, ClientEvent};
//!
//! // Parse a client event (the SDK puts `type` last).
//! let event = decode_client_event(r#"{"session":{"voice":"alloy"},"type":"session.update"}"#)?;
//! let ClientEvent::SessionUpdate(update) = &event else { panic!("not a session.update") };
//! assert_eq!(update.session.voice.as_ref().and_then(|v| v.name()), Some("alloy"));
//! assert_eq!(event.type_name(), "session.update");
//!
//! // Build and serialize a server event.
//! let delta = ServerEvent::from(ResponseAudioDelta {
//!     event_id: Some("event_1".into()),
//!     response_id: "resp_1".into(),
//!     item_id: "item_1".into(),
//!     output_index: 0,
//!     content_index: 0,
//!     delta: "AAAA".into(),
//! });
//! let json = encode_server_event(&delta);
//! assert!(json.contains(r#""type":"response.audio.delta""#));
//! # Ok::<(), vl_schema::DecodeError>(())
//! ```
//!
//! Errors of bad input map to the wire `error` event with [`DecodeError::code`] and
//! [`DecodeError::param`]; values are checked by [`validate`]; the effective session is kept
//! with [`ResponseSession::apply`]; [`dialect`] maps to and from the OpenAI GA shapes.

#[macro_use]
mod macros;

pub mod audio_format;
pub mod client;
mod de;
mod decode;
pub mod dialect;
pub mod error;
pub mod item;
pub mod server;
pub mod session;
pub mod tool;
pub mod turn_detection;
pub mod validate;
pub mod voice;

pub use client::ClientEvent;
pub use decode::{
    AppendRef, decode_client_event, decode_server_event, encode_client_event, encode_server_event,
    parse_append_ref, unknown_fields,
};
pub use error::{DecodeError, DecodeErrorKind, FieldProblem};
pub use server::{ProtocolError, ServerEvent};
pub use session::{RequestSession, ResponseSession};

/// The API version these models describe.
pub const API_VERSION: &str = "2026-07-15";
