//! Prosody at the end of an utterance: a cheap pitch tracker and an energy envelope, computed
//! from the same 10 ms frames the classifier sees (16 kHz), allocation-free.
//!
//! * Pitch: the frame's 40 ms history is decimated to 4 kHz (4-sample means) and the
//!   normalised cross-correlation is searched over lags of 60–400 Hz; a frame is voiced when the
//!   best peak exceeds [`VOICING`]. Only speech frames are analysed (≈ 5 k multiply-adds each).
//! * Per turn: the mean pitch (semitones re 100 Hz) and mean energy (dB) of its speech frames;
//!   a ring of the last [`TAIL_FRAMES`] speech frames gives the *end* of the utterance.
//! * [`ProsodyFeatures`]: the pitch of the last voiced frames relative to the turn's mean
//!   (negative = a final fall) and the energy of the last speech frames relative to the turn's
//!   mean (negative = decay).

use crate::classifier::FRAME_SAMPLES;

/// Decimation factor: 16 kHz → 4 kHz.
const DECIM: usize = 4;
/// Decimated samples per 10 ms frame.
const DEC_FRAME: usize = FRAME_SAMPLES / DECIM;
/// Decimated analysis window: 40 ms at 4 kHz (two periods of 50 Hz).
const DEC_WIN: usize = 160;
/// Lags searched at 4 kHz: 400 Hz … 60 Hz.
const MIN_LAG: usize = 10;
const MAX_LAG: usize = 66;
/// Normalised correlation above which a frame counts as voiced.
pub(crate) const VOICING: f32 = 0.6;
/// Speech frames kept for the end-of-utterance features (300 ms).
pub(crate) const TAIL_FRAMES: usize = 30;
/// Voiced frames at the very end whose median pitch is compared with the turn mean (150 ms).
const END_VOICED: usize = 15;
/// Speech frames at the very end whose energy is compared with the turn mean (200 ms).
const END_ENERGY: usize = 20;
/// Speech frames quieter than the turn's loudest by more than this are ignored, dB.
const RANGE_DB: f32 = 35.0;
/// Pitch is only estimated within this range of the turn's loudest frame, dB.
const VOICED_RANGE_DB: f32 = 25.0;
/// Fewer voiced frames than this in the turn: no pitch feature.
const MIN_VOICED: u32 = 10;

/// End-of-utterance prosody, relative to the current turn.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProsodyFeatures {
    /// Median pitch of the last voiced frames (≤ 150 ms of voicing within the last 300 ms of
    /// speech) minus the turn's mean pitch, in semitones; negative = a final fall. `None` when the
    /// turn has too little voicing.
    pub final_pitch_st: Option<f32>,
    /// Mean energy of the last 200 ms of speech minus the turn's mean speech energy, in dB;
    /// negative = the voice faded out. `None` before 200 ms of speech.
    pub final_energy_db: Option<f32>,
    /// Mean pitch of the turn's voiced frames, in Hz (geometric mean); `None` when the turn has
    /// too little voicing.
    pub mean_pitch_hz: Option<f32>,
    /// Speech in the turn so far, in 10 ms frames.
    pub speech_frames: u32,
}

#[derive(Debug, Clone, Copy)]
struct TailFrame {
    /// Pitch in semitones re 100 Hz, NaN when unvoiced.
    pitch_st: f32,
    energy_db: f32,
}

/// Streaming pitch and energy tracker (16 kHz, 10 ms frames).
#[derive(Debug, Clone)]
pub struct ProsodyTracker {
    /// Decimated history, oldest first.
    history: [f32; DEC_WIN],
    tail: [TailFrame; TAIL_FRAMES],
    tail_len: usize,
    tail_pos: usize,
    pitch_sum: f64,
    voiced: u32,
    energy_sum: f64,
    speech: u32,
    /// Loudest speech frame of the turn, dB.
    peak_db: f32,
}

impl Default for ProsodyTracker {
    fn default() -> Self {
        Self::new()
    }
}

