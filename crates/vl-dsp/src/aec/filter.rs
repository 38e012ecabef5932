//! The two partitioned-block frequency-domain adaptive filters (overlap-save, partitions of one
//! 160-sample frame, 320-point FFT): a Kalman-gain main filter and a fixed-step NLMS shadow.

use realfft::num_complex::Complex32;

use crate::FRAME_LEN;
use crate::fft::Fft;

/// Scale of the Kalman gain (1 = the textbook gain).
const KALMAN_STEP: f32 = 0.8;
/// Process noise: fraction of the partition's power added to its uncertainty per frame.
const PROCESS_NOISE: f32 = 1e-3;
/// How fast the uncertainty shrinks relative to the textbook update (adjacent partitions share
/// a block, so the diagonal model over-counts what a frame teaches).
const PSI_LEARN: f32 = 0.3;
/// Uncertainty floor relative to the partition's own power.
const PSI_REL_FLOOR: f32 = 0.01;
/// Floor of the process noise relative to the prior.
const PRIOR_NOISE: f32 = 1e-7;
/// Prior uncertainty of partition 0 and its decay per partition.
const PRIOR0: f32 = 4.0;
const PRIOR_DECAY: f32 = 0.75;
/// NLMS step of the shadow filter.
const SHADOW_STEP: f32 = 0.5;
/// Regularisation of the normalisations (power per bin, FFT units).
const DELTA: f32 = 1e-5;
/// Regularisation relative to the mean far-end power per bin.
const REL_REG: f32 = 0.01;
/// Double talk: error this many dB above the tracked residual (relative to the microphone).
const DT_MARGIN_DB: f32 = 10.0;
/// Tracked ERLE needed before double talk is detected, in dB.
const DT_MIN_ERLE_DB: f32 = 15.0;
/// Frames the main filter stays frozen after the last double-talk detection (100 ms).
const DT_HANGOVER: u32 = 10;
/// Partitions gradient-constrained per frame (rotating).
const CONSTRAIN_PER_FRAME: usize = 2;
/// Smoothing of the path-change statistics per far-end-active frame (≈ 5 frames).
const PC_SMOOTH: f32 = 0.8;
/// Frames in a row the path-change condition must hold.
const PC_FRAMES: u32 = 3;
/// Tracked ERLE needed before a path change is looked for, in dB.
const PC_MIN_ERLE_DB: f32 = 10.0;
/// Frames between snapshots of a well-working main filter (0.5 s).
const BACKUP_EVERY: u32 = 50;

/// Main (Kalman) and shadow (NLMS) filter state.
#[derive(Debug, Clone)]
pub(crate) struct Filters {
    parts: usize,
    bins: usize,
    w_main: Vec<Complex32>,
    w_shadow: Vec<Complex32>,
    w_backup: Vec<Complex32>,
    backup_valid: bool,
    backup_age: u32,
    y_backup: Vec<f32>,
    pc_eb: f32,
    psi: Vec<f32>,
    prior: Vec<f32>,
    slots: Vec<usize>,
    acc: Vec<Complex32>,
    e_main_spec: Vec<Complex32>,
    e_shadow_spec: Vec<Complex32>,
    sx: Vec<f32>,
    denom: Vec<f32>,
    time: Vec<f32>,
    y_main: Vec<f32>,
    y_shadow: Vec<f32>,
    e_main: Vec<f32>,
    e_shadow: Vec<f32>,
    constrain_pos: usize,
    better: u32,
    worse: u32,
    diverged: u32,
    erle_db: f32,
    ever_converged: bool,
    broken: u32,
    dt_hang: u32,
    pc_ed: f32,
    pc_em: f32,
    pc_ey: f32,
    pc_count: u32,
    pc_ed_sum: f32,
    /// Echo-path changes detected so far.
    pub(crate) path_changes: u64,
    /// Divergences undone by restoring the last good snapshot so far.
    pub(crate) restores: u64,
    /// Copies shadow → main so far.
    pub(crate) shadow_to_main: u64,
    /// Resets main → shadow so far.
    pub(crate) main_to_shadow: u64,
}

const NO_SLOT: usize = usize::MAX;

