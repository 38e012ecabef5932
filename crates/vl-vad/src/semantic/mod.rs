//! Semantic end of turn (`azure_semantic_vad`, `azure_semantic_vad_multilingual`, OpenAI
//! `semantic_vad`) and filler / backchannel detection (`remove_filler_words`, barge-in).
//!
//! The end of a turn is decided by the silence after the last speech frame, as in `server_vad`,
//! but the silence needed is not fixed: it follows an **end-of-utterance probability** computed
//! from
//!
//! * the partial transcript of the turn so far (given by the engine from its streaming ASR):
//!   a trailing conjunction, preposition, article, hesitation or "…" means unfinished; a final
//!   "?", a sentence with a full stop, or a short complete answer ("yes", "thanks") means
//!   finished ([`text_completeness`]);
//! * prosody computed here from the audio: a pitch fall and an energy decay over the last
//!   150–200 ms of speech relative to the turn ([`ProsodyTracker`]).
//!
//! [`EndOfTurnDetector::required_silence_ms`] maps the probability `p` to a silence between
//! [`SemanticConfig::min_silence_ms`] (`p` = 1) and [`SemanticConfig::max_silence_ms`] (`p` = 0),
//! equal to [`SemanticConfig::silence_duration_ms`] at `p` = 0.5 (no evidence: plain
//! `server_vad`), but at least [`SemanticConfig::statement_silence_ms`] after a declarative
//! sentence (only questions and short answers end a turn that fast: a speaker often goes on
//! after a full stop). [`Vad`](crate::Vad) applies it to its [`TurnDetector`](crate::TurnDetector)
//! every frame ([`Vad::set_semantic`](crate::Vad::set_semantic),
//! [`Vad::set_transcript`](crate::Vad::set_transcript)).

mod lexicon;
mod prosody;
mod text;

pub use lexicon::Language;
pub use prosody::{ProsodyFeatures, ProsodyTracker};
pub use text::UtteranceKind;

/// OpenAI `semantic_vad.eagerness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Eagerness {
    /// Let the user take their time: longer waits.
    Low,
    /// The default.
    Medium,
    /// End turns as soon as possible.
    High,
    /// `auto` = [`Eagerness::Medium`].
    #[default]
    Auto,
}

/// Azure `end_of_utterance_detection.threshold_level`: how much evidence of an unfinished
/// utterance keeps the turn open. `Low` ends turns sooner, `High` waits longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThresholdLevel {
    /// Ends turns sooner.
    Low,
    /// The default.
    Medium,
    /// Waits longer.
    High,
    /// `default` = [`ThresholdLevel::Medium`].
    #[default]
    Default,
}

/// Parameters of the semantic end-of-turn decision. All durations in ms of silence after the
/// last speech frame.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SemanticConfig {
    /// Silence that ends a turn when neither the text nor the prosody says anything (end-of-turn
    /// probability 0.5): the session's `silence_duration_ms`.
    pub silence_duration_ms: u32,
    /// Silence that ends a clearly finished turn (probability 1), ms; ≤ `silence_duration_ms`.
    pub min_silence_ms: u32,
    /// Longest wait for a clearly unfinished turn (probability 0), ms; ≥ `silence_duration_ms`.
    pub max_silence_ms: u32,
    /// Least silence that ends a turn whose transcript does not yield it, ms, whatever the
    /// probability: a declarative sentence ("." / "!" / "。"), text without punctuation, or no
    /// text (prosody alone) — anything but a question or a short complete answer ("yes",
    /// "thanks"), which alone end a turn as fast as `min_silence_ms`. Speakers often add
    /// another sentence after a pause of up to 400 ms, and a classifier's end of speech comes
    /// 10–150 ms before the acoustic end (more in noise), so a floor much below
    /// `silence_duration_ms` ends turns inside such pauses. Between `min_silence_ms` and
    /// `silence_duration_ms`.
    pub statement_silence_ms: u32,
    /// Languages of the transcript (empty = all of [`Language::ALL`]).
    pub languages: Vec<Language>,
    /// Scale of the prosody terms in the end-of-utterance probability (0 = text only; 1 = a
    /// 3-semitone final fall adds 0.7 logits and a 6 dB energy decay 0.5). Default 0.5: on the
    /// asterisk prompts, fragments recorded for concatenation fall almost as much as full
    /// sentences, so prosody is kept a tie-breaker.
    pub prosody_weight: f32,
}

