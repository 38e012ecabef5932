//! The `server_vad` turn detector: per-frame speech probabilities in, `speech_started` /
//! `speech_stopped` decisions out.
//!
//! # Semantics (protocol.md §3, §4.4, §6 B)
//!
//! Time is counted in samples of the audio the detector has seen since it was created or
//! [`reset`](TurnDetector::reset); every call to [`TurnDetector::process`] advances it by one 10 ms
//! frame. Millisecond values are `samples * 1000 / sample_rate_hz`, rounded down.
//!
//! A frame is a *speech frame* when its probability is `>= threshold` (NaN counts as non-speech).
//!
//! * **Start.** While idle, a run of consecutive speech frames whose length reaches
//!   `speech_duration_ms` confirms a turn. [`TurnEvent::SpeechStarted`] is returned from the call
//!   that processes the frame completing the run (so it is *emitted* `speech_duration_ms` after
//!   the onset, rounded up to whole frames, and at least one frame). Its `audio_start_ms` is the
//!   onset (the start of the run's first frame) minus `prefix_padding_ms`, clamped to 0 and to the
//!   start of the input buffer (see below): the protocol's "includes prefix padding".
//! * **Stop.** While in a turn, a run of consecutive non-speech frames whose length reaches
//!   `silence_duration_ms` ends it. [`TurnEvent::SpeechStopped`] is returned from the call that
//!   processes the frame completing that silence, i.e. `silence_duration_ms` (rounded up to whole
//!   frames, at least one frame) after the end of the last speech frame. Its `audio_end_ms` is the
//!   **end of speech**: the end of the last speech frame, which is where the silence started. It
//!   does *not* include the silence. The committed audio of the turn therefore ends later, at
//!   [`TurnDetector::position_ms`] after the call (= `audio_end_ms + silence_duration_ms`, rounded
//!   up to whole frames); the engine commits up to that position.
//! * **Buffer start.** A turn's prefix never reaches back before the position where the previous
//!   turn was stopped or where [`TurnDetector::abort_turn`] was last called: that audio has been
//!   committed or cleared and is no longer in the input buffer.
//!
//! Events therefore always alternate `SpeechStarted`, `SpeechStopped`, `SpeechStarted`, … starting
//! with `SpeechStarted`, and `audio_start_ms <= audio_end_ms <=` the next turn's `audio_start_ms`.
//!
//! To honour `prefix_padding_ms`, the engine must keep at least
//! `prefix_padding_ms + speech_duration_ms + 10` ms of audio before the current position while no
//! turn is active.

use crate::error::VadError;

/// Sample rates accepted by [`TurnDetector`], in Hz (the detector only counts samples, so any
/// input rate of the protocol works; each must be a multiple of 100 so that 10 ms is a whole number
/// of samples).
pub const TURN_DETECTOR_RATES: &[u32] = &[8_000, 16_000, 24_000, 32_000, 44_100, 48_000];

/// Parameters of the `server_vad` turn detector (protocol.md §4.4).
///
/// Build it with [`Default`] and the `with_*` methods (the struct is `#[non_exhaustive]` so that
/// later Azure fields can be added):
///
/// ```
/// use vl_vad::ServerVadConfig;
/// let config = ServerVadConfig::default().with_threshold(0.6).with_silence_duration_ms(700);
/// assert_eq!(config.prefix_padding_ms, 300);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ServerVadConfig {
    /// Speech probability at or above which a frame counts as speech; unitless, `0.0..=1.0`.
    /// Default 0.5.
    pub threshold: f32,
    /// Audio before the detected onset included in the turn (`audio_start_ms` = onset − this), in
    /// ms. Default 300 (decisions.md: the default `server_vad` when the client sets none; the
    /// Voice Live docs say 400 for api-version ≥ 2026-04-10 — the engine passes the session's value).
    pub prefix_padding_ms: u32,
    /// Continuous non-speech needed to end a turn, in ms. Default 500.
    pub silence_duration_ms: u32,
    /// Continuous speech needed before a turn is confirmed (`speech_started` is emitted), in ms.
    /// Default 200 (the Voice Live docs' `server_vad` value, protocol.md §4.4). 0 starts a turn on
    /// the first speech frame.
    pub speech_duration_ms: u32,
    /// Minimum continuous speech to start a turn **while the assistant is speaking**
    /// ([`TurnDetector::set_assistant_speaking`]), i.e. to barge in, in ms
    /// (`speech_duration_assistant_speaking_ms`, protocol.md §4.4). `None` (default): the same as
    /// `speech_duration_ms`. A longer value keeps coughs, backchannels and echo residue from
    /// interrupting a response.
    pub speech_duration_assistant_speaking_ms: Option<u32>,
    /// Hysteresis: inside a turn, a frame still counts as speech down to this probability
    /// (unitless, `0.0..=threshold`), so the fading end of a word or a dip in noise does not
    /// start the silence early (Silero's `neg_threshold`, by default `threshold − 0.15`).
    /// `None` (default): `threshold`, the protocol's single threshold.
    pub release_threshold: Option<f32>,
}

