//! Filter design for the polyphase resampler: one continuous low-pass kernel, shared by every
//! rate pair because it is specified in units of the lower rate, designed in `f64` by the code
//! below (its 81 coefficients are tabulated in [`PROTOTYPE`] and re-derived by a unit test) and
//! sampled in `f64` at each pair's polyphase offsets at construction.
//!
//! The kernel is `h(t) = Σ_n a_n · g(t − n/R)` (`t` in samples of the lower rate `fs_low`):
//!
//! - `a_n`, `n = −K..=K`, is a linear-phase FIR at `R = 4 × fs_low`, designed as a **weighted
//!   minimax** (Chebyshev) filter by Lawson's iteratively reweighted least squares: passband
//!   `0…0.4375·fs_low` with weight 1, stopband `0.5625·fs_low…R/2` with weight
//!   [`STOP_WEIGHT`]. Trading passband ripple (the ±0.05 dB target allows `δp ≈ 6e-3`) for
//!   stopband depth is what makes this kernel ~35 % shorter than a Kaiser-windowed sinc of the
//!   same stopband, which has `δp = δs`; that is the difference between a 4 ms and a 2.7 ms delay
//!   at 8 kHz.
//! - `g` turns the discrete `a_n` into a function of continuous time: a Kaiser-windowed sinc at
//!   rate `R` whose passband covers `0…0.5625·fs_low` and whose 140 dB stopband starts at
//!   `R − 0.5625·fs_low`, where the first image of `a`'s response begins. It is short
//!   (±1.6 low-rate samples) because that transition band is wide.
//!
//! So `H(f) = A(f)·G(f)`: `A`'s ripple in the passband, `A`'s stopband (or less) everywhere above.

use std::f64::consts::PI;
use std::sync::OnceLock;

/// Passband edge as a fraction of the lower of the two sample rates (`0.875 × Nyquist`).
pub(crate) const PASS_EDGE: f64 = 0.4375;
/// Stopband edge as a fraction of the lower rate: `fs_low − PASS_EDGE·fs_low`, the lowest input
/// frequency whose alias (or image) can land inside the measured passband.
pub(crate) const STOP_EDGE: f64 = 1.0 - PASS_EDGE;
/// Oversampling of the discrete prototype `a_n`, relative to the lower rate.
const R: usize = 4;
/// Half-length of `a_n` in taps at rate `R` (`K/R` = 20 low-rate samples).
const K: usize = 80;
/// Stopband weight relative to the passband: the minimax solution has
/// `δs ≈ δp / STOP_WEIGHT`.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "only the table test runs the design")
)]
const STOP_WEIGHT: f64 = 2_000.0;
/// Extra stopband weight above `fs_low` (low-rate units ≥ 1): there the response is pushed a
/// further 12 dB down, because a kernel sampled at only 2× or 3× the lower rate (×2, ×3 and
/// ÷2, ÷3 pairs) folds that region onto the first stopband, where the folded copies add.
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "only the table test runs the design")
)]
const FAR_WEIGHT: f64 = 4.0;
/// Lawson iterations (the maximum weighted error settles within a few % by ~40).
#[cfg_attr(
    not(test),
    allow(dead_code, reason = "only the table test runs the design")
)]
const ITERATIONS: usize = 60;
/// Stopband attenuation of the interpolator `g`, dB.
const G_ATTENUATION_DB: f64 = 140.0;

