//! Avatar client events are defined with the session events ([`super::SessionAvatarConnect`])
//! and the output buffer events ([`super::OutputAudioBufferClear`]); this module re-exports them
//! under the avatar name for discoverability.

pub use super::input_audio::OutputAudioBufferClear;
pub use super::session::SessionAvatarConnect;
