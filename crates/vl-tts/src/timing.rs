//! Phoneme durations → word timestamps and viseme events (pure, no model needed).
//!
//! A synthesized sentence is described as a sequence of [`Unit`]s (phonemes, word gaps and pauses)
//! and one duration in samples per unit. Piper gives the durations (its `w_ceil` tensor × the hop
//! size); the espeak-ng fallback and remote TTS services get estimated durations stretched to the
//! audio length ([`stretch_to`]). From there, [`word_timestamps`] and [`viseme_events`] give the
//! protocol's `response.audio_timestamp.delta` and `response.animation_viseme.delta` payloads,
//! in milliseconds from the start of the sentence's audio.

use crate::viseme::{self, SILENCE};

/// One element of a phonemized sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Unit {
    /// A phoneme (espeak-ng IPA name, stress marks included, e.g. `ˈoʊ`) of text word `word`.
    Phone {
        /// The IPA name.
        name: String,
        /// Index of the text word it belongs to.
        word: usize,
    },
    /// The gap between two words of a clause (no mouth shape of its own).
    WordGap,
    /// Silence: the start or end of the sentence, or a clause pause (`, . ? !`).
    Pause,
}

/// A word and where it is in the audio (`response.audio_timestamp.delta`).
#[derive(Debug, Clone, PartialEq)]
pub struct WordTimestamp {
    /// The word as written in the text (surrounding punctuation removed).
    pub text: String,
    /// Start of the word, ms from the start of the audio it belongs to.
    pub audio_offset_ms: u64,
    /// Length of the word, ms.
    pub audio_duration_ms: u64,
}

/// A mouth shape starting at a point of the audio (`response.animation_viseme.delta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisemeEvent {
    /// Azure viseme ID, 0–21 (0 = silence).
    pub viseme_id: u8,
    /// Start of the viseme, ms from the start of the audio it belongs to.
    pub audio_offset_ms: u64,
}

fn samples_to_ms(samples: u64, sample_rate: u32) -> u64 {
    if sample_rate == 0 {
        return 0;
    }
    (samples.saturating_mul(1000) + u64::from(sample_rate) / 2) / u64::from(sample_rate)
}

/// Word timestamps of a sentence.
///
/// `units` and `durations` (samples at `sample_rate` Hz) run in parallel; a missing duration
/// counts as 0. `words[i]` is the text of word index `i`. A word spans from the start of its
/// first phoneme to the end of its last one. A word without any phoneme of its own is one that
/// espeak-ng merged into a neighbour (`not a` → `nˌɑːɾə`) or read as part of it: it shares
/// the span of the previous word that has phonemes (the next one at the start of a sentence),
/// split by letter count, so every word gets a length. Only a sentence without any phoneme gives
/// zero lengths. The result is in word order, with non-decreasing, non-overlapping offsets.
pub fn word_timestamps(
    units: &[Unit],
    durations: &[u64],
    words: &[String],
    sample_rate: u32,
) -> Vec<WordTimestamp> {
    let mut spans: Vec<Option<(u64, u64)>> = vec![None; words.len()];
    let mut t = 0u64;
    for (i, unit) in units.iter().enumerate() {
        let d = durations.get(i).copied().unwrap_or(0);
        if let Unit::Phone { word, .. } = unit
            && let Some(span) = spans.get_mut(*word)
        {
            match span {
                Some((_, end)) => *end = t + d,
                None => *span = Some((t, t + d)),
            }
        }
        t += d;
    }
    // Make the spans monotonic first (espeak keeps word order, but be safe).
    let mut last_end = 0u64;
    for span in spans.iter_mut().flatten() {
        let start = span.0.max(last_end);
        *span = (start, span.1.max(start));
        last_end = span.1;
    }
    let mut bounds: Vec<(u64, u64)> = vec![(0, 0); words.len()];
    // Groups: a word with phonemes and the phoneme-less words after it (before it, for the
    // phoneme-less words that open the sentence).
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        while j < words.len() && spans.get(j).is_some_and(Option::is_none) {
            j += 1;
        }
        // Words i..j: i has a span unless the sentence starts without one.
        let group_span = spans.get(i).copied().flatten().or_else(|| {
            // Leading phoneme-less words: join the first word that has a span.
            let next = spans.get(j).copied().flatten();
            if next.is_some() {
                j += 1;
                while j < words.len() && spans.get(j).is_some_and(Option::is_none) {
                    j += 1;
                }
            }
            next
        });
        let (start, end) = group_span.unwrap_or((last_end, last_end));
        split_by_letters(words, i, j, start, end, &mut bounds);
        i = j;
    }
    let mut out = Vec::with_capacity(words.len());
    for (text, (start, end)) in words.iter().zip(bounds) {
        let start_ms = samples_to_ms(start, sample_rate);
        out.push(WordTimestamp {
            text: text.clone(),
            audio_offset_ms: start_ms,
            audio_duration_ms: samples_to_ms(end, sample_rate).saturating_sub(start_ms),
        });
    }
    out
}