impl ProsodyTracker {
    /// A tracker with an empty history.
    pub fn new() -> Self {
        Self {
            history: [0.0; DEC_WIN],
            tail: [TailFrame {
                pitch_st: f32::NAN,
                energy_db: 0.0,
            }; TAIL_FRAMES],
            tail_len: 0,
            tail_pos: 0,
            pitch_sum: 0.0,
            voiced: 0,
            energy_sum: 0.0,
            speech: 0,
            peak_db: f32::NEG_INFINITY,
        }
    }

    /// Forgets the turn statistics (call at the start of a turn); the audio history is kept.
    pub fn start_turn(&mut self) {
        self.tail_len = 0;
        self.tail_pos = 0;
        self.pitch_sum = 0.0;
        self.voiced = 0;
        self.energy_sum = 0.0;
        self.speech = 0;
        self.peak_db = f32::NEG_INFINITY;
    }

    /// Feeds one 10 ms frame (`FRAME_SAMPLES` samples at 16 kHz; other lengths are ignored) and
    /// whether the VAD judged it speech. Only speech frames enter the turn statistics.
    pub fn push(&mut self, frame: &[f32], is_speech: bool) {
        if frame.len() != FRAME_SAMPLES {
            return;
        }
        self.history.copy_within(DEC_FRAME.., 0);
        let mut energy = 0.0_f32;
        for (dst, chunk) in self.history[DEC_WIN - DEC_FRAME..]
            .iter_mut()
            .zip(frame.chunks_exact(DECIM))
        {
            *dst = chunk.iter().sum::<f32>() / DECIM as f32;
        }
        for &x in frame {
            energy += x * x;
        }
        if !is_speech {
            return;
        }
        let energy_db = 10.0 * (energy / FRAME_SAMPLES as f32 + 1e-10).log10();
        // The VAD's hangover and quiet breath noise are not the voice: keep frames within
        // RANGE_DB of the turn's loudest frame, and pitch only within VOICED_RANGE_DB.
        self.peak_db = self.peak_db.max(energy_db);
        if energy_db < self.peak_db - RANGE_DB {
            return;
        }
        let pitch_st = if energy_db >= self.peak_db - VOICED_RANGE_DB {
            pitch_semitones(&self.history).unwrap_or(f32::NAN)
        } else {
            f32::NAN
        };
        if pitch_st.is_finite() {
            self.pitch_sum += f64::from(pitch_st);
            self.voiced += 1;
        }
        self.energy_sum += f64::from(energy_db);
        self.speech += 1;
        self.tail[self.tail_pos] = TailFrame {
            pitch_st,
            energy_db,
        };
        self.tail_pos = (self.tail_pos + 1) % TAIL_FRAMES;
        self.tail_len = (self.tail_len + 1).min(TAIL_FRAMES);
    }

    /// Voiced frames in the current turn (10 ms each).
    pub fn voiced_frames(&self) -> u32 {
        self.voiced
    }

    /// The end-of-utterance features of the current turn (computed from the last speech frames).
    pub fn features(&self) -> ProsodyFeatures {
        // Most recent first.
        let recent = (0..self.tail_len)
            .map(|k| self.tail[(self.tail_pos + TAIL_FRAMES - 1 - k) % TAIL_FRAMES]);
        let mut pitches = [0.0_f32; END_VOICED];
        let mut n_p = 0;
        let mut e_sum = 0.0_f32;
        let mut n_e = 0;
        for f in recent {
            if n_p < END_VOICED && f.pitch_st.is_finite() {
                pitches[n_p] = f.pitch_st;
                n_p += 1;
            }
            if n_e < END_ENERGY {
                e_sum += f.energy_db;
                n_e += 1;
            }
        }
        let final_pitch_st = (self.voiced >= MIN_VOICED && n_p >= 3).then(|| {
            let p = &mut pitches[..n_p];
            p.sort_by(f32::total_cmp);
            let median = p[n_p / 2];
            median - (self.pitch_sum / f64::from(self.voiced)) as f32
        });
        let final_energy_db = (n_e == END_ENERGY && self.speech > 0)
            .then(|| e_sum / END_ENERGY as f32 - (self.energy_sum / f64::from(self.speech)) as f32);
        let mean_pitch_hz = (self.voiced >= MIN_VOICED).then(|| {
            let st = self.pitch_sum / f64::from(self.voiced);
            (100.0 * 2f64.powf(st / 12.0)) as f32
        });
        ProsodyFeatures {
            final_pitch_st,
            final_energy_db,
            mean_pitch_hz,
            speech_frames: self.speech,
        }
    }
}

