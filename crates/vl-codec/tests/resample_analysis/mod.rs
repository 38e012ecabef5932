//! Quality measurements for [`vl_codec::Resampler`], shared by `tests/resample.rs` and by
//! `cargo xtask eval resampler` (which includes this file with `#[path]`), so the numbers the
//! tests assert and the numbers the evaluation prints come from the same code.
//!
//! # Method
//!
//! Every measurement resamples a synthetic `f32` signal in one call, drops the first
//! `2·delay + 20 ms` of output (start-up transient), and analyses the next `N` output samples,
//! `N = out_hz.next_power_of_two()` (bins ≤ 1 Hz wide), with a Kaiser window (β = 20, sidelobes
//! below −180 dB, main lobe ±6.5 bins) and a real FFT in `f64`. A *component* is the power summed
//! over ±[`LOBE_BINS`] bins around a frequency, converted to a sine amplitude. `fs_low` is the
//! lower of the two rates, so the measured band `0…PASS_EDGE·fs_low` is `0…0.875 × Nyquist`.
//!
//! - **Passband**: 16 tones, log-spaced from 100 Hz to `0.875 × fs_low/2`, 0.05 (−26 dBFS) each,
//!   in one signal; gain of each = output amplitude / 0.05; ripple = worst `|gain dB|`.
//! - **Image / spur**: in the same run, the worst component anywhere in 20 Hz…`out_hz/2` whose
//!   lobe stays clear of the 16 tones, relative to 0.05. For up-sampling these are the images
//!   (`k·in_hz ± f`); for down-sampling, any other spur.
//! - **Alias** (down-sampling only): 12 tones from `1.125 × fo/2` (the stopband edge, whose alias
//!   lands exactly on the passband edge) to `0.98 × fi/2`, dense near the edge, 0.05 each; the worst
//!   component in 20 Hz…`0.875 × fo/2`, relative to 0.05 (coinciding aliases add, which only makes
//!   the figure worse).
//! - **THD+N**: 997 Hz at −1 dBFS; all power in 20 Hz…`0.875 × fs_low/2` outside the tone's lobe
//!   relative to the tone's lobe power.
//! - **Delay**: an impulse 50 ms into the input; the first moment (centroid) of the output, which
//!   for a linear-phase, band-limited kernel is exactly its centre (the peak of its
//!   cross-correlation with the input impulse), minus the impulse's position in output samples.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "shared between test binaries and xtask; not every user calls every function"
)]

use realfft::RealFftPlanner;
use vl_codec::Resampler;

/// Passband edge as a fraction of the lower rate (`0.875 × Nyquist`).
pub const PASS_EDGE: f64 = 0.4375;
/// Stopband edge as a fraction of the lower rate (`1.125 × Nyquist`).
pub const STOP_EDGE: f64 = 0.5625;
/// Half-width of a component's lobe, in FFT bins.
pub const LOBE_BINS: usize = 8;
/// Kaiser β of the analysis window.
pub const WINDOW_BETA: f64 = 20.0;
/// Amplitude of each tone in the multi-tone signals (−26 dBFS).
pub const TONE_AMP: f64 = 0.05;
/// THD+N tone: frequency in Hz and amplitude (−1 dBFS).
pub const THD_HZ: f64 = 997.0;
/// −1 dBFS as a linear amplitude.
pub const THD_AMP: f64 = 0.891_250_938_133_745_5;

/// Every supported rate, in Hz.
pub const RATES: [u32; 8] = vl_codec::resample::SUPPORTED_RATES_HZ;

