//! Test and evaluation support shared by the vl-dsp tests and `cargo xtask eval aec|ns`
//! (included there by path): WAV reading, a seeded PRNG, synthetic room impulse responses,
//! FFT convolution, scenario mixing and metrics. No test material is stored: speech comes from
//! `$VL_TEST_DATA` (default `../shared/data`) or Debian packages.
#![allow(dead_code, reason = "each includer uses a different subset")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test support")]

use std::path::PathBuf;

use realfft::RealFftPlanner;
use realfft::num_complex::Complex32;

/// The test-data folder: `$VL_TEST_DATA`, default `../shared/data` relative to the repo root.
pub(crate) fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("VL_TEST_DATA") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // CARGO_MANIFEST_DIR is crates/vl-dsp or xtask: walk up to the workspace root.
    let mut dir = root.as_path();
    while !dir.join("Cargo.lock").exists() {
        match dir.parent() {
            Some(p) => dir = p,
            None => break,
        }
    }
    dir.join("../shared/data")
}

/// Reads a mono or stereo PCM16 WAV file; returns (rate Hz, first channel as f32 in ±1).
pub(crate) fn read_wav(path: &std::path::Path) -> Result<(u32, Vec<f32>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(format!("{}: not a WAV file", path.display()));
    }
    let mut pos = 12;
    let (mut rate, mut channels, mut bits) = (0u32, 1u16, 16u16);
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = pos + 8;
        let end = (body + size).min(bytes.len());
        if id == b"fmt " && end >= body + 16 {
            channels = u16::from_le_bytes([bytes[body + 2], bytes[body + 3]]);
            rate = u32::from_le_bytes(bytes[body + 4..body + 8].try_into().unwrap());
            bits = u16::from_le_bytes([bytes[body + 14], bytes[body + 15]]);
        } else if id == b"data" {
            if bits != 16 {
                return Err(format!("{}: {bits}-bit WAV unsupported", path.display()));
            }
            let step = 2 * channels.max(1) as usize;
            let samples = bytes[body..end]
                .chunks_exact(step)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                .collect();
            return Ok((rate, samples));
        }
        pos = body + size + (size & 1);
    }
    Err(format!("{}: no data chunk", path.display()))
}

/// Writes mono PCM16 WAV.
pub(crate) fn write_wav(path: &std::path::Path, rate: u32, x: &[f32]) -> Result<(), String> {
    let mut out = Vec::with_capacity(44 + 2 * x.len());
    let data_len = (2 * x.len()) as u32;
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in x {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

/// xorshift64* PRNG with a fixed seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (v >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-7);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
    }
}

/// Synthetic room impulse response at 16 kHz: a direct-path spike after `pre` samples, then
/// exponentially decaying Gaussian noise (60 dB in `rt60_s`), low-passed a little, scaled to
/// unit energy times `gain` (amplitude).
pub(crate) fn synthetic_rir(rt60_s: f32, len: usize, pre: usize, gain: f32, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut h = vec![0.0f32; len];
    let decay = -6.907_755 / (rt60_s * 16_000.0); // ln(1e-3) per sample
    h[pre] = 1.0;
    let mut lp = 0.0f32;
    for (n, v) in h.iter_mut().enumerate().skip(pre + 1) {
        let t = (n - pre) as f32;
        lp = 0.6 * lp + 0.4 * rng.normal();
        *v += 0.35 * lp * (decay * t).exp();
    }
    let e: f32 = h.iter().map(|v| v * v).sum();
    let s = gain / e.sqrt();
    h.iter_mut().for_each(|v| *v *= s);
    h
}

/// Linear convolution `x * h`, truncated to `x.len()`, by FFT overlap-add.
pub(crate) fn convolve(x: &[f32], h: &[f32]) -> Vec<f32> {
    let block = h.len().next_power_of_two().max(1024);
    let n = 2 * block;
    let mut planner = RealFftPlanner::<f32>::new();
    let fwd = planner.plan_fft_forward(n);
    let inv = planner.plan_fft_inverse(n);
    let mut hb = vec![0.0f32; n];
    let mut hspec = fwd.make_output_vec();
    let mut tmp_h = h.to_vec();
    tmp_h.resize(n, 0.0);
    hb.copy_from_slice(&tmp_h);
    fwd.process(&mut hb, &mut hspec).unwrap();
    let mut out = vec![0.0f32; x.len() + n];
    let mut buf = vec![0.0f32; n];
    let mut spec = fwd.make_output_vec();
    for start in (0..x.len()).step_by(block) {
        let end = (start + block).min(x.len());
        buf.fill(0.0);
        buf[..end - start].copy_from_slice(&x[start..end]);
        fwd.process(&mut buf, &mut spec).unwrap();
        for (s, hs) in spec.iter_mut().zip(&hspec) {
            *s *= *hs;
        }
        spec[0].im = 0.0;
        spec[n / 2].im = 0.0;
        inv.process(&mut spec, &mut buf).unwrap();
        for (i, v) in buf.iter().enumerate() {
            out[start + i] += v / n as f32;
        }
    }
    out.truncate(x.len());
    out
}

