//! The espeak-ng process: phonemizer and fallback voice.

use vl_tts::espeak::EspeakPhonemizer;
use vl_tts::{EspeakTts, Synthesizer, TimingSource, TtsStream};

use crate::common::{check_chunks, check_utterance};

#[test]
fn phonemizer_answers_line_by_line_with_separated_phonemes() {
    let mut p = EspeakPhonemizer::new("en-us").unwrap();
    let words = p.phonemize_text("Hello world").unwrap();
    assert_eq!(
        words,
        vec![vec!["h", "ə", "l", "ˈoʊ"], vec!["w", "ˈɜː", "l", "d"]]
    );
    // Several answers in one exchange keep their order; an empty line gives nothing.
    let many = p.phonemize_many(&["judge", "", "church"]).unwrap();
    assert_eq!(many[0], vec![vec!["dʒ", "ˈʌ", "dʒ"]]);
    assert!(many[1].is_empty());
    assert_eq!(many[2], vec![vec!["tʃ", "ˈɜː", "tʃ"]]);
    // Newlines in the text do not break the protocol.
    let two = p.phonemize_text("one\ntwo").unwrap();
    assert_eq!(two.len(), 2);
}

#[test]
fn sentence_phonemes_belong_to_the_right_words() {
    let mut p = EspeakPhonemizer::new("en-us").unwrap();
    let s = p
        .phonemize_sentence("It's 42 degrees in the morning, of course!")
        .unwrap();
    assert_eq!(
        s.words,
        vec![
            "It's", "42", "degrees", "in", "the", "morning", "of", "course"
        ]
    );
    assert_eq!(s.clauses.len(), 2);
    assert_eq!(s.clauses[0].terminator, Some(','));
    assert_eq!(s.clauses[1].terminator, Some('!'));
    // "42" owns both of its phoneme words; "in" and "the" share the joined `ɪnðə`.
    let owner = |name_prefix: &str| -> Vec<usize> {
        s.clauses
            .iter()
            .flat_map(|c| c.words.iter().flatten())
            .filter(|(n, _)| n.starts_with(name_prefix))
            .map(|(_, w)| *w)
            .collect()
    };
    assert_eq!(owner("f"), vec![1]);
    assert!(owner("ð").contains(&4));
    let per_word: Vec<usize> = s
        .clauses
        .iter()
        .flat_map(|c| c.words.iter().flatten())
        .map(|(_, w)| *w)
        .collect();
    assert!(per_word.windows(2).all(|w| w[0] <= w[1]));
    for i in 0..s.words.len() {
        assert!(per_word.contains(&i), "word {i} has phonemes: {per_word:?}");
    }
}

#[test]
fn an_unknown_espeak_voice_is_an_error_not_a_hang() {
    let err = EspeakPhonemizer::new("xx-no-such-voice").unwrap_err();
    assert!(err.to_string().contains("espeak-ng"), "{err}");
}

#[test]
fn espeak_voice_speaks_a_sentence_with_timing() {
    let mut v = EspeakTts::new("en-us+m3", 175).unwrap();
    assert_eq!(v.sample_rate(), 22_050);
    let text = "The quick brown fox jumps over the lazy dog.";
    let u = v.synthesize(text).unwrap();
    assert_eq!(u.timing, TimingSource::Estimated);
    check_utterance(
        &u,
        text,
        &[
            "The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog",
        ],
    );
}

#[test]
fn espeak_stream_gives_one_chunk_per_sentence() {
    let mut v = EspeakTts::new("en-us+f3", 175).unwrap();
    let mut stream = TtsStream::new(&mut v, true);
    let mut chunks = Vec::new();
    for delta in [
        "Good morn",
        "ing. The weather is",
        " fine today! And",
        " tomorrow?",
    ] {
        chunks.extend(stream.push_text(delta).unwrap());
    }
    assert_eq!(chunks.len(), 2, "two sentences are complete before finish");
    chunks.extend(stream.finish().unwrap());
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Good morning.",
            "The weather is fine today!",
            "And tomorrow?"
        ]
    );
    check_chunks(&chunks);
}