impl Default for ServerVadConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            speech_duration_ms: 200,
            speech_duration_assistant_speaking_ms: None,
            release_threshold: None,
        }
    }
}

impl ServerVadConfig {
    /// Returns the config with `threshold` (probability, `0.0..=1.0`) replaced.
    #[must_use]
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = threshold;
        self
    }

    /// Returns the config with `prefix_padding_ms` (ms) replaced.
    #[must_use]
    pub fn with_prefix_padding_ms(mut self, ms: u32) -> Self {
        self.prefix_padding_ms = ms;
        self
    }

    /// Returns the config with `silence_duration_ms` (ms) replaced.
    #[must_use]
    pub fn with_silence_duration_ms(mut self, ms: u32) -> Self {
        self.silence_duration_ms = ms;
        self
    }

    /// Returns the config with `speech_duration_ms` (ms) replaced.
    #[must_use]
    pub fn with_speech_duration_ms(mut self, ms: u32) -> Self {
        self.speech_duration_ms = ms;
        self
    }

    /// Returns the config with `speech_duration_assistant_speaking_ms` (ms, `None` = same as
    /// `speech_duration_ms`) replaced.
    #[must_use]
    pub fn with_speech_duration_assistant_speaking_ms(mut self, ms: Option<u32>) -> Self {
        self.speech_duration_assistant_speaking_ms = ms;
        self
    }

    /// Returns the config with `release_threshold` (probability, `None` = `threshold`) replaced.
    #[must_use]
    pub fn with_release_threshold(mut self, release: Option<f32>) -> Self {
        self.release_threshold = release;
        self
    }

    /// The probability at or above which a frame inside a turn counts as speech
    /// (`release_threshold`, or `threshold` without it).
    pub fn in_turn_threshold(&self) -> f32 {
        self.release_threshold.unwrap_or(self.threshold)
    }

    /// Checks the parameters: `threshold` must be finite and in `0.0..=1.0`, and
    /// `release_threshold`, when set, finite and in `0.0..=threshold`.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidThreshold`] otherwise (with the offending value).
    pub fn validate(&self) -> Result<(), VadError> {
        if !(self.threshold.is_finite() && (0.0..=1.0).contains(&self.threshold)) {
            return Err(VadError::InvalidThreshold {
                threshold: self.threshold,
            });
        }
        match self.release_threshold {
            Some(r) if !(r.is_finite() && (0.0..=self.threshold).contains(&r)) => {
                Err(VadError::InvalidThreshold { threshold: r })
            }
            _ => Ok(()),
        }
    }
}

/// A turn-detection decision, returned by [`TurnDetector::process`].
///
/// Times are ms from the start of all audio the detector has seen (since creation or
/// [`TurnDetector::reset`]); see the module docs for the precise definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TurnEvent {
    /// A turn was confirmed (`input_audio_buffer.speech_started`).
    SpeechStarted {
        /// Start of the turn's audio including prefix padding: `max(onset − prefix_padding_ms,
        /// buffer start)`, in ms.
        audio_start_ms: u64,
    },
    /// The turn ended (`input_audio_buffer.speech_stopped`).
    SpeechStopped {
        /// End of speech (end of the last speech frame, where the silence started), in ms.
        audio_end_ms: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No turn. `run_start`: first sample of the current run of speech frames, if any.
    Idle { run_start: Option<u64> },
    /// In a turn. `last_speech_end`: sample just after the last speech frame.
    Speaking { last_speech_end: u64 },
}

