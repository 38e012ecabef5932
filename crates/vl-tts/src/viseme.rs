//! espeak-ng IPA phoneme names → Azure viseme IDs (0–21, the SAPI/Disney set).
//!
//! The table is backends.md §4.2: all 55 distinct names espeak-ng 1.51 en-us emits for a varied
//! paragraph are covered. Stress and length marks (`ˈ ˌ ː`), the syllabic mark and tie characters
//! are removed before the lookup; names that are not in the table are split greedily into the
//! longest known prefixes, so that e.g. `aɪɚ` becomes `aɪ` + `ɚ` → 11, 1.

/// The viseme ID for silence.
pub const SILENCE: u8 = 0;

/// The highest Azure viseme ID.
pub const MAX_VISEME: u8 = 21;

/// Known names (stripped of stress and length marks) and their visemes, longest names first
/// where one is a prefix of another does not matter: [`visemes_for`] tries the whole name first.
const TABLE: &[(&str, &[u8])] = &[
    ("i", &[6]),
    ("ɪ", &[6]),
    ("ᵻ", &[6]),
    ("j", &[6]),
    ("y", &[6]),
    ("eɪ", &[4, 6]),
    ("e", &[4]),
    ("ɛ", &[4]),
    ("ʊ", &[4]),
    ("æ", &[1]),
    ("ʌ", &[1]),
    ("ə", &[1]),
    ("ɐ", &[1]),
    ("ɚ", &[1]),
    ("a", &[2]),
    ("ɑ", &[2]),
    ("ɒ", &[3]),
    ("ɔ", &[3]),
    ("ɔɹ", &[3, 13]),
    ("ɑɹ", &[2, 13]),
    ("oʊ", &[8, 4]),
    ("oɹ", &[8, 13]),
    ("o", &[8]),
    ("u", &[7]),
    ("w", &[7]),
    ("aɪ", &[11]),
    ("aɪə", &[11, 1]),
    ("aɪɚ", &[11, 1]),
    ("aʊ", &[9]),
    ("ɔɪ", &[10]),
    ("ɜ", &[5]),
    ("ɝ", &[5]),
    ("ɜɹ", &[5]),
    ("ɪɹ", &[6, 13]),
    ("iɹ", &[6, 13]),
    ("ɛɹ", &[4, 13]),
    ("ʊɹ", &[4, 13]),
    ("əl", &[1, 14]),
    ("p", &[21]),
    ("b", &[21]),
    ("m", &[21]),
    ("t", &[19]),
    ("d", &[19]),
    ("n", &[19]),
    ("ɾ", &[19]),
    ("ʔ", &[19]),
    ("θ", &[19]),
    ("k", &[20]),
    ("ɡ", &[20]),
    ("g", &[20]),
    ("ŋ", &[20]),
    ("x", &[20]),
    ("f", &[18]),
    ("v", &[18]),
    ("ð", &[17]),
    ("s", &[15]),
    ("z", &[15]),
    ("ʃ", &[16]),
    ("ʒ", &[16]),
    ("tʃ", &[19, 16]),
    ("dʒ", &[19, 16]),
    ("h", &[12]),
    ("ç", &[12]),
    ("l", &[14]),
    ("ɫ", &[14]),
    ("ɹ", &[13]),
    ("r", &[13]),
];

/// Marks that carry no mouth shape of their own: primary and secondary stress, length, half
/// length, syllabic, non-syllabic, zero-width joiner (espeak's `--ipa=3` tie) and the combining
/// double inverted breve tie.
fn is_mark(c: char) -> bool {
    matches!(
        c,
        'ˈ' | 'ˌ' | 'ː' | 'ˑ' | '\u{0329}' | '\u{032F}' | '\u{200D}' | '\u{0361}' | '-'
    )
}

fn lookup(name: &str) -> Option<&'static [u8]> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The Azure visemes of one espeak-ng IPA phoneme name, in order (one or two IDs; empty when
/// the name is only marks or unknown characters). A name of only marks gives no viseme; the
/// pause name `''` or an empty string gives no viseme either (callers emit [`SILENCE`] for
/// pauses themselves).
pub fn visemes_for(name: &str) -> Vec<u8> {
    let stripped: String = name.chars().filter(|c| !is_mark(*c)).collect();
    if let Some(v) = lookup(&stripped) {
        return v.to_vec();
    }
    // Greedy longest-prefix split of an unknown combination.
    let chars: Vec<char> = stripped.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut matched = false;
        for end in (start + 1..=chars.len()).rev() {
            let piece: String = chars.get(start..end).unwrap_or_default().iter().collect();
            if let Some(v) = lookup(&piece) {
                out.extend_from_slice(v);
                start = end;
                matched = true;
                break;
            }
        }
        if !matched {
            start += 1;
        }
    }
    out
}

/// How a phoneme's duration is shared among its visemes: 60/40 for two (backends.md §4.2), equal
/// shares otherwise. Returns the fraction of the duration at which viseme `index` of `count`
/// starts.
pub fn share_start(index: usize, count: usize) -> f64 {
    match (index, count) {
        (0, _) | (_, 0) => 0.0,
        (1, 2) => 0.6,
        (i, n) => i as f64 / n as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_phonemes_follow_the_azure_table() {
        for (name, id) in [
            ("ə", 1),
            ("ˈɑː", 2),
            ("ˈɔː", 3),
            ("ɛ", 4),
            ("ˈɜː", 5),
            ("ˈiː", 6),
            ("w", 7),
            ("ˈaɪ", 11),
            ("ˈaʊ", 9),
            ("ˈɔɪ", 10),
            ("h", 12),
            ("ɹ", 13),
            ("l", 14),
            ("s", 15),
            ("ʃ", 16),
            ("ð", 17),
            ("f", 18),
            ("θ", 19),
            ("ŋ", 20),
            ("m", 21),
        ] {
            assert_eq!(visemes_for(name), vec![id], "{name}");
        }
    }

    #[test]
    fn diphthongs_and_affricates_are_sequences() {
        assert_eq!(visemes_for("ˈeɪ"), vec![4, 6]);
        assert_eq!(visemes_for("ˈoʊ"), vec![8, 4]);
        assert_eq!(visemes_for("tʃ"), vec![19, 16]);
        assert_eq!(visemes_for("dʒ"), vec![19, 16]);
        assert_eq!(visemes_for("ˈɔːɹ"), vec![3, 13]);
        assert_eq!(visemes_for("ˈaɪɚ"), vec![11, 1]);
    }

    #[test]
    fn unknown_combinations_split_into_known_prefixes() {
        // Not in the table as a whole: `ʊɚ` → ʊ + ɚ.
        assert_eq!(visemes_for("ʊɚ"), vec![4, 1]);
        assert_eq!(visemes_for("ˈ"), Vec::<u8>::new());
        assert_eq!(visemes_for("☃"), Vec::<u8>::new());
    }

    #[test]
    fn every_table_entry_is_a_valid_viseme() {
        for (name, ids) in TABLE {
            assert!(!ids.is_empty() && ids.len() <= 2, "{name}");
            assert!(ids.iter().all(|id| (1..=MAX_VISEME).contains(id)), "{name}");
        }
    }

    #[test]
    fn shares_are_sixty_forty() {
        assert_eq!(share_start(0, 2), 0.0);
        assert_eq!(share_start(1, 2), 0.6);
        assert!((share_start(2, 3) - 2.0 / 3.0).abs() < 1e-12);
    }
}