/// The 56 ordered pairs of distinct supported rates.
pub fn all_pairs() -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for &a in &RATES {
        for &b in &RATES {
            if a != b {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

/// Resamples `x` in one call (no flush).
pub fn oneshot(fi: u32, fo: u32, x: &[f32]) -> Vec<f32> {
    let mut r = Resampler::new(fi, fo).expect("supported pair");
    let mut out = Vec::with_capacity(r.max_output_len(x.len()));
    r.process_into(x, &mut out);
    out
}

/// Kaiser window of length `n`.
pub fn kaiser(n: usize, beta: f64) -> Vec<f64> {
    fn i0(x: f64) -> f64 {
        let (mut term, mut sum, mut k) = (1.0_f64, 1.0_f64, 1.0_f64);
        loop {
            term *= (x / 2.0 / k) * (x / 2.0 / k);
            sum += term;
            if term < sum * 1e-18 {
                return sum;
            }
            k += 1.0;
        }
    }
    let den = i0(beta);
    (0..n)
        .map(|i| {
            let x = 2.0 * i as f64 / (n - 1) as f64 - 1.0;
            i0(beta * (1.0 - x * x).max(0.0).sqrt()) / den
        })
        .collect()
}

/// A windowed power spectrum: `|Y_k|²` for `k = 0..=N/2`.
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// `|Y_k|²` of the windowed segment.
    pub power: Vec<f64>,
    /// FFT length.
    pub n: usize,
    /// Bin width in Hz.
    pub bin_hz: f64,
    /// `Σ w²` of the window.
    pub window_energy: f64,
    prefix: Vec<f64>,
}

impl Spectrum {
    /// Spectrum of `x[..n]` (`n` a power of two) at `fs` Hz.
    pub fn new(x: &[f32], n: usize, fs: f64) -> Self {
        let w = kaiser(n, WINDOW_BETA);
        let mut input: Vec<f64> = x[..n]
            .iter()
            .zip(&w)
            .map(|(&s, &w)| f64::from(s) * w)
            .collect();
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
        let mut out = fft.make_output_vec();
        fft.process(&mut input, &mut out).expect("fft lengths");
        let power: Vec<f64> = out.iter().map(|c| c.norm_sqr()).collect();
        let mut prefix = Vec::with_capacity(power.len() + 1);
        prefix.push(0.0);
        let mut acc = 0.0;
        for &p in &power {
            acc += p;
            prefix.push(acc);
        }
        Self {
            power,
            n,
            bin_hz: fs / n as f64,
            window_energy: w.iter().map(|w| w * w).sum(),
            prefix,
        }
    }

    /// Nearest bin to `hz`.
    pub fn bin(&self, hz: f64) -> usize {
        ((hz / self.bin_hz).round() as usize).min(self.power.len() - 1)
    }

    /// Sum of `|Y|²` over bins `lo..=hi` (clamped).
    pub fn sum(&self, lo: usize, hi: usize) -> f64 {
        let hi = hi.min(self.power.len() - 1);
        if lo > hi {
            return 0.0;
        }
        self.prefix[hi + 1] - self.prefix[lo]
    }

    /// Power of the component centred on bin `k`.
    pub fn lobe(&self, k: usize) -> f64 {
        self.sum(k.saturating_sub(LOBE_BINS), k + LOBE_BINS)
    }

    /// Sine amplitude equivalent to a lobe power (Parseval: `Σ_lobe |Y|² = N·A²·Σw²/4`).
    pub fn amplitude(&self, lobe_power: f64) -> f64 {
        (4.0 * lobe_power / (self.n as f64 * self.window_energy)).sqrt()
    }

    /// Amplitude of the component at `hz`.
    pub fn amplitude_at(&self, hz: f64) -> f64 {
        self.amplitude(self.lobe(self.bin(hz)))
    }

    /// The strongest component centred in `lo_hz..=hi_hz` whose lobe keeps at least
    /// `LOBE_BINS + 1` bins away from each of `exclude_hz`: `(frequency Hz, amplitude)`.
    pub fn worst_component(&self, lo_hz: f64, hi_hz: f64, exclude_hz: &[f64]) -> (f64, f64) {
        let lo = self.bin(lo_hz).max(LOBE_BINS);
        let hi = self.bin(hi_hz).min(self.power.len() - 1 - LOBE_BINS);
        let excluded: Vec<usize> = exclude_hz.iter().map(|&f| self.bin(f)).collect();
        let mut best = (0.0, 0.0);
        for k in lo..=hi {
            if excluded.iter().any(|&e| k.abs_diff(e) <= 2 * LOBE_BINS + 1) {
                continue;
            }
            let p = self.lobe(k);
            if p > best.1 {
                best = (k as f64 * self.bin_hz, p);
            }
        }
        (best.0, self.amplitude(best.1))
    }
}

/// dB of an amplitude ratio.
pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.max(1e-300).log10()
}

/// Lower of the two rates, in Hz.
pub fn fs_low(fi: u32, fo: u32) -> f64 {
    f64::from(fi.min(fo))
}

/// Resamples a sum of sines (frequencies in Hz, common amplitude) and returns the spectrum of
/// the settled output.
pub fn tones_spectrum(fi: u32, fo: u32, freqs: &[f64], amp: f64) -> Spectrum {
    let r = Resampler::new(fi, fo).expect("supported pair");
    let n = fo.next_power_of_two() as usize;
    let skip = 2 * r.delay_samples() + fo as usize / 50;
    let in_len = ((skip + n + 64) as f64 * f64::from(fi) / f64::from(fo)).ceil() as usize;
    let x: Vec<f32> = (0..in_len)
        .map(|i| {
            let t = i as f64 / f64::from(fi);
            freqs
                .iter()
                .map(|&f| amp * (2.0 * std::f64::consts::PI * f * t).sin())
                .sum::<f64>() as f32
        })
        .collect();
    let y = oneshot(fi, fo, &x);
    Spectrum::new(&y[skip..], n, f64::from(fo))
}

/// The 16 passband tones, in Hz.
pub fn passband_tones(fi: u32, fo: u32) -> Vec<f64> {
    let top = PASS_EDGE * fs_low(fi, fo);
    (0..16)
        .map(|i| 100.0 * (top / 100.0).powf(f64::from(i) / 15.0))
        .collect()
}

/// The 12 stopband tones for the alias measurement (down-sampling), in Hz.
pub fn alias_tones(fi: u32, fo: u32) -> Vec<f64> {
    let start = STOP_EDGE * f64::from(fo);
    let end = 0.49 * f64::from(fi);
    // Dense near the stopband edge (where a low-pass filter leaks most), then spread out.
    [
        0.0, 0.01, 0.025, 0.05, 0.1, 0.17, 0.25, 0.35, 0.5, 0.65, 0.8, 1.0,
    ]
    .iter()
    .map(|&u| start + u * (end - start))
    .collect()
}

/// Passband run: `(worst |gain| in dB, worst spur/image in dB re one tone)`.
pub fn passband_and_images(fi: u32, fo: u32) -> (f64, f64) {
    let tones = passband_tones(fi, fo);
    let s = tones_spectrum(fi, fo, &tones, TONE_AMP);
    let ripple = tones
        .iter()
        .map(|&f| db(s.amplitude_at(f) / TONE_AMP).abs())
        .fold(0.0, f64::max);
    let (_, spur) = s.worst_component(20.0, f64::from(fo) / 2.0, &tones);
    (ripple, db(spur / TONE_AMP))
}

/// Alias run (down-sampling only): worst alias in the passband, dB re one tone.
pub fn worst_alias(fi: u32, fo: u32) -> Option<f64> {
    if fi <= fo {
        return None;
    }
    let tones = alias_tones(fi, fo);
    let s = tones_spectrum(fi, fo, &tones, TONE_AMP);
    let (_, a) = s.worst_component(20.0, PASS_EDGE * f64::from(fo), &[]);
    Some(db(a / TONE_AMP))
}

/// THD+N of 997 Hz at −1 dBFS over 20 Hz…`0.875 × fs_low/2`, in dB.
pub fn thd_n(fi: u32, fo: u32) -> f64 {
    let s = tones_spectrum(fi, fo, &[THD_HZ], THD_AMP);
    let k = s.bin(THD_HZ);
    let tone = s.lobe(k);
    let band = s.sum(s.bin(20.0), s.bin(PASS_EDGE * fs_low(fi, fo)));
    10.0 * ((band - tone).max(1e-300) / tone).log10()
}

/// Measured delay in output samples (impulse centroid) and the reported one.
pub fn delay(fi: u32, fo: u32) -> (f64, f64) {
    let r = Resampler::new(fi, fo).expect("supported pair");
    let reported = r.delay_samples() as f64;
    let i0 = (fi / 20) as usize;
    let len = i0 + fi as usize / 10;
    let mut x = vec![0.0_f32; len];
    x[i0] = 1.0;
    let y = oneshot(fi, fo, &x);
    let (mut m0, mut m1) = (0.0_f64, 0.0_f64);
    for (m, &v) in y.iter().enumerate() {
        m0 += f64::from(v);
        m1 += m as f64 * f64::from(v);
    }
    let at = i0 as f64 * f64::from(fo) / f64::from(fi);
    (m1 / m0 - at, reported)
}

/// All figures for one pair.
#[derive(Debug, Clone)]
pub struct Quality {
    /// Input rate, Hz.
    pub fi: u32,
    /// Output rate, Hz.
    pub fo: u32,
    /// Worst passband gain deviation, dB.
    pub ripple_db: f64,
    /// Worst image/spur in the passband run, dB re tone.
    pub image_db: f64,
    /// Worst alias (down-sampling), dB re tone.
    pub alias_db: Option<f64>,
    /// THD+N, dB.
    pub thd_n_db: f64,
    /// Reported delay, ms.
    pub delay_ms: f64,
    /// Measured minus reported delay, output samples.
    pub delay_error_samples: f64,
}

impl Quality {
    /// Runs every measurement for `fi → fo`.
    pub fn measure(fi: u32, fo: u32) -> Self {
        let (ripple_db, image_db) = passband_and_images(fi, fo);
        let (measured, reported) = delay(fi, fo);
        Self {
            fi,
            fo,
            ripple_db,
            image_db,
            alias_db: worst_alias(fi, fo),
            thd_n_db: thd_n(fi, fo),
            delay_ms: reported * 1000.0 / f64::from(fo),
            delay_error_samples: measured - reported,
        }
    }

    /// Worst of alias and image, dB.
    pub fn alias_image_db(&self) -> f64 {
        self.alias_db
            .map_or(self.image_db, |a| a.max(self.image_db))
    }
}
