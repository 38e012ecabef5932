//! Word lists per language: words after which an utterance is not finished (conjunctions,
//! prepositions, articles, determiners, auxiliaries, hesitations), and fillers / backchannels.
//!
//! Lists are lower case. Latin-script languages are matched on whole words; Chinese and Japanese
//! (no spaces) on the end of the text.

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English.
    En,
    /// Spanish.
    Es,
    /// French.
    Fr,
    /// German.
    De,
    /// Italian.
    It,
    /// Portuguese.
    Pt,
    /// Chinese (Mandarin).
    Zh,
    /// Japanese.
    Ja,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Self; 8] = [
        Self::En,
        Self::Es,
        Self::Fr,
        Self::De,
        Self::It,
        Self::Pt,
        Self::Zh,
        Self::Ja,
    ];

    /// The language of a BCP-47 tag (`"en"`, `"en-US"`, `"pt-BR"`, `"zh-CN"`, case-insensitive),
    /// or `None` for an unsupported one.
    pub fn from_bcp47(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        Some(match primary.to_ascii_lowercase().as_str() {
            "en" => Self::En,
            "es" => Self::Es,
            "fr" => Self::Fr,
            "de" => Self::De,
            "it" => Self::It,
            "pt" => Self::Pt,
            "zh" | "cmn" | "yue" => Self::Zh,
            "ja" => Self::Ja,
            _ => return None,
        })
    }

    pub(crate) fn spaced(self) -> bool {
        !matches!(self, Self::Zh | Self::Ja)
    }
}

