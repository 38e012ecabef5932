//! Single-channel noise suppressor: sqrt-Hann STFT (320-point window, 160-sample hop: 10 ms of
//! delay), noise power from minima-controlled recursive averaging (MCRA: speech presence from
//! the ratio of smoothed power to its running minimum), and the optimally-modified
//! log-spectral amplitude gain (OM-LSA: MMSE-LSA gain under speech presence, decision-directed
//! a-priori SNR, the a-priori speech absence from the minima-controlled presence, a floor gain
//! where speech is absent). Do no harm: the floor rises to 1 as the long-term SNR (speech
//! frames against the minimum frame power of the last 4–5 s) goes from 12 to 22 dB, so clean
//! input passes through unchanged;
//! the final gain is smoothed across frequency where speech is absent (musical noise).

#![allow(
    clippy::needless_range_loop,
    reason = "parallel per-sample and per-bin buffers"
)]

use realfft::num_complex::Complex32;

use crate::stft::Stft;
use crate::{DspError, FRAME_LEN};

/// Settings of a [`NoiseSuppressor`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseSuppressorConfig {
    /// Largest attenuation where speech is absent, in dB (positive). Default 25 dB.
    pub max_attenuation_db: f32,
}

impl Default for NoiseSuppressorConfig {
    fn default() -> Self {
        Self {
            max_attenuation_db: 25.0,
        }
    }
}

/// Decision-directed smoothing of the a-priori SNR.
const DD_ALPHA: f32 = 0.97;
/// Smoothing of the power for minimum tracking.
const S_ALPHA: f32 = 0.8;
/// Frames per minimum-tracking sub-window (the minimum spans 1–2 of them).
const MIN_WINDOW: u32 = 100;
/// Ratio of smoothed power to minimum above which a bin counts as speech.
const PRESENCE_RATIO: f32 = 4.0;
/// Smoothing of the speech presence probability.
const PRESENCE_ALPHA: f32 = 0.2;
/// Noise averaging constant when speech is absent.
const NOISE_ALPHA: f32 = 0.92;
/// Bias compensation of the noise estimate.
const NOISE_BIAS: f32 = 1.3;
/// Ceiling of the noise estimate relative to the tracked minimum (minimum-statistics bias).
const MIN_TO_NOISE: f32 = 1.5;
/// Bounds of the a-priori probability of speech absence.
const Q_MIN: f32 = 0.1;
const Q_MAX: f32 = 0.9;
/// Lowest a-priori SNR relative to the squared gain floor.
const XI_MIN_REL: f32 = 1.0;
/// Noise power per bin (FFT units) below which nothing is attenuated: about −85 dBFS per bin.
const COMFORT: f32 = 1e-6;
/// Long-term SNR (dB) at and above which nothing is attenuated.
const LT_SNR_HI: f32 = 22.0;
/// Long-term SNR (dB) at and below which the full attenuation applies.
const LT_SNR_LO: f32 = 12.0;
/// Frame power over noise power above which a frame updates the long-term speech level.
const LT_SPEECH_RATIO: f32 = 4.0;
/// Smoothing of the long-term speech level per speech frame (≈ 1 s).
const LT_ALPHA: f32 = 0.99;
/// Smoothing of the frame power for the long-term noise reference.
const LTN_ALPHA: f32 = 0.7;
/// Frames per sub-window of the long-term noise minimum (1 s).
const LTN_WINDOW: u32 = 100;
/// Completed sub-windows the long-term noise minimum spans besides the current one.
const LTN_SUBWINDOWS: usize = 4;
/// Bias compensation of the long-term minimum (mean over minimum of the smoothed power).
const LTN_BIAS: f32 = 1.5;
/// Smoothing per frame of the do-no-harm weight towards more suppression (≈ 200 ms).
const HARM_ALPHA: f32 = 0.95;
/// Smoothing per frame of the do-no-harm weight towards less suppression (≈ 50 ms).
const HARM_RELEASE: f32 = 0.8;
/// Regularisation of the noise estimate per bin (FFT units).
const NOISE_FLOOR: f32 = 1e-12;

/// Noise suppressor state for one 16 kHz mono stream; 10 ms frames in place, 160 samples
/// (10 ms) of delay. Nothing allocates after [`NoiseSuppressor::new`].
#[derive(Debug, Clone)]
pub struct NoiseSuppressor {
    cfg: NoiseSuppressorConfig,
    gain_min: f32,
    stft: Stft,
    spec: Vec<Complex32>,
    power: Vec<f32>,
    smooth: Vec<f32>,
    s_min: Vec<f32>,
    s_tmp: Vec<f32>,
    presence: Vec<f32>,
    noise: Vec<f32>,
    prev_gain_h1: Vec<f32>,
    prev_gamma: Vec<f32>,
    gain: Vec<f32>,
    speech_lt: f32,
    lt: LongTermNoise,
    harm_w: f32,
    frames: u32,
}