/// The `server_vad` state machine, counting time in samples (sans-IO, allocation-free).
///
/// Call [`process`](Self::process) once per 10 ms frame with that frame's speech probability
/// (from [`FrameClassifier`](crate::FrameClassifier) or any other model).
///
/// ```
/// use vl_vad::{ServerVadConfig, TurnDetector, TurnEvent};
/// let config = ServerVadConfig::default().with_speech_duration_ms(0);
/// let mut td = TurnDetector::new(config, 16_000)?;
/// let mut events = Vec::new();
/// // 1 s silence, 1 s speech, 1 s silence, one probability per 10 ms frame.
/// for i in 0..300 {
///     let p = if (100..200).contains(&i) { 0.9 } else { 0.1 };
///     events.extend(td.process(p));
/// }
/// assert_eq!(events, [
///     TurnEvent::SpeechStarted { audio_start_ms: 700 }, // 1000 − 300 ms prefix padding
///     TurnEvent::SpeechStopped { audio_end_ms: 2000 },  // end of speech, emitted at 2500 ms
/// ]);
/// # Ok::<(), vl_vad::VadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TurnDetector {
    config: ServerVadConfig,
    sample_rate_hz: u32,
    frame_samples: u64,
    prefix_samples: u64,
    silence_samples: u64,
    speech_samples: u64,
    barge_in_samples: u64,
    position: u64,
    buffer_start: u64,
    state: State,
    assistant_speaking: bool,
    /// Semantic VAD: silence that ends the current turn instead of `silence_duration_ms`.
    end_silence_override: Option<u64>,
    /// Speech frames since the current turn's onset (the run that confirmed it included).
    turn_speech_frames: u32,
}

impl TurnDetector {
    /// Creates a detector for audio at `sample_rate_hz` (one of [`TURN_DETECTOR_RATES`]); each
    /// [`process`](Self::process) call then stands for `sample_rate_hz / 100` samples (10 ms).
    ///
    /// # Errors
    ///
    /// [`VadError::UnsupportedRate`] for other rates; [`VadError::InvalidThreshold`] for a bad
    /// config.
    pub fn new(config: ServerVadConfig, sample_rate_hz: u32) -> Result<Self, VadError> {
        if !TURN_DETECTOR_RATES.contains(&sample_rate_hz) {
            return Err(VadError::UnsupportedRate {
                rate_hz: sample_rate_hz,
                valid: TURN_DETECTOR_RATES,
            });
        }
        config.validate()?;
        let mut td = Self {
            config,
            sample_rate_hz,
            frame_samples: u64::from(sample_rate_hz / 100),
            prefix_samples: 0,
            silence_samples: 0,
            speech_samples: 0,
            barge_in_samples: 0,
            position: 0,
            buffer_start: 0,
            state: State::Idle { run_start: None },
            assistant_speaking: false,
            end_silence_override: None,
            turn_speech_frames: 0,
        };
        td.derive();
        Ok(td)
    }

    fn ms_to_samples(&self, ms: u32) -> u64 {
        u64::from(ms) * u64::from(self.sample_rate_hz) / 1000
    }

    fn samples_to_ms(&self, samples: u64) -> u64 {
        samples * 1000 / u64::from(self.sample_rate_hz)
    }

    fn derive(&mut self) {
        self.prefix_samples = self.ms_to_samples(self.config.prefix_padding_ms);
        self.silence_samples = self.ms_to_samples(self.config.silence_duration_ms);
        self.speech_samples = self.ms_to_samples(self.config.speech_duration_ms);
        self.barge_in_samples = self.ms_to_samples(
            self.config
                .speech_duration_assistant_speaking_ms
                .unwrap_or(self.config.speech_duration_ms),
        );
    }

    /// Advances by one 10 ms frame whose speech probability is `probability` (unitless, `0..=1`;
    /// NaN counts as non-speech) and returns the decision this frame completes, if any.
    pub fn process(&mut self, probability: f32) -> Option<TurnEvent> {
        let start = self.position;
        let end = start + self.frame_samples;
        self.position = end;
        let threshold = match self.state {
            State::Idle { .. } => self.config.threshold,
            State::Speaking { .. } => self.config.in_turn_threshold(),
        };
        let speech = probability >= threshold;
        match self.state {
            State::Idle { run_start } => {
                if !speech {
                    self.state = State::Idle { run_start: None };
                    return None;
                }
                let onset = run_start.unwrap_or(start);
                // end - onset is a whole number of frames, far below u32::MAX frames.
                self.turn_speech_frames = ((end - onset) / self.frame_samples) as u32;
                let needed = if self.assistant_speaking {
                    self.barge_in_samples
                } else {
                    self.speech_samples
                };
                if end - onset >= needed {
                    self.state = State::Speaking {
                        last_speech_end: end,
                    };
                    let audio_start = onset
                        .saturating_sub(self.prefix_samples)
                        .max(self.buffer_start);
                    Some(TurnEvent::SpeechStarted {
                        audio_start_ms: self.samples_to_ms(audio_start),
                    })
                } else {
                    self.state = State::Idle {
                        run_start: Some(onset),
                    };
                    None
                }
            }
            State::Speaking { last_speech_end } => {
                if speech {
                    self.state = State::Speaking {
                        last_speech_end: end,
                    };
                    self.turn_speech_frames = self.turn_speech_frames.saturating_add(1);
                    None
                } else if end - last_speech_end
                    >= self.end_silence_override.unwrap_or(self.silence_samples)
                {
                    self.state = State::Idle { run_start: None };
                    self.buffer_start = end;
                    Some(TurnEvent::SpeechStopped {
                        audio_end_ms: self.samples_to_ms(last_speech_end),
                    })
                } else {
                    None
                }
            }
        }
    }