/// Words after which the speaker has not finished (the text so far is a fragment).
pub(crate) fn continuation_words(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::En => &[
            // conjunctions, relative and subordinating words
            "and", "or", "but", "so", "because", "cause", "if", "that", "although", "though",
            "unless", "than", "whether", // prepositions
            "to", "for", "of", "in", "at", "with", "from", "about", "into",
            "like", // articles, determiners, possessives, quantifiers
            "a", "an", "the", "my", "your", "his", "her", "our", "their", "its", "this", "these",
            "those", "some", "any", "every", "each",
            "another", // pronoun subjects and auxiliaries that need a complement
            "i", "you're", "i'm", "we're", "they're", "he's", "she's", "it's", "wanna", "gonna",
            "gotta", "let's", // hesitations
            "um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm", "mm",
        ],
        Language::Es => &[
            "y", "e", "o", "u", "pero", "porque", "que", "cuando", "mientras", "aunque", "como",
            "donde", "quien", "cual", "ni", "pues", "a", "al", "de", "del", "en", "con", "por",
            "para", "sin", "sobre", "entre", "hasta", "desde", "el", "la", "los", "las", "un",
            "una", "unos", "unas", "mi", "mis", "tu", "tus", "su", "sus", "nuestro", "nuestra",
            "esta", "ese", "esa", "me", "te", "se", "le", "lo", "eh", "em", "mmm", "bueno",
            "o sea",
        ],
        Language::Fr => &[
            "et", "ou", "mais", "car", "parce", "que", "qu'", "si", "quand", "lorsque", "puis",
            "ni", "à", "au", "aux", "de", "du", "des", "en", "dans", "avec", "pour", "par", "sans",
            "sur", "chez", "vers", "le", "la", "les", "l'", "un", "une", "mon", "ma", "mes", "ton",
            "ta", "tes", "son", "sa", "ses", "notre", "votre", "leur", "ce", "cet", "cette", "ces",
            "je", "j'", "tu", "il", "ils", "on", "voudrais", "ne", "me", "te", "se", "euh", "heu",
            "bah", "ben", "hum",
        ],
        Language::De => &[
            "und", "oder", "aber", "denn", "weil", "dass", "daß", "wenn", "ob", "während",
            "obwohl", "sondern", "also", "zum", "zur", "für", "von", "vom", "bei", "beim", "in",
            "im", "am", "zwischen", "durch", "gegen", "ohne", "der", "die", "den", "dem", "des",
            "ein", "eine", "einen", "einem", "einer", "eines", "mein", "meine", "dein", "deine",
            "seine", "ihre", "unser", "unsere", "dieser", "diese", "dieses", "ich", "wir",
            "möchte", "ähm", "äh", "öhm", "hm",
        ],
        Language::It => &[
            "e", "ed", "o", "ma", "però", "perché", "che", "se", "quando", "mentre", "cui", "né",
            "a", "ad", "al", "allo", "alla", "ai", "agli", "alle", "di", "del", "dello", "della",
            "dei", "degli", "delle", "da", "dal", "dalla", "in", "nel", "nella", "nei", "con",
            "su", "sul", "sulla", "per", "tra", "fra", "il", "lo", "la", "i", "gli", "le", "l'",
            "un", "uno", "una", "un'", "mio", "mia", "tuo", "tua", "suo", "sua", "nostro",
            "questo", "questa", "quel", "quella", "vorrei", "non", "mi", "ti", "ehm", "eh", "cioè",
            "mmm",
        ],
        Language::Pt => &[
            "e", "ou", "mas", "porque", "que", "se", "quando", "enquanto", "embora", "como", "nem",
            "a", "ao", "aos", "à", "às", "de", "do", "da", "dos", "das", "em", "no", "na", "nos",
            "nas", "com", "por", "pelo", "pela", "para", "pra", "sem", "entre", "o", "os", "as",
            "um", "uma", "uns", "umas", "meu", "minha", "teu", "tua", "seu", "sua", "nosso",
            "nossa", "este", "esta", "esse", "essa", "me", "te", "se", "hã", "ahn", "éh", "hum",
        ],
        Language::Zh => &[
            "和",
            "跟",
            "与",
            "或者",
            "还是",
            "但是",
            "可是",
            "不过",
            "因为",
            "所以",
            "如果",
            "虽然",
            "然后",
            "而且",
            "并且",
            "的",
            "地",
            "得",
            "在",
            "把",
            "被",
            "给",
            "对",
            "向",
            "从",
            "到",
            "往",
            "为",
            "为了",
            "关于",
            "就",
            "才",
            "想",
            "我想",
            "我要",
            "这个",
            "那个",
            "一个",
            "一些",
            "比",
            "嗯",
            "呃",
            "额",
            "那么",
            "就是",
            "就是说",
        ],
        Language::Ja => &[
            "て",
            "で",
            "が",
            "けど",
            "けれど",
            "けれども",
            "から",
            "ので",
            "のに",
            "と",
            "や",
            "を",
            "に",
            "へ",
            "まで",
            "って",
            "たら",
            "れば",
            "ながら",
            "それで",
            "そして",
            "でも",
            "だから",
            "あの",
            "あのー",
            "えーと",
            "えっと",
            "えー",
            "その",
            "この",
            "ええと",
            "まあ",
        ],
    }
}

/// Words that make a short utterance a complete answer on their own (yes/no/thanks/greetings).
pub(crate) fn complete_short_words(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::En => &[
            "yes",
            "no",
            "nope",
            "yeah",
            "yep",
            "okay",
            "ok",
            "sure",
            "thanks",
            "thank you",
            "hello",
            "hi",
            "hey",
            "goodbye",
            "bye",
            "right",
            "correct",
            "exactly",
            "please",
            "stop",
            "done",
            "great",
            "perfect",
            "fine",
        ],
        Language::Es => &[
            "sí",
            "si",
            "no",
            "vale",
            "gracias",
            "hola",
            "adiós",
            "claro",
            "perfecto",
            "bien",
            "exacto",
            "de acuerdo",
        ],
        Language::Fr => &[
            "oui",
            "non",
            "merci",
            "bonjour",
            "salut",
            "d'accord",
            "parfait",
            "bien",
            "exactement",
            "au revoir",
        ],
        Language::De => &[
            "ja", "nein", "danke", "hallo", "tschüss", "genau", "gut", "okay", "richtig",
        ],
        Language::It => &[
            "sì", "si", "no", "grazie", "ciao", "certo", "perfetto", "bene", "esatto", "va bene",
        ],
        Language::Pt => &[
            "sim", "não", "obrigado", "obrigada", "olá", "oi", "tchau", "certo", "perfeito",
            "exato", "tudo bem",
        ],
        Language::Zh => &[
            "是", "对", "好", "好的", "谢谢", "你好", "再见", "不是", "不要", "可以",
        ],
        Language::Ja => &[
            "はい",
            "いいえ",
            "ありがとう",
            "こんにちは",
            "そうです",
            "いいです",
        ],
    }
}

