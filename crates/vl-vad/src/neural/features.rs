//! Log-mel features, the same definition as `crates/vl-vad/train/features.py`.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::classifier::FRAME_SAMPLES;

/// Analysis window and FFT length, in samples (32 ms).
pub(crate) const WIN: usize = 512;
const BINS: usize = WIN / 2 + 1;
/// Number of mel bands.
pub(crate) const MELS: usize = 40;
const F_MIN_HZ: f64 = 50.0;
const F_MAX_HZ: f64 = 8000.0;
const RATE_HZ: f64 = 16_000.0;
const LOG_EPS: f32 = 1e-7;

/// One triangular filter: first bin and weights of consecutive bins.
#[derive(Debug, Clone)]
struct Filter {
    start: usize,
    weights: Vec<f32>,
}

/// Streaming log-mel analysis, one 10 ms frame at a time.
pub(crate) struct LogMel {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    history: Vec<f32>,
    time_buf: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f32>,
    filters: Vec<Filter>,
    out: [f32; MELS],
}

impl std::fmt::Debug for LogMel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogMel").finish_non_exhaustive()
    }
}

fn hz_to_mel(f: f64) -> f64 {
    2595.0 * (1.0 + f / 700.0).log10()
}

fn mel_to_hz(m: f64) -> f64 {
    700.0 * (10f64.powf(m / 2595.0) - 1.0)
}

fn filters() -> Vec<Filter> {
    let (lo, hi) = (hz_to_mel(F_MIN_HZ), hz_to_mel(F_MAX_HZ));
    let edges: Vec<f64> = (0..MELS + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (MELS + 1) as f64))
        .collect();
    edges
        .windows(3)
        .map(|e| {
            let (a, c, b) = (e[0], e[1], e[2]);
            let w: Vec<(usize, f32)> = (0..BINS)
                .filter_map(|k| {
                    let f = k as f64 * RATE_HZ / WIN as f64;
                    let v = ((f - a) / (c - a)).min((b - f) / (b - c)).max(0.0);
                    (v > 0.0).then_some((k, v as f32))
                })
                .collect();
            let start = w.first().map_or(0, |x| x.0);
            let end = w.last().map_or(0, |x| x.0 + 1);
            let mut weights = vec![0.0; end.saturating_sub(start)];
            for (k, v) in w {
                if let Some(slot) = weights.get_mut(k - start) {
                    *slot = v;
                }
            }
            Filter { start, weights }
        })
        .collect()
}

impl LogMel {
    pub(crate) fn new() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(WIN);
        let spectrum = fft.make_output_vec();
        let scratch = fft.make_scratch_vec();
        let window = (0..WIN)
            .map(|n| (0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / WIN as f64).cos()) as f32)
            .collect();
        Self {
            fft,
            window,
            history: vec![0.0; WIN],
            time_buf: vec![0.0; WIN],
            spectrum,
            scratch,
            power: vec![0.0; BINS],
            filters: filters(),
            out: [0.0; MELS],
        }
    }

    pub(crate) fn reset(&mut self) {
        self.history.fill(0.0);
    }

    /// Adds one frame of [`FRAME_SAMPLES`] samples and returns the log-mel energies of the
    /// 512-sample window ending with it.
    pub(crate) fn process(&mut self, frame: &[f32]) -> &[f32; MELS] {
        self.history.copy_within(FRAME_SAMPLES.., 0);
        let tail = WIN - FRAME_SAMPLES;
        for (h, &x) in self.history[tail..].iter_mut().zip(frame) {
            *h = if x.is_finite() { x } else { 0.0 };
        }
        for ((t, &h), &w) in self
            .time_buf
            .iter_mut()
            .zip(&self.history)
            .zip(&self.window)
        {
            *t = h * w;
        }
        if self
            .fft
            .process_with_scratch(&mut self.time_buf, &mut self.spectrum, &mut self.scratch)
            .is_err()
        {
            self.out.fill(LOG_EPS.ln());
            return &self.out;
        }
        for (p, c) in self.power.iter_mut().zip(&self.spectrum) {
            *p = c.re * c.re + c.im * c.im;
        }
        for (o, f) in self.out.iter_mut().zip(&self.filters) {
            let bins = self
                .power
                .get(f.start..f.start + f.weights.len())
                .unwrap_or(&[]);
            let e: f32 = bins.iter().zip(&f.weights).map(|(p, w)| p * w).sum();
            *o = (e + LOG_EPS).ln();
        }
        &self.out
    }
}
