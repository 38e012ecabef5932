//! The frame classifier: 10 ms of 16 kHz audio in, a speech probability out.
//!
//! # Method
//!
//! Hand-designed features and a 7-parameter logistic model (a neural classifier replaces this
//! later):
//!
//! 1. A 32 ms Hann window (512 samples: the new 10 ms frame plus 22 ms of history) and a 512-point
//!    real FFT, planned once at construction.
//! 2. Energies in 20 bands (80 Hz – 8 kHz, roughly mel spaced), each tracked by an **adaptive
//!    noise floor**: it follows the smoothed band energy down at once, tracks the mean of frames
//!    within 3 dB of it (outside speech), rises by 5 dB/s otherwise (1 dB/s in speech), and by
//!    30 dB/s in a band whose level has been steady (a hum, a tone, engine noise).
//! 3. Features: the mean a-posteriori SNR over the bands (speech bands 200 Hz – 4 kHz weighted
//!    more), its 100 ms average, the **periodicity** (autocorrelation peak of the magnitude
//!    spectrum between 80 Hz and 3 kHz, pitch lags 80–400 Hz, via an inverse FFT) gated by the
//!    SNR, the absolute level (penalty below −50 dBFS), the level relative to a slowly decaying
//!    peak (background talkers far below the foreground), and the spectral flux.
//! 4. A logistic combination with hand-set weights (SNR, gated periodicity, level penalty; the
//!    relative-level, smoothed-SNR and flux inputs are computed but weighted 0 — a logistic fit on
//!    the synthetic tuning set of `examples/tune.rs` used them and scored much better there, but
//!    started turns on steady tones and noise onsets, so it was not adopted; nor was a hand
//!    search that reached 0.810 at 0 dB there with weights `[0.5, 10, 1, 1.2, 0, 0]`, bias −3,
//!    because it stretched the false turn at a white-noise onset from < 4 s to 4.5 s), then
//!    **hysteresis**: a speech state entered at score ≥ 0.6 and left after 150 ms below 0.35.
//!    The state gates the noise-floor update and contributes half of the output; the other half
//!    is the score through a peak-hold smoother (instant attack, ~70 ms release), so the output
//!    stays a graded probability.
//!
//! The per-frame path does not allocate: all buffers, the window and the FFT plans are created in
//! [`FrameClassifier::new`].

use std::sync::{Arc, OnceLock};

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::error::VadError;

/// Sample rates accepted by [`FrameClassifier`], in Hz.
pub const CLASSIFIER_RATES: &[u32] = &[16_000];

/// Samples per classifier frame: 10 ms at 16 kHz.
pub const FRAME_SAMPLES: usize = 160;

/// Frame lengths accepted by [`FrameClassifier::process`], in samples.
pub const FRAME_SIZES: &[usize] = &[FRAME_SAMPLES];

/// Analysis window / FFT length in samples (32 ms).
const WIN: usize = 512;
const BINS: usize = WIN / 2 + 1;
/// Band edges in Hz.
const BAND_EDGES_HZ: [f32; 21] = [
    80.0, 200.0, 300.0, 400.0, 510.0, 630.0, 770.0, 920.0, 1080.0, 1270.0, 1480.0, 1720.0, 2000.0,
    2320.0, 2700.0, 3150.0, 3700.0, 4400.0, 5300.0, 6400.0, 7900.0,
];
const BANDS: usize = BAND_EDGES_HZ.len() - 1;
/// Bins used for periodicity: 80 Hz .. 3 kHz.
const PITCH_MIN_BIN: usize = 3;
const PITCH_MAX_BIN: usize = 96;
/// Lag range for periodicity: 400 Hz .. 80 Hz.
const LAG_MIN: usize = 40;
const LAG_MAX: usize = 200;
/// Absolute floor for band energies (power of a full-scale-normalised spectrum), about −100 dBFS.
const ENERGY_FLOOR: f32 = 1e-10;
/// Frames until the 512-sample window holds only real audio (512 / 160, rounded up).
/// Smoothing of the band steadiness trackers (time constant ~0.5 s).
const DEV_ALPHA: f32 = 0.02;
/// A band whose level deviates less than this from its slow average (dB) counts as steady.
const STEADY_DEV_DB: f32 = 1.5;
/// Floor rise per 10 ms for a steady band (0.3 dB).
const STEADY_RISE: f32 = 1.0715;
const WARM_UP_FRAMES: u64 = WIN.div_ceil(FRAME_SAMPLES) as u64;

