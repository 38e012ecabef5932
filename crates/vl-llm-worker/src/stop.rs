//! Stop sequences (`stop` in a chat request): the text up to the first occurrence of any of
//! them is emitted, the sequence itself and everything after it never is.

/// Most stop sequences a request may give (as in the OpenAI API).
pub const MAX_STOP_SEQUENCES: usize = 4;

/// Cuts streamed text at the first stop sequence; holds back a tail that could still turn
/// into one, so no part of a stop sequence is ever emitted.
#[derive(Debug, Clone, Default)]
pub struct StopFilter {
    stops: Vec<String>,
    held: String,
    hit: bool,
}

impl StopFilter {
    /// A filter for `stops` (empty strings are ignored; no stops: everything passes).
    pub fn new(stops: Vec<String>) -> Self {
        Self {
            stops: stops.into_iter().filter(|s| !s.is_empty()).collect(),
            held: String::new(),
            hit: false,
        }
    }

    /// Whether a stop sequence was seen (generation should end).
    pub fn hit(&self) -> bool {
        self.hit
    }

    /// Feeds the next piece; returns the text that can be emitted now (maybe empty).
    pub fn push(&mut self, piece: &str) -> String {
        if self.hit {
            return String::new();
        }
        if self.stops.is_empty() {
            return piece.to_owned();
        }
        self.held.push_str(piece);
        let first = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()))
            .min();
        if let Some(at) = first {
            self.hit = true;
            let mut out = std::mem::take(&mut self.held);
            out.truncate(at);
            return out;
        }
        // Keep the longest suffix of `held` that is a proper prefix of some stop sequence.
        let keep = self
            .held
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| {
                let tail = self.held.get(i..).unwrap_or_default();
                self.stops.iter().any(|s| s.starts_with(tail))
            })
            .unwrap_or(self.held.len());
        let tail = self.held.split_off(keep);
        std::mem::replace(&mut self.held, tail)
    }

    /// The text still held back when generation ended without a stop sequence.
    pub fn finish(&mut self) -> String {
        if self.hit {
            return String::new();
        }
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
mod tests {
    use super::StopFilter;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, bool) {
        let mut f = StopFilter::new(stops.iter().map(|s| (*s).to_owned()).collect());
        let mut out = String::new();
        for p in pieces {
            out.push_str(&f.push(p));
        }
        out.push_str(&f.finish());
        (out, f.hit())
    }

    #[test]
    fn no_stops_pass_everything() {
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
        assert_eq!(run(&[""], &["a", "b"]), ("ab".into(), false));
    }

    #[test]
    fn cuts_at_a_stop_split_across_pieces() {
        assert_eq!(
            run(&["\n\n"], &["Hello", " world.\n", "\nMore"]),
            ("Hello world.".into(), true)
        );
        assert_eq!(run(&["END"], &["aE", "N", "Dzz"]), ("a".into(), true));
        // The earliest of several stops wins.
        assert_eq!(run(&["c", "b"], &["abc"]), ("a".into(), true));
    }

    #[test]
    fn a_false_start_is_released() {
        let mut f = StopFilter::new(vec!["STOP".into()]);
        assert_eq!(f.push("xST"), "x");
        assert_eq!(f.push("AY"), "STAY");
        assert_eq!(f.push("S"), "");
        assert_eq!(f.finish(), "S");
        assert!(!f.hit());
    }

    #[test]
    fn multibyte_text_is_cut_on_char_boundaries() {
        assert_eq!(
            run(&["\u{20ac}\u{20ac}"], &["a\u{20ac}", "b\u{20ac}\u{20ac}c"]),
            ("a\u{20ac}b".into(), true)
        );
    }
}