/// `b_k` of the prototype's amplitude response `A(ω) = Σ_{k=0}^{K} b_k cos kω`, as computed
/// by [`lawson`] (kept as a table because the design takes ~0.3 s in a debug build and minutes
/// under the fuzzer's instrumentation; the unit test `embedded_prototype_matches_lawson`
/// recomputes it and fails if the two differ).
const PROTOTYPE: [f64; K + 1] = [
    2.4132543623172176e-1,
    4.3749511403323743e-1,
    3.171720097487143e-1,
    1.6104950938751533e-1,
    1.718330697064211e-2,
    -7.594983834037813e-2,
    -1.0272763890062424e-1,
    -7.344860915854302e-2,
    -1.6696545321905253e-2,
    3.4804559989116995e-2,
    5.81554018551806e-2,
    4.807827270364346e-2,
    1.59102892185583e-2,
    -1.8600472156913368e-2,
    -3.800801053278206e-2,
    -3.511959986217884e-2,
    -1.4861579260447733e-2,
    9.969044102955198e-3,
    2.617351541293629e-2,
    2.676600278456135e-2,
    1.3599770948723305e-2,
    -4.767370009019518e-3,
    -1.8283891885278233e-2,
    -2.0685463877495033e-2,
    -1.2180401547936445e-2,
    1.488019133296206e-3,
    1.2671981194205817e-2,
    1.5961274292254423e-2,
    1.0664215773678485e-2,
    5.682023671256424e-4,
    -8.559607244563982e-3,
    -1.217170832156254e-2,
    -9.114193529608542e-3,
    -1.7894596424303368e-3,
    5.52326850865461e-3,
    9.095785111396793e-3,
    7.586683425552308e-3,
    2.4191442434156425e-3,
    -3.3049192106224335e-3,
    -6.60724322379987e-3,
    -6.134634276795779e-3,
    -2.630730841266601e-3,
    1.725160934966349e-3,
    4.6205685993739335e-3,
    4.800521042616362e-3,
    2.5546368527622353e-3,
    -6.482034767240544e-4,
    -3.069867733546873e-3,
    -3.6166788995949974e-3,
    -2.2932457887751326e-3,
    -3.5453176531874e-5,
    1.8989686831634921e-3,
    2.6069635511568674e-3,
    1.933052853402988e-3,
    4.2689938602240106e-4,
    -1.0424754716545097e-3,
    -1.7667899295400217e-3,
    -1.5185653607355475e-3,
    -5.800328269876137e-4,
    4.826376239632216e-4,
    1.1433985207681483e-3,
    1.1621177377799416e-3,
    6.471163949725722e-4,
    -6.073167113524055e-5,
    -5.918466399157777e-4,
    -7.250441444329645e-4,
    -4.5963105442897874e-4,
    2.9101262562115714e-5,
    5.045363452044273e-4,
    7.844693334770484e-4,
    8.050336553900162e-4,
    6.172861714758616e-4,
    3.358180724816836e-4,
    7.512116596544726e-5,
    -9.492054298754813e-5,
    -1.6071561659201922e-4,
    -1.4936585146984064e-4,
    -1.0226090955181112e-4,
    -5.3477744551706885e-5,
    -2.0268860994608383e-5,
    -4.559727856706922e-6,
];

/// Kaiser window shape parameter for a stopband attenuation of `a` dB (Kaiser's formula for
/// `a > 50`).
fn kaiser_beta(a: f64) -> f64 {
    0.1102 * (a - 8.7)
}

/// Modified Bessel function of the first kind, order 0, by its power series (converges fast for
/// the window's arguments, `x ≤ 20`).
fn bessel_i0(x: f64) -> f64 {
    let half = x / 2.0;
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let mut k = 1.0_f64;
    loop {
        term *= (half / k) * (half / k);
        sum += term;
        if term < sum * 1e-18 {
            return sum;
        }
        k += 1.0;
    }
}

/// Normalised sinc, `sin(πt)/(πt)`.
fn sinc(t: f64) -> f64 {
    if t.abs() < 1e-12 {
        1.0
    } else {
        let pt = PI * t;
        pt.sin() / pt
    }
}

/// The continuous prototype (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Kernel {
    /// Half-width of the kernel's support, in samples of the lower rate: zero outside.
    pub(crate) half_width: f64,
    /// `a_n` for `n = −K..=K` (index `n + K`).
    taps: Vec<f64>,
    /// DC gain to normalise each polyphase row to: `A(0)` divided by the middle of `A`'s
    /// passband range, so that the passband ripple is centred on 0 dB.
    pub(crate) dc_gain: f64,
    /// Half-width of `g`, in low-rate samples.
    g_half_width: f64,
    g_beta: f64,
    g_i0_beta: f64,
}