/// Speech/non-speech classifier for 16 kHz mono `f32` audio in 10 ms frames.
///
/// Samples are expected in `-1.0..=1.0` (full scale = 1.0); non-finite samples are treated as 0.
///
/// ```
/// use vl_vad::{FrameClassifier, FRAME_SAMPLES};
/// let mut c = FrameClassifier::new(16_000)?;
/// let silence = [0.0_f32; FRAME_SAMPLES];
/// let p = c.process(&silence)?;
/// assert!(p < 0.1);
/// # Ok::<(), vl_vad::VadError>(())
/// ```
pub struct FrameClassifier {
    fft: Arc<dyn RealToComplex<f32>>,
    ifft: Arc<dyn ComplexToReal<f32>>,
    window: Arc<[f32]>,
    /// Normalised autocorrelation of the window, to unbias lags.
    window_ac: Arc<[f32]>,
    history: Vec<f32>,
    time_buf: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch_fwd: Vec<Complex<f32>>,
    scratch_inv: Vec<Complex<f32>>,
    power: Vec<f32>,
    band_of_bin: Vec<u8>,
    band_weight: [f32; BANDS],
    band_bins: [f32; BANDS],
    band_energy: [f32; BANDS],
    band_smooth: [f32; BANDS],
    noise: [f32; BANDS],
    band_mean_db: [f32; BANDS],
    band_dev: [f32; BANDS],
    band_prev_db: [f32; BANDS],
    peak_db: f32,
    snr_avg: f32,
    flux: f32,
    frames: u64,
    speech_state: bool,
    hang: u32,
    score_smooth: f32,
    tuning: Tuning,
    weights: [f32; NUM_FEATURES],
    bias: f32,
}

impl std::fmt::Debug for FrameClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameClassifier")
            .field("frames", &self.frames)
            .field("speech_state", &self.speech_state)
            .finish_non_exhaustive()
    }
}

/// Number of model inputs in [`Features::x`].
#[doc(hidden)]
pub const NUM_FEATURES: usize = 6;

/// Logistic model over [`Features::x`]: weights and bias, set by hand (checked on the synthetic
/// tuning set of `examples/tune.rs`, never fitted to the TEN or DPDFNet evaluation data).
const WEIGHTS: [f32; NUM_FEATURES] = [3.5, 4.0, 1.0, 0.0, 0.0, 0.0];
const BIAS: f32 = -4.0;

/// Internal per-frame features, exposed for tuning tools and tests (not a stable API).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// Mean a-posteriori SNR over the speech bands, dB.
    pub snr_db: f32,
    /// Periodicity of the spectrum (autocorrelation peak in the pitch range), 0..1.
    pub periodicity: f32,
    /// Frame level, dBFS.
    pub level_db: f32,
    /// Model inputs: SNR/10, gated periodicity, absolute-level penalty/10, level relative to the
    /// recent peak/10, smoothed SNR/10, spectral flux/10.
    pub x: [f32; NUM_FEATURES],
    /// Instantaneous score before hysteresis, 0..1.
    pub score: f32,
}

/// The read-only tables every [`FrameClassifier`] uses: the FFT plans, the window and its
/// autocorrelation. Built once per process and shared, so a classifier holds only its own state
/// (a server keeps one per session).
#[derive(Clone)]
struct Tables {
    fft: Arc<dyn RealToComplex<f32>>,
    ifft: Arc<dyn ComplexToReal<f32>>,
    window: Arc<[f32]>,
    window_ac: Arc<[f32]>,
}

impl Tables {
    /// The process-wide tables, built on first use.
    fn shared() -> &'static Self {
        static TABLES: OnceLock<Tables> = OnceLock::new();
        TABLES.get_or_init(|| {
            let mut planner = RealFftPlanner::<f32>::new();
            let fft = planner.plan_fft_forward(WIN);
            let ifft = planner.plan_fft_inverse(WIN);
            let window: Vec<f32> = (0..WIN)
                .map(|n| {
                    let x = std::f32::consts::TAU * n as f32 / WIN as f32;
                    0.5 - 0.5 * x.cos()
                })
                .collect();
            let ac0: f32 = window.iter().map(|w| w * w).sum();
            let window_ac: Vec<f32> = (0..WIN / 2)
                .map(|lag| {
                    let s: f32 = window
                        .iter()
                        .zip(window.iter().skip(lag))
                        .map(|(a, b)| a * b)
                        .sum();
                    (s / ac0).max(1e-3)
                })
                .collect();
            Self {
                fft,
                ifft,
                window: window.into(),
                window_ac: window_ac.into(),
            }
        })
    }
}