impl SemanticConfig {
    /// Azure `azure_semantic_vad` / `_multilingual`: `silence_duration_ms` (default 500), the
    /// EOU `threshold_level` and `timeout_ms` (default 1000). A finished turn ends after
    /// 40 / 50 / 60 % of the silence (low / medium / high, at least 150 ms); an unfinished one
    /// waits up to `silence_duration_ms` + 0.5 / 1 / 1.5 × `timeout_ms`. A turn whose text does
    /// not yield it (a declarative sentence, unpunctuated or no text) needs at least 80 / 100 /
    /// 100 % of the silence ([`statement_silence_ms`](Self::statement_silence_ms)).
    pub fn azure(silence_duration_ms: u32, level: ThresholdLevel, timeout_ms: u32) -> Self {
        let (min_frac, max_frac, statement_frac) = match level {
            ThresholdLevel::Low => (0.4, 0.5, 0.8),
            ThresholdLevel::Medium | ThresholdLevel::Default => (0.5, 1.0, 1.0),
            ThresholdLevel::High => (0.6, 1.5, 1.0),
        };
        let s = f64::from(silence_duration_ms);
        let min_silence_ms = ((s * min_frac) as u32).max(150).min(silence_duration_ms);
        Self {
            silence_duration_ms,
            min_silence_ms,
            statement_silence_ms: ((s * statement_frac) as u32)
                .clamp(min_silence_ms, silence_duration_ms),
            max_silence_ms: silence_duration_ms
                .saturating_add((f64::from(timeout_ms) * max_frac) as u32),
            languages: Vec::new(),
            prosody_weight: DEFAULT_PROSODY_WEIGHT,
        }
    }

    /// OpenAI `semantic_vad` with `eagerness`: base silence 800 / 500 / 300 ms, finished turns
    /// after 400 / 250 / 150 ms (questions, short answers; declarative sentences and text
    /// without a cue after at least the base silence), and at most 8 / 4 / 2 s for unfinished
    /// ones (low / medium and auto / high; OpenAI documents the 8 / 4 / 2 s maxima).
    pub fn openai(eagerness: Eagerness) -> Self {
        let (s, min, max) = match eagerness {
            Eagerness::Low => (800, 400, 8000),
            Eagerness::Medium | Eagerness::Auto => (500, 250, 4000),
            Eagerness::High => (300, 150, 2000),
        };
        Self {
            silence_duration_ms: s,
            min_silence_ms: min,
            max_silence_ms: max,
            statement_silence_ms: s,
            languages: Vec::new(),
            prosody_weight: DEFAULT_PROSODY_WEIGHT,
        }
    }

    /// Returns the config with `languages` replaced (e.g. from the session's BCP-47 list through
    /// [`Language::from_bcp47`]).
    #[must_use]
    pub fn with_languages(mut self, languages: Vec<Language>) -> Self {
        self.languages = languages;
        self
    }

    /// Returns the config with `prosody_weight` replaced.
    #[must_use]
    pub fn with_prosody_weight(mut self, weight: f32) -> Self {
        self.prosody_weight = weight;
        self
    }

    /// Returns the config with `statement_silence_ms` replaced (ms).
    #[must_use]
    pub fn with_statement_silence_ms(mut self, ms: u32) -> Self {
        self.statement_silence_ms = ms;
        self
    }

    /// Returns the config with `min_silence_ms` and `max_silence_ms` replaced (ms).
    #[must_use]
    pub fn with_silence_range_ms(mut self, min_ms: u32, max_ms: u32) -> Self {
        self.min_silence_ms = min_ms;
        self.max_silence_ms = max_ms;
        self
    }