/// Splits `start..end` (samples) among `words[from..to]` in proportion to their letters (at
/// least 1 each), writing into `bounds`.
fn split_by_letters(
    words: &[String],
    from: usize,
    to: usize,
    start: u64,
    end: u64,
    bounds: &mut [(u64, u64)],
) {
    let weight = |w: &String| w.chars().filter(|c| c.is_alphanumeric()).count().max(1) as u64;
    let group = words.get(from..to).unwrap_or(&[]);
    let total: u64 = group.iter().map(weight).sum::<u64>().max(1);
    let length = end.saturating_sub(start);
    let mut acc = 0u64;
    for (k, w) in group.iter().enumerate() {
        let a = start + length * acc / total;
        acc += weight(w);
        let b = start + length * acc / total;
        if let Some(slot) = bounds.get_mut(from + k) {
            *slot = (a, b);
        }
    }
}

/// Viseme events of a sentence.
///
/// Pauses give viseme 0; each phoneme gives its visemes ([`viseme::visemes_for`]), a two-viseme
/// phoneme split 60/40; word gaps and phonemes without a viseme (stress marks only) extend the
/// previous viseme. Consecutive repeats of one ID are merged, and the first event is always at
/// offset 0 (silence if the sentence starts with a pause). Offsets are non-decreasing.
pub fn viseme_events(units: &[Unit], durations: &[u64], sample_rate: u32) -> Vec<VisemeEvent> {
    let mut out: Vec<VisemeEvent> = Vec::new();
    let mut push = |id: u8, at: u64| {
        let ms = samples_to_ms(at, sample_rate);
        match out.last_mut() {
            Some(last) if last.viseme_id == id => {}
            Some(last) if last.audio_offset_ms == ms => {
                // Two events in the same millisecond: the later shape wins.
                last.viseme_id = id;
            }
            _ => out.push(VisemeEvent {
                viseme_id: id,
                audio_offset_ms: ms,
            }),
        }
    };
    let mut t = 0u64;
    for (i, unit) in units.iter().enumerate() {
        let d = durations.get(i).copied().unwrap_or(0);
        match unit {
            Unit::Pause => push(SILENCE, t),
            Unit::WordGap => {}
            Unit::Phone { name, .. } => {
                let ids = viseme::visemes_for(name);
                for (k, id) in ids.iter().enumerate() {
                    let offset = (d as f64 * viseme::share_start(k, ids.len())).round() as u64;
                    push(*id, t + offset);
                }
            }
        }
        t += d;
    }
    if out.first().is_none_or(|e| e.audio_offset_ms != 0) {
        out.insert(
            0,
            VisemeEvent {
                viseme_id: SILENCE,
                audio_offset_ms: 0,
            },
        );
    }
    out
}

/// Nominal duration of a unit in ms, used when no model gives durations: vowels 90 ms
/// (diphthongs and r-coloured vowels 140 ms), consonants 65 ms, word gaps 0 ms, pauses 150 ms.
pub fn nominal_ms(unit: &Unit) -> f64 {
    match unit {
        Unit::Pause => 150.0,
        Unit::WordGap => 0.0,
        Unit::Phone { name, .. } => {
            let v = viseme::visemes_for(name);
            let vowel = v.iter().any(|id| (1..=11).contains(id)) && !name.contains('w');
            match (vowel, v.len()) {
                (true, 2) => 140.0,
                (true, _) => 90.0,
                (false, 0) => 0.0,
                (false, _) => 65.0,
            }
        }
    }
}

