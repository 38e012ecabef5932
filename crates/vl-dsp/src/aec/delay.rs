//! Coarse bulk-delay estimator: normalised cross-correlation of band-energy modulation
//! envelopes (log band energy minus its 100 ms average) between the far end and the
//! microphone, over lags of whole 10 ms frames, tracked with exponential smoothing and a
//! persistence rule before a new delay is accepted.

use realfft::num_complex::Complex32;

/// Number of analysis bands (log-spaced, 150 Hz – 7 kHz).
const BANDS: usize = 16;
/// Smoothing of the correlation per update (time constant ≈ 33 frames = 0.33 s).
const LAMBDA: f32 = 0.97;
/// Smoothing of the per-band envelope average (≈ 10 frames).
const ENV_SMOOTH: f32 = 0.9;
/// Updates a new best lag must win in a row before it replaces the current estimate.
const PERSIST: u32 = 12;
/// Band-energy floor per bin (FFT units: −24 dBFS white noise gives ≈ 1.3 per bin).
const FLOOR_PER_BIN: f32 = 1e-4;
/// Minimum normalised correlation for an estimate.
const MIN_NCC: f32 = 0.2;

/// Tracks the delay of the echo relative to the far end, in frames.
#[derive(Debug, Clone)]
pub(crate) struct DelayEstimator {
    band_edges: [usize; BANDS + 1],
    lags: usize,
    far_feat: Vec<f32>,
    far_avg: [f32; BANDS],
    near_avg: [f32; BANDS],
    started: bool,
    corr: Vec<f32>,
    far_pow: Vec<f32>,
    far_frame_pow: Vec<f32>,
    near_pow: f32,
    pos: usize,
    since_far_active: usize,
    estimate: Option<usize>,
    candidate: usize,
    candidate_count: u32,
    confidence: f32,
    fast: bool,
}

impl DelayEstimator {
    /// An estimator over lags `0..lags` frames for spectra of `bins` bins at 16 kHz.
    pub(crate) fn new(lags: usize, bins: usize) -> Self {
        let mut band_edges = [0usize; BANDS + 1];
        let nyquist_bin = (bins - 1) as f32;
        let (lo, hi) = (150.0_f32, 7000.0_f32);
        for (i, edge) in band_edges.iter_mut().enumerate() {
            let f = lo * (hi / lo).powf(i as f32 / BANDS as f32);
            *edge = ((f / 8000.0 * nyquist_bin).round() as usize).clamp(1, bins - 1);
        }
        for i in 1..=BANDS {
            if band_edges[i] <= band_edges[i - 1] {
                band_edges[i] = band_edges[i - 1] + 1;
            }
        }
        Self {
            band_edges,
            lags,
            far_feat: vec![0.0; lags * BANDS],
            far_avg: [0.0; BANDS],
            near_avg: [0.0; BANDS],
            started: false,
            corr: vec![0.0; lags],
            far_pow: vec![0.0; lags],
            far_frame_pow: vec![0.0; lags],
            near_pow: 0.0,
            pos: 0,
            since_far_active: usize::MAX,
            estimate: None,
            candidate: 0,
            candidate_count: 0,
            confidence: 0.0,
            fast: false,
        }
    }

    /// Forgets the correlation statistics (keeps the current estimate), so that after an echo
    /// path change or a delay jump a new delay is found as fast as the first one (3 updates in a
    /// row instead of `PERSIST`).
    pub(crate) fn restart(&mut self) {
        self.corr.fill(0.0);
        self.far_pow.fill(0.0);
        self.near_pow = 0.0;
        self.candidate_count = 0;
        self.fast = true;
    }

    /// The accepted delay in frames, if any.
    pub(crate) fn estimate(&self) -> Option<usize> {
        self.estimate
    }