    /// The silence needed to end the turn for an end-of-utterance probability `p` (`0..=1`,
    /// NaN = 0.5), in ms: `max_silence_ms` at 0, `silence_duration_ms` at 0.5, `min_silence_ms`
    /// at 1, linear in between.
    pub fn silence_for(&self, p: f32) -> u32 {
        let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
        let s = f64::from(self.silence_duration_ms);
        let ms = if p >= 0.5 {
            let lo = f64::from(self.min_silence_ms.min(self.silence_duration_ms));
            s - (s - lo) * f64::from(p - 0.5) / 0.5
        } else {
            let hi = f64::from(self.max_silence_ms.max(self.silence_duration_ms));
            s + (hi - s) * f64::from(0.5 - p) / 0.5
        };
        ms.round() as u32
    }
}

/// Completeness of a transcript as the end of a user turn from its words alone: near 0 =
/// unfinished ("I want to book a flight to", "and", "um"), near 1 = finished ("What time is
/// it?"), 0.5 = no evidence (empty). `languages` empty = all supported languages.
pub fn text_completeness(text: &str, languages: &[Language]) -> f32 {
    text::completeness(text, languages)
}

/// Classifies an utterance's transcript (partial or final) as [`UtteranceKind::Empty`],
/// [`UtteranceKind::Filler`] ("um", "euh", "えーと"), [`UtteranceKind::Backchannel`] ("mm-hm",
/// "uh-huh", "yeah", "genau") or [`UtteranceKind::Speech`]. `languages` empty = all supported
/// languages.
pub fn classify_utterance(text: &str, languages: &[Language]) -> UtteranceKind {
    text::classify(text, languages)
}

/// Decision of [`barge_in`] for speech detected while the assistant speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BargeIn {
    /// Not yet decidable (no words yet): keep the response playing and ask again with the next
    /// partial transcript or frame.
    Wait,
    /// Real speech: interrupt the response (`interrupt_response`).
    Interrupt,
    /// Fillers, backchannels, a cough or echo residue: keep the response playing and drop this
    /// speech ([`TurnDetector::abort_turn`](crate::TurnDetector::abort_turn) at its end).
    Ignore,
}

/// Whether speech detected while the assistant speaks should interrupt it.
///
/// * `text`: the partial transcript of this speech so far (empty if the ASR has none yet);
/// * `speech_ms`: speech in the current turn so far, ms ([`Vad::turn_speech_ms`](crate::Vad::turn_speech_ms));
/// * `voiced_ms`: voiced speech in it, ms ([`Vad::turn_voiced_ms`](crate::Vad::turn_voiced_ms));
/// * `min_speech_ms`: `speech_duration_assistant_speaking_ms` (real speech needed to barge in);
/// * `remove_filler_words`: the session flag; when off, fillers and backchannels interrupt too.
///
/// Rules: speech with less than a quarter of `min_speech_ms` voiced (at least 50 ms), or less
/// than 35 % of it voiced, is a cough, breath or noise burst: [`BargeIn::Wait`] while it lasts, never an interruption. Less than
/// `min_speech_ms` of speech never interrupts ([`BargeIn::Wait`], or [`BargeIn::Ignore`] once
/// the text is filler or backchannel and `remove_filler_words` is on). Then words that are not
/// fillers/backchannels interrupt; fillers/backchannels are ignored when `remove_filler_words`
/// is on. Without words: with `remove_filler_words` on, wait for them (the decision needs the
/// words); with it off, enough voiced speech interrupts.
pub fn barge_in(
    text: &str,
    languages: &[Language],
    speech_ms: u32,
    voiced_ms: u32,
    min_speech_ms: u32,
    remove_filler_words: bool,
) -> BargeIn {
    let kind = classify_utterance(text, languages);
    // Speech frames are mostly voiced (≈ 70 % on the asterisk prompts); car and train rumble
    // bursts the classifier takes for speech are ≤ 20 % voiced.
    if voiced_ms < (min_speech_ms / 4).max(50)
        || u64::from(voiced_ms) * 100 < u64::from(speech_ms) * 35
    {
        return if remove_filler_words
            && matches!(kind, UtteranceKind::Filler | UtteranceKind::Backchannel)
        {
            BargeIn::Ignore
        } else {
            BargeIn::Wait
        };
    }
    let enough = speech_ms >= min_speech_ms;
    match kind {
        UtteranceKind::Speech if enough => BargeIn::Interrupt,
        UtteranceKind::Speech => BargeIn::Wait,
        UtteranceKind::Filler | UtteranceKind::Backchannel if remove_filler_words => {
            BargeIn::Ignore
        }
        UtteranceKind::Filler | UtteranceKind::Backchannel if enough => BargeIn::Interrupt,
        UtteranceKind::Filler | UtteranceKind::Backchannel => BargeIn::Wait,
        UtteranceKind::Empty if !remove_filler_words && enough => BargeIn::Interrupt,
        UtteranceKind::Empty => BargeIn::Wait,
    }
}