/// Estimated durations (samples) for `units`, stretched so that the non-pause units fill
/// `voiced_start..voiced_end` samples and leading / trailing pauses fill the rest up to `total`.
///
/// Used for audio without phoneme timing: the espeak-ng process fallback and remote TTS services
/// (`/v1/audio/speech`). The durations sum to exactly `total`.
pub fn stretch_to(units: &[Unit], total: u64, voiced_start: u64, voiced_end: u64) -> Vec<u64> {
    let voiced_end = voiced_end.min(total);
    let voiced_start = voiced_start.min(voiced_end);
    let first = units.iter().position(|u| !matches!(u, Unit::Pause));
    let last = units.iter().rposition(|u| !matches!(u, Unit::Pause));
    let mut out = vec![0u64; units.len()];
    let (Some(first), Some(last)) = (first, last) else {
        // Only pauses: give everything to the first unit.
        if let Some(d) = out.first_mut() {
            *d = total;
        }
        return out;
    };
    let inner = units.get(first..=last).unwrap_or_default();
    let weights: Vec<f64> = inner.iter().map(nominal_ms).collect();
    let sum: f64 = weights.iter().sum();
    let span = voiced_end - voiced_start;
    // Cumulative rounding so that the parts add up exactly.
    let mut acc = 0.0;
    let mut prev = 0u64;
    for (k, w) in weights.iter().enumerate() {
        acc += if sum > 0.0 {
            w / sum
        } else {
            1.0 / weights.len() as f64
        };
        let edge = if k + 1 == weights.len() {
            span
        } else {
            ((acc * span as f64).round() as u64).min(span)
        };
        if let Some(d) = out.get_mut(first + k) {
            *d = edge.saturating_sub(prev);
        }
        prev = edge.max(prev);
    }
    // Leading pauses take the lead-in, trailing pauses the tail.
    if first > 0 {
        if let Some(d) = out.first_mut() {
            *d = voiced_start;
        }
    } else if let Some(d) = out.get_mut(first) {
        *d += voiced_start;
    }
    let tail = total - voiced_end;
    if last + 1 < units.len() {
        if let Some(d) = out.get_mut(last + 1) {
            *d = tail;
        }
    } else if let Some(d) = out.get_mut(last) {
        *d += tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(name: &str, word: usize) -> Unit {
        Unit::Phone {
            name: name.into(),
            word,
        }
    }

    /// "hello world" as Piper would see it: `^ h ə l ˈoʊ ' ' w ˈɜː l d . $`.
    fn hello_world() -> (Vec<Unit>, Vec<String>) {
        let units = vec![
            Unit::Pause,
            phone("h", 0),
            phone("ə", 0),
            phone("l", 0),
            phone("ˈoʊ", 0),
            Unit::WordGap,
            phone("w", 1),
            phone("ˈɜː", 1),
            phone("l", 1),
            phone("d", 1),
            Unit::Pause,
            Unit::Pause,
        ];
        (units, vec!["Hello".into(), "world".into()])
    }

    #[test]
    fn words_span_their_phonemes() {
        let (units, words) = hello_world();
        // 1 ms = 22.05 samples; use 1000 Hz so samples are ms.
        let d = [50, 40, 60, 70, 150, 10, 60, 120, 50, 40, 100, 30];
        let w = word_timestamps(&units, &d, &words, 1000);
        assert_eq!(
            w,
            vec![
                WordTimestamp {
                    text: "Hello".into(),
                    audio_offset_ms: 50,
                    audio_duration_ms: 320,
                },
                WordTimestamp {
                    text: "world".into(),
                    audio_offset_ms: 380,
                    audio_duration_ms: 270,
                },
            ]
        );
    }

    #[test]
    fn ms_conversion_rounds_at_22050_hz() {
        let units = vec![phone("a", 0)];
        let w = word_timestamps(&units, &[22_050], &["a".into()], 22_050);
        assert_eq!(w[0].audio_duration_ms, 1000);
        let w = word_timestamps(&units, &[256], &["a".into()], 22_050);
        assert_eq!(w[0].audio_duration_ms, 12); // 11.6 ms
    }

    #[test]
    fn visemes_follow_phonemes_with_sixty_forty_split() {
        let (units, _) = hello_world();
        let d = [50, 40, 60, 70, 150, 10, 60, 120, 50, 40, 100, 30];
        let v = viseme_events(&units, &d, 1000);
        let pairs: Vec<(u8, u64)> = v.iter().map(|e| (e.viseme_id, e.audio_offset_ms)).collect();
        assert_eq!(
            pairs,
            vec![
                (0, 0),
                (12, 50),
                (1, 90),
                (14, 150),
                (8, 220),
                (4, 310), // 60 % of ˈoʊ's 150 ms
                (7, 380),
                (5, 440),
                (14, 560),
                (19, 610),
                (0, 650),
            ]
        );
    }

    #[test]
    fn visemes_start_at_zero_even_without_a_leading_pause() {
        let units = vec![phone("m", 0), phone("m", 0), phone("ə", 0)];
        let v = viseme_events(&units, &[10, 10, 10], 1000);
        assert_eq!(
            v,
            vec![
                VisemeEvent {
                    viseme_id: 21,
                    audio_offset_ms: 0
                },
                VisemeEvent {
                    viseme_id: 1,
                    audio_offset_ms: 20
                },
            ]
        );
    }

    #[test]
    fn a_word_without_phonemes_shares_the_previous_words_span() {
        // espeak-ng reads "not a" as one word (nˌɑːɾə): "a" gets its share of that span.
        let units = vec![phone("n", 0), phone("ɑː", 0), phone("ə", 0), phone("p", 2)];
        let words = vec!["not".to_string(), "a".into(), "place".into()];
        let w = word_timestamps(&units, &[40, 40, 40, 50], &words, 1000);
        let got: Vec<_> = w
            .iter()
            .map(|w| (w.audio_offset_ms, w.audio_duration_ms))
            .collect();
        assert_eq!(got, vec![(0, 90), (90, 30), (120, 50)]);
    }

    #[test]
    fn phoneme_less_words_at_the_start_share_the_next_words_span() {
        let units = vec![phone("a", 2), phone("b", 3)];
        let words = vec!["&".to_string(), "a".into(), "bb".into(), "cc".into()];
        let w = word_timestamps(&units, &[30, 20], &words, 1000);
        let got: Vec<_> = w
            .iter()
            .map(|w| (w.audio_offset_ms, w.audio_duration_ms))
            .collect();
        // "&" (one letter at least) and "a" join "bb": its 30 ms split 1:1:2.
        assert_eq!(got, vec![(0, 7), (7, 8), (15, 15), (30, 20)]);
    }

    #[test]
    fn every_word_gets_a_length_when_the_sentence_has_phonemes() {
        let units = vec![phone("a", 1)];
        let words = vec!["x".to_string(), "yy".into(), "z".into()];
        let w = word_timestamps(&units, &[40], &words, 1000);
        assert!(w.iter().all(|w| w.audio_duration_ms > 0), "{w:?}");
        assert_eq!(
            w.last().map(|w| w.audio_offset_ms + w.audio_duration_ms),
            Some(40)
        );
    }

    #[test]
    fn stretch_fills_the_voiced_region_exactly() {
        let (units, words) = hello_world();
        let d = stretch_to(&units, 22_050, 2_000, 20_000);
        assert_eq!(d.iter().sum::<u64>(), 22_050);
        assert_eq!(d[0], 2_000);
        assert_eq!(d[10], 2_050);
        assert_eq!(d[11], 0);
        let w = word_timestamps(&units, &d, &words, 22_050);
        assert_eq!(w[0].audio_offset_ms, 91); // 2000 samples
        let end = w[1].audio_offset_ms + w[1].audio_duration_ms;
        assert_eq!(end, 907); // 20000 samples
        // Vowels get more time than consonants.
        assert!(d[4] > d[3] && d[2] > 0);
    }

    #[test]
    fn stretch_of_only_pauses_or_nothing() {
        assert_eq!(
            stretch_to(&[Unit::Pause, Unit::Pause], 100, 0, 100),
            vec![100, 0]
        );
        assert!(stretch_to(&[], 100, 0, 100).is_empty());
    }
}
