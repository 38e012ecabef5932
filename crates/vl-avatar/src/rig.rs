//! The avatar rig: smoothed mouth pose (coarticulation), blinks and breathing sway, advanced once
//! per video frame.

use crate::viseme::{MouthPose, pose_for};

/// Time constant of the mouth's exponential approach to its viseme target, in ms.
pub const MOUTH_TAU_MS: f32 = 35.0;
/// Duration of one blink, in ms.
pub const BLINK_MS: f32 = 160.0;
/// Breathing period, in ms.
pub const BREATH_PERIOD_MS: f32 = 3700.0;
/// Head sway period, in ms.
pub const SWAY_PERIOD_MS: f32 = 5300.0;

/// Everything the renderer needs for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RigState {
    /// The current (smoothed) mouth pose.
    pub mouth: MouthPose,
    /// Eye openness: 1 open, 0 closed (mid-blink).
    pub eye_open: f32,
    /// Head offset, as a fraction of the face radius (x right, y down).
    pub head_offset: (f32, f32),
}

/// Rig state plus the deterministic idle-motion clock.
#[derive(Debug, Clone)]
pub struct Rig {
    state: RigState,
    t_ms: f64,
    next_blink_ms: f64,
    rng: u32,
}

impl Default for Rig {
    fn default() -> Self {
        Self::new(0x9E37_79B9)
    }
}

impl Rig {
    /// A rig at rest; `seed` varies the blink schedule.
    pub fn new(seed: u32) -> Self {
        let mut rig = Self {
            state: RigState {
                mouth: MouthPose::REST,
                eye_open: 1.0,
                head_offset: (0.0, 0.0),
            },
            t_ms: 0.0,
            next_blink_ms: 0.0,
            rng: seed | 1,
        };
        rig.next_blink_ms = 1200.0 + f64::from(rig.rand_unit()) * 1500.0;
        rig
    }

    fn rand_unit(&mut self) -> f32 {
        // xorshift32
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        (x >> 8) as f32 / (1u32 << 24) as f32
    }

    /// The current state.
    pub fn state(&self) -> &RigState {
        &self.state
    }

    /// Elapsed rig time, in ms.
    pub fn time_ms(&self) -> f64 {
        self.t_ms
    }

    /// Advances the rig by `dt_ms` towards the mouth pose of `viseme_id`.
    pub fn advance(&mut self, dt_ms: f32, viseme_id: u32) -> &RigState {
        let dt_ms = dt_ms.max(0.0);
        self.t_ms += f64::from(dt_ms);
        let k = 1.0 - (-dt_ms / MOUTH_TAU_MS).exp();
        self.state.mouth.approach(&pose_for(viseme_id), k);

        // Blinks every 2.5–6 s: the lids close and reopen over BLINK_MS.
        let since = self.t_ms - self.next_blink_ms;
        self.state.eye_open = if since < 0.0 {
            1.0
        } else if since < f64::from(BLINK_MS) {
            let phase = (since / f64::from(BLINK_MS)) as f32; // 0..1
            (2.0 * phase - 1.0).abs()
        } else {
            self.next_blink_ms = self.t_ms + 2500.0 + f64::from(self.rand_unit()) * 3500.0;
            1.0
        };

        let tau = std::f64::consts::TAU;
        let breath = (tau * self.t_ms / f64::from(BREATH_PERIOD_MS)).sin() as f32;
        let sway = (tau * self.t_ms / f64::from(SWAY_PERIOD_MS)).sin() as f32;
        self.state.head_offset = (0.025 * sway, 0.012 * breath);
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mouth_converges_to_the_viseme_and_back() {
        let mut rig = Rig::default();
        for _ in 0..10 {
            rig.advance(40.0, 2);
        }
        assert!((rig.state().mouth.open - pose_for(2).open).abs() < 0.01);
        for _ in 0..10 {
            rig.advance(40.0, 0);
        }
        assert!(rig.state().mouth.open < 0.01);
    }

    #[test]
    fn idle_blinks_within_ten_seconds_and_sways() {
        let mut rig = Rig::new(7);
        let (mut closed, mut blinks, mut was_closed) = (0, 0, false);
        let (mut min_x, mut max_x) = (f32::MAX, f32::MIN);
        for _ in 0..250 {
            let s = *rig.advance(40.0, 0);
            let is_closed = s.eye_open < 0.5;
            if is_closed {
                closed += 1;
            }
            if is_closed && !was_closed {
                blinks += 1;
            }
            was_closed = is_closed;
            min_x = min_x.min(s.head_offset.0);
            max_x = max_x.max(s.head_offset.0);
        }
        assert!(blinks >= 2, "blinks {blinks}");
        assert!(closed < 20, "eyes closed too long: {closed} frames");
        assert!(max_x - min_x > 0.02, "no sway");
    }
}