impl Kernel {
    /// The kernel, designed on first use and shared for the life of the process.
    pub(crate) fn get() -> &'static Self {
        static KERNEL: OnceLock<Kernel> = OnceLock::new();
        KERNEL.get_or_init(Self::design)
    }

    fn design() -> Self {
        let b = PROTOTYPE;
        let mut taps = vec![0.0; 2 * K + 1];
        taps[K] = b[0];
        for k in 1..=K {
            taps[K + k] = b[k] / 2.0;
            taps[K - k] = b[k] / 2.0;
        }
        // g: pass to STOP_EDGE, stop from R − STOP_EDGE (in low-rate units); Kaiser length
        // N = (A − 7.95)/(14.36·Δf) samples at rate R.
        let r = R as f64;
        let transition = (r - 2.0 * STOP_EDGE) / r;
        let g_len = (G_ATTENUATION_DB - 7.95) / (14.36 * transition);
        let g_half_width = g_len / 2.0 / r;
        let g_beta = kaiser_beta(G_ATTENUATION_DB);
        // Passband range of A on a fine grid.
        let response = |f: f64| -> f64 {
            let w = 2.0 * PI * f / r;
            b.iter()
                .enumerate()
                .map(|(k, &bk)| bk * (k as f64 * w).cos())
                .sum()
        };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..=4_000 {
            let a = response(PASS_EDGE * f64::from(i) / 4_000.0);
            lo = lo.min(a);
            hi = hi.max(a);
        }
        Self {
            half_width: K as f64 / r + g_half_width,
            dc_gain: response(0.0) / ((lo + hi) / 2.0),
            taps,
            g_half_width,
            g_beta,
            g_i0_beta: bessel_i0(g_beta),
        }
    }

    /// The interpolator `g` at `t` low-rate samples.
    fn g(&self, t: f64) -> f64 {
        let x = t / self.g_half_width;
        if x.abs() >= 1.0 {
            return 0.0;
        }
        sinc(R as f64 * t) * bessel_i0(self.g_beta * (1.0 - x * x).sqrt()) / self.g_i0_beta
    }

    /// Kernel value at time `t`, in samples of the lower rate; zero outside the support.
    pub(crate) fn eval(&self, t: f64) -> f64 {
        if t.abs() >= self.half_width {
            return 0.0;
        }
        let r = R as f64;
        let k = K as i64;
        let lo = (((t - self.g_half_width) * r).ceil() as i64).max(-k);
        let hi = (((t + self.g_half_width) * r).floor() as i64).min(k);
        (lo..=hi)
            .map(|n| self.taps[(n + k) as usize] * self.g(t - n as f64 / r))
            .sum()
    }
}

#[cfg(test)]
/// Lawson's algorithm for the weighted minimax cosine polynomial `A(ω) = Σ_{k=0}^{K} b_k cos kω`
/// (`ω` in radians per sample at rate `R·fs_low`): passband `A ≈ 1`, stopband `A ≈ 0`.
/// Returns the `b` with the smallest maximum weighted error seen.
fn lawson() -> Vec<f64> {
    let r = R as f64;
    let wp = 2.0 * PI * PASS_EDGE / r;
    let ws = 2.0 * PI * STOP_EDGE / r;
    let cols = K + 1;
    // Grid: ~10 points per coefficient over [0, π], plus both band edges.
    let n = 10 * cols;
    let mut omega = Vec::new();
    let mut desired = Vec::new();
    let mut band = Vec::new();
    let mut push = |w: f64, d: f64, v: f64| {
        omega.push(w);
        desired.push(d);
        band.push(v);
    };
    for i in 0..=n {
        let w = PI * i as f64 / n as f64;
        if w < wp {
            push(w, 1.0, 1.0);
        } else if w > ws {
            let far = w * r / (2.0 * PI) >= 1.0;
            push(
                w,
                0.0,
                if far {
                    STOP_WEIGHT * FAR_WEIGHT
                } else {
                    STOP_WEIGHT
                },
            );
        }
    }
    push(wp, 1.0, 1.0);
    push(ws, 0.0, STOP_WEIGHT);
    let m = omega.len();
    // Column-major basis.
    let basis: Vec<f64> = (0..cols)
        .flat_map(|c| omega.iter().map(move |&w| (c as f64 * w).cos()))
        .collect();
    let mut weight = vec![1.0 / m as f64; m];
    let mut best = (f64::INFINITY, vec![0.0; cols]);
    let mut a = vec![0.0; m * cols];
    let mut rhs = vec![0.0; m];
    for _ in 0..ITERATIONS {
        for i in 0..m {
            let s = (weight[i]).sqrt() * band[i];
            rhs[i] = s * desired[i];
            for c in 0..cols {
                a[c * m + i] = s * basis[c * m + i];
            }
        }
        let b = least_squares(&mut a, &mut rhs, m, cols);
        // Weighted error and Lawson update.
        let mut max_err = 0.0_f64;
        let mut total = 0.0;
        for i in 0..m {
            let value: f64 = (0..cols).map(|c| b[c] * basis[c * m + i]).sum();
            let e = band[i] * (value - desired[i]).abs();
            max_err = max_err.max(e);
            weight[i] *= e.max(1e-300);
            total += weight[i];
        }
        for w in &mut weight {
            *w /= total;
        }
        if max_err < best.0 {
            best = (max_err, b);
        }
    }
    best.1
}

