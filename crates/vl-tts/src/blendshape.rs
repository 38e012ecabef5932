//! Viseme events → 55-value facial blendshape frames at 60 fps
//! (`response.animation_blendshapes.delta`).
//!
//! No official viseme → blendshape table is published (backends.md §4.3), so the 22 poses below
//! are authored for this project, mouth and jaw channels only. Between visemes the face moves
//! from the previous pose to the next with a smoothstep over [`TRANSITION_MS`] (or the time to the
//! next viseme, if shorter); the eyes blink every [`BLINK_PERIOD_MS`] for [`BLINK_MS`]. Channel
//! order is Azure's (avatar.md §1.7): index 0 = eyeBlinkLeft … 17 = jawOpen … 54 = rightEyeRoll.

use crate::timing::VisemeEvent;

/// Values per frame.
pub const CHANNELS: usize = 55;
/// Frames per second.
pub const FPS: u32 = 60;
/// Length of a pose-to-pose transition, ms.
pub const TRANSITION_MS: f64 = 70.0;
/// Time between blinks, ms.
pub const BLINK_PERIOD_MS: f64 = 3_700.0;
/// Length of a blink, ms.
pub const BLINK_MS: f64 = 150.0;

/// One frame: 55 values in 0.0–1.0.
pub type Frame = [f32; CHANNELS];

const EYE_BLINK_LEFT: usize = 0;
const EYE_BLINK_RIGHT: usize = 7;
const JAW_OPEN: usize = 17;
const MOUTH_CLOSE: usize = 18;
const MOUTH_FUNNEL: usize = 19;
const MOUTH_PUCKER: usize = 20;
const MOUTH_SMILE: [usize; 2] = [23, 24];
const MOUTH_STRETCH: [usize; 2] = [29, 30];
const MOUTH_ROLL_LOWER: usize = 31;
const MOUTH_PRESS: [usize; 2] = [35, 36];
const MOUTH_LOWER_DOWN: [usize; 2] = [37, 38];
const MOUTH_UPPER_UP: [usize; 2] = [39, 40];
const TONGUE_OUT: usize = 51;

