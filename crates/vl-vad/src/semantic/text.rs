//! Rule-based completeness of a (partial) transcript and filler / backchannel detection.
//!
//! Both work on the text the ASR has produced so far for the current turn; they allocate nothing
//! (tokens are slices of the input, lower-casing is done character by character when comparing).

use super::lexicon::{
    Language, backchannel_words, complete_endings, complete_short_words, continuation_words,
    filler_words,
};

/// Languages consulted: the given ones, or every supported language when the slice is empty.
pub(crate) fn languages(langs: &[Language]) -> &[Language] {
    if langs.is_empty() {
        &Language::ALL
    } else {
        langs
    }
}

/// Whitespace-separated words of `text` with edge punctuation removed (empty tokens skipped).
fn words(text: &str) -> impl DoubleEndedIterator<Item = &str> + Clone {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '、' | '，'))
        .map(|w| w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')))
        .filter(|w| !w.is_empty())
}

/// Case-insensitive equality (Unicode lower case, `’` = `'`).
fn eq_ci(a: &str, b: &str) -> bool {
    let norm = |c: char| if c == '’' { '\'' } else { c };
    a.chars()
        .flat_map(char::to_lowercase)
        .map(norm)
        .eq(b.chars().flat_map(char::to_lowercase).map(norm))
}

/// `true` when the last words of `text` (space-separated; `entry` may hold several words) are
/// `entry`.
fn ends_with_words(text: &str, entry: &str) -> bool {
    let n = entry.split(' ').count();
    let mut tail = words(text).rev().take(n).collect::<TailWords<'_>>();
    tail.reverse();
    tail.len() == n && tail.iter().zip(entry.split(' ')).all(|(a, b)| eq_ci(a, b))
}

/// The whole (trimmed, punctuation-free) text equals `entry`.
fn is_exactly(text: &str, entry: &str) -> bool {
    let mut w = words(text);
    let mut e = entry.split(' ');
    loop {
        match (w.next(), e.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if eq_ci(a, b) => {}
            _ => return false,
        }
    }
}

/// A small fixed-capacity list of the last words (no allocation).
struct TailWords<'a> {
    items: [&'a str; 4],
    len: usize,
}

impl<'a> FromIterator<&'a str> for TailWords<'a> {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut t = TailWords {
            items: [""; 4],
            len: 0,
        };
        for w in iter.into_iter().take(4) {
            t.items[t.len] = w;
            t.len += 1;
        }
        t
    }
}

impl TailWords<'_> {
    fn len(&self) -> usize {
        self.len
    }
    fn reverse(&mut self) {
        self.items[..self.len].reverse();
    }
    fn iter(&self) -> impl Iterator<Item = &&str> {
        self.items[..self.len].iter()
    }
}

/// Text without trailing whitespace and closing quotes/brackets.
fn trimmed_end(text: &str) -> &str {
    text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '」' | '』' | '”')
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Probability-like completeness of `text` as the end of a user turn, from its words alone:
/// near 0 = clearly unfinished ("I want to book a flight to", "and", "um"), near 1 = clearly
/// finished ("What time is it?"), 0.5 = no evidence (empty text).
pub(crate) fn completeness(text: &str, langs: &[Language]) -> f32 {
    analyse(text, langs).0
}

/// How a transcript ends, beyond its completeness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// No words, a filler, or no punctuation: no evidence either way.
    Open,
    /// Clearly unfinished (trailing conjunction, preposition, "…", comma).
    Unfinished,
    /// A finished declarative sentence ("." / "!" / "。", or a CJK sentence-final particle):
    /// complete, but speakers often go on with another sentence after a short pause.
    Statement,
    /// Turn-yielding: a question or a short complete answer ("yes", "thanks").
    Yielding,
}

