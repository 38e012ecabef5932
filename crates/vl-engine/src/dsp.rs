//! Echo-cancellation and noise-suppression stages of the input pipeline.
//!
//! The session accepts and echoes `input_audio_echo_cancellation` and
//! `input_audio_noise_reduction`; the stages that implement them are filled by the vl-dsp issue.
//! Until then [`Passthrough`] is used, which leaves the audio unchanged. Both traits work on 10 ms
//! frames of f32 samples in `[-1, 1]` at the processing rate
//! ([`PROCESSING_RATE_HZ`](crate::PROCESSING_RATE_HZ)).

use std::fmt;

/// An echo canceller: removes our own playback (the far end) from the microphone signal.
pub trait EchoCanceller: fmt::Debug + Send {
    /// Feeds far-end audio (what the client plays: our TTS output, resampled to the processing
    /// rate), in playback order.
    fn process_render(&mut self, far_end: &[f32]);
    /// Removes echo from one 10 ms near-end (microphone) frame in place.
    fn process_capture(&mut self, frame: &mut [f32]);
}

/// A noise suppressor working in place on 10 ms frames.
pub trait NoiseSuppressor: fmt::Debug + Send {
    /// Suppresses noise in one 10 ms frame in place.
    fn process(&mut self, frame: &mut [f32]);
}

/// The stage used until vl-dsp lands: accepts every call and changes nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Passthrough;

impl EchoCanceller for Passthrough {
    fn process_render(&mut self, _far_end: &[f32]) {}
    fn process_capture(&mut self, _frame: &mut [f32]) {}
}

impl NoiseSuppressor for Passthrough {
    fn process(&mut self, _frame: &mut [f32]) {}
}
