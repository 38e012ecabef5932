//! Streaming sample-rate conversion between the rates a Voice Live session meets.
//!
//! [`Resampler`] converts mono `f32` audio between any two of [`SUPPORTED_RATES_HZ`]
//! (8, 11.025, 16, 22.05, 24, 32, 44.1 and 48 kHz). It is a state object fed chunks of any size;
//! the output is **bit-identical** to processing the whole signal in one call, whatever the
//! chunking, and never drifts: after `n` input samples exactly `ceil(n·L/M)` output samples have
//! been produced, where `L/M = out_hz/in_hz` reduced.
//!
//! # Design
//!
//! Every supported pair is a rational ratio `L/M` (`fo/fi` divided by their gcd, e.g. 48→16 kHz is
//! 1/3, 44.1→48 kHz is 160/147), so the converter is an **exact polyphase FIR**: output sample `m`
//! lies at input time `m·M/L`, which splits into a whole input index `q` and one of `L` phases
//! `p/L`. Each phase has its own row of coefficients, and `y[m]` is one dot product of that row
//! with the input samples `x[q−T+1 ..= q]`. There is no interpolation between table entries and
//! no floating-point time accumulator, so nothing can drift.
//!
//! *Why chunking cannot change the output:* each output sample is computed by the same function
//! from the same coefficient row and the same `T` input values in the same order; the chunk
//! boundaries only decide *when* it is computed. The input history lives in one buffer that is
//! compacted with a plain copy, which moves values but never changes them. Each pair uses one
//! kernel, chosen at construction, whose operation order is fixed by the source (Rust neither
//! reassociates nor fuses `f32` arithmetic), so the result depends only on the values.
//!
//! *Two kernels:* ratios with few phases (`L, M ≤ 6`: every pair within 8/16/24/32/48 kHz or
//! within 11.025/22.05/44.1 kHz, e.g. 48→16, 24→16, 16→24, 8→16, 16→48 kHz) use an
//! **output-blocked** kernel (`blocked.rs`): the input is split into its `M` phases so that for
//! each tap the inputs of 32 consecutive outputs of one phase row are contiguous, and 32 outputs
//! are accumulated at once, one per SIMD lane (coefficient broadcast, contiguous load,
//! multiply, add), over the kernel's real span only. For pure decimation (`L = 1`) the row is
//! symmetric and each coefficient multiplies the sum of its two inputs. The other pairs
//! (`L` = 147…441 phases, e.g. 44.1→48 or 22.05→16 kHz) have too few outputs per phase to fill
//! blocks and use one `dot` product per output, 16 accumulators over the zero-padded row.
//!
//! *The filter* (details in `design.rs`): one continuous low-pass kernel specified in units of
//! the **lower** rate `fs_low`, designed in `f64` (tabulated, re-derived by a unit test) and
//! sampled in `f64` at every phase offset of the pair at construction. Each row is normalised to the same DC gain in `f64`, then
//! rounded to `f32`. The specification:
//! - passband to `0.875 × fs_low/2` (7 kHz at 16 kHz), ripple ±0.02 dB;
//! - stopband from `fs_low − 0.875·fs_low/2 = 1.125 × fs_low/2`, ≤ −119 dB: aliases
//!   (down-sampling) and images (up-sampling) of anything at or above that frequency land outside
//!   the passband, so a wider stopband would buy nothing measurable, while this transition band
//!   (`0.125·fs_low` wide) keeps the kernel short;
//! - the kernel is a weighted-minimax FIR (Lawson's iteratively reweighted least squares) at
//!   `4·fs_low`, made continuous by a short Kaiser-sinc interpolator. A Kaiser-windowed sinc of
//!   the same stopband has passband ripple as small as its stopband (1e-6), which nobody can
//!   hear, and is ~40 % longer: 4.0 ms of delay at 8 kHz instead of 2.75 ms. Minimax lets the
//!   passband use the ±0.05 dB it is allowed;
//! - half-width 21.6 samples of `fs_low`, i.e. `T = 2·21.6·max(1, fi/fo) + 1` taps per output
//!   sample, rounded up to a multiple of 16 with zero taps so the dot product needs no remainder
//!   loop (48→16 kHz: 144 taps; 16→48 kHz: 48 taps per phase).
//!
//! *Precision:* coefficients and accumulation are `f32`. Rounding is not
//! what limits quality: THD+N of 997 Hz at −1 dBFS ranges from −117 to −158 dB over the pairs,
//! and where it is worst (24→32 and 22.05→24 kHz) the residue is the tone's image at
//! `fi − 997 Hz`, which the output rate folds back into the band, at the stopband's −119 dB. So `f64` accumulation (half
//! the SIMD width) buys nothing measurable; `tests/resample.rs` measures all 56 pairs.
//!
//! *Delay:* the kernel is linear-phase and centred `half_width` lower-rate samples behind the
//! newest input, rounded up so that the delay is a whole number of **output** samples
//! ([`Resampler::delay_samples`]): 2.75 ms for pairs whose lower rate is 8 kHz, 1.375 ms at
//! 16 kHz, 0.92 ms at 24 kHz.
//!
//! *Silence:* a window of exact zeros yields `+0.0` without a dot product — the value the dot
//! product would give (`Σ c·(±0)` from `+0.0` accumulators), so the fast path cannot change the
//! output; it makes digital silence nearly free.
//!
//! # Units
//!
//! Rates are in Hz, lengths and delays in samples (mono, so samples = frames) unless the name
//! ends in `_ms`.