/// [`completeness`] and the kind of ending.
pub(crate) fn analyse(text: &str, langs: &[Language]) -> (f32, Ending) {
    let langs = languages(langs);
    let t = trimmed_end(text);
    if t.is_empty() || words(t).next().is_none() {
        return (0.5, Ending::Open);
    }
    if is_filler_only(t, langs) {
        return (0.15, Ending::Open);
    }
    // Explicit continuation marks.
    if t.ends_with("...")
        || t.ends_with('…')
        || t.ends_with(',')
        || t.ends_with('，')
        || t.ends_with('、')
        || t.ends_with(':')
        || t.ends_with('-')
        || t.ends_with('—')
    {
        return (0.1, Ending::Unfinished);
    }
    let cjk = t.chars().any(is_cjk);
    let last_char = t.chars().next_back().unwrap_or(' ');
    let stripped = t.trim_end_matches(['.', '!', '?', '。', '！', '？', '¿', '¡']);
    // Unfinished endings: a conjunction, preposition, article, auxiliary or hesitation last.
    for &lang in langs {
        let list = continuation_words(lang);
        let hit = if lang.spaced() {
            !cjk && list.iter().any(|w| ends_with_words(stripped, w))
        } else {
            cjk && list.iter().any(|w| stripped.ends_with(w))
        };
        if hit {
            return (0.1, Ending::Unfinished);
        }
    }
    let n_words = if cjk {
        stripped.chars().filter(|c| is_cjk(*c)).count().div_ceil(2)
    } else {
        words(stripped).count()
    };
    // Short complete answers.
    for &lang in langs {
        if complete_short_words(lang)
            .iter()
            .any(|w| is_exactly(stripped, w))
        {
            return (0.9, Ending::Yielding);
        }
    }
    match last_char {
        '?' | '？' => return (0.92, Ending::Yielding),
        '!' | '！' => return (0.85, Ending::Statement),
        '.' | '。' => return (if n_words >= 2 { 0.8 } else { 0.65 }, Ending::Statement),
        _ => {}
    }
    if cjk {
        for &lang in langs {
            if complete_endings(lang).iter().any(|w| stripped.ends_with(w)) {
                return (0.75, Ending::Statement);
            }
        }
    }
    // No punctuation (an ASR without it, or a partial): mild evidence from the length.
    (if n_words >= 3 { 0.6 } else { 0.5 }, Ending::Open)
}

/// What a short utterance is, for `remove_filler_words` and barge-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UtteranceKind {
    /// No words (yet): the ASR has produced nothing, or only punctuation.
    Empty,
    /// Only hesitation fillers ("um", "uh", "hmm", "euh", "えーと", "嗯").
    Filler,
    /// Only fillers and backchannels ("mm-hm", "uh-huh", "yeah", "right", "ajá", "genau").
    Backchannel,
    /// Real content.
    Speech,
}

/// `true` when every word is a filler in one of `langs` (and there is at least one word).
pub(crate) fn is_filler_only(text: &str, langs: &[Language]) -> bool {
    classify(text, langs) == UtteranceKind::Filler
}

/// Splits a compact CJK string into known entries greedily (fillers/backchannels have no spaces).
fn cjk_all_in(text: &str, lists: &[&[&str]]) -> bool {
    let mut rest = text;
    'outer: while !rest.is_empty() {
        let skip = rest.trim_start_matches(|c: char| !c.is_alphanumeric());
        if skip.len() != rest.len() {
            rest = skip;
            continue;
        }
        let mut best = 0;
        for list in lists {
            for w in *list {
                if w.len() > best && rest.starts_with(w) {
                    best = w.len();
                }
            }
        }
        if best == 0 {
            // Elongation marks and repeated kana/han of a filler (えーー, 嗯嗯).
            if let Some(c) = rest.chars().next() {
                if matches!(c, 'ー' | '〜' | '~') {
                    rest = &rest[c.len_utf8()..];
                    continue 'outer;
                }
            }
            return false;
        }
        rest = &rest[best..];
    }
    true
}

