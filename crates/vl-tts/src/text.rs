//! Sentence text → words and clauses, as the phonemizer and the word timestamps see them.

/// Punctuation removed from both ends of a word for its timestamp text.
fn is_edge_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '"'
            | '\''
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '…'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '*'
            | '_'
            | '`'
    )
}

/// A clause of a sentence: its text and its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The clause text without its terminator, e.g. `Hello there`.
    pub text: String,
    /// The words of the clause (punctuation stripped), e.g. `["Hello", "there"]`.
    pub words: Vec<String>,
    /// The punctuation that ended it (`,` `;` `:` `.` `!` `?`), if any; `…` counts as `.`.
    pub terminator: Option<char>,
}

/// The words of `text`: whitespace-separated tokens with edge punctuation removed; tokens with no
/// letter or digit are dropped.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|t| t.trim_matches(is_edge_punct))
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// Splits a sentence at clause punctuation (`, ; : . ! ? …` followed by whitespace or the end).
/// A period after a known abbreviation or an initial does not end a clause. Clauses without words
/// are dropped, but their terminator is kept on the previous clause if it had none.
pub fn clauses(sentence: &str) -> Vec<Clause> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut out: Vec<Clause> = Vec::new();
    let mut current = String::new();
    let mut k = 0;
    while let Some(&c) = chars.get(k) {
        let next_is_space = chars.get(k + 1).is_none_or(|n| n.is_whitespace());
        let is_term = matches!(c, ',' | ';' | ':' | '.' | '!' | '?' | '…') && next_is_space;
        if is_term && !(c == '.' && ends_with_abbreviation(&current)) {
            let terminator = if c == '…' { '.' } else { c };
            push_clause(&mut out, &current, Some(terminator));
            current.clear();
        } else {
            current.push(c);
        }
        k += 1;
    }
    push_clause(&mut out, &current, None);
    out
}

fn push_clause(out: &mut Vec<Clause>, text: &str, terminator: Option<char>) {
    let w = words(text);
    if w.is_empty() {
        if let (Some(last), Some(t)) = (out.last_mut(), terminator)
            && matches!(t, '.' | '!' | '?')
        {
            // "Really?!" / "Wait..." : the stronger mark wins.
            last.terminator = Some(t);
        }
        return;
    }
    out.push(Clause {
        text: text
            .trim()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', '…'])
            .to_string(),
        words: w,
        terminator,
    });
}

fn ends_with_abbreviation(text: &str) -> bool {
    const ABBR: &[&str] = &[
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "a.m",
        "p.m",
    ];
    let last = text.split_whitespace().last().unwrap_or_default();
    let last = last.trim_start_matches(is_edge_punct);
    let lower = last.to_lowercase();
    ABBR.contains(&lower.as_str())
        || (last.chars().count() == 1 && last.chars().all(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lose_edge_punctuation_only() {
        assert_eq!(
            words("\"Hello,\" she said: it's $3.50 (50%) - ok?!"),
            vec!["Hello", "she", "said", "it's", "$3.50", "50%", "ok"]
        );
    }

    #[test]
    fn clauses_keep_their_terminators() {
        let c = clauses("Well, Mr. Smith paid 3.50; then left... Why?!");
        let summary: Vec<(String, Option<char>)> =
            c.iter().map(|c| (c.text.clone(), c.terminator)).collect();
        assert_eq!(
            summary,
            vec![
                ("Well".to_string(), Some(',')),
                ("Mr. Smith paid 3.50".to_string(), Some(';')),
                ("then left".to_string(), Some('.')),
                ("Why".to_string(), Some('!')),
            ]
        );
        assert_eq!(c[1].words, vec!["Mr", "Smith", "paid", "3.50"]);
    }

    #[test]
    fn clause_without_terminator() {
        let c = clauses("no punctuation here");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].terminator, None);
        assert!(clauses("  ...  ").is_empty());
    }
}