mod blocked;
mod design;

use crate::CodecError;
use blocked::Blocked;
use design::Kernel;

/// The sample rates [`Resampler`] accepts, in Hz, in increasing order.
pub const SUPPORTED_RATES_HZ: [u32; 8] = [
    8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000,
];

/// Taps per phase are a multiple of this (the dot product's block length).
const LANES: usize = 16;

/// Input samples appended to the history per inner iteration. Bounds the internal buffer to
/// `taps − 1 + BLOCK` samples whatever the caller's chunk size.
const BLOCK: usize = 1024;

/// A streaming mono `f32` resampler between two [`SUPPORTED_RATES_HZ`].
///
/// All memory is allocated in [`Resampler::new`]; [`Resampler::process`],
/// [`Resampler::flush`] and [`Resampler::reset`] never allocate, and
/// [`Resampler::process_into`] allocates only if the `Vec`'s spare capacity is too small.
#[derive(Debug)]
pub struct Resampler {
    in_hz: u32,
    out_hz: u32,
    /// Up-sampling factor (`out_hz / gcd`).
    up: usize,
    /// Down-sampling factor (`in_hz / gcd`).
    down: usize,
    /// Taps per phase (a multiple of [`LANES`]); 0 for pass-through.
    taps: usize,
    /// `up × taps` coefficients, row `p` for phase `p/up`, oldest input first.
    coeffs: Box<[f32]>,
    /// Input history; its capacity (`taps − 1 + BLOCK`) is never exceeded.
    buf: Vec<f32>,
    /// Index in `buf` of the newest input sample the next output needs (may be ≥ `buf.len()`).
    pos: usize,
    /// Phase of the next output, `0..up`.
    phase: usize,
    /// Number of trailing samples of `buf` that are zero (`±0.0`): a window entirely inside
    /// them gives `+0.0` without a dot product (which would also give exactly `+0.0`).
    zero_run: usize,
    /// Algorithmic delay, in output samples (a whole number).
    delay_out: usize,
    /// The output-blocked kernel, for ratios with few phases; `None`: one dot product per
    /// output.
    blocked: Option<Blocked>,
}

