//! Echo-cancellation and noise-suppression stages of the input pipeline.
//!
//! The session builds a stage when the client enables `input_audio_echo_cancellation`
//! (`{type: "server_echo_cancellation"}`) or `input_audio_noise_reduction` (`{type:
//! "azure_deep_noise_suppression" | "near_field" | "far_field"}`), keeps it while a
//! `session.update` leaves it on and drops it when one sets the field to `null`. The stages come
//! from [`SessionConfig::echo_canceller`](crate::SessionConfig::echo_canceller) /
//! [`SessionConfig::noise_suppressor`](crate::SessionConfig::noise_suppressor): by default
//! [`vl_dsp_echo_canceller`] and [`vl_dsp_noise_suppressor`] (the vl-dsp crate); [`Passthrough`]
//! leaves the audio unchanged. `azure_deep_noise_suppression` uses
//! [`SessionConfig::deep_noise_suppressor`](crate::SessionConfig::deep_noise_suppressor) when the
//! server set one (vl-server: DeepFilterNet3 through vl-deepfilter), else the same built-in
//! suppressor as `near_field` / `far_field`. Both traits work on 10 ms frames of f32 samples in `[-1, 1]` at
//! the processing rate ([`PROCESSING_RATE_HZ`](crate::PROCESSING_RATE_HZ)), in place and without
//! allocating per frame.
//!
//! The echo canceller's far end is our own output audio, resampled to 16 kHz, pushed when the
//! engine sends it: the client plays `response.audio.delta`s back to back from when it gets
//! them, so the order of pushed samples is the playback order, and the canceller's delay
//! estimator finds the bulk delay (network, jitter buffer, loudspeaker path; up to 1.6 s).

use std::fmt;
use std::sync::Arc;

/// An echo canceller: removes our own playback (the far end) from the microphone signal.
pub trait EchoCanceller: fmt::Debug + Send {
    /// Feeds far-end audio (what the client plays: our TTS output, resampled to the processing
    /// rate), in playback order.
    fn process_render(&mut self, far_end: &[f32]);
    /// Removes echo from one 10 ms near-end (microphone) frame in place.
    fn process_capture(&mut self, frame: &mut [f32]);
    /// The client stopped playing: far-end audio fed but not yet heard is dropped (what was
    /// adapted is kept). Called on `output_audio_buffer.clear`, on a truncation of the item
    /// being played and on a barge-in's automatic truncation. Default: nothing.
    fn clear_far_end(&mut self) {}
}

/// A noise suppressor working in place on 10 ms frames.
pub trait NoiseSuppressor: fmt::Debug + Send {
    /// Suppresses noise in one 10 ms frame in place.
    fn process(&mut self, frame: &mut [f32]);
}

/// What a [`NoiseSuppressorFactory`] closure returns: a stage, or why it cannot build one now
/// (the session then uses the built-in suppressor and tells the client with a `warning`).
pub type BuildResult = Result<Box<dyn NoiseSuppressor>, String>;

/// Builds a noise suppressor for each session that enables it: a shared, thread-safe
/// factory (it may hold a loaded model, or a cap on concurrent streams), cheap to clone.
#[derive(Clone)]
pub struct NoiseSuppressorFactory(Arc<dyn Fn() -> BuildResult + Send + Sync>);

impl NoiseSuppressorFactory {
    /// A factory calling `build` for each new stage.
    pub fn new(build: impl Fn() -> Box<dyn NoiseSuppressor> + Send + Sync + 'static) -> Self {
        Self(Arc::new(move || Ok(build())))
    }

    /// A factory that may refuse: `build` returns `Err(reason)` when it cannot give a stage
    /// (e.g. a limit on concurrent streams is reached).
    pub fn fallible(build: impl Fn() -> BuildResult + Send + Sync + 'static) -> Self {
        Self(Arc::new(build))
    }

    /// A new stage, or why none could be built.
    pub fn build(&self) -> BuildResult {
        (self.0)()
    }
}

impl fmt::Debug for NoiseSuppressorFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NoiseSuppressorFactory")
    }
}

/// A stage that accepts every call and changes nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Passthrough;

impl EchoCanceller for Passthrough {
    fn process_render(&mut self, _far_end: &[f32]) {}
    fn process_capture(&mut self, _frame: &mut [f32]) {}
}

impl NoiseSuppressor for Passthrough {
    fn process(&mut self, _frame: &mut [f32]) {}
}

impl EchoCanceller for vl_dsp::EchoCanceller {
    fn process_render(&mut self, far_end: &[f32]) {
        self.push_far_end(far_end);
    }

    fn process_capture(&mut self, frame: &mut [f32]) {
        // The pipeline always passes whole 10 ms frames; a wrong length leaves the frame as is.
        let _ = Self::process_capture(self, frame);
    }

    fn clear_far_end(&mut self) {
        Self::clear_far_end(self);
    }
}

impl NoiseSuppressor for vl_dsp::NoiseSuppressor {
    fn process(&mut self, frame: &mut [f32]) {
        // As above: only whole frames arrive; a wrong length leaves the frame as is.
        let _ = Self::process(self, frame);
    }
}

/// The default echo canceller: [`vl_dsp::EchoCanceller`] with its default settings (300 ms
/// tail, bulk delays up to 1.6 s, residual echo suppression, 20 s far-end FIFO).
pub fn vl_dsp_echo_canceller() -> Box<dyn EchoCanceller> {
    Box::new(vl_dsp::EchoCanceller::new(
        vl_dsp::EchoCancellerConfig::default(),
    ))
}

/// The default noise suppressor: [`vl_dsp::NoiseSuppressor`] with its default settings (at
/// most 25 dB of attenuation where speech is absent). `near_field` and `far_field` use it, and
/// `azure_deep_noise_suppression` too when no deep suppressor is configured.
pub fn vl_dsp_noise_suppressor() -> Box<dyn NoiseSuppressor> {
    Box::new(vl_dsp::NoiseSuppressor::new(
        vl_dsp::NoiseSuppressorConfig::default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sizes_agree() {
        assert_eq!(vl_dsp::FRAME_LEN, vl_vad::FRAME_SAMPLES);
        assert_eq!(vl_dsp::SAMPLE_RATE_HZ, crate::PROCESSING_RATE_HZ);
    }

    #[test]
    fn vl_dsp_stages_keep_silence_silent_and_finite() {
        let mut ec = vl_dsp_echo_canceller();
        let mut ns = vl_dsp_noise_suppressor();
        let mut frame = [0.0f32; 160];
        for i in 0..200 {
            let far: Vec<f32> = (0..160)
                .map(|k| ((i * 160 + k) as f32 * 0.05).sin() * 0.3)
                .collect();
            ec.process_render(&far);
            frame.fill(0.0);
            ec.process_capture(&mut frame);
            ns.process(&mut frame);
            assert!(
                frame.iter().all(|s| s.is_finite() && s.abs() < 1e-3),
                "{frame:?}"
            );
        }
        // A wrong length is left alone, no panic.
        let mut short = [0.5f32; 100];
        ec.process_capture(&mut short);
        ns.process(&mut short);
        assert!(short.iter().all(|&s| s == 0.5));
    }
}