/// Mean square.
pub(crate) fn power(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64
}

/// Scales `x` to an RMS of `dbfs` dB re full scale (over its active part: frames above −60 dB
/// of the loudest 10 ms frame).
pub(crate) fn set_active_level(x: &mut [f32], dbfs: f64) {
    let frames: Vec<f64> = x.chunks(160).map(power).collect();
    let max = frames.iter().cloned().fold(0.0, f64::max);
    let active: Vec<f64> = frames.into_iter().filter(|&p| p > max * 1e-6).collect();
    if active.is_empty() {
        return;
    }
    let p = active.iter().sum::<f64>() / active.len() as f64;
    let g = (10f64.powf(dbfs / 10.0) / p).sqrt() as f32;
    x.iter_mut().for_each(|v| *v *= g);
}

/// Runs `x` through a canceller-like closure frame by frame (160 samples; the tail that does
/// not fill a frame is dropped).
pub(crate) fn frames_len(n: usize) -> usize {
    n / 160 * 160
}

/// Linear 2× upsampler for 8 kHz → 16 kHz test material (windowed-sinc, 64 taps): good enough
/// for far-end speech.
pub(crate) fn upsample2(x: &[f32]) -> Vec<f32> {
    let taps = 32isize;
    let mut kernel = Vec::new();
    for k in -taps..taps {
        let t = k as f32 + 0.5;
        let sinc = (std::f32::consts::PI * t).sin() / (std::f32::consts::PI * t);
        let w = 0.5 + 0.5 * (std::f32::consts::PI * t / taps as f32).cos();
        kernel.push(sinc * w);
    }
    let mut out = vec![0.0f32; 2 * x.len()];
    for (i, &v) in x.iter().enumerate() {
        out[2 * i] = v;
    }
    for i in 0..x.len() {
        let mut acc = 0.0;
        for (j, &kv) in kernel.iter().enumerate() {
            let idx = i as isize + j as isize - taps + 1;
            if idx >= 0 && (idx as usize) < x.len() {
                acc += x[idx as usize] * kv;
            }
        }
        out[2 * i + 1] = acc;
    }
    out
}

/// ERLE in dB over `[start, end)` samples: mic echo power / output power (output aligned by
/// `latency` samples). Only meaningful with the near end silent.
pub(crate) fn erle_db(echo: &[f32], out: &[f32], start: usize, end: usize, latency: usize) -> f64 {
    let end = end.min(echo.len()).min(out.len().saturating_sub(latency));
    let pe = power(&echo[start..end]);
    let po = power(&out[start + latency..end + latency]);
    10.0 * ((pe + 1e-20) / (po + 1e-20)).log10()
}

/// SI-SDR in dB of `est` against `reference` (same length, already aligned).
pub(crate) fn si_sdr_db(reference: &[f32], est: &[f32]) -> f64 {
    let n = reference.len().min(est.len());
    let (r, e) = (&reference[..n], &est[..n]);
    let dot: f64 = r
        .iter()
        .zip(e)
        .map(|(&a, &b)| f64::from(a) * f64::from(b))
        .sum();
    let rr: f64 = r.iter().map(|&a| f64::from(a) * f64::from(a)).sum();
    let alpha = dot / (rr + 1e-20);
    let mut num = 0.0;
    let mut den = 0.0;
    for (&a, &b) in r.iter().zip(e) {
        let t = alpha * f64::from(a);
        num += t * t;
        den += (f64::from(b) - t) * (f64::from(b) - t);
    }
    10.0 * ((num + 1e-20) / (den + 1e-20)).log10()
}

/// Spectrum helper type re-export for includers.
pub(crate) type Cpx = Complex32;
