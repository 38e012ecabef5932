//! Residual echo suppressor: a per-bin Wiener-style gain from the linear filter's echo
//! estimate scaled by a tracked "leak" (regression of the residual power on the echo-estimate
//! power), on a sqrt-Hann STFT with 50 % overlap (adds one hop, 160 samples = 10 ms, of delay).

use realfft::num_complex::Complex32;

use crate::stft::Stft;

/// Over-subtraction factor.
const OVERSUB: f32 = 3.0;
/// Lowest gain (−50 dB).
const GAIN_MIN: f32 = 0.003;
/// Leak bounds.
const LEAK_MIN: f32 = 0.005;
const LEAK_MAX: f32 = 8.0;
/// Smoothing of the regression statistics per far-end-active frame.
const STAT_SMOOTH: f32 = 0.97;
/// Decay of the echo-power estimate per frame (models the tail beyond the filter).
const TAIL_DECAY: f32 = 0.7;

/// State of the residual echo suppressor.
#[derive(Debug, Clone)]
pub(crate) struct Suppressor {
    stft: Stft,
    spec_e: Vec<Complex32>,
    spec_y: Vec<Complex32>,
    mean_e: Vec<f32>,
    mean_y: Vec<f32>,
    cov: Vec<f32>,
    var: Vec<f32>,
    leak: Vec<f32>,
    echo: Vec<f32>,
    gain: Vec<f32>,
    updates: u32,
}

impl Suppressor {
    /// A suppressor for hops of `hop` samples (window `2 * hop`).
    pub(crate) fn new(hop: usize) -> Self {
        let stft = Stft::new(hop, 2);
        let bins = stft.bins();
        Self {
            stft,
            spec_e: vec![Complex32::new(0.0, 0.0); bins],
            spec_y: vec![Complex32::new(0.0, 0.0); bins],
            mean_e: vec![0.0; bins],
            mean_y: vec![0.0; bins],
            cov: vec![0.0; bins],
            var: vec![0.0; bins],
            leak: vec![1.0; bins],
            echo: vec![0.0; bins],
            gain: vec![1.0; bins],
            updates: 0,
        }
    }

    /// Suppresses the residual echo in the error frame `e` given the linear echo estimate `y`
    /// of the same frame; `far_active` gates the statistics. Writes `hop` samples to `out`,
    /// delayed by `hop` samples.
    pub(crate) fn process(&mut self, e: &[f32], y: &[f32], far_active: bool, out: &mut [f32]) {
        self.stft.analyse(0, e, &mut self.spec_e);
        self.stft.analyse(1, y, &mut self.spec_y);
        let a = STAT_SMOOTH;
        if far_active {
            self.updates = self.updates.saturating_add(1);
        }
        for k in 0..self.spec_e.len() {
            let pe = self.spec_e[k].norm_sqr();
            let py = self.spec_y[k].norm_sqr();
            if far_active {
                self.mean_e[k] = a * self.mean_e[k] + (1.0 - a) * pe;
                self.mean_y[k] = a * self.mean_y[k] + (1.0 - a) * py;
                let de = pe - self.mean_e[k];
                let dy = py - self.mean_y[k];
                self.cov[k] = a * self.cov[k] + (1.0 - a) * de * dy;
                self.var[k] = a * self.var[k] + (1.0 - a) * dy * dy;
                if self.updates > 30 {
                    let l = self.cov[k] / (self.var[k] + 1e-20);
                    self.leak[k] = if l.is_finite() {
                        l.clamp(LEAK_MIN, LEAK_MAX)
                    } else {
                        LEAK_MAX
                    };
                }
            }
            let est = self.leak[k] * py;
            self.echo[k] = est.max(TAIL_DECAY * self.echo[k]);
            let g = (1.0 - OVERSUB * self.echo[k] / (pe + 1e-12)).clamp(GAIN_MIN, 1.0);
            // Fast attack, slower release.
            self.gain[k] = if g < self.gain[k] {
                g
            } else {
                0.5 * self.gain[k] + 0.5 * g
            };
            self.spec_e[k] *= self.gain[k];
        }
        self.stft.synthesise(&self.spec_e, out);
    }
}
