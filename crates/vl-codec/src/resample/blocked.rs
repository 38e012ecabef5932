//! The output-blocked kernel for ratios with few phases (`L ≤ MAX_UP`, `M ≤ MAX_DOWN`): 48→16,
//! 24→16, 16→24, 8→16, 16→48 kHz and the other ratios between 8/16/24/32/48 kHz and between
//! 11.025/22.05/44.1 kHz.
//!
//! # Why it is faster than one dot product per output
//!
//! For a ratio `L/M` the outputs split into `L` sub-streams (output `m` and `m + L` use the same
//! coefficient row, and their windows are `M` input samples apart). Within one sub-stream, tap
//! `k` of output `i` reads input `start + k + M·i`: if the input is split by `M` into
//! interleaved phases `x_r[n] = x[base + r + M·n]`, then for a fixed tap the inputs of
//! consecutive outputs are **contiguous**. So [`W`] outputs are computed at once, one per SIMD
//! lane: broadcast the coefficient, load `W` contiguous inputs, multiply-add. There is no
//! horizontal reduction, no zero padding (only the kernel's real `span` taps), and each
//! coefficient load serves `W` outputs.
//!
//! # Why chunking still cannot change the output
//!
//! Every output is accumulated in one lane, starting from `+0.0`, over the taps in one fixed
//! order that depends only on the tap index: group `g = k mod M` by group, `k` increasing within
//! a group (the order in which each group's inputs are contiguous). Lanes do not interact, so an
//! output's value does not depend on which lane or block computes it, nor on the unused lanes of
//! a partial block (computed from zero padding and discarded). Plain `mul` then `add`: Rust never
//! fuses them, so the vectorised and the scalar code give the same bits.
//!
//! A window of exact zeros gives `+0.0`: `Σ c·(±0)` from `+0.0`. That is what the silence fast
//! path of the caller writes, so taking it or not cannot change the output.

/// Outputs per wide block (SIMD lanes × independent accumulators): 32 `f32` = eight SSE
/// registers, enough independent chains to keep both adders busy and to amortise the
/// coefficient broadcast.
pub(super) const W: usize = 32;
/// Outputs per narrow block, used for a remainder of at most this many outputs.
const W_NARROW: usize = 16;
/// Largest up-sampling factor `L` served by this kernel (more sub-streams have too few outputs
/// per chunk to fill blocks).
pub(super) const MAX_UP: usize = 6;
/// Largest down-sampling factor `M` served by this kernel.
pub(super) const MAX_DOWN: usize = 6;

/// Coefficients regrouped for the blocked kernel, and the scratch buffer that holds the input
/// split into `M` phases.
#[derive(Debug, Clone)]
pub(super) struct Blocked {
    /// Up-sampling factor `L` (rows).
    up: usize,
    /// Down-sampling factor `M` (input phases, coefficient groups per row).
    down: usize,
    /// Nonzero taps per row (`taps − pad`).
    span: usize,
    /// Row `p` group `g` is `coeffs[group_at[p·M + g]..group_at[p·M + g + 1]]`: the taps
    /// `k = g, g + M, g + 2M, …` of row `p` (oldest first).
    coeffs: Box<[f32]>,
    /// Group boundaries, `L·M + 1` entries.
    group_at: Box<[usize]>,
    /// `M` phases of `seg` samples each.
    scratch: Box<[f32]>,
    /// Length of one phase in `scratch`.
    seg: usize,
    /// Pure decimation (`L = 1`) with a row that is exactly symmetric (`c[k] = c[span−1−k]`,
    /// bit for bit): then `coeffs` holds only the taps `k < span/2`, each multiplying the sum
    /// of its two inputs, and `center` the middle tap of an odd span.
    symmetric: bool,
    /// Middle tap `c[span/2]` of a symmetric row of odd span.
    center: Option<f32>,
}

