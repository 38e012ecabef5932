//! Viseme ids (Azure/SAPI 0–21) → mouth poses, and the viseme timeline of the reply being played.

/// A target mouth shape, all values dimensionless in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MouthPose {
    /// Jaw/lip opening: 0 closed, 1 wide open.
    pub open: f32,
    /// Lip spread: 0 narrow (rounded), 1 wide (spread, as in "ee").
    pub width: f32,
    /// Lip rounding/protrusion: 0 none, 1 fully rounded ("oo").
    pub round: f32,
}

impl MouthPose {
    /// The rest pose (viseme 0, silence).
    pub const REST: Self = Self {
        open: 0.0,
        width: 0.5,
        round: 0.0,
    };

    /// Moves `self` towards `target` by the fraction `k` (`0.0..=1.0`).
    pub fn approach(&mut self, target: &Self, k: f32) {
        self.open += (target.open - self.open) * k;
        self.width += (target.width - self.width) * k;
        self.round += (target.round - self.round) * k;
    }
}

/// The highest Azure viseme id.
pub const MAX_VISEME_ID: u32 = 21;

/// `(open, width, round)` per viseme id 0–21 (the SAPI set of avatar.md §1.7).
const POSES: [(f32, f32, f32); 22] = [
    (0.00, 0.50, 0.00), // 0 silence
    (0.55, 0.60, 0.00), // 1 æ ə ʌ
    (0.90, 0.55, 0.05), // 2 ɑ
    (0.70, 0.35, 0.55), // 3 ɔ
    (0.50, 0.65, 0.10), // 4 ɛ ʊ
    (0.40, 0.45, 0.35), // 5 ɝ
    (0.25, 0.90, 0.00), // 6 j i ɪ
    (0.20, 0.15, 0.95), // 7 w u
    (0.55, 0.25, 0.80), // 8 o
    (0.80, 0.50, 0.30), // 9 aʊ
    (0.60, 0.40, 0.55), // 10 ɔɪ
    (0.75, 0.65, 0.05), // 11 aɪ
    (0.45, 0.55, 0.05), // 12 h
    (0.30, 0.40, 0.45), // 13 ɹ
    (0.35, 0.60, 0.00), // 14 l
    (0.12, 0.80, 0.00), // 15 s z
    (0.20, 0.45, 0.60), // 16 ʃ tʃ dʒ ʒ
    (0.22, 0.65, 0.00), // 17 ð
    (0.08, 0.60, 0.00), // 18 f v
    (0.18, 0.65, 0.00), // 19 d t n θ
    (0.30, 0.55, 0.00), // 20 k g ŋ
    (0.00, 0.45, 0.00), // 21 p b m
];

/// The mouth pose for an Azure viseme id; ids above 21 map to the rest pose.
pub fn pose_for(viseme_id: u32) -> MouthPose {
    usize::try_from(viseme_id)
        .ok()
        .and_then(|i| POSES.get(i))
        .map_or(MouthPose::REST, |&(open, width, round)| MouthPose {
            open,
            width,
            round,
        })
}

/// Viseme keyframes on the playout sample clock: `(sample, viseme_id)` in ascending sample order.
///
/// Capacity is reserved up front; [`VisemeTimeline::push`] only allocates when a reply carries more
/// visemes than any before it.
#[derive(Debug, Clone)]
pub struct VisemeTimeline {
    keys: Vec<(u64, u32)>,
    cursor: usize,
}

impl Default for VisemeTimeline {
    fn default() -> Self {
        Self::with_capacity(1024)
    }
}

impl VisemeTimeline {
    /// An empty timeline with room for `capacity` keyframes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            keys: Vec::with_capacity(capacity),
            cursor: 0,
        }
    }

    /// Adds a keyframe at playout sample `sample`. Keyframes earlier than the last one are
    /// clamped to it (the timeline stays monotonic).
    pub fn push(&mut self, sample: u64, viseme_id: u32) {
        let sample = self.keys.last().map_or(sample, |&(s, _)| s.max(sample));
        self.keys.push((sample, viseme_id));
    }

    /// Drops every keyframe (barge-in / new reply).
    pub fn clear(&mut self) {
        self.keys.clear();
        self.cursor = 0;
    }

    /// Number of keyframes held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no keyframes are held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The viseme in force at playout sample `sample` (0 before the first keyframe). Calls must
    /// use non-decreasing `sample`s; keyframes already passed are dropped from the front lazily.
    pub fn at(&mut self, sample: u64) -> u32 {
        while self
            .keys
            .get(self.cursor + 1)
            .is_some_and(|&(s, _)| s <= sample)
        {
            self.cursor += 1;
        }
        match self.keys.get(self.cursor) {
            Some(&(s, id)) if s <= sample => id,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poses_cover_all_ids_and_silence_is_closed() {
        for id in 0..=MAX_VISEME_ID {
            let p = pose_for(id);
            assert!((0.0..=1.0).contains(&p.open), "{id}");
        }
        assert_eq!(pose_for(0), MouthPose::REST);
        assert_eq!(pose_for(99), MouthPose::REST);
        assert!(pose_for(2).open > 0.8);
        assert!(pose_for(21).open < 0.01);
        assert!(pose_for(7).round > 0.9);
    }

    #[test]
    fn timeline_steps_through_keys() {
        let mut t = VisemeTimeline::with_capacity(4);
        t.push(100, 2);
        t.push(200, 7);
        t.push(150, 5); // out of order: clamped to 200
        assert_eq!(t.at(0), 0);
        assert_eq!(t.at(100), 2);
        assert_eq!(t.at(199), 2);
        assert_eq!(t.at(200), 5);
        assert_eq!(t.at(10_000), 5);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.at(10_000), 0);
    }
}
