//! A talking 2D avatar over WebRTC for Voice Live's `session.avatar` (avatar.md).
//!
//! - [`renderer`] + [`rig`] + [`viseme`]: a flat tiny-skia face whose mouth follows the Azure
//!   viseme ids (0–21) of `response.animation_viseme.delta`, with blinks and breathing sway,
//!   rendered to I420 ([`frame`]).
//! - [`video`]: H.264 Constrained Baseline with OpenH264 built from its bundled source.
//! - [`audio`]: Opus (libopus built from source), 20 ms frames of the 24 kHz reply audio.
//! - [`playout`]: the real-time queue of reply audio and visemes, speaking/idle state, barge-in.
//! - [`sdp`]: the Azure `client_sdp`/`server_sdp` encodings (base64 of the JSON description).
//! - [`peer`]: [`AvatarPeer`], a sans-IO str0m ICE-lite peer that paces and sends both tracks.
//! - [`config`]: [`AvatarPeerConfig`] from the session's `avatar` object.
//! - [`client`]: a browser-like receiving client (str0m) for tests and probes.
//!
//! See the crate README for the calls the server makes.

pub mod audio;
pub mod client;
pub mod config;
pub mod frame;
pub mod peer;
pub mod playout;
pub mod renderer;
pub mod rig;
pub mod sdp;
pub mod video;
pub mod viseme;

pub use config::AvatarPeerConfig;
pub use peer::{AvatarError, AvatarEvent, AvatarOutput, AvatarPeer, PeerStats, Transmit};
pub use sdp::SdpError;