#[cfg(test)]
/// Solves `min ‖A x − y‖₂` for a column-major `m × n` matrix by Householder QR (`A` and `y` are
/// overwritten).
fn least_squares(a: &mut [f64], y: &mut [f64], m: usize, n: usize) -> Vec<f64> {
    let mut diag = vec![0.0; n];
    for j in 0..n {
        let col = &a[j * m..(j + 1) * m];
        let norm = col[j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        let alpha = if col[j] > 0.0 { -norm } else { norm };
        diag[j] = alpha;
        // v = x − alpha e_j, stored in place of the column below the diagonal.
        a[j * m + j] -= alpha;
        let vnorm2: f64 = a[j * m + j..(j + 1) * m].iter().map(|v| v * v).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for k in j + 1..n {
            let dot: f64 = (j..m).map(|i| a[j * m + i] * a[k * m + i]).sum();
            let f = 2.0 * dot / vnorm2;
            for i in j..m {
                a[k * m + i] -= f * a[j * m + i];
            }
        }
        let dot: f64 = (j..m).map(|i| a[j * m + i] * y[i]).sum();
        let f = 2.0 * dot / vnorm2;
        for i in j..m {
            y[i] -= f * a[j * m + i];
        }
    }
    // Back substitution with R (diagonal in `diag`, above-diagonal entries in `a`).
    let mut x = vec![0.0; n];
    for j in (0..n).rev() {
        let s: f64 = (j + 1..n).map(|k| a[k * m + j] * x[k]).sum();
        x[j] = (y[j] - s) / diag[j];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_matches_known_values() {
        // I0(1) and I0(10) from Abramowitz & Stegun table 9.8.
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008).abs() < 1e-12);
        assert!((bessel_i0(10.0) / 2_815.716_628_466_254 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn embedded_prototype_matches_lawson() {
        let b = lawson();
        for (k, (&have, &want)) in PROTOTYPE.iter().zip(&b).enumerate() {
            assert!(
                (have - want).abs() < 1e-12,
                "b[{k}]: table {have:e}, design {want:e}"
            );
        }
    }

    #[test]
    fn least_squares_solves_a_small_system() {
        // Fit y = 1 + 2x to exact points (column-major [1 x]).
        let xs = [0.0, 1.0, 2.0, 3.0];
        let mut a: Vec<f64> = [1.0; 4].iter().chain(xs.iter()).copied().collect();
        let mut y: Vec<f64> = xs.iter().map(|x| 1.0 + 2.0 * x).collect();
        let sol = least_squares(&mut a, &mut y, 4, 2);
        assert!(
            (sol[0] - 1.0).abs() < 1e-12 && (sol[1] - 2.0).abs() < 1e-12,
            "{sol:?}"
        );
    }

    /// The designed response of `A`, on a grid 20× finer than the design grid: the passband
    /// is within ±0.02 dB and the stopband below −115 dB.
    #[test]
    fn prototype_meets_its_spec() {
        let k = Kernel::get();
        let r = R as f64;
        let (mut pass, mut stop) = (0.0_f64, 0.0_f64);
        for i in 0..=20_000 {
            let f = i as f64 / 20_000.0 * r / 2.0; // low-rate units
            let w = 2.0 * PI * f / r;
            let a: f64 = k
                .taps
                .iter()
                .enumerate()
                .map(|(j, &t)| t * ((j as f64 - K as f64) * w).cos())
                .sum();
            if f <= PASS_EDGE {
                pass = pass.max((a.abs().log10() * 20.0).abs());
            } else if f >= STOP_EDGE {
                stop = stop.max(a.abs());
            }
        }
        let stop_db = 20.0 * stop.log10();
        eprintln!("prototype: passband ±{pass:.4} dB, stopband {stop_db:.1} dB");
        assert!(pass < 0.02, "passband ripple {pass} dB");
        assert!(stop_db < -115.0, "stopband {stop_db} dB");
    }

    #[test]
    fn kernel_is_symmetric_and_zero_outside() {
        let k = Kernel::get();
        for i in 1..100 {
            let t = f64::from(i) * 0.37;
            assert!((k.eval(t) - k.eval(-t)).abs() < 1e-12);
        }
        assert_eq!(k.eval(k.half_width), 0.0);
        assert_eq!(k.eval(-k.half_width - 1.0), 0.0);
        assert!(k.half_width < 22.0, "{}", k.half_width);
    }
}