impl FrameClassifier {
    /// Creates a classifier for audio at `sample_rate_hz` (16 000 only).
    ///
    /// # Errors
    ///
    /// [`VadError::UnsupportedRate`] listing [`CLASSIFIER_RATES`] for any other rate.
    pub fn new(sample_rate_hz: u32) -> Result<Self, VadError> {
        if !CLASSIFIER_RATES.contains(&sample_rate_hz) {
            return Err(VadError::UnsupportedRate {
                rate_hz: sample_rate_hz,
                valid: CLASSIFIER_RATES,
            });
        }
        let Tables {
            fft,
            ifft,
            window,
            window_ac,
        } = Tables::shared().clone();
        let bin_hz = sample_rate_hz as f32 / WIN as f32;
        let mut band_of_bin = vec![u8::MAX; BINS];
        let mut band_bins = [0.0_f32; BANDS];
        for (k, slot) in band_of_bin.iter_mut().enumerate() {
            let f = k as f32 * bin_hz;
            for b in 0..BANDS {
                if f >= BAND_EDGES_HZ[b] && f < BAND_EDGES_HZ[b + 1] {
                    // BANDS = 20 fits in u8.
                    *slot = b as u8;
                    band_bins[b] += 1.0;
                }
            }
        }
        let mut band_weight = [0.0_f32; BANDS];
        for (b, w) in band_weight.iter_mut().enumerate() {
            let lo = BAND_EDGES_HZ[b];
            *w = if (200.0..4000.0).contains(&lo) {
                1.0
            } else {
                0.3
            };
        }
        let wsum: f32 = band_weight.iter().sum();
        for w in &mut band_weight {
            *w /= wsum;
        }
        let spectrum = fft.make_output_vec();
        let scratch_fwd = fft.make_scratch_vec();
        let scratch_inv = ifft.make_scratch_vec();
        let mut c = Self {
            fft,
            ifft,
            window,
            window_ac,
            history: vec![0.0; WIN],
            time_buf: vec![0.0; WIN],
            spectrum,
            scratch_fwd,
            scratch_inv,
            power: vec![0.0; BINS],
            band_of_bin,
            band_weight,
            band_bins,
            band_energy: [0.0; BANDS],
            band_smooth: [0.0; BANDS],
            noise: [0.0; BANDS],
            band_mean_db: [0.0; BANDS],
            band_dev: [10.0; BANDS],
            band_prev_db: [-100.0; BANDS],
            peak_db: -100.0,
            snr_avg: 0.0,
            flux: 0.0,
            frames: 0,
            speech_state: false,
            hang: 0,
            score_smooth: 0.0,
            tuning: Tuning::DEFAULT,
            weights: WEIGHTS,
            bias: BIAS,
        };
        c.reset();
        Ok(c)
    }