/// Sentence endings that mark a complete clause in Chinese / Japanese (particles, copulas).
pub(crate) fn complete_endings(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::Zh => &["吗", "呢", "吧", "了", "啊", "呀", "过", "好", "谢谢"],
        Language::Ja => &[
            "です",
            "ます",
            "ました",
            "でした",
            "ません",
            "か",
            "ね",
            "よ",
            "だ",
            "ください",
            "ない",
            "たい",
        ],
        _ => &[],
    }
}

/// Hesitation fillers: never a turn on their own.
pub(crate) fn filler_words(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::En => &[
            "um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "eh", "hm", "hmm",
            "hmmm", "mm", "mmm", "oh", "huh",
        ],
        Language::Es => &[
            "eh", "em", "este", "mmm", "mm", "ah", "pues", "ehm", "hmm", "uh",
        ],
        Language::Fr => &[
            "euh", "heu", "hum", "bah", "ben", "hmm", "mm", "mmm", "ah", "oh", "eh",
        ],
        Language::De => &[
            "äh", "ähm", "öh", "öhm", "hm", "hmm", "mm", "mmm", "ah", "oh", "eh",
        ],
        Language::It => &["ehm", "eh", "mmm", "mm", "ah", "oh", "uhm", "hmm", "boh"],
        Language::Pt => &[
            "hã", "ahn", "éh", "eh", "hum", "hmm", "mm", "mmm", "ah", "oh", "uh",
        ],
        Language::Zh => &["嗯", "呃", "额", "啊", "哦", "唔", "嗯嗯", "那个", "就是"],
        Language::Ja => &[
            "えーと",
            "えっと",
            "えー",
            "あの",
            "あのー",
            "うーん",
            "ええと",
            "まあ",
            "んー",
            "あー",
        ],
    }
}

/// Backchannels: acknowledgements that do not take the floor while the other side is speaking.
pub(crate) fn backchannel_words(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::En => &[
            "mm-hm", "mm-hmm", "mhm", "mmhm", "uh-huh", "uh huh", "mm hm", "yeah", "yep", "yes",
            "right", "okay", "ok", "i see", "sure", "got it", "alright", "cool", "wow", "really",
        ],
        Language::Es => &[
            "ajá", "aja", "sí", "si", "vale", "claro", "ya", "ok", "bueno", "exacto",
        ],
        Language::Fr => &[
            "ouais", "oui", "d'accord", "ok", "ah bon", "voilà", "mouais", "ouaip",
        ],
        Language::De => &[
            "ja", "genau", "okay", "ok", "aha", "mhm", "achso", "ach so", "stimmt",
        ],
        Language::It => &["sì", "si", "già", "ok", "certo", "esatto", "ah ok", "vabbè"],
        Language::Pt => &[
            "sim", "uhum", "ahã", "tá", "ok", "certo", "pois", "é", "aham",
        ],
        Language::Zh => &["嗯", "对", "对对", "是的", "好", "好的", "哦", "嗯哼", "是"],
        Language::Ja => &[
            "うん",
            "はい",
            "ええ",
            "そう",
            "そうですね",
            "なるほど",
            "へえ",
            "ふーん",
        ],
    }
}