    /// Audio seen so far (frames processed × frame length), in samples at the detector's rate.
    pub fn position_samples(&self) -> u64 {
        self.position
    }

    /// Audio seen so far, in ms (rounded down).
    pub fn position_ms(&self) -> u64 {
        self.samples_to_ms(self.position)
    }

    /// The sample rate given at construction, in Hz.
    pub fn sample_rate_hz(&self) -> u32 {
        self.sample_rate_hz
    }

    /// Samples per [`process`](Self::process) call (10 ms at the detector's rate).
    pub fn frame_samples(&self) -> usize {
        // sample_rate_hz / 100 ≤ 480: always fits.
        (self.sample_rate_hz / 100) as usize
    }

    /// `true` between a [`TurnEvent::SpeechStarted`] and the following
    /// [`TurnEvent::SpeechStopped`].
    pub fn in_turn(&self) -> bool {
        matches!(self.state, State::Speaking { .. })
    }

    /// Whether a frame of speech probability `probability` counts as speech in the current state
    /// (`threshold` while idle, [`ServerVadConfig::in_turn_threshold`] in a turn; NaN never).
    pub fn is_speech(&self, probability: f32) -> bool {
        let threshold = if self.in_turn() {
            self.config.in_turn_threshold()
        } else {
            self.config.threshold
        };
        probability >= threshold
    }

    /// Speech in the current (or last) turn since its onset, in ms (10 ms per speech frame,
    /// including the run that confirmed the turn; pauses inside the turn are not counted).
    pub fn turn_speech_ms(&self) -> u32 {
        self.turn_speech_frames.saturating_mul(10)
    }

    /// Semantic end of turn: the silence after the last speech frame that ends the current turn,
    /// in ms, replacing `silence_duration_ms` until changed (`None` = back to
    /// `silence_duration_ms`). It is compared anew on every frame, so lowering it while the user
    /// is already silent for longer ends the turn on the next frame (with `audio_end_ms` still
    /// the end of speech). [`Vad`](crate::Vad) sets it from its semantic detector.
    pub fn set_end_silence_ms(&mut self, ms: Option<u32>) {
        self.end_silence_override = ms.map(|ms| self.ms_to_samples(ms).max(self.frame_samples));
    }

    /// The active configuration.
    pub fn config(&self) -> &ServerVadConfig {
        &self.config
    }

    /// Replaces the configuration (`session.update`). Takes effect from the next frame; a turn in
    /// progress keeps its onset and its silence so far, judged against the new durations.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidThreshold`]; the old configuration is kept.
    pub fn set_config(&mut self, config: ServerVadConfig) -> Result<(), VadError> {
        config.validate()?;
        self.config = config;
        self.derive();
        Ok(())
    }

    /// Tells the detector whether the assistant is currently speaking (audio being played out).
    ///
    /// While it is, a turn needs `speech_duration_assistant_speaking_ms` of continuous speech
    /// (when set) instead of `speech_duration_ms` to start: the barge-in rule. A run of speech
    /// already under way is judged against the rule in force at each frame.
    pub fn set_assistant_speaking(&mut self, speaking: bool) {
        self.assistant_speaking = speaking;
    }

    /// The flag last set with [`set_assistant_speaking`](Self::set_assistant_speaking).
    pub fn assistant_speaking(&self) -> bool {
        self.assistant_speaking
    }

