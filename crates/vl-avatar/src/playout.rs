//! The real-time playout queue of one avatar session (sans-IO): reply audio waiting to be sent,
//! the viseme keyframes on the same sample clock, and the speaking/idle state.
//!
//! Viseme offsets are relative to the start of a reply item's audio (`audio_offset_ms` of
//! `response.animation_viseme.delta`); [`Playout::start_item`] marks where that item's audio
//! begins in the queue.

use std::collections::VecDeque;

use crate::viseme::VisemeTimeline;

/// How long the queue must stay empty before the avatar switches to idle, in ms.
pub const IDLE_HANGOVER_MS: u32 = 100;

/// A speaking-state transition, reported when it happens on the media clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayoutEvent {
    /// The first queued sample of a reply went out (`session.avatar.switch_to_speaking`).
    SwitchToSpeaking,
    /// The queue drained or was cleared (`session.avatar.switch_to_idle`).
    SwitchToIdle,
}

/// Reply audio and visemes waiting for playout, on one sample clock at the input rate.
#[derive(Debug)]
pub struct Playout {
    rate: u32,
    queue: VecDeque<i16>,
    queued_total: u64,
    played_total: u64,
    item_base: u64,
    visemes: VisemeTimeline,
    speaking: bool,
    empty_samples: u64,
    item_pending: bool,
    pending_visemes: Vec<(u32, u32)>,
}

impl Playout {
    /// A queue for mono PCM16 at `rate_hz`, with room for `capacity_ms` of audio before it grows.
    pub fn new(rate_hz: u32, capacity_ms: u32) -> Self {
        let rate = rate_hz.max(1);
        Self {
            rate,
            queue: VecDeque::with_capacity(
                (u64::from(rate) * u64::from(capacity_ms) / 1000) as usize,
            ),
            queued_total: 0,
            played_total: 0,
            item_base: 0,
            visemes: VisemeTimeline::default(),
            speaking: false,
            empty_samples: 0,
            item_pending: false,
            pending_visemes: Vec::with_capacity(64),
        }
    }

    /// The input rate, in Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Marks the start of a new reply item: its viseme offsets count from its first audio sample,
    /// the next one passed to [`Playout::push_audio`] (visemes pushed before it are held).
    pub fn start_item(&mut self) {
        self.item_pending = true;
    }

    /// Queues reply audio (mono PCM16 at the input rate).
    pub fn push_audio(&mut self, pcm: &[i16]) {
        if pcm.is_empty() {
            return;
        }
        self.sync_end();
        if std::mem::take(&mut self.item_pending) {
            self.item_base = self.queued_total;
            for i in 0..self.pending_visemes.len() {
                if let Some(&(ms, id)) = self.pending_visemes.get(i) {
                    self.add_viseme(ms, id);
                }
            }
            self.pending_visemes.clear();
        }
        self.queue.extend(pcm.iter().copied());
        self.queued_total += pcm.len() as u64;
    }

    /// While the queue is empty, its end is the playout position.
    fn sync_end(&mut self) {
        if self.queue.is_empty() {
            self.queued_total = self.played_total;
        }
    }

    /// Adds a viseme `audio_offset_ms` after the start of the current item's audio.
    pub fn push_viseme(&mut self, audio_offset_ms: u32, viseme_id: u32) {
        if self.item_pending {
            self.pending_visemes.push((audio_offset_ms, viseme_id));
        } else {
            self.add_viseme(audio_offset_ms, viseme_id);
        }
    }

    fn add_viseme(&mut self, audio_offset_ms: u32, viseme_id: u32) {
        let at = self.item_base + u64::from(audio_offset_ms) * u64::from(self.rate) / 1000;
        self.visemes.push(at, viseme_id);
    }

    /// Drops all queued audio and visemes (barge-in, `output_audio_buffer.clear`). Returns the
    /// idle transition when the avatar was speaking.
    pub fn clear(&mut self) -> Option<PlayoutEvent> {
        self.queue.clear();
        self.queued_total = self.played_total;
        self.item_base = self.played_total;
        self.visemes.clear();
        self.pending_visemes.clear();
        self.item_pending = false;
        self.empty_samples = 0;
        std::mem::take(&mut self.speaking).then_some(PlayoutEvent::SwitchToIdle)
    }