/// Classifies `text` (a partial or final transcript of one utterance) as empty, fillers only,
/// fillers and backchannels only, or speech, in the given languages (all supported ones if
/// empty).
pub(crate) fn classify(text: &str, langs: &[Language]) -> UtteranceKind {
    let langs = languages(langs);
    if words(text).next().is_none() {
        return UtteranceKind::Empty;
    }
    if text.chars().any(is_cjk) {
        let compact = text.trim();
        let fillers: [&[&str]; 2] = [filler_words(Language::Zh), filler_words(Language::Ja)];
        if cjk_all_in(compact, &fillers) {
            return UtteranceKind::Filler;
        }
        let all: [&[&str]; 4] = [
            filler_words(Language::Zh),
            filler_words(Language::Ja),
            backchannel_words(Language::Zh),
            backchannel_words(Language::Ja),
        ];
        return if cjk_all_in(compact, &all) {
            UtteranceKind::Backchannel
        } else {
            UtteranceKind::Speech
        };
    }
    // Latin script: every word (or two-word entry such as "uh huh") must be listed.
    let is_filler = |w: &str| {
        langs
            .iter()
            .any(|&l| filler_words(l).iter().any(|f| eq_ci(w, f)) || elongated_filler(w, l))
    };
    let is_back = |w: &str| {
        langs.iter().any(|&l| {
            backchannel_words(l)
                .iter()
                .any(|f| !f.contains(' ') && eq_ci(w, f))
        })
    };
    let mut only_fillers = true;
    let mut it = words(text).peekable();
    while let Some(w) = it.next() {
        // Two-word backchannels first ("uh huh", "i see", "got it", "ah bon").
        if let Some(&next) = it.peek() {
            let two = langs.iter().any(|&l| {
                backchannel_words(l).iter().any(|f| {
                    f.split_once(' ')
                        .is_some_and(|(a, b)| eq_ci(w, a) && eq_ci(next, b))
                })
            });
            if two {
                it.next();
                only_fillers = false;
                continue;
            }
        }
        if is_filler(w) {
            continue;
        }
        if is_back(w) {
            only_fillers = false;
            continue;
        }
        return UtteranceKind::Speech;
    }
    if only_fillers {
        UtteranceKind::Filler
    } else {
        UtteranceKind::Backchannel
    }
}