    /// Drops any turn in progress **without** a [`TurnEvent::SpeechStopped`] and marks the current
    /// position as the new start of the input buffer (prefix padding of later turns will not reach
    /// before it). Call it on `input_audio_buffer.clear` and on a manual commit. The position keeps
    /// counting.
    pub fn abort_turn(&mut self) {
        self.state = State::Idle { run_start: None };
        self.buffer_start = self.position;
    }

    /// Back to the state after construction: position 0, no turn, assistant not speaking. The
    /// configuration is kept.
    pub fn reset(&mut self) {
        self.position = 0;
        self.buffer_start = 0;
        self.state = State::Idle { run_start: None };
        self.assistant_speaking = false;
        self.end_silence_override = None;
        self.turn_speech_frames = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(td: &mut TurnDetector, probs: &[f32]) -> Vec<(u64, TurnEvent)> {
        probs
            .iter()
            .filter_map(|&p| td.process(p).map(|e| (td.position_ms(), e)))
            .collect()
    }

    #[test]
    fn rejects_bad_rate_and_threshold() {
        assert_eq!(
            TurnDetector::new(ServerVadConfig::default(), 11_025).err(),
            Some(VadError::UnsupportedRate {
                rate_hz: 11_025,
                valid: TURN_DETECTOR_RATES
            })
        );
        for t in [f32::NAN, -0.1, 1.5, f32::INFINITY] {
            let c = ServerVadConfig::default().with_threshold(t);
            assert!(matches!(
                TurnDetector::new(c, 16_000),
                Err(VadError::InvalidThreshold { .. })
            ));
        }
        let mut td = TurnDetector::new(ServerVadConfig::default(), 16_000).unwrap();
        assert!(
            td.set_config(ServerVadConfig::default().with_threshold(2.0))
                .is_err()
        );
        assert_eq!(td.config().threshold, 0.5);
    }

    #[test]
    fn release_threshold_is_hysteresis_inside_a_turn_only() {
        // 300 ms at 0.9, 600 ms at 0.4 (a fading end / a dip in noise), then silence.
        let mut p = vec![0.0; 50];
        p.extend(vec![0.9; 30]);
        p.extend(vec![0.4; 60]);
        p.extend(vec![0.0; 100]);
        let plain = ServerVadConfig::default();
        let mut td = TurnDetector::new(plain, 16_000).unwrap();
        let ev = run(&mut td, &p);
        assert_eq!(
            ev[1].1,
            TurnEvent::SpeechStopped { audio_end_ms: 800 },
            "{ev:?}"
        );
        let hyst = plain.with_release_threshold(Some(0.35));
        assert!((hyst.in_turn_threshold() - 0.35).abs() < 1e-6);
        let mut td = TurnDetector::new(hyst, 16_000).unwrap();
        assert!(!td.is_speech(0.4));
        let ev = run(&mut td, &p);
        assert_eq!(
            ev,
            [
                (
                    700,
                    TurnEvent::SpeechStarted {
                        audio_start_ms: 200
                    }
                ),
                (1900, TurnEvent::SpeechStopped { audio_end_ms: 1400 }),
            ]
        );
        // The release threshold never starts a turn.
        let mut td = TurnDetector::new(hyst, 16_000).unwrap();
        assert!(run(&mut td, &[0.4; 200]).is_empty());
        // It must lie in 0..=threshold.
        for r in [0.6, -0.1, f32::NAN] {
            assert!(matches!(
                TurnDetector::new(plain.with_release_threshold(Some(r)), 16_000),
                Err(VadError::InvalidThreshold { .. })
            ));
        }
    }

    #[test]
    fn speech_duration_delays_emission_not_onset() {
        let mut td = TurnDetector::new(ServerVadConfig::default(), 16_000).unwrap();
        let mut p = vec![0.0; 100];
        p.extend(vec![1.0; 30]);
        p.extend(vec![0.0; 60]);
        let ev = run(&mut td, &p);
        assert_eq!(
            ev,
            [
                // onset 1000 ms, confirmed after 200 ms of speech
                (
                    1200,
                    TurnEvent::SpeechStarted {
                        audio_start_ms: 700
                    }
                ),
                // speech ended at 1300 ms, 500 ms of silence later
                (1800, TurnEvent::SpeechStopped { audio_end_ms: 1300 }),
            ]
        );
    }

    #[test]
    fn short_burst_and_short_pause() {
        let mut td = TurnDetector::new(ServerVadConfig::default(), 16_000).unwrap();
        // 190 ms burst: no turn.
        let mut p = vec![1.0; 19];
        p.extend(vec![0.0; 10]);
        assert!(run(&mut td, &p).is_empty());
        // turn with a 490 ms pause inside: one turn.
        let mut p = vec![1.0; 30];
        p.extend(vec![0.0; 49]);
        p.extend(vec![1.0; 5]);
        p.extend(vec![0.0; 50]);
        let ev = run(&mut td, &p);
        assert_eq!(ev.len(), 2, "{ev:?}");
    }

    #[test]
    fn prefix_clamped_to_zero_and_to_previous_turn() {
        let c = ServerVadConfig::default()
            .with_speech_duration_ms(0)
            .with_prefix_padding_ms(1000)
            .with_silence_duration_ms(200);
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        let mut p = vec![0.0; 10];
        p.extend(vec![1.0; 10]);
        p.extend(vec![0.0; 30]);
        p.extend(vec![1.0; 10]);
        p.extend(vec![0.0; 30]);
        let ev = run(&mut td, &p);
        assert_eq!(
            ev,
            [
                (110, TurnEvent::SpeechStarted { audio_start_ms: 0 }),
                (400, TurnEvent::SpeechStopped { audio_end_ms: 200 }),
                // onset 500 ms − 1000 ms prefix, clamped to where the previous turn was committed
                (
                    510,
                    TurnEvent::SpeechStarted {
                        audio_start_ms: 400
                    }
                ),
                (800, TurnEvent::SpeechStopped { audio_end_ms: 600 }),
            ]
        );
    }

    #[test]
    fn abort_turn_drops_turn_silently() {
        let c = ServerVadConfig::default().with_speech_duration_ms(0);
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        assert!(td.process(1.0).is_some());
        assert!(td.in_turn());
        td.abort_turn();
        assert!(!td.in_turn());
        assert!(run(&mut td, &[0.0; 100]).is_empty());
        assert_eq!(td.position_ms(), 1010);
        td.reset();
        assert_eq!(td.position_samples(), 0);
    }

    #[test]
    fn other_rates_count_their_own_samples() {
        let c = ServerVadConfig::default().with_speech_duration_ms(0);
        let mut td = TurnDetector::new(c, 44_100).unwrap();
        assert_eq!(td.frame_samples(), 441);
        let mut p = vec![0.0; 50];
        p.extend(vec![1.0; 50]);
        p.extend(vec![0.0; 50]);
        let ev = run(&mut td, &p);
        assert_eq!(
            ev,
            [
                (
                    510,
                    TurnEvent::SpeechStarted {
                        audio_start_ms: 200
                    }
                ),
                (1500, TurnEvent::SpeechStopped { audio_end_ms: 1000 }),
            ]
        );
        assert_eq!(td.position_samples(), 150 * 441);
    }

    #[test]
    fn nan_is_non_speech_and_assistant_flag_is_stored() {
        let c = ServerVadConfig::default().with_speech_duration_ms(0);
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        td.set_assistant_speaking(true);
        assert!(td.assistant_speaking());
        assert!(run(&mut td, &[f32::NAN; 20]).is_empty());
    }

    #[test]
    fn barge_in_needs_the_assistant_speaking_duration() {
        let c = ServerVadConfig::default()
            .with_speech_duration_ms(100)
            .with_speech_duration_assistant_speaking_ms(Some(400));
        // 300 ms of speech: a turn while the assistant is silent ...
        let mut burst = vec![0.0; 20];
        burst.extend(vec![0.9; 30]);
        burst.extend(vec![0.0; 80]);
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        assert_eq!(run(&mut td, &burst).len(), 2);
        // ... but not while it speaks (a cough or backchannel does not barge in).
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        td.set_assistant_speaking(true);
        assert!(run(&mut td, &burst).is_empty());
        // 500 ms of speech does barge in, 400 ms after the onset.
        let mut long = vec![0.0; 20];
        long.extend(vec![0.9; 50]);
        long.extend(vec![0.0; 60]);
        let ev = run(&mut td, &long);
        assert!(matches!(
            ev.first(),
            Some((_, TurnEvent::SpeechStarted { .. }))
        ));
        let onset_ms = td.position_ms() - 1100;
        assert_eq!(ev[0].0, onset_ms + 400);
        // Unset: the assistant-speaking rule falls back to speech_duration_ms.
        let c = ServerVadConfig::default().with_speech_duration_ms(100);
        let mut td = TurnDetector::new(c, 16_000).unwrap();
        td.set_assistant_speaking(true);
        assert_eq!(run(&mut td, &burst).len(), 2);
    }
}
