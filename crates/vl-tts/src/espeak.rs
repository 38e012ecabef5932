//! espeak-ng as a separate process (it is GPL-3.0+: never linked into this crate's code).
//!
//! [`EspeakPhonemizer`] keeps one `espeak-ng -q --ipa --sep=_ -v <voice>` child running and
//! talks to it over pipes: espeak-ng reads its standard input line by line and writes the IPA of
//! each line at once. After every request line a sentinel line is sent, whose (known) output marks
//! the end of the answer. `--sep=_` makes espeak-ng separate phonemes with `_`, so multi-letter
//! phonemes (`oʊ`, `dʒ`, `ɔːɹ`) stay whole; removing the separators gives exactly the IPA string
//! Piper voices are trained on.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use crate::TtsError;
use crate::text::{self, Clause};
use crate::timing::Unit;

/// The espeak-ng program name (looked up in `PATH`), overridable with `VL_ESPEAK_NG`.
pub fn espeak_program() -> String {
    std::env::var("VL_ESPEAK_NG").unwrap_or_else(|_| "espeak-ng".to_string())
}

/// A text that espeak-ng pronounces as one fixed, unmistakable phoneme string.
const SENTINEL: &str = "zqxjkvq";

/// How long to wait for one answer, ms.
const TIMEOUT_MS: u64 = 5_000;

/// One word as phonemes: espeak-ng IPA names with stress marks, e.g. `["h", "ə", "l", "ˈoʊ"]`.
pub type PhonemeWord = Vec<String>;

/// A phonemized clause: phonemes with the index of the text word each belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct PhonemizedClause {
    /// Phoneme words in order; each phoneme carries its text word index (sentence-wide).
    pub words: Vec<Vec<(String, usize)>>,
    /// The clause punctuation, if any.
    pub terminator: Option<char>,
}

/// A phonemized sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct PhonemizedSentence {
    /// The text words of the sentence (what word timestamps report).
    pub words: Vec<String>,
    /// The clauses, in order.
    pub clauses: Vec<PhonemizedClause>,
}

impl PhonemizedSentence {
    /// The sentence as timing units: a pause, each clause's phonemes with word gaps between words,
    /// a pause for each clause terminator, and a final pause.
    pub fn units(&self) -> Vec<Unit> {
        let mut units = vec![Unit::Pause];
        for (c, clause) in self.clauses.iter().enumerate() {
            if c > 0 {
                units.push(Unit::WordGap);
            }
            for (w, word) in clause.words.iter().enumerate() {
                if w > 0 {
                    units.push(Unit::WordGap);
                }
                for (name, word) in word {
                    units.push(Unit::Phone {
                        name: name.clone(),
                        word: *word,
                    });
                }
            }
            if clause.terminator.is_some() {
                units.push(Unit::Pause);
            }
        }
        units.push(Unit::Pause);
        units
    }
}

/// A running espeak-ng process answering phonemization requests.
#[derive(Debug)]
pub struct EspeakPhonemizer {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    sentinel: String,
    voice: String,
    cache: HashMap<String, usize>,
}

