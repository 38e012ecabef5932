//! whisper.cpp (through `whisper-rs`) with a trimmed encoder context, and a streaming front end
//! that re-decodes the growing utterance for partial transcripts.
//!
//! whisper.cpp always pads its input to a 30 s window. Setting `audio_ctx` to the utterance's
//! length in encoder frames (50 per second) plus a margin makes the encoder and cross-attention
//! work on the audio that is there, which cuts a 2–4 s decode by about 8×
//! (`../shared/docs/backends.md` §1.1). Partials use greedy decoding with the temperature
//! fallback disabled, so one call can never turn into several re-decodes.

use std::path::Path;

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

/// Input sample rate, in Hz.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Encoder frames per second of audio (1500 per 30 s window).
pub const ENCODER_FRAMES_PER_S: usize = 50;
/// Encoder frames in whisper's full 30 s window.
pub const FULL_AUDIO_CTX: usize = 1500;
/// whisper.cpp ignores inputs shorter than 1 s; shorter utterances are padded with silence to
/// this many samples (1.1 s).
pub const MIN_INPUT_SAMPLES: usize = 17_600;

/// Errors of the whisper backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AsrError {
    /// The model file could not be loaded (missing, or not a ggml Whisper model).
    #[error("cannot load whisper model {path}: {message}")]
    Load {
        /// The model path.
        path: String,
        /// whisper.cpp's reason.
        message: String,
    },
    /// whisper.cpp failed while decoding.
    #[error("whisper decode failed: {0}")]
    Decode(#[from] whisper_rs::WhisperError),
}

/// How much of the encoder window a decode uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioContext {
    /// The whole 30 s window (whisper's default; ≈ 1.9 s per call for base on 2 cores).
    Full,
    /// The audio's length in encoder frames plus this many frames (capped at the full window).
    Trimmed {
        /// Extra encoder frames (20 ms each) after the audio.
        margin_frames: usize,
    },
}

impl AudioContext {
    /// The `audio_ctx` value for `samples` of 16 kHz audio: 0 means whisper's full window.
    pub fn frames(self, samples: usize) -> usize {
        match self {
            Self::Full => 0,
            Self::Trimmed { margin_frames } => {
                let frames = samples.div_ceil(SAMPLE_RATE_HZ as usize / ENCODER_FRAMES_PER_S);
                let n = frames + margin_frames;
                if n >= FULL_AUDIO_CTX { 0 } else { n }
            }
        }
    }
}

/// Decoding settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeConfig {
    /// CPU threads for whisper.cpp.
    pub threads: usize,
    /// Spoken language (ISO 639-1), e.g. `"en"`.
    pub language: String,
    /// Encoder context for final transcripts.
    pub final_ctx: AudioContext,
    /// Encoder context for partial transcripts.
    pub partial_ctx: AudioContext,
    /// Minimum new audio between two partial decodes, in ms.
    pub partial_interval_ms: u32,
    /// No partial before the utterance has this much audio, in ms.
    pub partial_min_ms: u32,
    /// Temperature step of whisper's fallback for finals (0.0 disables it; partials always run
    /// without fallback).
    pub final_temperature_inc: f32,
    /// Token cap per second of audio for trimmed-context decodes (plus 8).
    pub max_tokens_per_s: f32,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        Self {
            threads: 2,
            language: "en".into(),
            final_ctx: AudioContext::Trimmed { margin_frames: 64 },
            partial_ctx: AudioContext::Trimmed { margin_frames: 64 },
            partial_interval_ms: 500,
            partial_min_ms: 500,
            final_temperature_inc: 0.2,
            max_tokens_per_s: 8.0,
        }
    }
}

/// A loaded ggml Whisper model, shared by any number of [`Transcriber`]s.
#[derive(Debug)]
pub struct Model {
    ctx: WhisperContext,
}

impl Model {
    /// Loads a ggml model file (as written by [`crate::convert`]).
    pub fn load(path: &Path) -> Result<Self, AsrError> {
        whisper_rs::install_logging_hooks(); // route whisper.cpp's log away from stderr
        let load_err = |message: String| AsrError::Load {
            path: path.display().to_string(),
            message,
        };
        if !path.is_file() {
            return Err(load_err("no such file".into()));
        }
        let ctx = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|e| load_err(e.to_string()))?;
        Ok(Self { ctx })
    }

    /// A new streaming transcriber with its own decoder state (about 20–60 MB).
    pub fn transcriber(&self, config: DecodeConfig) -> Result<Transcriber, AsrError> {
        Ok(Transcriber {
            state: self.ctx.create_state()?,
            config,
            audio: Vec::new(),
            decoded_at: 0,
            padded: Vec::new(),
        })
    }
}

