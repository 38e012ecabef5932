//! Transcript clean-up that does not need the model.

/// Cuts a repetition loop off the end of a transcript.
///
/// Whisper with a trimmed encoder context sometimes repeats the last phrase until its token cap
/// (`"Please enter your path. Please enter your path. Please enter …"`, backends.md §6). When
/// the words from some point on repeat with a period of `p` words — at least two full periods
/// for `p ≥ 2`, three for a single word — up to the end of the text, only the first period is
/// kept. Words are compared case-insensitively without punctuation; the kept text is the
/// original.
pub fn collapse_repeats(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let n = keys.len();
    // The earliest start k (and its shortest period) wins, so the most text is removed.
    for k in 0..n {
        for p in 1..=(n - k) / 2 {
            let min_periods = if p == 1 { 3 } else { 2 };
            if n - k < min_periods * p {
                break;
            }
            // The last word may be cut off by the token cap ("… Press 3 to re").
            let same = |i: usize| match (keys.get(i), keys.get(i - p)) {
                (Some(a), Some(b)) if i + 1 == n => b.starts_with(a.as_str()),
                (a, b) => a == b,
            };
            let periodic = (k + p..n).all(same);
            if periodic {
                let mut kept = words.get(..k + p).unwrap_or(&words).join(" ");
                if let Some(stripped) = kept.strip_suffix([',', ';']) {
                    kept = format!("{stripped}.");
                }
                return kept;
            }
        }
    }
    text.to_string()
}

fn key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::collapse_repeats;

    #[test]
    fn loops_are_cut_to_one_period() {
        assert_eq!(
            collapse_repeats(
                "Please enter your path. Please enter your path. Please enter your path. Please"
            ),
            "Please enter your path."
        );
        assert_eq!(
            collapse_repeats(
                "Please enter a new extension, followed. Please enter a new extension, followed. Please enter"
            ),
            "Please enter a new extension, followed."
        );
        assert_eq!(collapse_repeats("Thank you. Thank you."), "Thank you.");
        assert_eq!(
            collapse_repeats(
                "Press 3 to re-record your message. Press 3 to re-record your message. Press 3 to re"
            ),
            "Press 3 to re-record your message."
        );
        assert_eq!(collapse_repeats("no no no no"), "no");
    }

    #[test]
    fn ordinary_text_is_kept() {
        for t in [
            "Please enter your password, followed by the pound key.",
            "It is very very good.",
            "Press 1 to mute, press 2 to lock.",
            "",
            "one",
            "no no",
        ] {
            assert_eq!(collapse_repeats(t), t);
        }
    }
}
