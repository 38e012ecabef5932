//! The Slaney-style mel filterbank that Whisper's front end uses.
//!
//! Whisper's `mel_filters.npz` is `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)` (and 128
//! mels for large-v3): Slaney's mel scale (linear below 1 kHz, logarithmic above) and Slaney area
//! normalisation. This module computes the same matrix, following librosa's arithmetic: weights
//! computed in f64, stored as f32, then scaled by the f64 normaliser and stored as f32 again.

/// Hz → mel on Slaney's scale (librosa `hz_to_mel(htk=False)`).
pub fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / logstep
    } else {
        hz / F_SP
    }
}

/// Mel → Hz on Slaney's scale (librosa `mel_to_hz(htk=False)`).
pub fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (logstep * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// The filterbank as a row-major `n_mels × (n_fft/2 + 1)` matrix, from 0 Hz to `rate_hz / 2`.
///
/// `rate_hz` is the sample rate (16 000 for Whisper), `n_fft` the FFT length in samples (400).
pub fn filterbank(rate_hz: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_freqs = n_fft / 2 + 1;
    let nyquist = f64::from(rate_hz) / 2.0;
    let fft_freqs: Vec<f64> = (0..n_freqs)
        .map(|i| linspace(0.0, nyquist, n_freqs, i))
        .collect();
    let (mel_lo, mel_hi) = (hz_to_mel(0.0), hz_to_mel(nyquist));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(linspace(mel_lo, mel_hi, n_mels + 2, i)))
        .collect();
    let mut out = Vec::with_capacity(n_mels * n_freqs);
    for band in mel_f.windows(3) {
        let &[f0, f1, f2] = band else { continue };
        let enorm = 2.0 / (f2 - f0);
        for &f in &fft_freqs {
            let lower = (f - f0) / (f1 - f0);
            let upper = (f2 - f) / (f2 - f1);
            let w = 0.0f64.max(lower.min(upper)) as f32;
            out.push((f64::from(w) * enorm) as f32);
        }
    }
    out
}

/// `numpy.linspace(start, stop, n)[i]` with numpy's formula (`start + i * step`, last point exact).
fn linspace(start: f64, stop: f64, n: usize, i: usize) -> f64 {
    if n < 2 {
        return start;
    }
    if i == n - 1 {
        return stop;
    }
    let step = (stop - start) / (n - 1) as f64;
    start + i as f64 * step
}