/// One utterance at a time: [`Transcriber::push`] audio, poll [`Transcriber::partial`], end with
/// [`Transcriber::finish`].
///
/// Time is counted in samples pushed, not wall-clock time, so behaviour is deterministic.
#[derive(Debug)]
pub struct Transcriber {
    state: WhisperState,
    config: DecodeConfig,
    audio: Vec<f32>,
    /// `audio.len()` at the last partial decode.
    decoded_at: usize,
    padded: Vec<f32>,
}

impl Transcriber {
    /// Appends 16 kHz mono samples to the current utterance.
    pub fn push(&mut self, samples: &[f32]) {
        self.audio.extend_from_slice(samples);
    }

    /// Samples in the current utterance.
    pub fn len_samples(&self) -> usize {
        self.audio.len()
    }

    /// The settings in use.
    pub fn config(&self) -> &DecodeConfig {
        &self.config
    }

    /// Re-decodes the utterance so far if at least `partial_interval_ms` of audio arrived since
    /// the last partial (and the utterance is at least `partial_min_ms` long); returns the whole
    /// partial transcript so far, or `None` when it is not time yet.
    pub fn partial(&mut self) -> Result<Option<String>, AsrError> {
        let ms = |n: usize| n as u64 * 1000 / u64::from(SAMPLE_RATE_HZ);
        let new = self.audio.len().saturating_sub(self.decoded_at);
        if ms(self.audio.len()) < u64::from(self.config.partial_min_ms)
            || ms(new) < u64::from(self.config.partial_interval_ms)
        {
            return Ok(None);
        }
        self.decoded_at = self.audio.len();
        let ctx = self.config.partial_ctx;
        let text = decode(
            &mut self.state,
            &self.config,
            &self.audio,
            &mut self.padded,
            ctx,
            0.0,
        )?;
        Ok(Some(text))
    }

    /// Decodes the whole utterance for the final transcript and starts a new utterance.
    pub fn finish(&mut self) -> Result<String, AsrError> {
        let ctx = self.config.final_ctx;
        let inc = self.config.final_temperature_inc;
        let result = decode(
            &mut self.state,
            &self.config,
            &self.audio,
            &mut self.padded,
            ctx,
            inc,
        );
        self.reset();
        result
    }

    /// Drops the current utterance.
    pub fn reset(&mut self) {
        self.audio.clear();
        self.decoded_at = 0;
    }

    /// Transcribes a whole clip in one call (the current utterance is discarded first).
    pub fn transcribe(&mut self, samples: &[f32]) -> Result<String, AsrError> {
        self.reset();
        self.push(samples);
        self.finish()
    }
}

fn decode(
    state: &mut WhisperState,
    config: &DecodeConfig,
    audio: &[f32],
    padded: &mut Vec<f32>,
    ctx: AudioContext,
    temperature_inc: f32,
) -> Result<String, AsrError> {
    if audio.is_empty() {
        return Ok(String::new());
    }
    let input: &[f32] = if audio.len() < MIN_INPUT_SAMPLES {
        padded.clear();
        padded.extend_from_slice(audio);
        padded.resize(MIN_INPUT_SAMPLES, 0.0);
        padded
    } else {
        audio
    };
    let seconds = input.len() as f32 / SAMPLE_RATE_HZ as f32;
    let audio_ctx = ctx.frames(input.len());
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(i32::try_from(config.threads.max(1)).unwrap_or(2));
    params.set_language(Some(&config.language));
    params.set_translate(false);
    params.set_no_context(true);
    params.set_no_timestamps(true);
    params.set_single_segment(audio_ctx != 0);
    params.set_audio_ctx(i32::try_from(audio_ctx).unwrap_or(0));
    params.set_temperature(0.0);
    params.set_temperature_inc(temperature_inc);
    params.set_suppress_blank(true);
    params.set_suppress_nst(true);
    // Against the repetition loops a trimmed context can cause (backends.md §6): a token cap
    // of about twice a fast speaker's rate (3–4 words/s, ~1.3 tokens per word), plus room for
    // punctuation in short utterances; loops that still fit are cut by `collapse_repeats`.
    if audio_ctx != 0 {
        params.set_max_tokens((seconds * config.max_tokens_per_s) as i32 + 8);
    }
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    state.full(params, input)?;
    let mut text = String::new();
    for segment in state.as_iter() {
        let s = segment.to_str_lossy()?;
        text.push_str(&s);
    }
    Ok(crate::text::collapse_repeats(text.trim()))
}