impl Clone for Resampler {
    /// A copy in the same state. Written by hand because `Vec::clone` does not keep the
    /// history buffer's spare capacity, which `process` relies on never to allocate.
    fn clone(&self) -> Self {
        let mut buf =
            Vec::with_capacity(self.buf.capacity().max(self.taps.saturating_sub(1) + BLOCK));
        buf.extend_from_slice(&self.buf);
        Self {
            in_hz: self.in_hz,
            out_hz: self.out_hz,
            up: self.up,
            down: self.down,
            taps: self.taps,
            coeffs: self.coeffs.clone(),
            buf,
            pos: self.pos,
            phase: self.phase,
            zero_run: self.zero_run,
            delay_out: self.delay_out,
            blocked: self.blocked.clone(),
        }
    }
}

/// Greatest common divisor.
fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn check_rate(hz: u32) -> Result<(), CodecError> {
    if SUPPORTED_RATES_HZ.contains(&hz) {
        Ok(())
    } else {
        Err(CodecError::UnsupportedRate { hz })
    }
}

impl Resampler {
    /// A resampler from `in_hz` to `out_hz` (both in Hz, each one of [`SUPPORTED_RATES_HZ`]).
    ///
    /// Equal rates give an exact pass-through (output bits = input bits, zero delay).
    ///
    /// # Errors
    ///
    /// [`CodecError::UnsupportedRate`] naming the first rate that is not supported.
    pub fn new(in_hz: u32, out_hz: u32) -> Result<Self, CodecError> {
        check_rate(in_hz)?;
        check_rate(out_hz)?;
        let g = gcd(in_hz, out_hz);
        let up = (out_hz / g) as usize;
        let down = (in_hz / g) as usize;
        let mut this = Self {
            in_hz,
            out_hz,
            up,
            down,
            taps: 0,
            coeffs: Box::new([]),
            buf: Vec::new(),
            pos: 0,
            phase: 0,
            zero_run: 0,
            delay_out: 0,
            blocked: None,
        };
        if in_hz == out_hz {
            return Ok(this);
        }
        let fi = f64::from(in_hz);
        let fo = f64::from(out_hz);
        let fs_low = fi.min(fo);
        let kernel = Kernel::get();
        // Delay in output samples: the kernel's half-width, rounded up to whole output samples
        // (the window then extends a little past the kernel's support, where it is zero).
        let delay_out = (kernel.half_width * fo / fs_low).ceil();
        // Input samples per lower-rate sample, and the delay in input samples.
        let in_per_low = fi / fs_low;
        let d_in = delay_out * fi / fo;
        // y[m] = Σ_i x[i]·g(m·M/L − d_in − i): the taps from the newest input q backwards
        // cover u = p/L − d_in … p/L − d_in + (T−1); the support is |u| < d_in.
        let span = (2.0 * d_in).ceil() as usize + 1;
        let taps = span.div_ceil(LANES) * LANES;
        let pad = taps - span;
        let mut coeffs = vec![0.0_f32; up * taps];
        let mut row = vec![0.0_f64; span];
        for (p, out_row) in coeffs.chunks_exact_mut(taps).enumerate() {
            let frac = p as f64 / up as f64;
            for (j, c) in row.iter_mut().enumerate() {
                // Oldest tap first: j = 0 is x[q − span + 1].
                let u = frac + (span - 1 - j) as f64 - d_in;
                *c = kernel.eval(u / in_per_low);
            }
            let sum: f64 = row.iter().sum::<f64>() / kernel.dc_gain;
            for (dst, &c) in out_row[pad..].iter_mut().zip(&row) {
                *dst = (c / sum) as f32;
            }
        }
        if up <= blocked::MAX_UP && down <= blocked::MAX_DOWN {
            this.blocked = Some(Blocked::new(
                up,
                down,
                taps,
                span,
                &coeffs,
                taps - 1 + BLOCK,
            ));
        }
        this.taps = taps;
        this.coeffs = coeffs.into_boxed_slice();
        this.buf = Vec::with_capacity(taps - 1 + BLOCK);
        this.delay_out = delay_out as usize;
        this.reset();
        Ok(this)
    }

    /// Input rate, in Hz.
    pub fn in_hz(&self) -> u32 {
        self.in_hz
    }