impl Blocked {
    /// Regroups `rows` (`up` rows of `taps` coefficients, the first `taps − span` zero) for
    /// a history buffer of at most `capacity` samples.
    pub(super) fn new(
        up: usize,
        down: usize,
        taps: usize,
        span: usize,
        rows: &[f32],
        capacity: usize,
    ) -> Self {
        let pad = taps - span;
        let symmetric = up == 1
            && rows[pad..]
                .iter()
                .zip(rows[pad..].iter().rev())
                .all(|(a, b)| a.to_bits() == b.to_bits());
        // Taps per row that get their own coefficient (the pairs' first halves if symmetric).
        let own = if symmetric { span / 2 } else { span };
        let center = (symmetric && span % 2 == 1).then(|| rows[pad + span / 2]);
        let mut coeffs = Vec::with_capacity(up * span);
        let mut group_at = Vec::with_capacity(up * down + 1);
        group_at.push(0);
        for row in rows.chunks_exact(taps) {
            let live = &row[pad..pad + own];
            for g in 0..down {
                coeffs.extend(live.iter().skip(g).step_by(down));
                group_at.push(coeffs.len());
            }
        }
        // Phase `r` index `n` holds input `base + r + M·n`, base ≥ 0, for inputs below
        // `capacity`; blocks read up to `W − 1` past the last valid index, and a group may
        // start one index later than phase 0's.
        let seg = capacity.div_ceil(down) + W + 1;
        Self {
            up,
            down,
            span,
            coeffs: coeffs.into_boxed_slice(),
            group_at: group_at.into_boxed_slice(),
            scratch: vec![0.0; down * seg].into_boxed_slice(),
            seg,
            symmetric,
            center,
        }
    }

    /// Whether the symmetric (pair-summing) variant is in use.
    #[cfg(test)]
    pub(super) fn is_symmetric(&self) -> bool {
        self.symmetric
    }

    /// Computes the `n_out` outputs whose newest inputs are `buf[pos]`, `buf[pos + …]`, …
    /// (starting at `phase`, stepping like the resampler), all of them inside `buf`, into
    /// `output[..n_out]`.
    pub(super) fn run(
        &mut self,
        buf: &[f32],
        pos: usize,
        phase: usize,
        n_out: usize,
        output: &mut [f32],
    ) {
        let (up, down, seg) = (self.up, self.down, self.seg);
        // Window of the first output: buf[base ..= pos].
        let base = pos + 1 - self.span;
        // Split buf[base..] into M phases, zero-padded to the end of each segment's used part.
        let used = (buf.len() - base).div_ceil(down) + W + 1;
        let src = &buf[base..];
        match down {
            1 => split::<1>(src, &mut self.scratch, seg, used),
            2 => split::<2>(src, &mut self.scratch, seg, used),
            3 => split::<3>(src, &mut self.scratch, seg, used),
            4 => split::<4>(src, &mut self.scratch, seg, used),
            5 => split::<5>(src, &mut self.scratch, seg, used),
            _ => split::<MAX_DOWN>(src, &mut self.scratch, seg, used),
        }
        for s in 0..up.min(n_out) {
            let total = phase + s * down;
            let off = total / up;
            let row = total % up;
            let count = (n_out - s).div_ceil(up);
            let groups = &self.group_at[row * down..=(row + 1) * down];
            let mut i0 = 0;
            while i0 < count {
                let left = count - i0;
                let valid = if left > W_NARROW {
                    let acc = self.block::<W>(groups, off, i0);
                    scatter(&acc[..left.min(W)], &mut output[s + up * i0..], up)
                } else {
                    let acc = self.block::<W_NARROW>(groups, off, i0);
                    scatter(&acc[..left], &mut output[s + up * i0..], up)
                };
                i0 += valid;
            }
        }
    }

