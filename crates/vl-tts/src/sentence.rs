//! Splitting a stream of text deltas (e.g. LLM tokens) into sentences to synthesize one by one.

/// Abbreviations whose final period does not end a sentence (compared case-insensitively,
/// without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "approx", "no",
    "fig", "inc", "ltd", "co", "mt", "ft", "u.s", "a.m", "p.m",
];

/// Collects text deltas and hands out complete sentences.
///
/// A sentence ends at `.`, `!`, `?`, `…`, `;` or a newline, followed by whitespace (closing quotes
/// and brackets may come in between), except after a known abbreviation (`Mr.`) or inside a
/// number (`3.14`). Text with no sentence end is cut at the last comma (or else the last space)
/// once it is longer than [`SentenceSplitter::max_chars`], so that a run-on reply still starts
/// speaking early.
#[derive(Debug, Clone)]
pub struct SentenceSplitter {
    buf: String,
    max_chars: usize,
}

impl Default for SentenceSplitter {
    fn default() -> Self {
        Self::new(200)
    }
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | '*')
}

impl SentenceSplitter {
    /// A splitter that forces a cut after `max_chars` characters without a sentence end.
    pub fn new(max_chars: usize) -> Self {
        Self {
            buf: String::new(),
            max_chars: max_chars.max(20),
        }
    }

    /// The forced-cut length, characters.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Appends a delta; returns the sentences it completed (trimmed, never empty).
    pub fn push(&mut self, delta: &str) -> Vec<String> {
        self.buf.push_str(delta);
        let mut out = Vec::new();
        while let Some(end) = self.find_end() {
            let rest = self.buf.split_off(end);
            let sentence = std::mem::replace(&mut self.buf, rest);
            let trimmed = sentence.trim();
            if has_speakable(trimmed) {
                out.push(trimmed.to_string());
            }
        }
        out
    }

    /// Returns what is left (the last, unterminated sentence), if it has anything speakable.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        let trimmed = rest.trim();
        has_speakable(trimmed).then(|| trimmed.to_string())
    }

    /// Drops buffered text (e.g. when a response is cancelled).
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// Byte index just after the first complete sentence in the buffer.
    fn find_end(&self) -> Option<usize> {
        let chars: Vec<(usize, char)> = self.buf.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            if c == '\n' {
                return Some(i + 1);
            }
            if !matches!(c, '.' | '!' | '?' | '…' | ';') {
                continue;
            }
            // Skip runs of terminators and closing quotes: "Really?!" / "end." / "(so.)"
            let mut j = k + 1;
            while let Some(&(_, n)) = chars.get(j) {
                if matches!(n, '.' | '!' | '?' | '…') || is_closer(n) {
                    j += 1;
                } else {
                    break;
                }
            }
            let Some(&(next_i, next)) = chars.get(j) else {
                // The buffer ends right after the terminator: wait for more text.
                return None;
            };
            if !next.is_whitespace() {
                continue;
            }
            if c == '.' && j == k + 1 && self.is_abbreviation(i) {
                continue;
            }
            return Some(next_i);
        }
        if chars.len() > self.max_chars {
            let limit = chars
                .get(self.max_chars)
                .map_or(self.buf.len(), |(i, _)| *i);
            let head = self.buf.get(..limit).unwrap_or_default();
            let cut = head
                .rfind([',', ':'])
                .map(|p| p + 1)
                .or_else(|| head.rfind(char::is_whitespace))
                .unwrap_or(limit);
            return Some(cut.max(1));
        }
        None
    }

    /// Whether the word ending at the period at byte `dot` is an abbreviation or a number.
    fn is_abbreviation(&self, dot: usize) -> bool {
        let head = self.buf.get(..dot).unwrap_or_default();
        let word_start = head
            .rfind(|c: char| c.is_whitespace() || c == '(' || c == '"')
            .map_or(0, |p| p + 1);
        let word = head.get(word_start..).unwrap_or_default();
        if word.is_empty() {
            return false;
        }
        let lower = word.to_lowercase();
        // A single letter (an initial: "J. Smith") also counts.
        ABBREVIATIONS.contains(&lower.as_str())
            || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
    }
}

fn has_speakable(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(deltas: &[&str]) -> Vec<String> {
        let mut s = SentenceSplitter::default();
        let mut out = Vec::new();
        for d in deltas {
            out.extend(s.push(d));
        }
        out.extend(s.finish());
        out
    }

    #[test]
    fn splits_sentences_as_tokens_arrive() {
        let mut s = SentenceSplitter::default();
        assert!(s.push("Hello").is_empty());
        assert!(s.push(" there.").is_empty(), "waits for the next character");
        assert_eq!(s.push(" How"), vec!["Hello there."]);
        assert_eq!(s.push(" are you?\nFine"), vec!["How are you?"]);
        assert_eq!(s.finish().as_deref(), Some("Fine"));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn numbers_abbreviations_and_initials_do_not_split() {
        assert_eq!(
            split_all(&["Mr. Smith paid $3.50 at 7 p.m. today. J. R. R. Tolkien wrote it."]),
            vec![
                "Mr. Smith paid $3.50 at 7 p.m. today.",
                "J. R. R. Tolkien wrote it."
            ]
        );
    }

    #[test]
    fn quotes_and_repeated_marks_stay_with_their_sentence() {
        assert_eq!(
            split_all(&["He said \"no.\" Really?! Yes… ok"]),
            vec!["He said \"no.\"", "Really?!", "Yes…", "ok"]
        );
    }

    #[test]
    fn run_on_text_is_cut_at_a_comma() {
        let long = "word ".repeat(30) + "and then, " + &"more ".repeat(30);
        let mut s = SentenceSplitter::new(200);
        let out = s.push(&long);
        assert_eq!(out.len(), 1);
        assert!(out[0].ends_with("and then,"), "{:?}", out[0]);
        assert!(s.finish().is_some_and(|r| r.starts_with("more")));
    }

    #[test]
    fn punctuation_only_pieces_are_dropped() {
        assert_eq!(split_all(&["... !? ", "Okay."]), vec!["Okay."]);
    }

    #[test]
    fn split_points_do_not_depend_on_delta_boundaries() {
        let text = "First one. Second, with a comma! Third? Mr. Fourth is 2.5 m tall. End";
        let whole = split_all(&[text]);
        let chars: Vec<String> = text.chars().map(String::from).collect();
        let refs: Vec<&str> = chars.iter().map(String::as_str).collect();
        assert_eq!(split_all(&refs), whole);
        assert_eq!(whole.len(), 5);
    }
}