    /// Forgets all history (audio, noise floors, speech state), as if newly created.
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.band_energy = [0.0; BANDS];
        self.band_smooth = [0.0; BANDS];
        self.noise = [0.0; BANDS];
        self.band_mean_db = [0.0; BANDS];
        self.band_dev = [10.0; BANDS];
        self.band_prev_db = [-100.0; BANDS];
        self.peak_db = -100.0;
        self.snr_avg = 0.0;
        self.flux = 0.0;
        self.frames = 0;
        self.speech_state = false;
        self.hang = 0;
        self.score_smooth = 0.0;
    }

    /// The sample rate, in Hz (16 000).
    pub fn sample_rate_hz(&self) -> u32 {
        16_000
    }

    /// Classifies one 10 ms frame of [`FRAME_SAMPLES`] samples and returns its speech
    /// probability in `0.0..=1.0`. Frames must be consecutive: the classifier keeps history.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidFrameSize`] when `frame.len() != FRAME_SAMPLES`; the state is unchanged.
    pub fn process(&mut self, frame: &[f32]) -> Result<f32, VadError> {
        self.process_features(frame).map(|(p, _)| p)
    }

    /// Replaces the logistic model's weights over [`Features::x`] and its bias (tuning tools only;
    /// not a stable API).
    #[doc(hidden)]
    pub fn set_model(&mut self, weights: [f32; NUM_FEATURES], bias: f32) {
        self.weights = weights;
        self.bias = bias;
    }

    /// Like [`process`](Self::process), also returning the internal features (for tuning tools).
    #[doc(hidden)]
    pub fn process_features(&mut self, frame: &[f32]) -> Result<(f32, Features), VadError> {
        if frame.len() != FRAME_SAMPLES {
            return Err(VadError::InvalidFrameSize {
                frame_size: frame.len(),
                valid: FRAME_SIZES,
            });
        }
        self.history.copy_within(FRAME_SAMPLES.., 0);
        let tail = WIN - FRAME_SAMPLES;
        for (dst, &x) in self.history[tail..].iter_mut().zip(frame) {
            *dst = if x.is_finite() {
                x.clamp(-4.0, 4.0)
            } else {
                0.0
            };
        }
        let feats = self.analyse();
        let p = self.decide(feats.score);
        self.frames += 1;
        Ok((p, feats))
    }

    fn analyse(&mut self) -> Features {
        for ((t, &h), &w) in self
            .time_buf
            .iter_mut()
            .zip(&self.history)
            .zip(self.window.iter())
        {
            *t = h * w;
        }
        // Lengths are fixed at construction, so the FFT cannot fail; a failure would leave the
        // spectrum as it was, which is harmless.
        let _ = self.fft.process_with_scratch(
            &mut self.time_buf,
            &mut self.spectrum,
            &mut self.scratch_fwd,
        );
        // Normalise so that a full-scale sine has band power ~1.
        let norm = 4.0 / (WIN as f32 * WIN as f32 * 0.25);
        let mut total = 0.0_f32;
        for (p, c) in self.power.iter_mut().zip(&self.spectrum) {
            *p = c.norm_sqr() * norm;
            total += *p;
        }
        self.band_energy = [ENERGY_FLOOR; BANDS];
        for (&b, &p) in self.band_of_bin.iter().zip(&self.power) {
            if let Some(e) = self.band_energy.get_mut(usize::from(b)) {
                *e += p;
            }
        }
        let level_db = 10.0 * (total + ENERGY_FLOOR).log10();

        // Noise floor tracking.
        // Until the analysis window is full of real audio, the floors follow the energy both ways.
        let warm_up = self.frames < WARM_UP_FRAMES;
        // Rise of the floor per 10 ms: 0.01 dB (1 dB/s) in speech, 0.05 dB (5 dB/s) otherwise.
        let rise = if self.speech_state { 1.0023 } else { 1.0116 };
        let mut snr_acc = 0.0_f32;
        let mut flux_acc = 0.0_f32;
        for b in 0..BANDS {
            let e = self.band_energy[b];
            if warm_up {
                self.band_smooth[b] = e;
                self.noise[b] = e;
            } else {
                self.band_smooth[b] = 0.6 * self.band_smooth[b] + 0.4 * e;
            }
            let s = self.band_smooth[b];
            // Steadiness: mean absolute deviation of the band level from its slow average, dB.
            let level = 10.0 * e.log10();
            if !warm_up {
                flux_acc += (level - self.band_prev_db[b]).abs().min(20.0) / BANDS as f32;
            }
            self.band_prev_db[b] = level;
            if warm_up {
                self.band_mean_db[b] = level;
                self.band_dev[b] = 10.0;
            } else {
                self.band_dev[b] +=
                    DEV_ALPHA * ((level - self.band_mean_db[b]).abs() - self.band_dev[b]);
                self.band_mean_db[b] += DEV_ALPHA * (level - self.band_mean_db[b]);
            }
            if warm_up {
                // already set
            } else if s < self.noise[b] {
                self.noise[b] = s;
            } else if !self.speech_state && e < 2.0 * self.noise[b] {
                // Within 3 dB of the floor: noise. Track its mean, not its minimum (~200 ms).
                self.noise[b] += 0.05 * (e - self.noise[b]);
            } else {
                // A band that has been steady for a while (a hum, a tone, engine noise) is
                // background however loud it is: let its floor catch up quickly (~30 dB/s).
                let r = if self.band_dev[b] < STEADY_DEV_DB {
                    STEADY_RISE
                } else {
                    rise
                };
                self.noise[b] = (self.noise[b] * r).min(s);
            }
            self.noise[b] = self.noise[b].max(ENERGY_FLOOR * self.band_bins[b].max(1.0));
            let snr = 10.0 * (e / self.noise[b]).log10();
            snr_acc += self.band_weight[b] * snr.clamp(0.0, 40.0);
        }

        // Periodicity: autocorrelation of the magnitude spectrum (|X|, a compressed power
        // spectrum that keeps harmonics and flattens formants) between 80 Hz and 3 kHz.
        for (k, c) in self.spectrum.iter_mut().enumerate() {
            let v = if (PITCH_MIN_BIN..=PITCH_MAX_BIN).contains(&k) {
                self.power.get(k).map_or(0.0, |p| p.sqrt())
            } else {
                0.0
            };
            *c = Complex::new(v, 0.0);
        }
        let _ = self.ifft.process_with_scratch(
            &mut self.spectrum,
            &mut self.time_buf,
            &mut self.scratch_inv,
        );
        let r0 = self.time_buf[0];
        let mut periodicity = 0.0_f32;
        if r0 > 1e-12 {
            for lag in LAG_MIN..LAG_MAX {
                let r = self.time_buf[lag] / (r0 * self.window_ac[lag].sqrt());
                if r > periodicity {
                    periodicity = r;
                }
            }
        }
        let periodicity = periodicity.clamp(0.0, 1.0);

        let snr_db = snr_acc;
        // Level relative to a slowly decaying peak (0.5 dB/s): background speech far below the
        // foreground talker scores lower.
        self.peak_db = if level_db > self.peak_db {
            level_db
        } else {
            self.peak_db - 0.005
        };
        let rel_db = (level_db - self.peak_db).clamp(-40.0, 0.0);
        self.snr_avg += 0.1 * (snr_db - self.snr_avg);
        self.flux += 0.2 * (flux_acc - self.flux);
        let x = [
            snr_db / 10.0,
            periodicity * (snr_db / 6.0).min(1.0),
            (level_db + 50.0).min(0.0) / 10.0,
            rel_db / 10.0,
            self.snr_avg / 10.0,
            self.flux / 10.0,
        ];
        let z = x.iter().zip(&self.weights).map(|(a, w)| a * w).sum::<f32>() + self.bias;
        let score = 1.0 / (1.0 + (-z).exp());
        Features {
            snr_db,
            periodicity,
            level_db,
            x,
            score,
        }
    }

    fn decide(&mut self, score: f32) -> f32 {
        let t = &self.tuning;
        if self.speech_state {
            if score >= t.stay {
                self.hang = t.hang;
            } else if self.hang > 0 {
                self.hang -= 1;
            } else {
                self.speech_state = false;
            }
        } else if score >= t.enter {
            self.speech_state = true;
            self.hang = t.hang;
        }
        self.score_smooth = if score > self.score_smooth {
            score
        } else {
            (1.0 - t.release) * self.score_smooth + t.release * score
        };
        let state = if self.speech_state { 1.0 } else { 0.0 };
        ((1.0 - t.mix) * self.score_smooth + t.mix * state).clamp(0.0, 1.0)
    }
}