    /// Output rate, in Hz.
    pub fn out_hz(&self) -> u32 {
        self.out_hz
    }

    /// Coefficients per output sample (taps per polyphase branch, including zero padding); 0
    /// for pass-through. Each output sample costs this many multiply-adds.
    pub fn taps_per_output(&self) -> usize {
        self.taps
    }

    /// Number of polyphase branches (`L`, the reduced up-sampling factor).
    pub fn phases(&self) -> usize {
        self.up
    }

    /// Algorithmic delay, in output samples: an input impulse at time `t` comes out centred at
    /// `t + delay_samples() / out_hz`. A whole number for every supported pair.
    pub fn delay_samples(&self) -> usize {
        self.delay_out
    }

    /// Algorithmic delay, in milliseconds.
    pub fn delay_ms(&self) -> f64 {
        self.delay_out as f64 * 1000.0 / f64::from(self.out_hz)
    }

    /// An upper bound, in output samples, on what one call with `input_len` input samples can
    /// produce, whatever the state: `ceil(input_len · out_hz / in_hz)`.
    pub fn max_output_len(&self, input_len: usize) -> usize {
        let n = input_len as u128 * self.up as u128;
        n.div_ceil(self.down as u128) as usize
    }

    /// Exactly how many output samples the next [`Resampler::process`] call with `input_len`
    /// input samples will produce.
    pub fn output_len(&self, input_len: usize) -> usize {
        if self.taps == 0 {
            return input_len;
        }
        let avail = self.buf.len() + input_len;
        if self.pos >= avail {
            return 0;
        }
        // Steps k ≥ 0 with pos + floor((phase + k·M)/L) < avail.
        let room = (avail - self.pos) as u128 * self.up as u128 - self.phase as u128;
        room.div_ceil(self.down as u128) as usize
    }