/// Frame-level noise reference for the do-no-harm decision: the minimum of the smoothed frame
/// power over the last 4–5 s (five 1 s sub-windows), so speech runs of a few seconds do not
/// lift it (the per-bin MCRA estimate follows them within ~1 s).
#[derive(Debug, Clone, Copy, Default)]
struct LongTermNoise {
    smooth: f32,
    /// Minima of the last completed sub-windows.
    mins: [f32; LTN_SUBWINDOWS],
    /// Minimum of the current sub-window.
    cur: f32,
    next: usize,
    count: u32,
}

impl LongTermNoise {
    /// Feeds one frame's power (FFT units); returns the noise reference.
    fn update(&mut self, frame_pow: f32, first: bool) -> f32 {
        if first {
            *self = Self {
                smooth: frame_pow,
                mins: [frame_pow; LTN_SUBWINDOWS],
                cur: frame_pow,
                next: 0,
                count: 0,
            };
        }
        self.smooth = LTN_ALPHA * self.smooth + (1.0 - LTN_ALPHA) * frame_pow;
        self.cur = self.cur.min(self.smooth);
        self.count += 1;
        if self.count >= LTN_WINDOW {
            self.count = 0;
            if let Some(m) = self.mins.get_mut(self.next) {
                *m = self.cur;
            }
            self.next = (self.next + 1) % LTN_SUBWINDOWS;
            self.cur = self.smooth;
        }
        LTN_BIAS * self.mins.iter().fold(self.cur, |a, &b| a.min(b))
    }
}

impl Default for NoiseSuppressor {
    fn default() -> Self {
        Self::new(NoiseSuppressorConfig::default())
    }
}

/// Exponential integral E1(x) for x > 0 (rational approximations, relative error < 1e-4).
fn expint_e1(x: f32) -> f32 {
    let x = x.max(1e-8);
    if x < 1.0 {
        -0.577_215_7 - x.ln() + x - x * x / 4.0 + x * x * x / 18.0 - x * x * x * x / 96.0
    } else {
        (-x).exp() / x * (x * x + 2.334_733 * x + 0.250_621) / (x * x + 3.330_657 * x + 1.681_534)
    }
}

impl NoiseSuppressor {
    /// Delay the suppressor adds, in samples at 16 kHz (10 ms).
    pub const LATENCY_SAMPLES: usize = FRAME_LEN;

    /// A suppressor with the given settings. Every buffer is allocated here.
    pub fn new(cfg: NoiseSuppressorConfig) -> Self {
        let stft = Stft::new(FRAME_LEN, 1);
        let bins = stft.bins();
        Self {
            cfg,
            gain_min: 10f32.powf(-cfg.max_attenuation_db.abs() / 20.0),
            stft,
            spec: vec![Complex32::new(0.0, 0.0); bins],
            power: vec![0.0; bins],
            smooth: vec![0.0; bins],
            s_min: vec![0.0; bins],
            s_tmp: vec![0.0; bins],
            presence: vec![0.0; bins],
            noise: vec![0.0; bins],
            prev_gain_h1: vec![1.0; bins],
            prev_gamma: vec![1.0; bins],
            gain: vec![1.0; bins],
            speech_lt: 0.0,
            lt: LongTermNoise::default(),
            harm_w: 1.0,
            frames: 0,
        }
    }

    /// The settings this suppressor was built with.
    pub fn config(&self) -> NoiseSuppressorConfig {
        self.cfg
    }

    /// Back to the freshly constructed state.
    pub fn reset(&mut self) {
        *self = Self::new(self.cfg);
    }