impl Filters {
    /// Filters of `parts` partitions over `bins` bins.
    pub(crate) fn new(parts: usize, bins: usize) -> Self {
        let prior: Vec<f32> = (0..parts)
            .map(|p| PRIOR0 * PRIOR_DECAY.powi(p as i32) + 1e-4)
            .collect();
        let mut psi = vec![0.0; parts * bins];
        for p in 0..parts {
            psi[p * bins..(p + 1) * bins].fill(prior[p]);
        }
        let zero = Complex32::new(0.0, 0.0);
        Self {
            parts,
            bins,
            w_main: vec![zero; parts * bins],
            w_shadow: vec![zero; parts * bins],
            w_backup: vec![zero; parts * bins],
            backup_valid: false,
            backup_age: 0,
            y_backup: vec![0.0; FRAME_LEN],
            pc_eb: 0.0,
            psi,
            prior,
            slots: vec![NO_SLOT; parts],
            acc: vec![zero; bins],
            e_main_spec: vec![zero; bins],
            e_shadow_spec: vec![zero; bins],
            sx: vec![0.0; bins],
            denom: vec![0.0; bins],
            time: vec![0.0; 2 * FRAME_LEN],
            y_main: vec![0.0; FRAME_LEN],
            y_shadow: vec![0.0; FRAME_LEN],
            e_main: vec![0.0; FRAME_LEN],
            e_shadow: vec![0.0; FRAME_LEN],
            constrain_pos: 0,
            better: 0,
            worse: 0,
            diverged: 0,
            erle_db: 0.0,
            ever_converged: false,
            broken: 0,
            dt_hang: 0,
            pc_ed: 0.0,
            pc_em: 0.0,
            pc_ey: 0.0,
            pc_count: 0,
            pc_ed_sum: 0.0,
            path_changes: 0,
            restores: 0,
            shadow_to_main: 0,
            main_to_shadow: 0,
        }
    }

    /// True once the main filter has removed more than 10 dB (smoothed).
    ///
    /// Sticky: after a first convergence it stays true until the filter looks broken (its echo
    /// estimate carries energy but removes nothing for 10 frames, as after a delay jump),
    /// which double talk alone does not cause.
    pub(crate) fn converged(&self) -> bool {
        self.ever_converged && self.broken < 10
    }