    /// Resamples `input` (at `in_hz`) into the front of `output` (at `out_hz`) and returns the
    /// number of output samples written, [`Resampler::output_len`]`(input.len())`.
    ///
    /// `input` may have any length, including 0. Never allocates.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `output` is shorter than the call needs (nothing is
    /// consumed then). [`Resampler::max_output_len`] gives a size that always suffices.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) -> Result<usize, CodecError> {
        let needed = self.output_len(input.len());
        if output.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                got: output.len(),
            });
        }
        if self.taps == 0 {
            output[..input.len()].copy_from_slice(input);
            return Ok(input.len());
        }
        let written = self.run(input, &mut output[..needed]);
        debug_assert_eq!(written, needed);
        Ok(written)
    }

    /// Resamples `input` and appends the result to `output`. Allocates only when `output`'s
    /// spare capacity is smaller than [`Resampler::output_len`]`(input.len())`.
    pub fn process_into(&mut self, input: &[f32], output: &mut Vec<f32>) {
        let needed = self.output_len(input.len());
        let start = output.len();
        output.resize(start + needed, 0.0);
        let written = if self.taps == 0 {
            output[start..].copy_from_slice(input);
            needed
        } else {
            self.run(input, &mut output[start..])
        };
        debug_assert_eq!(written, needed);
    }

    /// Input samples of silence that [`Resampler::flush`] appends to drain the delay line:
    /// `ceil(delay)` in input samples.
    fn flush_input_len(&self) -> usize {
        (self.delay_out * self.down).div_ceil(self.up)
    }

    /// Output samples the next [`Resampler::flush`] will write.
    pub fn flush_len(&self) -> usize {
        self.output_len(self.flush_input_len())
    }

    /// Writes the tail still held in the filter (the last [`Resampler::delay_samples`] of
    /// signal, as if that much silence followed the input), then resets the state. Returns the
    /// number of output samples written, [`Resampler::flush_len`]. Never allocates.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `output` is shorter than [`Resampler::flush_len`]
    /// (the state is unchanged then).
    pub fn flush(&mut self, output: &mut [f32]) -> Result<usize, CodecError> {
        let needed = self.flush_len();
        if output.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                got: output.len(),
            });
        }
        let zeros = [0.0_f32; 256];
        let mut left = self.flush_input_len();
        let mut written = 0;
        while left > 0 {
            let n = left.min(zeros.len());
            written += self.run(&zeros[..n], &mut output[written..]);
            left -= n;
        }
        self.reset();
        Ok(written)
    }

    /// Forgets all input: the next call behaves exactly like the first call on a new
    /// resampler with the same rates. Never allocates.
    pub fn reset(&mut self) {
        self.buf.clear();
        if self.taps > 0 {
            // T − 1 samples of silence before the first input sample.
            self.buf.resize(self.taps - 1, 0.0);
            self.pos = self.taps - 1;
            self.zero_run = self.taps - 1;
        } else {
            self.pos = 0;
        }
        self.phase = 0;
    }

    /// The filter loop. `output` must hold at least `output_len(input.len())` samples; returns
    /// the number written.
    fn run(&mut self, mut input: &[f32], output: &mut [f32]) -> usize {
        let taps = self.taps;
        let step = self.down / self.up;
        let step_frac = self.down % self.up;
        let mut written = 0;
        loop {
            let silent_from = self.buf.len() - self.zero_run;
            if self.pos < self.buf.len() && self.blocked.is_some() {
                // Outputs whose newest input is in the buffer: k ≥ 0 with
                // pos + floor((phase + k·M)/L) < len.
                let room = (self.buf.len() - self.pos) * self.up - self.phase;
                let n_out = room.div_ceil(self.down);
                let out = &mut output[written..written + n_out];
                if self.pos + 1 - taps >= silent_from {
                    // Every window lies in trailing silence (later windows start later).
                    out.fill(0.0);
                } else if let Some(b) = &mut self.blocked {
                    b.run(&self.buf, self.pos, self.phase, n_out, out);
                }
                written += n_out;
                let total = self.phase + n_out * self.down;
                self.pos += total / self.up;
                self.phase = total % self.up;
            }
            while self.pos < self.buf.len() {
                let start = self.pos + 1 - taps;
                output[written] = if start >= silent_from {
                    // Σ c·(±0) with accumulators starting at +0.0 is exactly +0.0.
                    0.0
                } else {
                    let row = &self.coeffs[self.phase * taps..(self.phase + 1) * taps];
                    dot(row, &self.buf[start..=self.pos])
                };
                written += 1;
                self.phase += step_frac;
                self.pos += step;
                if self.phase >= self.up {
                    self.phase -= self.up;
                    self.pos += 1;
                }
            }
            if input.is_empty() {
                return written;
            }
            // Drop history the next output no longer needs, then append up to BLOCK samples.
            let drop = (self.pos + 1 - taps).min(self.buf.len());
            self.buf.copy_within(drop.., 0);
            self.buf.truncate(self.buf.len() - drop);
            self.pos -= drop;
            self.zero_run = self.zero_run.min(self.buf.len());
            let take = input.len().min(self.buf.capacity() - self.buf.len());
            let chunk = &input[..take];
            let trailing = chunk.iter().rev().take_while(|&&v| v == 0.0).count();
            self.zero_run = if trailing == take {
                self.zero_run + take
            } else {
                trailing
            };
            self.buf.extend_from_slice(chunk);
            input = &input[take..];
        }
    }
}

