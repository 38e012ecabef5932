//! Noise suppression and echo cancellation for realtime speech audio.
//!
//! Frame-based processing over `&[f32]` / `&mut [f32]` with a state struct per stream; the crate
//! knows nothing about the Voice Live protocol. The suppressor and canceller land with the vl-dsp
//! issue; until then this crate is empty.