/// "ummmm", "hmmmm", "uhhh", "mmmm", "ähhh": a filler of `lang` stretched by the ASR.
fn elongated_filler(w: &str, lang: Language) -> bool {
    let lower = w.chars().flat_map(char::to_lowercase);
    let mut prev = None;
    let mut squeezed = [' '; 4];
    let mut n = 0;
    for c in lower {
        if Some(c) != prev {
            if n == squeezed.len() {
                return false;
            }
            squeezed[n] = c;
            n += 1;
            prev = Some(c);
        }
    }
    let s = &squeezed[..n];
    let common = matches!(s, ['h', 'm'] | ['m'] | ['a', 'h'] | ['e', 'h']);
    common
        || match lang {
            Language::En => matches!(
                s,
                ['u', 'm'] | ['u', 'h'] | ['e', 'r', 'm'] | ['u', 'h', 'm']
            ),
            Language::De => matches!(s, ['ä', 'h'] | ['ä', 'h', 'm'] | ['ö', 'h', 'm']),
            Language::Fr => matches!(s, ['e', 'u', 'h'] | ['h', 'e', 'u']),
            Language::It | Language::Es => matches!(s, ['e', 'h', 'm'] | ['e', 'm']),
            Language::Pt => matches!(s, ['h', 'u', 'm']),
            Language::Zh | Language::Ja => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &[Language] = &[Language::En];

    #[test]
    fn trailing_function_words_and_ellipses_are_unfinished() {
        for t in [
            "I want to book a flight to",
            "I want to book a flight to...",
            "I want to book a flight to…",
            "So I was thinking that",
            "Can you tell me about the",
            "I'd like a table for two and",
            "Well, um",
            "Please enter your password followed by,",
            "I'm calling because",
            "Press 1 for",
        ] {
            assert!(
                completeness(t, EN) <= 0.15,
                "{t:?}: {}",
                completeness(t, EN)
            );
        }
        // Whisper often ends partials with a full stop anyway: the last word wins.
        assert!(completeness("I want to book a flight to.", EN) <= 0.15);
    }

    #[test]
    fn questions_sentences_and_short_answers_are_finished() {
        for t in [
            "What time is it?",
            "Can you book me a flight to Paris?",
            "I want to book a flight to Paris.",
            "Yes.",
            "no",
            "Thank you",
            "That's all, thanks!",
        ] {
            assert!(
                completeness(t, EN) >= 0.65,
                "{t:?}: {}",
                completeness(t, EN)
            );
        }
        assert_eq!(completeness("", EN), 0.5);
        assert_eq!(completeness("  ... ", EN), 0.5);
        // No punctuation and no cue: mild evidence only.
        let mild = completeness("book a flight to Paris", EN);
        assert!((0.5..0.7).contains(&mild), "{mild}");
    }

    #[test]
    fn other_languages() {
        let cases: &[(Language, &str, bool)] = &[
            (Language::Es, "Quiero reservar un vuelo a", false),
            (Language::Es, "¿Cuánto cuesta el billete?", true),
            (Language::Fr, "Je voudrais réserver une table pour", false),
            (Language::Fr, "Merci beaucoup.", true),
            (Language::De, "Ich möchte einen Flug nach Berlin und", false),
            (Language::De, "Wie spät ist es?", true),
            (Language::It, "Vorrei prenotare un volo per", false),
            (Language::It, "Grazie mille.", true),
            (Language::Pt, "Eu quero reservar um voo para", false),
            (Language::Pt, "Quanto custa?", true),
            (Language::Zh, "我想订一张去北京的", false),
            (Language::Zh, "我想订一张去北京的机票。", true),
            (Language::Zh, "现在几点了", true),
            (Language::Ja, "東京までの切符を", false),
            (Language::Ja, "東京までの切符をください", true),
            (Language::Ja, "今何時ですか", true),
        ];
        for &(lang, text, finished) in cases {
            let c = completeness(text, &[lang]);
            assert_eq!(c > 0.5, finished, "{lang:?} {text:?}: {c}");
            // The same without naming the language (multilingual).
            let any = completeness(text, &[]);
            assert_eq!(any > 0.5, finished, "all languages, {text:?}: {any}");
        }
    }

    #[test]
    fn fillers_and_backchannels() {
        use UtteranceKind::*;
        let cases: &[(&str, UtteranceKind)] = &[
            ("", Empty),
            (" . ", Empty),
            ("Um.", Filler),
            ("uh, um", Filler),
            ("Hmm...", Filler),
            ("Ummmm", Filler),
            ("Mm-hm.", Backchannel),
            ("uh-huh", Backchannel),
            ("Uh huh.", Backchannel),
            ("Yeah, yeah.", Backchannel),
            ("Oh, okay.", Backchannel),
            ("I see.", Backchannel),
            ("Um, wait.", Speech),
            ("Stop.", Speech),
            ("Yeah, but what about tomorrow?", Speech),
            ("euh", Filler),
            ("ähm", Filler),
            ("Ajá.", Backchannel),
            ("genau", Backchannel),
            ("えーと", Filler),
            ("えーっと", Speech), // not in the list: real content is the safe side
            ("嗯", Filler),
            ("嗯嗯，对", Backchannel),
            ("うん、うん", Backchannel),
            ("我想问一下", Speech),
        ];
        for &(text, kind) in cases {
            assert_eq!(classify(text, &[]), kind, "{text:?}");
        }
        // Restricted to English, a German filler is content.
        assert_eq!(classify("ähm", EN), Speech);
        assert_eq!(classify("um", EN), Filler);
    }
}