/// Per viseme: jawOpen, mouthFunnel, mouthPucker, mouthStretch, mouthSmile, mouthRollLower,
/// mouthUpperUp, mouthLowerDown, mouthPress, mouthClose, tongueOut.
const POSES: [[f32; 11]; 22] = [
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 0 silence
    [0.35, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0], // 1 æ ə ʌ
    [0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0], // 2 ɑ
    [0.45, 0.35, 0.1, 0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0], // 3 ɔ
    [0.3, 0.0, 0.0, 0.2, 0.05, 0.0, 0.0, 0.15, 0.0, 0.0, 0.0], // 4 ɛ ʊ
    [0.25, 0.3, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 5 ɝ
    [0.15, 0.0, 0.0, 0.35, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 6 j i ɪ
    [0.1, 0.4, 0.7, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 7 w u
    [0.35, 0.5, 0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 8 o
    [0.5, 0.2, 0.15, 0.0, 0.0, 0.0, 0.0, 0.15, 0.0, 0.0, 0.0], // 9 aʊ
    [0.4, 0.3, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 10 ɔɪ
    [0.55, 0.0, 0.0, 0.15, 0.0, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0], // 11 aɪ
    [0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.15, 0.0, 0.0, 0.0], // 12 h
    [0.2, 0.3, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 13 ɹ
    [0.25, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.15], // 14 l
    [0.08, 0.0, 0.0, 0.3, 0.1, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0], // 15 s z
    [0.12, 0.45, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 16 ʃ tʃ dʒ ʒ
    [0.12, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.35], // 17 ð
    [0.08, 0.0, 0.0, 0.0, 0.0, 0.5, 0.3, 0.0, 0.0, 0.0, 0.0], // 18 f v
    [0.15, 0.0, 0.0, 0.15, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 19 d t n θ
    [0.22, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], // 20 k g ŋ
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.6, 0.0], // 21 p b m
];

/// The pose of a viseme (IDs above 21 give the neutral pose).
pub fn pose(viseme_id: u8) -> Frame {
    let mut f = [0.0f32; CHANNELS];
    let Some(p) = POSES.get(usize::from(viseme_id)) else {
        return f;
    };
    let [
        jaw,
        funnel,
        pucker,
        stretch,
        smile,
        roll,
        up,
        down,
        press,
        close,
        tongue,
    ] = *p;
    let mut set = |i: usize, v: f32| {
        if let Some(x) = f.get_mut(i) {
            *x = v;
        }
    };
    set(JAW_OPEN, jaw);
    set(MOUTH_FUNNEL, funnel);
    set(MOUTH_PUCKER, pucker);
    set(MOUTH_ROLL_LOWER, roll);
    set(MOUTH_CLOSE, close);
    set(TONGUE_OUT, tongue);
    for i in MOUTH_STRETCH {
        set(i, stretch);
    }
    for i in MOUTH_SMILE {
        set(i, smile);
    }
    for i in MOUTH_UPPER_UP {
        set(i, up);
    }
    for i in MOUTH_LOWER_DOWN {
        set(i, down);
    }
    for i in MOUTH_PRESS {
        set(i, press);
    }
    f
}

/// Turns a response's viseme timeline into frames, chunk by chunk.
///
/// Frame `k` shows the face at `k / 60` s from the start of the response audio. Call
/// [`BlendshapeAnimator::frames_until`] once per audio chunk with the chunk's viseme events
/// (response-relative offsets, in order) and the chunk's end; it returns the index of the first
/// new frame and the frames up to that time.
#[derive(Debug, Clone, Default)]
pub struct BlendshapeAnimator {
    events: Vec<VisemeEvent>,
    next_frame: u64,
}

impl BlendshapeAnimator {
    /// An animator at frame 0 with a neutral face.
    pub fn new() -> Self {
        Self::default()
    }

    /// Index of the next frame to be produced.
    pub fn next_frame(&self) -> u64 {
        self.next_frame
    }

    /// Adds `events` and returns `(first_frame_index, frames)` for all frames before `end_ms`.
    pub fn frames_until(&mut self, events: &[VisemeEvent], end_ms: u64) -> (u64, Vec<Frame>) {
        self.events.extend_from_slice(events);
        let first = self.next_frame;
        // Frames with k / FPS * 1000 < end_ms.
        let last_exclusive = (end_ms * u64::from(FPS)).div_ceil(1000);
        let mut frames = Vec::new();
        for k in first..last_exclusive {
            frames.push(self.frame_at(k as f64 * 1000.0 / f64::from(FPS)));
        }
        self.next_frame = last_exclusive.max(first);
        // Keep only what later frames can still need: the last two events before the new start.
        let t = self.next_frame as f64 * 1000.0 / f64::from(FPS);
        let keep_from = self
            .events
            .iter()
            .rposition(|e| (e.audio_offset_ms as f64) <= t)
            .map_or(0, |i| i.saturating_sub(1));
        self.events.drain(..keep_from);
        (first, frames)
    }

    /// The face at `t_ms` from the stored events.
    fn frame_at(&self, t_ms: f64) -> Frame {
        let idx = self
            .events
            .iter()
            .rposition(|e| (e.audio_offset_ms as f64) <= t_ms);
        let mut f = match idx {
            None => pose(0),
            Some(i) => {
                let (cur, prev) = match (self.events.get(i), i.checked_sub(1)) {
                    (Some(c), Some(p)) => (c, self.events.get(p).map_or(0, |e| e.viseme_id)),
                    (Some(c), None) => (c, 0),
                    (None, _) => return pose(0),
                };
                let next_at = self
                    .events
                    .get(i + 1)
                    .map_or(f64::INFINITY, |e| e.audio_offset_ms as f64);
                let span = TRANSITION_MS
                    .min(next_at - cur.audio_offset_ms as f64)
                    .max(1.0);
                let x = ((t_ms - cur.audio_offset_ms as f64) / span).clamp(0.0, 1.0);
                let s = (x * x * (3.0 - 2.0 * x)) as f32;
                let (a, b) = (pose(prev), pose(cur.viseme_id));
                let mut out = [0.0f32; CHANNELS];
                for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
                    *o = a + (b - a) * s;
                }
                out
            }
        };
        let phase = t_ms.rem_euclid(BLINK_PERIOD_MS) - (BLINK_PERIOD_MS - BLINK_MS);
        if phase >= 0.0 {
            let blink = (std::f64::consts::PI * phase / BLINK_MS).sin() as f32;
            for i in [EYE_BLINK_LEFT, EYE_BLINK_RIGHT] {
                if let Some(x) = f.get_mut(i) {
                    *x = blink;
                }
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(viseme_id: u8, audio_offset_ms: u64) -> VisemeEvent {
        VisemeEvent {
            viseme_id,
            audio_offset_ms,
        }
    }

    #[test]
    fn poses_are_in_range_and_distinct() {
        for id in 0..=21u8 {
            let p = pose(id);
            assert!(p.iter().all(|v| (0.0..=1.0).contains(v)), "{id}");
            if id > 0 {
                assert_ne!(p, pose(0), "viseme {id} has a pose");
            }
        }
        assert_eq!(pose(21)[MOUTH_CLOSE], 0.6);
        assert_eq!(pose(2)[JAW_OPEN], 0.6);
        assert_eq!(pose(99), pose(0));
    }

    #[test]
    fn frames_run_at_60_fps_across_chunks() {
        let mut a = BlendshapeAnimator::new();
        let (i0, f0) = a.frames_until(&[ev(0, 0), ev(2, 100)], 500);
        assert_eq!(i0, 0);
        assert_eq!(f0.len(), 30);
        let (i1, f1) = a.frames_until(&[ev(21, 600)], 1000);
        assert_eq!(i1, 30);
        assert_eq!(f1.len(), 30);
        // Jaw wide open well after the ɑ keyframe, lips closed well after the m keyframe.
        assert!((f0[18][JAW_OPEN] - 0.6).abs() < 1e-6); // 300 ms
        assert_eq!(f0[3][JAW_OPEN], 0.0); // 50 ms: still silence
        let at_800 = f1[48 - 30];
        assert!((at_800[MOUTH_CLOSE] - 0.6).abs() < 1e-6);
        // Mid-transition values lie between the two poses.
        let mid = f1[37 - 30]; // 616.7 ms, inside 600..670
        assert!(mid[JAW_OPEN] > 0.0 && mid[JAW_OPEN] < 0.6);
    }

    #[test]
    fn eyes_blink_periodically() {
        let mut a = BlendshapeAnimator::new();
        let (_, f) = a.frames_until(&[ev(0, 0)], 8_000);
        let blinks = f
            .windows(2)
            .filter(|w| w[0][EYE_BLINK_LEFT] == 0.0 && w[1][EYE_BLINK_LEFT] > 0.0)
            .count();
        assert_eq!(blinks, 2);
        assert!(f.iter().all(|fr| fr[EYE_BLINK_LEFT] == fr[EYE_BLINK_RIGHT]));
    }
}