impl EspeakPhonemizer {
    /// Starts espeak-ng with an espeak voice name (e.g. `en-us`).
    pub fn new(voice: &str) -> Result<Self, TtsError> {
        let program = espeak_program();
        let mut child = Command::new(&program)
            .args(["-q", "--ipa", "--sep=_", "-v", voice])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| TtsError::Espeak(format!("cannot start `{program}`: {e}")))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| TtsError::Espeak("no stdin pipe".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| TtsError::Espeak("no stdout pipe".into()))?;
        let (tx, lines) = channel();
        std::thread::Builder::new()
            .name("espeak-ng-reader".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })?;
        let mut me = Self {
            child,
            stdin,
            lines,
            sentinel: String::new(),
            voice: voice.to_string(),
            cache: HashMap::new(),
        };
        // Learn what the sentinel sounds like: its output is the first line of its own answer.
        me.send_line(SENTINEL)?;
        let first = me.recv()?;
        me.sentinel = first;
        Ok(me)
    }

    /// The espeak voice this process speaks.
    pub fn voice(&self) -> &str {
        &self.voice
    }

    fn send_line(&mut self, text: &str) -> Result<(), TtsError> {
        self.stdin.write_all(text.as_bytes())?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()?;
        Ok(())
    }

    fn recv(&mut self) -> Result<String, TtsError> {
        match self.lines.recv_timeout(Duration::from_millis(TIMEOUT_MS)) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => Err(TtsError::EspeakTimeout(TIMEOUT_MS)),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait().ok().flatten();
                Err(TtsError::Espeak(format!("the process ended ({status:?})")))
            }
        }
    }

    /// The phoneme words of one line of text (clauses that espeak-ng splits further are joined).
    pub fn phonemize_text(&mut self, text: &str) -> Result<Vec<PhonemeWord>, TtsError> {
        Ok(self.phonemize_many(&[text])?.pop().unwrap_or_default())
    }

    /// Phonemizes several lines in one pipelined exchange (all requests are written before the
    /// answers are read, so the cost is espeak-ng's work, not round trips).
    pub fn phonemize_many(&mut self, texts: &[&str]) -> Result<Vec<Vec<PhonemeWord>>, TtsError> {
        let mut batch = String::new();
        for t in texts {
            batch.push_str(&sanitize(t));
            batch.push('\n');
            batch.push_str(SENTINEL);
            batch.push('\n');
        }
        self.stdin.write_all(batch.as_bytes())?;
        self.stdin.flush()?;
        let mut out = Vec::with_capacity(texts.len());
        for _ in texts {
            let mut words = Vec::new();
            loop {
                let line = self.recv()?;
                if line == self.sentinel {
                    break;
                }
                words.extend(parse_ipa_line(&line));
            }
            out.push(words);
        }
        Ok(out)
    }

    /// Phonemizes a sentence clause by clause and assigns every phoneme to a text word.
    ///
    /// One pipelined exchange carries the clauses and every word not seen before (each word on
    /// its own gives the phoneme counts that [`assign_words`] needs; they are cached).
    pub fn phonemize_sentence(&mut self, sentence: &str) -> Result<PhonemizedSentence, TtsError> {
        let clauses = text::clauses(sentence);
        let mut requests: Vec<&str> = clauses.iter().map(|c| c.text.as_str()).collect();
        let mut new_words: Vec<&str> = Vec::new();
        for c in &clauses {
            for w in &c.words {
                if !self.cache.contains_key(w.as_str()) && !new_words.contains(&w.as_str()) {
                    new_words.push(w);
                }
            }
        }
        requests.extend(new_words.iter().copied());
        let mut answers = self.phonemize_many(&requests)?;
        let word_answers = answers.split_off(clauses.len().min(answers.len()));
        if self.cache.len() > 10_000 {
            self.cache.clear();
        }
        for (w, a) in new_words.iter().zip(word_answers) {
            self.cache
                .insert((*w).to_string(), a.iter().map(Vec::len).sum());
        }
        let mut words = Vec::new();
        let mut out = Vec::new();
        for (
            Clause {
                words: clause_words,
                terminator,
                ..
            },
            phoneme_words,
        ) in clauses.into_iter().zip(answers)
        {
            let counts: Vec<usize> = clause_words
                .iter()
                .map(|w| self.cache.get(w.as_str()).copied().unwrap_or(1))
                .collect();
            let assigned = assign_words(&phoneme_words, clause_words.len(), Some(&counts));
            let base = words.len();
            let words_of_clause = phoneme_words
                .into_iter()
                .zip(assigned)
                .map(|(pw, idx)| {
                    pw.into_iter()
                        .zip(idx)
                        .map(|(name, i)| (name, base + i))
                        .collect()
                })
                .collect();
            out.push(PhonemizedClause {
                words: words_of_clause,
                terminator,
            });
            words.extend(clause_words);
        }
        Ok(PhonemizedSentence {
            words,
            clauses: out,
        })
    }
}

impl Drop for EspeakPhonemizer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes text safe for one request line: control characters (newlines) become spaces and the
/// sentinel word is removed.
fn sanitize(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.replace(SENTINEL, " ")
}