    /// Queued audio not yet played, in ms.
    pub fn queued_ms(&self) -> u64 {
        self.queue.len() as u64 * 1000 / u64::from(self.rate)
    }

    /// Samples played out since the session started (the media clock, at the input rate).
    pub fn played_samples(&self) -> u64 {
        self.played_total
    }

    /// Whether the avatar is speaking.
    pub fn is_speaking(&self) -> bool {
        self.speaking
    }

    /// The viseme in force at the current playout position (0 when idle).
    pub fn viseme_now(&mut self) -> u32 {
        if self.speaking {
            self.visemes.at(self.played_total)
        } else {
            0
        }
    }

    /// Fills `out` with the next samples (silence when the queue runs dry) and advances the media
    /// clock; returns a speaking-state transition if one happened.
    pub fn next_frame(&mut self, out: &mut [i16]) -> Option<PlayoutEvent> {
        let mut real = 0usize;
        for o in out.iter_mut() {
            *o = match self.queue.pop_front() {
                Some(s) => {
                    real += 1;
                    s
                }
                None => 0,
            };
        }
        self.played_total += out.len() as u64;
        if real > 0 {
            self.empty_samples = (out.len() - real) as u64;
            if !self.speaking {
                self.speaking = true;
                return Some(PlayoutEvent::SwitchToSpeaking);
            }
            return None;
        }
        self.empty_samples += out.len() as u64;
        let hangover = u64::from(self.rate) * u64::from(IDLE_HANGOVER_MS) / 1000;
        if self.speaking && self.empty_samples >= hangover {
            self.speaking = false;
            self.visemes.clear();
            return Some(PlayoutEvent::SwitchToIdle);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speaking_then_idle_with_visemes_on_the_item_clock() {
        let mut p = Playout::new(24_000, 1000);
        let mut frame = [0i16; 480];
        assert_eq!(p.next_frame(&mut frame), None); // idle silence
        p.start_item();
        p.push_audio(&[1000; 4800]); // 200 ms
        p.push_viseme(0, 0);
        p.push_viseme(50, 2);
        p.push_viseme(150, 21);
        assert_eq!(p.queued_ms(), 200);
        assert_eq!(
            p.next_frame(&mut frame),
            Some(PlayoutEvent::SwitchToSpeaking)
        );
        assert_eq!(frame[0], 1000);
        assert_eq!(p.viseme_now(), 0); // 20 ms into the item
        for _ in 0..2 {
            p.next_frame(&mut frame);
        }
        assert_eq!(p.viseme_now(), 2); // 60 ms
        for _ in 0..5 {
            p.next_frame(&mut frame);
        }
        assert_eq!(p.viseme_now(), 21); // 160 ms
        let mut events = Vec::new();
        for _ in 0..10 {
            events.extend(p.next_frame(&mut frame));
        }
        assert_eq!(events, vec![PlayoutEvent::SwitchToIdle]);
        assert_eq!(frame, [0; 480]);
        assert_eq!(p.viseme_now(), 0);
    }

    #[test]
    fn clear_drops_everything_and_reports_idle_once() {
        let mut p = Playout::new(24_000, 1000);
        let mut frame = [0i16; 480];
        assert_eq!(p.clear(), None);
        p.start_item();
        p.push_audio(&[5; 24_000]);
        p.push_viseme(0, 2);
        p.next_frame(&mut frame);
        assert!(p.is_speaking());
        assert_eq!(p.clear(), Some(PlayoutEvent::SwitchToIdle));
        assert_eq!(p.queued_ms(), 0);
        assert_eq!(p.next_frame(&mut frame), None);
        assert_eq!(frame, [0; 480]);
        // A new item after the clear counts its offsets from its own first sample.
        p.start_item();
        p.push_viseme(20, 7); // before the item's audio, which comes two frames late
        p.next_frame(&mut frame);
        p.next_frame(&mut frame);
        p.push_audio(&[7; 960]);
        assert_eq!(
            p.next_frame(&mut frame),
            Some(PlayoutEvent::SwitchToSpeaking)
        );
        assert_eq!(p.viseme_now(), 7);
        assert_eq!(p.next_frame(&mut frame), None);
        assert_eq!(frame[479], 7);
    }
}