/// `remove_filler_words` at the end of a turn: `true` when the turn's final transcript should
/// not count as a user turn (no response created, the audio dropped): fillers only, or — while
/// a response is ongoing (`assistant_active`) — fillers and backchannels only. Always `false`
/// when `remove_filler_words` is off.
pub fn ignore_turn(
    final_text: &str,
    languages: &[Language],
    assistant_active: bool,
    remove_filler_words: bool,
) -> bool {
    remove_filler_words
        && match classify_utterance(final_text, languages) {
            UtteranceKind::Filler => true,
            UtteranceKind::Backchannel => assistant_active,
            UtteranceKind::Empty | UtteranceKind::Speech => false,
        }
}

/// The end-of-utterance probability of the current turn and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndOfTurnScore {
    /// Combined probability that the user has finished, `0..=1`.
    pub probability: f32,
    /// The text part ([`text_completeness`]), `0..=1` (0.5 without a transcript).
    pub text: f32,
    /// The prosody features used.
    pub prosody: ProsodyFeatures,
}

/// Default [`SemanticConfig::prosody_weight`].
const DEFAULT_PROSODY_WEIGHT: f32 = 0.5;
/// Weight of a 3-semitone final fall, in logits.
const PITCH_WEIGHT: f32 = 0.7;
/// Weight of a 6 dB final energy decay, in logits.
const ENERGY_WEIGHT: f32 = 0.5;

/// Combines the text completeness (`0..=1`) with the prosody into one probability: the text's
/// logit plus `prosody_weight` × (0.7 × a final fall of up to 3 semitones + 0.5 × an energy
/// decay of up to 6 dB; rises and swells count negatively).
pub fn combine(text: f32, prosody: &ProsodyFeatures, prosody_weight: f32) -> f32 {
    let t = if text.is_nan() {
        0.5
    } else {
        text.clamp(0.01, 0.99)
    };
    let w = if prosody_weight.is_finite() {
        prosody_weight
    } else {
        0.0
    };
    let mut logit = (t / (1.0 - t)).ln();
    if let Some(st) = prosody.final_pitch_st {
        logit += w * PITCH_WEIGHT * (-st / 3.0).clamp(-1.0, 1.0);
    }
    if let Some(db) = prosody.final_energy_db {
        logit += w * ENERGY_WEIGHT * (-db / 6.0).clamp(-1.0, 1.0);
    }
    1.0 / (1.0 + (-logit).exp())
}

/// Semantic end-of-turn state for one audio stream (sans-IO, allocation-free per frame).
///
/// Feed every 10 ms frame with [`push_frame`](Self::push_frame), the turn's partial transcript
/// with [`set_transcript`](Self::set_transcript), and read
/// [`required_silence_ms`](Self::required_silence_ms) while the user is silent.
/// [`Vad`](crate::Vad) does all of this when [`Vad::set_semantic`](crate::Vad::set_semantic) is
/// on.
#[derive(Debug, Clone)]
pub struct EndOfTurnDetector {
    config: SemanticConfig,
    prosody: ProsodyTracker,
    text: f32,
    ending: text::Ending,
    /// Speech frames since the last [`set_transcript`](Self::set_transcript) (or the turn's
    /// start), saturating.
    speech_since_text: u32,
}