    fn features(edges: &[usize; BANDS + 1], spec: &[Complex32], out: &mut [f32; BANDS]) -> f32 {
        let mut total = 0.0;
        for b in 0..BANDS {
            // Floor ≈ 40 dB below −24 dBFS speech per bin, so silence ↔ speech steps and
            // empty bands (8 kHz sources) do not dominate the correlation.
            let mut e = FLOOR_PER_BIN * (edges[b + 1] - edges[b]) as f32;
            for c in &spec[edges[b]..edges[b + 1]] {
                e += c.norm_sqr();
            }
            total += e;
            out[b] = e.ln();
        }
        total
    }

    /// Feeds the newest far-end spectrum and the microphone spectrum of the same frame;
    /// `far_active` says whether this far-end frame carries signal.
    pub(crate) fn update(&mut self, far: &[Complex32], near: &[Complex32], far_active: bool) {
        let mut fx = [0.0f32; BANDS];
        let mut nx = [0.0f32; BANDS];
        Self::features(&self.band_edges, far, &mut fx);
        Self::features(&self.band_edges, near, &mut nx);
        if !self.started {
            self.far_avg = fx;
            self.near_avg = nx;
            self.started = true;
        }
        self.pos = (self.pos + 1) % self.lags;
        let slot = self.pos * BANDS;
        let mut fpow = 0.0;
        for b in 0..BANDS {
            self.far_avg[b] = ENV_SMOOTH * self.far_avg[b] + (1.0 - ENV_SMOOTH) * fx[b];
            self.near_avg[b] = ENV_SMOOTH * self.near_avg[b] + (1.0 - ENV_SMOOTH) * nx[b];
            let v = if far_active {
                fx[b] - self.far_avg[b]
            } else {
                0.0
            };
            self.far_feat[slot + b] = v;
            nx[b] -= self.near_avg[b];
            fpow += v * v;
        }
        self.far_frame_pow[self.pos] = fpow;
        self.since_far_active = if far_active {
            0
        } else {
            self.since_far_active.saturating_add(1)
        };
        if self.since_far_active >= self.lags {
            return;
        }
        let npow: f32 = nx.iter().map(|v| v * v).sum();
        self.near_pow = LAMBDA * self.near_pow + npow;
        let mut best = (0usize, f32::NEG_INFINITY);
        for d in 0..self.lags {
            let idx = (self.pos + self.lags - d) % self.lags;
            let feat = &self.far_feat[idx * BANDS..idx * BANDS + BANDS];
            let mut acc = 0.0;
            for b in 0..BANDS {
                acc += feat[b] * nx[b];
            }
            self.corr[d] = LAMBDA * self.corr[d] + acc;
            self.far_pow[d] = LAMBDA * self.far_pow[d] + self.far_frame_pow[idx];
            let ncc = self.corr[d] / (self.far_pow[d] * self.near_pow + 1e-9).sqrt();
            if ncc > best.1 {
                best = (d, ncc);
            }
        }
        let ncc_at = |d: usize| self.corr[d] / (self.far_pow[d] * self.near_pow + 1e-9).sqrt();
        if let Some(current) = self.estimate {
            self.confidence = ncc_at(current);
        }
        if best.1 < MIN_NCC {
            self.candidate_count = 0;
            return;
        }
        if Some(best.0) == self.estimate {
            // Re-confirmed after a restart: back to the slow, robust rule.
            self.candidate_count = 0;
            self.fast = false;
            return;
        }
        let clearly_better = self
            .estimate
            .is_none_or(|c| best.1 > ncc_at(c) * 1.25 + 0.02);
        if !clearly_better {
            self.candidate_count = 0;
            return;
        }
        if best.0 == self.candidate {
            self.candidate_count += 1;
        } else {
            self.candidate = best.0;
            self.candidate_count = 1;
        }
        let needed = if self.estimate.is_none() || self.fast {
            3
        } else {
            PERSIST
        };
        if self.candidate_count >= needed {
            self.estimate = Some(best.0);
            self.confidence = best.1;
            self.candidate_count = 0;
            self.fast = false;
        }
    }
}