    /// Outputs `i0 .. i0 + N` of the sub-stream whose row has coefficient groups
    /// `groups` and whose first window starts `off` samples after the base.
    #[inline]
    fn block<const N: usize>(&self, groups: &[usize], off: usize, i0: usize) -> [f32; N] {
        let (down, seg) = (self.down, self.seg);
        let mut acc = [0.0_f32; N];
        for (g, bounds) in groups.windows(2).enumerate() {
            let cg = &self.coeffs[bounds[0]..bounds[1]];
            if cg.is_empty() {
                continue;
            }
            // Tap k = g + M·j of output i reads input base + off + g + M·(j + i).
            let r = (off + g) % down;
            let start = r * seg + (off + g) / down + i0;
            let xa = &self.scratch[start..start + cg.len() + N - 1];
            if self.symmetric {
                // Its partner span−1−k reads base + t − M·j + M·i, t = off + span−1−g:
                // the same phase for every j, one sample earlier per j.
                let t = off + self.span - 1 - g;
                let newest = (t % down) * seg + t / down + i0;
                let oldest = newest + 1 - cg.len();
                mac_sym(xa, &self.scratch[oldest..newest + N], cg, &mut acc);
            } else {
                mac(xa, cg, &mut acc);
            }
        }
        if let Some(c) = self.center {
            let k = off + self.span / 2;
            let start = (k % down) * seg + k / down + i0;
            mac(&self.scratch[start..start + N], &[c], &mut acc);
        }
        acc
    }
}

/// Splits `src` into `M` phases, `phases[r·seg + n] = src[r + M·n]`, each zero-padded to
/// `used` samples (`used ≥ ceil(src.len() / M)`, `used ≤ seg`).
fn split<const M: usize>(src: &[f32], phases: &mut [f32], seg: usize, used: usize) {
    let mut segs = phases.chunks_exact_mut(seg);
    let mut outs: [&mut [f32]; M] = std::array::from_fn(|_| segs.next().unwrap_or_default());
    for out in &mut outs {
        out[..used].fill(0.0);
    }
    let frames = src.chunks_exact(M);
    let tail = frames.remainder();
    let full = src.len() / M;
    for (n, frame) in frames.enumerate() {
        for (out, &v) in outs.iter_mut().zip(frame) {
            out[n] = v;
        }
    }
    for (out, &v) in outs.iter_mut().zip(tail) {
        out[full] = v;
    }
}

/// `acc[i] += Σ_j c[j]·(xa[j + i] + xb[J − 1 − j + i])` for `i < N`, `J = c.len()`, `j`
/// increasing: [`mac`] for a symmetric row, one multiplication per pair of taps.
#[inline(never)]
fn mac_sym<const N: usize>(xa: &[f32], xb: &[f32], c: &[f32], acc: &mut [f32; N]) {
    let m = c.len();
    let (Some(xa), Some(xb)) = (xa.get(..m + N - 1), xb.get(..m + N - 1)) else {
        debug_assert!(false, "mac_sym: input windows too short");
        return;
    };
    // A local copy: with `acc` behind the reference LLVM stores it back every iteration.
    let mut sum = *acc;
    // Indexed rather than `zip(windows().rev())`: half the loop overhead.
    for (j, &c) in c.iter().enumerate() {
        let wa = &xa[j..j + N];
        let wb = &xb[m - 1 - j..m - 1 - j + N];
        for ((s, &u), &v) in sum.iter_mut().zip(wa).zip(wb) {
            *s += c * (u + v);
        }
    }
    *acc = sum;
}

/// Writes `values` to every `stride`-th sample of `output` (from index 0); returns how many.
fn scatter(values: &[f32], output: &mut [f32], stride: usize) -> usize {
    debug_assert!(output.len() > (values.len() - 1) * stride);
    for (dst, &v) in output.iter_mut().step_by(stride).zip(values) {
        *dst = v;
    }
    values.len()
}

/// `acc[i] += Σ_j c[j]·x[j + i]` for `i < N`, `j` increasing: one lane per output, one
/// coefficient broadcast per tap. Not inlined: in its own function LLVM keeps the `N`
/// accumulators in registers (inlined into the block loop it shuffled them).
#[inline(never)]
fn mac<const N: usize>(x: &[f32], c: &[f32], acc: &mut [f32; N]) {
    for (xs, &c) in x.windows(N).zip(c) {
        for (a, &v) in acc.iter_mut().zip(xs) {
            *a += c * v;
        }
    }
}