/// One line of `espeak-ng --ipa --sep=_` output → phoneme words.
pub fn parse_ipa_line(line: &str) -> Vec<PhonemeWord> {
    line.split_whitespace()
        .map(|w| {
            w.split('_')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w: &Vec<String>| !w.is_empty())
        .collect()
}

/// Assigns each phoneme of `phoneme_words` to one of `word_count` text words.
///
/// espeak-ng may join words (`in the` → `ɪnðə`) or expand them (`42` → `fˈɔːɹɾi tˈuː`), so
/// phoneme words and text words do not correspond one to one. `counts[i]` — the number of
/// phonemes text word `i` has when phonemized on its own — places the word boundaries in
/// proportion; each boundary then snaps to the nearest phoneme-word boundary if one is within a
/// third of the word's length (at least one phoneme). Without counts, phoneme words map one to one
/// when the numbers agree, else the phonemes are shared out evenly. The result has the shape of
/// `phoneme_words`; word indices never decrease and stay below `word_count`.
pub fn assign_words(
    phoneme_words: &[PhonemeWord],
    word_count: usize,
    counts: Option<&[usize]>,
) -> Vec<Vec<usize>> {
    if word_count == 0 {
        return phoneme_words.iter().map(|w| vec![0; w.len()]).collect();
    }
    let total: usize = phoneme_words.iter().map(Vec::len).sum();
    let weights: Vec<usize> = match counts {
        Some(c) if c.len() == word_count && c.iter().sum::<usize>() > 0 => c.to_vec(),
        _ if phoneme_words.len() == word_count => phoneme_words.iter().map(Vec::len).collect(),
        _ => vec![1; word_count],
    };
    let weight_sum: usize = weights.iter().sum::<usize>().max(1);
    // Internal phoneme-word boundaries (phoneme indices).
    let mut word_edges = Vec::new();
    let mut acc = 0usize;
    for w in phoneme_words
        .iter()
        .take(phoneme_words.len().saturating_sub(1))
    {
        acc += w.len();
        word_edges.push(acc);
    }
    // Text-word end boundaries (exclusive phoneme index), the last one implicit at `total`.
    let mut bounds = Vec::with_capacity(word_count);
    let mut acc = 0usize;
    let mut floor = 0usize;
    for w in weights.iter().take(word_count - 1) {
        acc += w;
        let raw = acc as f64 * total as f64 / weight_sum as f64;
        let tolerance = ((*w as f64 * total as f64 / weight_sum as f64) / 3.0).max(1.0);
        let nearest = word_edges
            .iter()
            .map(|e| *e as f64)
            .min_by(|a, b| (a - raw).abs().total_cmp(&(b - raw).abs()));
        let b = match nearest {
            Some(e) if (e - raw).abs() <= tolerance => e,
            _ => raw.round(),
        };
        let b = (b.max(0.0) as usize).clamp(floor, total);
        floor = b;
        bounds.push(b);
    }
    let mut out = Vec::with_capacity(phoneme_words.len());
    let mut k = 0usize;
    let mut word = 0usize;
    for pw in phoneme_words {
        let mut idx = Vec::with_capacity(pw.len());
        for _ in pw {
            while bounds.get(word).is_some_and(|b| k >= *b) {
                word += 1;
            }
            idx.push(word.min(word_count - 1));
            k += 1;
        }
        out.push(idx);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Vec<PhonemeWord> {
        parse_ipa_line(s)
    }

    #[test]
    fn parses_separated_ipa() {
        assert_eq!(
            pw("h_ə_l_ˈoʊ w_ˈɜː_l_d"),
            vec![vec!["h", "ə", "l", "ˈoʊ"], vec!["w", "ˈɜː", "l", "d"]]
        );
        assert!(pw("   ").is_empty());
    }

    #[test]
    fn one_to_one_when_counts_match() {
        let a = assign_words(&pw("h_ə_l_ˈoʊ w_ˈɜː_l_d"), 2, None);
        assert_eq!(a, vec![vec![0, 0, 0, 0], vec![1, 1, 1, 1]]);
    }

    #[test]
    fn joined_words_are_split_by_their_own_lengths() {
        // "in the morning" → ɪnðə mˈɔːɹnɪŋ ; "in" = 2 phonemes, "the" = 2, "morning" = 5.
        let a = assign_words(&pw("ɪ_n_ð_ə m_ˈɔːɹ_n_ɪ_ŋ"), 3, Some(&[2, 2, 5]));
        assert_eq!(a, vec![vec![0, 0, 1, 1], vec![2, 2, 2, 2, 2]]);
    }

    #[test]
    fn expanded_numbers_stay_with_their_word() {
        // "42 degrees" → fˈɔːɹɾi tˈuː dᵻɡɹˈiːz
        let a = assign_words(&pw("f_ˈɔːɹ_ɾ_i t_ˈuː d_ᵻ_ɡ_ɹ_ˈiː_z"), 2, Some(&[6, 6]));
        assert_eq!(a, vec![vec![0; 4], vec![0, 0], vec![1; 6]]);
    }

    #[test]
    fn equal_counts_by_coincidence_do_not_fool_the_alignment() {
        // "It's 42 degrees in the morning": six phoneme words for six text words, but `42` has
        // two and `in the` one.
        let a = assign_words(
            &pw("ɪ_t_s f_ˈɔːɹ_ɾ_i t_ˈuː d_ᵻ_ɡ_ɹ_ˈiː_z ɪ_n_ð_ə m_ˈɔːɹ_n_ɪ_ŋ"),
            6,
            Some(&[3, 6, 6, 2, 2, 5]),
        );
        let flat: Vec<usize> = a.into_iter().flatten().collect();
        assert_eq!(
            flat,
            vec![
                0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5
            ]
        );
    }

    #[test]
    fn indices_never_decrease_and_stay_in_range() {
        let words = pw("a_b_c d e_f_g_h i_j");
        for n in 1..8 {
            let a = assign_words(&words, n, None);
            let flat: Vec<usize> = a.into_iter().flatten().collect();
            assert_eq!(flat.len(), 10);
            assert!(flat.windows(2).all(|w| w[0] <= w[1]));
            assert!(flat.iter().all(|i| *i < n));
            if n <= 10 {
                assert_eq!(flat.last(), Some(&(n - 1)));
            }
        }
    }

    #[test]
    fn sentence_units_have_pauses_and_gaps() {
        let s = PhonemizedSentence {
            words: vec!["Hi".into(), "you".into()],
            clauses: vec![
                PhonemizedClause {
                    words: vec![vec![("h".into(), 0), ("ˈaɪ".into(), 0)]],
                    terminator: Some(','),
                },
                PhonemizedClause {
                    words: vec![vec![("j".into(), 1), ("uː".into(), 1)]],
                    terminator: None,
                },
            ],
        };
        let kinds: Vec<String> = s
            .units()
            .iter()
            .map(|u| match u {
                Unit::Pause => "|".into(),
                Unit::WordGap => " ".into(),
                Unit::Phone { name, word } => format!("{name}{word}"),
            })
            .collect();
        assert_eq!(kinds.concat(), "|h0ˈaɪ0| j1uː1|");
    }
}