/// Pitch of the last 40 ms (decimated to 4 kHz) in semitones re 100 Hz, or `None` if unvoiced.
fn pitch_semitones(x: &[f32; DEC_WIN]) -> Option<f32> {
    let ncc = correlations(x);
    let (mut best, mut best_lag) = (0.0_f32, 0usize);
    for (lag, &r) in ncc.iter().enumerate().take(MAX_LAG + 1).skip(MIN_LAG) {
        if r > best {
            best = r;
            best_lag = lag;
        }
    }
    if best < VOICING || best_lag < MIN_LAG {
        return None;
    }
    // Octave check: prefer half the lag when it correlates nearly as well.
    let half = best_lag / 2;
    if half >= MIN_LAG && ncc[half].max(ncc[half + 1]) > 0.9 * best {
        best_lag = if ncc[half] >= ncc[half + 1] {
            half
        } else {
            half + 1
        };
    }
    // Parabolic interpolation around the peak.
    let (l, c, r) = (ncc[best_lag - 1], ncc[best_lag], ncc[best_lag + 1]);
    let denom = l - 2.0 * c + r;
    let shift = if denom.abs() > 1e-9 {
        (0.5 * (l - r) / denom).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    let f0 = (16_000 / DECIM) as f32 / (best_lag as f32 + shift);
    Some(12.0 * (f0 / 100.0).log2())
}

/// The normalised autocorrelation of the decimated window at lags `MIN_LAG..=MAX_LAG + 1`
/// (entries below `MIN_LAG` stay 0).
fn correlations(x: &[f32; DEC_WIN]) -> [f32; MAX_LAG + 2] {
    let mut ncc = [0.0_f32; MAX_LAG + 2];
    // Energies of the two overlapping parts, kept as running sums (f64) instead of recomputed
    // per lag: xx = Σ x[..n]², yy = Σ x[lag..]² with n = DEC_WIN − lag.
    let mut xx: f64 = x[..DEC_WIN - MIN_LAG]
        .iter()
        .map(|&v| f64::from(v * v))
        .sum();
    let mut yy: f64 = x[MIN_LAG..].iter().map(|&v| f64::from(v * v)).sum();
    for lag in MIN_LAG..=MAX_LAG + 1 {
        let n = DEC_WIN - lag;
        if lag > MIN_LAG {
            xx -= f64::from(x[n] * x[n]);
            yy -= f64::from(x[lag - 1] * x[lag - 1]);
        }
        let xy = dot(&x[..n], &x[lag..]);
        let (exx, eyy) = (xx as f32, yy as f32);
        ncc[lag] = if exx > 1e-9 && eyy > 1e-9 {
            xy / (exx * eyy).sqrt()
        } else {
            0.0
        };
    }
    ncc
}

/// Σ a[i]·b[i] over the shorter length, in 8 independent lanes so the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0_f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (p, q) in ca.zip(cb) {
        for ((lane, &pk), &qk) in lanes.iter_mut().zip(p).zip(q) {
            *lane += pk * qk;
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(&p, &q)| p * q).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(f0: impl Fn(usize) -> f32, frames: usize, amp: impl Fn(usize) -> f32) -> Vec<f32> {
        let mut phase = 0.0_f32;
        let mut out = Vec::new();
        for i in 0..frames * FRAME_SAMPLES {
            let frame = i / FRAME_SAMPLES;
            phase += std::f32::consts::TAU * f0(frame) / 16_000.0;
            let s = phase.sin() + 0.6 * (2.0 * phase).sin() + 0.3 * (3.0 * phase).sin();
            out.push(amp(frame) * 0.1 * s);
        }
        out
    }

    fn track(audio: &[f32]) -> ProsodyFeatures {
        let mut t = ProsodyTracker::new();
        t.start_turn();
        for f in audio.chunks_exact(FRAME_SAMPLES) {
            t.push(f, true);
        }
        t.features()
    }

    #[test]
    fn fast_correlations_match_the_direct_definition() {
        let mut seed = 0x9e37_79b9_u32;
        let mut noise = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / 8_388_608.0 - 1.0
        };
        for case in 0..50 {
            let f0 = 80.0 + 12.0 * case as f32;
            let noisiness = [0.0_f32, 0.1, 0.5, 2.0][case % 4];
            let mut x = [0.0_f32; DEC_WIN];
            for (i, v) in x.iter_mut().enumerate() {
                let t = i as f32 * DECIM as f32 / 16_000.0;
                let ph = std::f32::consts::TAU * f0 * t;
                *v = 0.1 * (ph.sin() + 0.5 * (2.0 * ph).sin()) + 0.1 * noisiness * noise();
            }
            let fast = correlations(&x);
            for lag in MIN_LAG..=MAX_LAG + 1 {
                let (a, b) = (&x[..DEC_WIN - lag], &x[lag..]);
                let xy: f64 = a.iter().zip(b).map(|(&p, &q)| f64::from(p * q)).sum();
                let xx: f64 = a.iter().map(|&p| f64::from(p * p)).sum();
                let yy: f64 = b.iter().map(|&q| f64::from(q * q)).sum();
                let direct = (xy / (xx * yy).sqrt()) as f32;
                assert!(
                    (fast[lag] - direct).abs() < 1e-4,
                    "case {case} lag {lag}: {} vs {direct}",
                    fast[lag]
                );
            }
        }
    }

    #[test]
    fn dot_matches_a_plain_sum_at_every_length() {
        let a: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..40).map(|i| (i as f32 * 0.11).cos()).collect();
        for n in 0..40 {
            let plain: f32 = a[..n].iter().zip(&b[..n]).map(|(p, q)| p * q).sum();
            assert!((dot(&a[..n], &b[..n]) - plain).abs() < 1e-4, "n {n}");
        }
    }

    #[test]
    fn pitch_of_a_steady_voice() {
        for f0 in [90.0_f32, 150.0, 220.0, 330.0] {
            let audio = voice(|_| f0, 20, |_| 1.0);
            let mut hist = [0.0; DEC_WIN];
            for (d, c) in hist
                .iter_mut()
                .zip(audio[FRAME_SAMPLES * 10..].chunks_exact(DECIM))
            {
                *d = c.iter().sum::<f32>() / 4.0;
            }
            let st = pitch_semitones(&hist).unwrap();
            let est = 100.0 * 2f32.powf(st / 12.0);
            assert!((est / f0 - 1.0).abs() < 0.03, "f0 {f0}: estimated {est}");
        }
    }

    #[test]
    fn final_fall_and_decay_are_negative_level_is_near_zero() {
        // 1 s at 180 Hz falling to 120 Hz in the last 300 ms, fading by 10 dB.
        let fall = voice(
            |f| {
                if f < 70 {
                    180.0
                } else {
                    180.0 - 2.0 * (f - 70) as f32
                }
            },
            100,
            |f| if f < 80 { 1.0 } else { 0.3 },
        );
        let p = track(&fall);
        assert!(p.final_pitch_st.unwrap() < -3.0, "{p:?}");
        assert!(p.final_energy_db.unwrap() < -6.0, "{p:?}");
        let level = voice(|_| 180.0, 100, |_| 1.0);
        let p = track(&level);
        assert!(p.final_pitch_st.unwrap().abs() < 0.5, "{p:?}");
        assert!(p.final_energy_db.unwrap().abs() < 0.5, "{p:?}");
        assert_eq!(p.speech_frames, 100);
    }

    #[test]
    fn noise_and_silence_are_unvoiced() {
        let mut state = 12_345_u32;
        let noise: Vec<f32> = (0..30 * FRAME_SAMPLES)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        assert_eq!(track(&noise).final_pitch_st, None);
        assert_eq!(track(&[0.0; 30 * FRAME_SAMPLES]).final_pitch_st, None);
        // Wrong frame sizes are ignored.
        let mut t = ProsodyTracker::new();
        t.push(&[0.1; 7], true);
        assert_eq!(t.features().speech_frames, 0);
    }
}