/// `Σ row[k]·window[k]` with [`LANES`] independent accumulators, reduced pairwise. Both slices
/// have the same length, a multiple of [`LANES`]. The order of operations is fixed by the source,
/// so the result depends only on the values (the compiler vectorises across the accumulators
/// without reassociating).
#[inline]
fn dot(row: &[f32], window: &[f32]) -> f32 {
    let mut acc = [0.0_f32; LANES];
    for (c, x) in row.chunks_exact(LANES).zip(window.chunks_exact(LANES)) {
        for ((a, &c), &x) in acc.iter_mut().zip(c).zip(x) {
            *a += c * x;
        }
    }
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            acc[k] += acc[k + width];
        }
        width /= 2;
    }
    acc[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_rate_is_an_error() {
        assert_eq!(
            Resampler::new(16_000, 12_345).err(),
            Some(CodecError::UnsupportedRate { hz: 12_345 })
        );
        assert_eq!(
            Resampler::new(0, 16_000).err(),
            Some(CodecError::UnsupportedRate { hz: 0 })
        );
    }

    #[test]
    fn same_rate_is_bit_exact_pass_through() {
        let mut r = Resampler::new(24_000, 24_000).expect("supported");
        let input = [0.5, -0.0, f32::MIN_POSITIVE, -1.0, 1e-30];
        let mut out = [0.0; 5];
        assert_eq!(r.process(&input, &mut out), Ok(5));
        for (a, b) in input.iter().zip(&out) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert_eq!(r.delay_samples(), 0);
        assert_eq!(r.flush_len(), 0);
    }

    #[test]
    fn reduced_ratios() {
        let r = Resampler::new(44_100, 48_000).expect("supported");
        assert_eq!((r.up, r.down), (160, 147));
        let r = Resampler::new(48_000, 16_000).expect("supported");
        assert_eq!((r.up, r.down), (1, 3));
    }

    #[test]
    fn output_too_small_consumes_nothing() {
        let mut r = Resampler::new(16_000, 48_000).expect("supported");
        let mut out = [0.0; 10];
        assert_eq!(
            r.process(&[0.1; 4], &mut out),
            Err(CodecError::OutputTooSmall {
                needed: 12,
                got: 10
            })
        );
        assert_eq!(r.output_len(4), 12);
    }

    /// The output-blocked kernel (and its symmetric variant) computes the same polyphase sum as
    /// a direct `f64` evaluation of the coefficient table, for every pair it serves.
    #[test]
    fn blocked_kernel_matches_direct_evaluation() {
        let mut seed = 0x9e37_79b9_u32;
        let x: Vec<f32> = (0..2000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as f32 / u32::MAX as f32 - 0.5
            })
            .collect();
        let mut served = 0;
        for &fi in &SUPPORTED_RATES_HZ {
            for &fo in &SUPPORTED_RATES_HZ {
                let mut r = Resampler::new(fi, fo).expect("supported");
                let Some(b) = &r.blocked else { continue };
                served += 1;
                if fi % fo == 0 {
                    assert!(b.is_symmetric(), "{fi}->{fo}: decimation row not symmetric");
                }
                let (up, down, taps) = (r.up, r.down, r.taps);
                let mut padded = vec![0.0_f32; taps - 1];
                padded.extend_from_slice(&x);
                let mut y = vec![0.0; r.max_output_len(x.len())];
                let n = r.process(&x, &mut y).expect("sized");
                for (m, &got) in y[..n].iter().enumerate() {
                    let total = m * down;
                    let q = taps - 1 + total / up;
                    let row = &r.coeffs[(total % up) * taps..][..taps];
                    let want: f64 = row
                        .iter()
                        .zip(&padded[q + 1 - taps..=q])
                        .map(|(&c, &v)| f64::from(c) * f64::from(v))
                        .sum();
                    assert!(
                        (f64::from(got) - want).abs() < 2e-6,
                        "{fi}->{fo} output {m}: {got} vs {want}"
                    );
                }
            }
        }
        assert!(served >= 20, "only {served} pairs use the blocked kernel");
    }

    #[test]
    fn dc_gain_is_the_same_for_every_phase() {
        for &fi in &SUPPORTED_RATES_HZ {
            for &fo in &SUPPORTED_RATES_HZ {
                let r = Resampler::new(fi, fo).expect("supported");
                for row in r.coeffs.chunks_exact(r.taps.max(1)) {
                    let s: f64 = row.iter().map(|&c| f64::from(c)).sum();
                    let want = if fi == fo { 1.0 } else { Kernel::get().dc_gain };
                    assert!((s - want).abs() < 1e-6, "{fi}->{fo}: {s}");
                }
            }
        }
    }
}