    /// Re-aligns both filters after the bulk delay moved by `by` frames (positive: the echo now
    /// arrives later): partition `p` takes the coefficients of partition `p + by`.
    pub(crate) fn shift(&mut self, by: isize) {
        let (parts, bins) = (self.parts, self.bins);
        let zero = Complex32::new(0.0, 0.0);
        // The snapshot is for the old alignment.
        self.backup_valid = false;
        for i in 0..parts {
            let p = if by >= 0 { i } else { parts - 1 - i };
            let src = p as isize + by;
            let dst = p * bins..(p + 1) * bins;
            if (0..parts as isize).contains(&src) {
                let s = src as usize * bins;
                self.w_main.copy_within(s..s + bins, p * bins);
                self.w_shadow.copy_within(s..s + bins, p * bins);
                self.psi.copy_within(s..s + bins, p * bins);
            } else {
                self.w_main[dst.clone()].fill(zero);
                self.w_shadow[dst.clone()].fill(zero);
                self.psi[dst].fill(self.prior[p]);
            }
        }
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "split borrows of the filter state"
    )]
    fn output(
        fft: &mut Fft,
        w: &[Complex32],
        far_spec: &[Complex32],
        slots: &[usize],
        bins: usize,
        acc: &mut [Complex32],
        time: &mut [f32],
        y: &mut [f32],
    ) {
        acc.fill(Complex32::new(0.0, 0.0));
        for (p, &slot) in slots.iter().enumerate() {
            if slot == NO_SLOT {
                continue;
            }
            let x = &far_spec[slot * bins..(slot + 1) * bins];
            let wp = &w[p * bins..(p + 1) * bins];
            for ((a, &wk), &xk) in acc.iter_mut().zip(wp).zip(x) {
                *a += wk * xk;
            }
        }
        fft.inverse(acc, time);
        let scale = 1.0 / (2 * FRAME_LEN) as f32;
        for (o, &t) in y.iter_mut().zip(&time[FRAME_LEN..]) {
            *o = t * scale;
        }
    }

    fn error_spectrum(fft: &mut Fft, e: &[f32], time: &mut [f32], spec: &mut [Complex32]) {
        time[..FRAME_LEN].fill(0.0);
        time[FRAME_LEN..].copy_from_slice(e);
        fft.forward(time, spec);
    }

    fn constrain(fft: &mut Fft, w: &mut [Complex32], time: &mut [f32]) {
        fft.inverse(w, time);
        let scale = 1.0 / (2 * FRAME_LEN) as f32;
        for t in time[..FRAME_LEN].iter_mut() {
            *t *= scale;
        }
        time[FRAME_LEN..].fill(0.0);
        fft.forward(time, w);
    }

    /// Filters one frame: `mic` in, linear output (`e`) and echo estimate (`y`) out. Returns
    /// whether the far end is active anywhere in the filter span.
    #[allow(
        clippy::too_many_arguments,
        reason = "internal call with the canceller's split borrows"
    )]
    pub(crate) fn process(
        &mut self,
        fft: &mut Fft,
        far_spec: &[Complex32],
        far_pow: &[f32],
        far_active: &[bool],
        ring: usize,
        frame: usize,
        alignment: usize,
        mic: &[f32],
        e_out: &mut [f32],
        y_out: &mut [f32],
    ) -> bool {
        let bins = self.bins;
        let mut active = false;
        for p in 0..self.parts {
            let lag = alignment + p;
            self.slots[p] = if frame >= lag {
                let s = (frame - lag) % ring;
                active |= far_active[s];
                s
            } else {
                NO_SLOT
            };
        }
        Self::output(
            fft,
            &self.w_main,
            far_spec,
            &self.slots,
            bins,
            &mut self.acc,
            &mut self.time,
            &mut self.y_main,
        );
        Self::output(
            fft,
            &self.w_shadow,
            far_spec,
            &self.slots,
            bins,
            &mut self.acc,
            &mut self.time,
            &mut self.y_shadow,
        );
        let (mut ed, mut em, mut es) = (0.0f32, 0.0f32, 0.0f32);
        #[allow(clippy::needless_range_loop, reason = "five parallel buffers")]
        for n in 0..FRAME_LEN {
            self.e_main[n] = mic[n] - self.y_main[n];
            self.e_shadow[n] = mic[n] - self.y_shadow[n];
            ed += mic[n] * mic[n];
            em += self.e_main[n] * self.e_main[n];
            es += self.e_shadow[n] * self.e_shadow[n];
        }
        let mut use_shadow = false;
        if active {
            self.detect_double_talk(ed, em, es);
            Self::error_spectrum(fft, &self.e_main, &mut self.time, &mut self.e_main_spec);
            Self::error_spectrum(fft, &self.e_shadow, &mut self.time, &mut self.e_shadow_spec);
            self.adapt(far_spec, far_pow, self.dt_hang == 0);
            for _ in 0..CONSTRAIN_PER_FRAME {
                let c = self.constrain_pos % self.parts;
                self.constrain_pos = self.constrain_pos.wrapping_add(1);
                let r = c * bins..(c + 1) * bins;
                Self::constrain(fft, &mut self.w_main[r.clone()], &mut self.time);
                Self::constrain(fft, &mut self.w_shadow[r], &mut self.time);
            }
            use_shadow = self.select(ed, em, es);
            let erle = 10.0 * ((ed + 1e-10) / (em.min(es) + 1e-10)).log10();
            if self.dt_hang == 0 {
                self.erle_db = 0.95 * self.erle_db + 0.05 * erle;
            }
            self.ever_converged |= self.erle_db > 10.0;
            let ey: f32 = self.y_main.iter().map(|v| v * v).sum();
            if self.suspect_path_change(ed, em.min(es), ey) {
                // Would the last good snapshot do better? (Divergence in double talk, not a
                // changed path.)
                Self::output(
                    fft,
                    &self.w_backup,
                    far_spec,
                    &self.slots,
                    bins,
                    &mut self.acc,
                    &mut self.time,
                    &mut self.y_backup,
                );
                let eb: f32 = mic
                    .iter()
                    .zip(&self.y_backup)
                    .map(|(d, y)| (d - y) * (d - y))
                    .sum();
                self.pc_eb += eb;
                if self.pc_count >= PC_FRAMES {
                    self.on_path_change();
                }
            } else {
                self.pc_eb = 0.0;
            }
            self.snapshot();
            if ey > 0.05 * ed && em.min(es) > 0.9 * ed {
                self.broken = self.broken.saturating_add(1);
            } else if em.min(es) < 0.5 * ed {
                self.broken = 0;
            }
        }
        if use_shadow {
            e_out.copy_from_slice(&self.e_shadow);
            y_out.copy_from_slice(&self.y_shadow);
        } else {
            e_out.copy_from_slice(&self.e_main);
            y_out.copy_from_slice(&self.y_main);
        }
        active
    }

    /// Echo-path change detector (a moved loudspeaker or listener, a delay jump): after
    /// convergence (> 12 dB tracked), the better filter's error is louder than the microphone itself while its
    /// echo estimate is a sizeable part of the microphone, for `PC_FRAMES` frames (statistics
    /// smoothed over ≈ 5 frames). Near-end speech alone cannot cause this (it adds the same
    /// power to the microphone and to the error, and a loud talker makes the echo estimate a
    /// small part of the microphone), but a filter that diverged in undetected double talk
    /// can: [`Self::on_path_change`] tells the two apart. Returns whether the condition holds.
    fn suspect_path_change(&mut self, ed: f32, e_best: f32, ey: f32) -> bool {
        let a = PC_SMOOTH;
        self.pc_ed = a * self.pc_ed + (1.0 - a) * ed;
        self.pc_em = a * self.pc_em + (1.0 - a) * e_best;
        self.pc_ey = a * self.pc_ey + (1.0 - a) * ey;
        let changed = self.converged()
            && self.erle_db > PC_MIN_ERLE_DB
            && self.pc_ed > 1e-9
            && self.pc_em > self.pc_ed
            && self.pc_ey > 0.3 * self.pc_ed;
        if changed {
            if self.pc_count == 0 {
                self.pc_eb = 0.0;
                self.pc_ed_sum = 0.0;
            }
            self.pc_count += 1;
            self.pc_ed_sum += ed;
        } else {
            self.pc_count = 0;
        }
        changed
    }

    /// The condition held for `PC_FRAMES` frames. If the last good snapshot of the main filter
    /// still removes most of the echo, the filters had diverged (undetected double talk): both
    /// are restored from it. Otherwise the path changed: the Kalman uncertainty is re-inflated
    /// to its prior (the main filter re-converges as fast as at the start, instead of at its
    /// small steady-state step), the double-talk freeze is lifted and the convergence state is
    /// cleared (so the double-talk detector stays off and a new delay estimate is applied until
    /// the filter has converged again).
    fn on_path_change(&mut self) {
        self.pc_count = 0;
        if self.backup_valid && self.pc_eb < 0.3 * self.pc_ed_sum {
            self.w_main.copy_from_slice(&self.w_backup);
            self.w_shadow.copy_from_slice(&self.w_backup);
            self.restores += 1;
            return;
        }
        for p in 0..self.parts {
            let prior = self.prior[p];
            for v in &mut self.psi[p * self.bins..(p + 1) * self.bins] {
                *v = v.max(prior);
            }
        }
        self.dt_hang = 0;
        self.erle_db = 0.0;
        self.ever_converged = false;
        self.backup_valid = false;
        self.path_changes += 1;
    }

    /// Every `BACKUP_EVERY` frames, snapshots the main filter if it works well: converged
    /// (> 15 dB tracked), no double talk, and removing > 10 dB over the last ≈ 5 frames.
    fn snapshot(&mut self) {
        self.backup_age += 1;
        if self.backup_age >= BACKUP_EVERY
            && self.converged()
            && self.erle_db > DT_MIN_ERLE_DB
            && self.dt_hang == 0
            && self.pc_em < 0.1 * self.pc_ed
        {
            self.w_backup.copy_from_slice(&self.w_main);
            self.backup_valid = true;
            self.backup_age = 0;
        }
    }

    /// Whether near-end speech is present (double talk, with a hangover).
    pub(crate) fn double_talk(&self) -> bool {
        self.dt_hang > 0
    }

    /// Double-talk detector: once the main filter has converged, an error far above its usual
    /// level relative to the microphone (`DT_MARGIN_DB` under the tracked ERLE) that the
    /// shadow filter does not explain (it is not clearly better, as after a path change) means
    /// near-end speech: the main filter then stops adapting for the hangover.
    fn detect_double_talk(&mut self, ed: f32, em: f32, es: f32) {
        let tiny = 1e-9;
        let expected = 10f32.powf(-(self.erle_db - DT_MARGIN_DB).max(3.0) / 10.0);
        let near = self.converged()
            && self.erle_db > DT_MIN_ERLE_DB
            && ed > tiny
            && em > expected * ed
            && es > 0.5 * em;
        if near {
            self.dt_hang = DT_HANGOVER;
        } else {
            self.dt_hang = self.dt_hang.saturating_sub(1);
        }
    }

    /// Kalman update of the main filter (when `main` is set), NLMS update of the shadow.
    fn adapt(&mut self, far_spec: &[Complex32], far_pow: &[f32], main: bool) {
        let bins = self.bins;
        self.sx.fill(0.0);
        self.denom.fill(0.0);
        for (p, &slot) in self.slots.iter().enumerate() {
            if slot == NO_SLOT {
                continue;
            }
            let xp = &far_pow[slot * bins..(slot + 1) * bins];
            let psi = &self.psi[p * bins..(p + 1) * bins];
            for k in 0..bins {
                self.sx[k] += xp[k];
                self.denom[k] += psi[k] * xp[k];
            }
        }
        // Regularisation relative to the average far-end power over bins, so bins the far end
        // barely excites (band-limited playback, e.g. 8 kHz sources) cannot take huge steps.
        let reg = DELTA + REL_REG * self.sx.iter().sum::<f32>() / bins as f32;
        for k in 0..bins {
            self.denom[k] += 2.0 * self.e_main_spec[k].norm_sqr() + reg;
            self.sx[k] = SHADOW_STEP / (self.sx[k] + reg);
        }
        for (p, &slot) in self.slots.iter().enumerate() {
            if slot == NO_SLOT {
                continue;
            }
            let x = &far_spec[slot * bins..(slot + 1) * bins];
            let xp = &far_pow[slot * bins..(slot + 1) * bins];
            let r = p * bins..(p + 1) * bins;
            let wm = &mut self.w_main[r.clone()];
            let ws = &mut self.w_shadow[r.clone()];
            let psi = &mut self.psi[r];
            let floor = self.prior[p] * PRIOR_NOISE;
            for k in 0..bins {
                let xc = x[k].conj();
                if main {
                    let g = KALMAN_STEP * psi[k] / self.denom[k];
                    wm[k] += xc * self.e_main_spec[k] * (2.0 * g);
                    let wp = wm[k].norm_sqr();
                    psi[k] = ((1.0 - PSI_LEARN * g * xp[k]) * psi[k] + PROCESS_NOISE * wp + floor)
                        .max(PSI_REL_FLOOR * wp);
                }
                ws[k] += xc * self.e_shadow_spec[k] * (2.0 * self.sx[k]);
            }
        }
    }

    /// Copies the better filter into the worse; returns whether the shadow output is used.
    fn select(&mut self, ed: f32, em: f32, es: f32) -> bool {
        let tiny = 1e-9;
        if ed < tiny {
            return false;
        }
        if es < 0.5 * em {
            self.better += 1;
        } else {
            self.better = 0;
        }
        if es > 2.0 * em + tiny || es > ed {
            self.worse += 1;
        } else {
            self.worse = 0;
        }
        if em > 4.0 * ed {
            self.diverged += 1;
        } else {
            self.diverged = 0;
        }
        if self.better >= 3 || (es < 0.1 * em && self.better >= 1) {
            for ((wm, ws), psi) in self
                .w_main
                .iter_mut()
                .zip(&self.w_shadow)
                .zip(self.psi.iter_mut())
            {
                *psi = psi.max((*ws - *wm).norm_sqr());
                *wm = *ws;
            }
            self.better = 0;
            self.shadow_to_main += 1;
            return true;
        }
        if self.worse >= 2 {
            self.w_shadow.copy_from_slice(&self.w_main);
            self.worse = 0;
            self.main_to_shadow += 1;
        }
        if self.diverged >= 5 {
            self.w_main.fill(Complex32::new(0.0, 0.0));
            self.w_shadow.fill(Complex32::new(0.0, 0.0));
            for p in 0..self.parts {
                self.psi[p * self.bins..(p + 1) * self.bins].fill(self.prior[p]);
            }
            self.diverged = 0;
            self.ever_converged = false;
            self.erle_db = 0.0;
        }
        false
    }
}
