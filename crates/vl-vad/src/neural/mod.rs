//! The neural frame classifier: 10 ms of 16 kHz audio in, a speech probability out.
//!
//! # Method
//!
//! 1. **Features** ([`features`]): a 32 ms periodic Hann window (512 samples: the new 10 ms frame
//!    plus 22 ms of history, no look-ahead), a 512-point real FFT, the power spectrum through 40
//!    triangular mel filters (HTK mel scale, 50 Hz – 8 kHz, unit peak) and `ln(energy + 1e-7)`.
//! 2. **Network** (~14 k parameters): per-band normalisation folded into a dense layer
//!    40 → 32 (ReLU), a GRU with 48 units (PyTorch gate layout r, z, n), a dense layer 48 → 16
//!    (ReLU) and a logistic output.
//! 3. **Training** (`crates/vl-vad/train/`, JAX on CPU): Debian asterisk prompts in five languages
//!    (en, es, fr, it, ru; 16 kHz G.722) made into conversations, mixed with music on hold,
//!    babble and synthetic noises at fixed seeds, SNR −5 … 25 dB; the target is the mean of
//!    Silero VAD v6.2's probability on the *clean* conversation (teacher) and an energy label of
//!    the clean prompt. The evaluation data (`../shared/data`) is never used for training.
//!    The weights (`weights.bin`, little-endian `f32`) are the script's output, committed because
//!    they are small (~56 KB); `python crates/vl-vad/train/train.py` reproduces them.
//!
//! Everything is allocated in [`NeuralClassifier::new`]; the per-frame path does not allocate.

pub(crate) mod features;
mod model;

use crate::classifier::{CLASSIFIER_RATES, FRAME_SAMPLES, FRAME_SIZES};
use crate::error::VadError;

use features::LogMel;
use model::{Model, State};

/// Neural speech/non-speech classifier for 16 kHz mono `f32` audio in 10 ms frames
/// ([`FRAME_SAMPLES`] = 160 samples), returning a probability in `0.0..=1.0` per frame.
///
/// Samples are expected in `-1.0..=1.0` (full scale = 1.0); non-finite samples are treated as 0.
/// The output for a frame depends on that frame and the past only (no look-ahead).
///
/// ```
/// use vl_vad::{NeuralClassifier, FRAME_SAMPLES};
/// let mut c = NeuralClassifier::new(16_000)?;
/// let silence = [0.0_f32; FRAME_SAMPLES];
/// let p = c.process(&silence)?;
/// assert!(p < 0.2);
/// # Ok::<(), vl_vad::VadError>(())
/// ```
#[derive(Debug)]
pub struct NeuralClassifier {
    features: LogMel,
    model: &'static Model,
    state: State,
}

impl NeuralClassifier {
    /// Creates a classifier for audio at `sample_rate_hz` (16 000 only).
    ///
    /// # Errors
    ///
    /// [`VadError::UnsupportedRate`] for any other rate.
    pub fn new(sample_rate_hz: u32) -> Result<Self, VadError> {
        if sample_rate_hz != 16_000 {
            return Err(VadError::UnsupportedRate {
                rate_hz: sample_rate_hz,
                valid: CLASSIFIER_RATES,
            });
        }
        Ok(Self {
            features: LogMel::new(),
            model: Model::get(),
            state: State::default(),
        })
    }

    /// Classifies one frame of [`FRAME_SAMPLES`] samples; returns the speech probability.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidFrameSize`] if `frame.len() != FRAME_SAMPLES`; the state is unchanged.
    pub fn process(&mut self, frame: &[f32]) -> Result<f32, VadError> {
        if frame.len() != FRAME_SAMPLES {
            return Err(VadError::InvalidFrameSize {
                frame_size: frame.len(),
                valid: FRAME_SIZES,
            });
        }
        let mel = self.features.process(frame);
        Ok(self.model.step(&mut self.state, mel))
    }

    /// Forgets all history (audio window and network state).
    pub fn reset(&mut self) {
        self.features.reset();
        self.state = State::default();
    }

    /// The sample rate, in Hz (always 16 000).
    pub fn sample_rate_hz(&self) -> u32 {
        16_000
    }
}