    /// Suppresses noise in one 160-sample frame (16 kHz, full scale ±1) in place; the output
    /// is delayed by [`Self::LATENCY_SAMPLES`]. Non-finite samples are treated as 0, others clamped to ±8.
    ///
    /// # Errors
    ///
    /// [`DspError::FrameLength`] if `frame` is not 160 samples long (it is left unchanged).
    pub fn process(&mut self, frame: &mut [f32]) -> Result<(), DspError> {
        if frame.len() != FRAME_LEN {
            return Err(DspError::FrameLength {
                expected: FRAME_LEN,
                got: frame.len(),
            });
        }
        for s in frame.iter_mut() {
            *s = if s.is_finite() {
                s.clamp(-8.0, 8.0)
            } else {
                0.0
            };
        }
        self.stft.analyse(0, frame, &mut self.spec);
        let bins = self.spec.len();
        for (p, c) in self.power.iter_mut().zip(&self.spec) {
            *p = c.norm_sqr();
        }
        self.update_noise(bins);
        // Long-term SNR: speech level from frames well above the noise, against the noise.
        let frame_pow: f32 = self.power.iter().sum();
        let noise_pow = self.lt.update(frame_pow, self.frames == 1) + 1e-12;
        if frame_pow > LT_SPEECH_RATIO * noise_pow {
            self.speech_lt = LT_ALPHA * self.speech_lt + (1.0 - LT_ALPHA) * frame_pow;
        }
        let snr_lt = 10.0 * (self.speech_lt / noise_pow + 1e-12).log10();
        // Do no harm: noise far below the speech needs no suppression; the gain floor rises
        // from the configured maximum attenuation (long-term SNR ≤ LT_SNR_LO) to 1 (≥ LT_SNR_HI).
        let w_now = ((LT_SNR_HI - snr_lt) / (LT_SNR_HI - LT_SNR_LO)).clamp(0.0, 1.0);
        let a = if w_now < self.harm_w {
            HARM_RELEASE
        } else {
            HARM_ALPHA
        };
        self.harm_w = a * self.harm_w + (1.0 - a) * w_now;
        let w = self.harm_w;
        let gain_min = self.gain_min.powf(w);
        let xi_min = self.gain_min * self.gain_min * XI_MIN_REL;
        for k in 0..bins {
            let noise = NOISE_BIAS * self.noise[k] + NOISE_FLOOR;
            let gamma = (self.power[k] / noise).min(1e4);
            let xi = (DD_ALPHA * self.prev_gain_h1[k] * self.prev_gain_h1[k] * self.prev_gamma[k]
                + (1.0 - DD_ALPHA) * (gamma - 1.0).max(0.0))
            .max(xi_min);
            let v = gamma * xi / (1.0 + xi);
            let gain_h1 = (xi / (1.0 + xi) * (0.5 * expint_e1(v)).exp()).min(1.0);
            // A-priori speech absence from the minima-controlled presence estimate.
            let q = (1.0 - self.presence[k]).clamp(Q_MIN, Q_MAX);
            let odds = q / (1.0 - q) * (1.0 + xi) * (-v).max(-80.0).exp();
            let p = 1.0 / (1.0 + odds);
            // Floor: never attenuate a bin below what brings its noise to the comfort level,
            // so a clean input (noise near the floor) passes through.
            let floor = gain_min.max((COMFORT / noise).sqrt()).min(1.0);
            let gain = gain_h1.max(floor).powf(p) * floor.powf(1.0 - p);
            self.prev_gain_h1[k] = gain_h1;
            self.prev_gamma[k] = gamma;
            self.gain[k] = if gain.is_finite() { gain } else { 1.0 };
        }
        // Musical-noise control: light smoothing of the gain across frequency where speech
        // is absent.
        for k in 0..bins {
            let lo = self.gain[k.saturating_sub(1)];
            let hi = self.gain[(k + 1).min(bins - 1)];
            let g = self.gain[k];
            let sm = 0.25 * lo + 0.5 * g + 0.25 * hi;
            let w = self.presence[k];
            self.spec[k] *= w * g + (1.0 - w) * sm;
        }
        self.stft.synthesise(&self.spec, frame);
        Ok(())
    }

    /// MCRA noise tracking.
    fn update_noise(&mut self, bins: usize) {
        let first = self.frames == 0;
        self.frames = self.frames.saturating_add(1);
        for k in 0..bins {
            let lo = self.power[k.saturating_sub(1)];
            let hi = self.power[(k + 1).min(bins - 1)];
            let sf = 0.25 * lo + 0.5 * self.power[k] + 0.25 * hi;
            if first {
                self.smooth[k] = sf;
                self.s_min[k] = sf;
                self.s_tmp[k] = sf;
                self.noise[k] = self.power[k];
                continue;
            }
            self.smooth[k] = S_ALPHA * self.smooth[k] + (1.0 - S_ALPHA) * sf;
            self.s_min[k] = self.s_min[k].min(self.smooth[k]);
            self.s_tmp[k] = self.s_tmp[k].min(self.smooth[k]);
            if self.frames % MIN_WINDOW == 0 {
                self.s_min[k] = self.s_tmp[k].min(self.smooth[k]);
                self.s_tmp[k] = self.smooth[k];
            }
            let speech = self.smooth[k] > PRESENCE_RATIO * self.s_min[k] + 1e-12;
            let indicator = if speech { 1.0 } else { 0.0 };
            self.presence[k] =
                PRESENCE_ALPHA * self.presence[k] + (1.0 - PRESENCE_ALPHA) * indicator;
            let a = NOISE_ALPHA + (1.0 - NOISE_ALPHA) * self.presence[k];
            self.noise[k] = (a * self.noise[k] + (1.0 - a) * self.power[k])
                .min(self.smooth[k])
                .min(MIN_TO_NOISE * self.s_min[k]);
        }
    }
}