/// Post-processing of the instantaneous score.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    /// Score at or above which the hysteresis state turns on.
    enter: f32,
    /// Score below which (for `hang` frames) the state turns off.
    stay: f32,
    /// Hang-over, frames (10 ms).
    hang: u32,
    /// Weight of the 0/1 state in the output probability.
    mix: f32,
    /// Release coefficient of the peak-hold smoother per frame (attack is instant); 0.15 ≈ 70 ms.
    release: f32,
}

impl Tuning {
    /// Set by hand; a grid on the tuning set preferred (0.7, 0.4, 20, 0.2, 0.03) only together with
    /// the fitted weights (see the module docs).
    const DEFAULT: Self = Self {
        enter: 0.6,
        stay: 0.35,
        hang: 15,
        mix: 0.5,
        release: 0.15,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_rate_and_frame() {
        assert_eq!(
            FrameClassifier::new(8_000).err(),
            Some(VadError::UnsupportedRate {
                rate_hz: 8_000,
                valid: CLASSIFIER_RATES
            })
        );
        let mut c = FrameClassifier::new(16_000).unwrap();
        assert_eq!(
            c.process(&[0.0; 159]),
            Err(VadError::InvalidFrameSize {
                frame_size: 159,
                valid: FRAME_SIZES
            })
        );
    }

    #[test]
    fn non_finite_samples_do_not_poison_state() {
        let mut c = FrameClassifier::new(16_000).unwrap();
        let mut f = [0.0_f32; FRAME_SAMPLES];
        f[3] = f32::NAN;
        f[7] = f32::INFINITY;
        for _ in 0..10 {
            let p = c.process(&f).unwrap();
            assert!((0.0..=1.0).contains(&p), "{p}");
        }
        let p = c.process(&[0.0; FRAME_SAMPLES]).unwrap();
        assert!(p.is_finite() && p < 0.1, "{p}");
    }

    #[test]
    fn probability_in_range_for_loud_noise() {
        let mut c = FrameClassifier::new(16_000).unwrap();
        let mut seed = 1_u32;
        for _ in 0..200 {
            let f: Vec<f32> = (0..FRAME_SAMPLES)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 8) as f32 / (1 << 23) as f32 - 1.0
                })
                .collect();
            let p = c.process(&f).unwrap();
            assert!((0.0..=1.0).contains(&p));
        }
    }
}