/// Speech after the last transcript beyond which its words no longer describe the end of the
/// utterance (the user said more than about a word since), in 10 ms frames: 300 ms.
const STALE_TEXT_FRAMES: u32 = 30;

impl EndOfTurnDetector {
    /// A detector with no turn yet.
    pub fn new(config: SemanticConfig) -> Self {
        Self {
            config,
            prosody: ProsodyTracker::new(),
            text: 0.5,
            ending: text::Ending::Open,
            speech_since_text: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SemanticConfig {
        &self.config
    }

    /// Replaces the configuration; the current turn's state is kept.
    pub fn set_config(&mut self, config: SemanticConfig) {
        self.config = config;
    }

    /// Starts a new turn: forgets the prosody statistics and the transcript.
    pub fn start_turn(&mut self) {
        self.prosody.start_turn();
        self.text = 0.5;
        self.ending = text::Ending::Open;
        self.speech_since_text = 0;
    }

    /// Feeds one 10 ms frame of 16 kHz audio (160 samples; other lengths are ignored) and
    /// whether it was judged speech.
    pub fn push_frame(&mut self, frame: &[f32], is_speech: bool) {
        self.prosody.push(frame, is_speech);
        if is_speech && frame.len() == crate::classifier::FRAME_SAMPLES {
            self.speech_since_text = self.speech_since_text.saturating_add(1);
        }
    }

    /// Sets the transcript of the current turn so far (the whole partial text, not a delta).
    /// Costs a scan of the text's last words; call it when the ASR's partial changes.
    ///
    /// The text is evidence about the end of the utterance only while the user has not gone on
    /// speaking: after more than 300 ms of speech without a new transcript (the user said more
    /// than the words so far, e.g. another sentence after "Thank you."), it counts as no text
    /// (0.5) until the next call.
    pub fn set_transcript(&mut self, text: &str) {
        (self.text, self.ending) = text::analyse(text, &self.config.languages);
        self.speech_since_text = 0;
    }

    /// The text part and the ending in effect: none (0.5, open) once the transcript is stale.
    fn text_evidence(&self) -> (f32, text::Ending) {
        if self.speech_since_text > STALE_TEXT_FRAMES {
            (0.5, text::Ending::Open)
        } else {
            (self.text, self.ending)
        }
    }

    /// The current end-of-utterance score.
    pub fn score(&self) -> EndOfTurnScore {
        let prosody = self.prosody.features();
        let (text, _) = self.text_evidence();
        EndOfTurnScore {
            probability: combine(text, &prosody, self.config.prosody_weight),
            text,
            prosody,
        }
    }

    /// Voiced speech in the current turn, in ms.
    pub fn voiced_ms(&self) -> u32 {
        self.prosody.voiced_frames().saturating_mul(10)
    }

    /// Silence after the last speech frame that ends the turn now, in ms
    /// ([`SemanticConfig::silence_for`] of [`score`](Self::score)), at least
    /// [`SemanticConfig::statement_silence_ms`] unless the transcript yields the turn (a question
    /// or a short complete answer).
    pub fn required_silence_ms(&self) -> u32 {
        let ms = self.config.silence_for(self.score().probability);
        if self.text_evidence().1 == text::Ending::Yielding {
            ms
        } else {
            ms.max(self.config.statement_silence_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_mapping_is_monotonic_and_hits_its_anchors() {
        let c = SemanticConfig::azure(500, ThresholdLevel::Default, 1000);
        assert_eq!((c.min_silence_ms, c.max_silence_ms), (250, 1500));
        assert_eq!(c.silence_for(0.5), 500);
        assert_eq!(c.silence_for(f32::NAN), 500);
        assert_eq!(c.silence_for(1.0), 250);
        assert_eq!(c.silence_for(0.0), 1500);
        let mut last = u32::MAX;
        for i in 0..=100 {
            let s = c.silence_for(i as f32 / 100.0);
            assert!(s <= last);
            last = s;
        }
        let o = SemanticConfig::openai(Eagerness::High);
        assert_eq!(o.silence_for(0.0), 2000);
        assert!(SemanticConfig::openai(Eagerness::Low).silence_for(0.9) > o.silence_for(0.9));
        // Low threshold level ends sooner than high at every probability.
        let lo = SemanticConfig::azure(500, ThresholdLevel::Low, 1000);
        let hi = SemanticConfig::azure(500, ThresholdLevel::High, 1000);
        for p in [0.0, 0.2, 0.8, 1.0] {
            assert!(lo.silence_for(p) < hi.silence_for(p), "p {p}");
        }
    }

    #[test]
    fn prosody_moves_the_probability_but_not_past_strong_text() {
        let fall = ProsodyFeatures {
            final_pitch_st: Some(-4.0),
            final_energy_db: Some(-8.0),
            mean_pitch_hz: Some(150.0),
            speech_frames: 100,
        };
        let rise = ProsodyFeatures {
            final_pitch_st: Some(3.0),
            final_energy_db: Some(2.0),
            mean_pitch_hz: Some(150.0),
            speech_frames: 100,
        };
        assert!(combine(0.5, &fall, 1.0) > 0.7);
        assert!(combine(0.5, &rise, 1.0) < 0.3);
        assert!(combine(0.1, &fall, 1.0) < 0.5);
        assert!(combine(0.9, &rise, 1.0) > 0.5);
        assert!((combine(0.5, &ProsodyFeatures::default(), 1.0) - 0.5).abs() < 1e-6);
        assert!((combine(0.5, &fall, 0.0) - 0.5).abs() < 1e-6);
        let half = combine(0.5, &fall, 0.5);
        assert!(half > 0.5 && half < combine(0.5, &fall, 1.0));
    }

    #[test]
    fn declarative_sentences_wait_longer_than_questions() {
        let mut d =
            EndOfTurnDetector::new(SemanticConfig::azure(500, ThresholdLevel::Default, 1000));
        // A declarative sentence never ends the turn before the plain silence: the speaker may
        // go on after a pause of up to 400 ms, and the classifier's end of speech is early.
        assert_eq!(d.config().statement_silence_ms, 500);
        d.set_transcript("Please enter your account number.");
        assert_eq!(d.required_silence_ms(), 500);
        d.set_transcript("That sounds great!");
        assert_eq!(d.required_silence_ms(), 500);
        // Neither does text without punctuation, whatever its length.
        d.set_transcript("please enter your account number");
        assert_eq!(d.required_silence_ms(), 500);
        // Short complete answers yield the turn like questions.
        d.set_transcript("Thank you!");
        assert!(d.required_silence_ms() < 400, "{}", d.required_silence_ms());
        d.set_transcript("What time is it?");
        assert!(d.required_silence_ms() < 300, "{}", d.required_silence_ms());
        d.set_transcript("Yes.");
        assert!(
            d.required_silence_ms() <= 300,
            "{}",
            d.required_silence_ms()
        );
        d.set_transcript("I want to book a flight to");
        assert!(
            d.required_silence_ms() > 1000,
            "{}",
            d.required_silence_ms()
        );
        d.start_turn();
        assert_eq!(d.required_silence_ms(), 500);
        // The floor never exceeds the plain silence, and follows the threshold level.
        for level in [
            ThresholdLevel::Low,
            ThresholdLevel::Medium,
            ThresholdLevel::High,
        ] {
            for silence in [150, 300, 500, 1200] {
                let c = SemanticConfig::azure(silence, level, 1000);
                assert!(c.min_silence_ms <= c.statement_silence_ms);
                assert!(c.statement_silence_ms <= c.silence_duration_ms);
            }
        }
        assert_eq!(
            SemanticConfig::openai(Eagerness::Low).statement_silence_ms,
            800
        );
        // The low threshold level lets a statement end a little sooner.
        let low = SemanticConfig::azure(500, ThresholdLevel::Low, 1000);
        assert_eq!(low.statement_silence_ms, 400);
    }

    #[test]
    fn transcript_goes_stale_when_the_user_speaks_on() {
        let mut d =
            EndOfTurnDetector::new(SemanticConfig::azure(500, ThresholdLevel::Default, 1000));
        let frame = [0.0_f32; crate::classifier::FRAME_SAMPLES];
        d.set_transcript("Thank you.");
        let fast = d.required_silence_ms();
        assert!(fast < 400, "{fast}");
        // Silence and up to 300 ms of speech after the words keep them the end of the utterance.
        for _ in 0..50 {
            d.push_frame(&frame, false);
        }
        for _ in 0..STALE_TEXT_FRAMES {
            d.push_frame(&frame, true);
        }
        assert_eq!(d.required_silence_ms(), fast);
        // More speech without a new transcript: "Thank you." is no longer how it ends.
        d.push_frame(&frame, true);
        assert_eq!(d.required_silence_ms(), 500);
        assert!((d.score().text - 0.5).abs() < 1e-6);
        // Frames of the wrong length are ignored.
        d.set_transcript("I want to book a flight to");
        let open = d.required_silence_ms();
        assert!(open > 1000, "{open}");
        for _ in 0..100 {
            d.push_frame(&frame[..80], true);
        }
        assert_eq!(d.required_silence_ms(), open);
        // The next partial is fresh again; a new turn forgets the count.
        d.set_transcript("What time is it?");
        assert!(d.required_silence_ms() < 300);
        for _ in 0..=STALE_TEXT_FRAMES {
            d.push_frame(&frame, true);
        }
        assert_eq!(d.required_silence_ms(), 500);
        d.start_turn();
        d.set_transcript("Yes.");
        assert!(d.required_silence_ms() <= 300);
    }

    #[test]
    fn ignore_turn_rules() {
        let en = [Language::En];
        assert!(ignore_turn("Um.", &en, false, true));
        assert!(!ignore_turn("Um.", &en, false, false));
        assert!(!ignore_turn("Yeah.", &en, false, true));
        assert!(ignore_turn("Yeah.", &en, true, true));
        assert!(!ignore_turn("Yeah, book it.", &en, true, true));
        assert!(!ignore_turn("", &en, true, true));
    }

    #[test]
    fn barge_in_rules() {
        use BargeIn::{Ignore, Interrupt, Wait};
        let en = [Language::En];
        // (text, speech ms, voiced ms, remove_filler_words) → decision, min speech 400 ms.
        let cases: &[(&str, u32, u32, bool, BargeIn)] = &[
            ("", 100, 100, true, Wait),
            ("mm-hm", 500, 400, true, Ignore),
            ("mm-hm", 500, 400, false, Interrupt),
            ("Uh-huh.", 200, 200, false, Wait),
            ("Wait, stop.", 300, 200, true, Wait),
            ("Wait, stop.", 450, 300, true, Interrupt),
            // No words yet: wait for them when filler removal needs them ...
            ("", 800, 500, true, Wait),
            // ... otherwise enough voiced speech interrupts.
            ("", 300, 200, false, Wait),
            ("", 450, 300, false, Interrupt),
            // A cough or noise burst: long enough but hardly voiced; even a made-up word for it
            // does not interrupt.
            ("", 900, 40, true, Wait),
            ("Okay.", 900, 40, true, Ignore),
            ("Hot.", 900, 40, true, Wait),
            ("Hot.", 900, 200, true, Wait),
            ("Hot.", 900, 400, true, Interrupt),
        ];
        for &(text, speech, voiced, rfw, want) in cases {
            assert_eq!(
                barge_in(text, &en, speech, voiced, 400, rfw),
                want,
                "{text:?} {speech} {voiced} {rfw}"
            );
        }
    }
}
