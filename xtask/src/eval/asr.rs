//! `cargo xtask eval asr`: word accuracy and real-time factor of the embedded Whisper ASR
//! (`vl-asr`, whisper.cpp) on synthetic speech and on real recorded speech.
//!
//! * **Synthetic speech**: 10 voice-assistant sentences (111 words, written in words), spoken by
//!   espeak-ng (robotic formant voice), flite `slt` and — when its model is installed — Piper
//!   `en_US-joe-medium` through `vl-tts`. Synthesised at eval time (nothing stored), resampled
//!   to 16 kHz by `vl-asr`.
//! * **Real recorded speech**: the Debian `asterisk-core-sounds-en-wav` prompts (Allison Smith,
//!   8 kHz telephone recordings) with their transcripts from the package's index
//!   `/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz`; bracketed notes are dropped
//!   and entries with no words left (tones) are skipped. Reported as phrases (top-level prompts)
//!   and single words (`digits/`, `letters/`, …) separately.
//!
//! WER is "num-normalized" as in `../shared/docs/backends.md`: case and punctuation are dropped
//! and digits become words on both sides (`2` → `two`, `7:30`/`730` → `seven thirty`, `1970s` →
//! `nineteen seventies`). Word accuracy = 1 − WER over all words of a set. RTF = decode time ÷
//! audio time. Partials are taken every 500 ms of audio while a clip is streamed in 20 ms chunks;
//! their RTF is the summed partial decode time ÷ audio time (the CPU the partials cost while the
//! user speaks). The full-window decode is measured in the same run as the anchor for the
//! trimmed context; the numbers from backends.md (other sentences, an idle machine) are printed
//! beside ours.
//!
//! Flags: `--models tiny,base` (default both), `--max-prompts N` (every k-th asterisk prompt, for
//! a quicker run), `--threads N` (default 2), `--no-full` (skip the full-window anchor),
//! `--out DIR` (default `artifacts/asr`: synthetic WAVs, per-clip TSV and `summary.md`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

const SENTENCES: [&str; 10] = [
    "What is the weather going to be like in Seattle tomorrow morning?",
    "Set an alarm for seven thirty and remind me to call my sister.",
    "Please turn off the lights in the kitchen and lock the front door.",
    "How many kilometers are there in twenty six miles?",
    "Play some relaxing jazz music in the living room.",
    "Can you book a table for four people at an Italian restaurant tonight?",
    "Add milk, eggs and fresh bread to my shopping list.",
    "Who won the football world cup in nineteen ninety eight?",
    "Send a message to David saying I will be ten minutes late.",
    "Translate good morning into French and read it out loud.",
];

const ASTERISK_DIR: &str = "/usr/share/asterisk/sounds/en";
const ASTERISK_INDEX: &str = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

/// (model, context, voice) → backends.md §1.1 word accuracy (%), and RTF.
const ANCHORS: &[(&str, &str, &str, &str)] = &[
    ("base", "full", "espeak", "95.2 %, RTF 0.60-0.67"),
    ("base", "full", "flite", "97.1 %"),
    ("base", "full", "piper", "99.0 %"),
    ("base", "trimmed", "espeak", "92.3 %, RTF 0.08"),
    ("base", "trimmed", "piper", "97.1 %, RTF 0.08"),
    ("tiny.en", "full", "espeak", "87.5 %, RTF 0.27-0.31"),
    ("tiny.en", "full", "flite", "95.2 %"),
    ("tiny.en", "full", "piper", "99.0 %"),
    ("tiny.en", "trimmed", "espeak", "91.3 %, RTF 0.04"),
    ("tiny.en", "trimmed", "piper", "90.4 %, RTF 0.04"),
];

/// One clip to transcribe.
struct Clip {
    wav: PathBuf,
    reference: String,
}

/// A set of clips with a name.
struct Set {
    name: String,
    clips: Vec<Clip>,
    /// Synthetic sets also get partials and the full-window anchor.
    synthetic: bool,
}

/// One transcription result, as printed by `vl-asr transcribe --tsv`.
struct Row {
    audio_s: f64,
    final_s: f64,
    partials: usize,
    partial_sum_s: f64,
    partial_max_s: f64,
    text: String,
}

/// Runs the evaluation.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut models = vec!["tiny.en".to_string(), "base".to_string()];
    let mut max_prompts = usize::MAX;
    let mut threads = 2usize;
    let mut full = true;
    let mut out = cmd::project_root().join("artifacts/asr");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--models" => {
                models = value()?
                    .split(',')
                    .map(|m| {
                        if m == "tiny" {
                            "tiny.en".into()
                        } else {
                            m.to_string()
                        }
                    })
                    .collect();
            }
            "--max-prompts" => {
                max_prompts = value()?
                    .parse()
                    .map_err(|_| "--max-prompts takes a count")?;
            }
            "--threads" => threads = value()?.parse().map_err(|_| "--threads takes a count")?,
            "--no-full" => full = false,
            "--out" => out = PathBuf::from(value()?),
            other => return Err(format!("unknown flag `{other}` for eval asr")),
        }
    }
    for m in &models {
        if m != "tiny.en" && m != "base" {
            return Err(format!("unknown model `{m}` (tiny, base)"));
        }
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;

    // Models and the transcriber binary.
    let dir = crate::models::models_dir();
    let only: Vec<&str> = models
        .iter()
        .map(|m| if m == "base" { "asr-base" } else { "asr-tiny" })
        .collect();
    crate::models::ensure(&dir, &only)?;
    cmd::cargo(&strs(&[
        "build",
        "-p",
        "vl-asr",
        "--features",
        "whisper",
        "--bin",
        "vl-asr",
    ]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| cmd::project_root().join("target"), PathBuf::from);
    let bin = target.join("debug/vl-asr");

    // Test sets.
    let mut sets = Vec::new();
    let mut notes = Vec::new();
    for voice in ["espeak", "flite", "piper"] {
        match synthesize(voice, &out.join("wav").join(voice)) {
            Ok(clips) => sets.push(Set {
                name: voice.to_string(),
                clips,
                synthetic: true,
            }),
            Err(why) => {
                eprintln!("eval asr: no {voice} set: {why}");
                notes.push(format!("{voice}: not measured ({why})"));
            }
        }
    }
    match asterisk(max_prompts) {
        Ok((phrases, words)) => {
            sets.push(Set {
                name: "asterisk phrases".into(),
                clips: phrases,
                synthetic: false,
            });
            sets.push(Set {
                name: "asterisk words".into(),
                clips: words,
                synthetic: false,
            });
        }
        Err(why) => notes.push(format!("asterisk prompts: not measured ({why})")),
    }

    let mut table = String::from(
        "| set | model | final ctx | clips | words | WER | word acc. | RTF final | RTF partials | max partial s | backends.md anchor |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut tsv = String::from("set\tmodel\tctx\twav\taudio_s\tfinal_s\treference\thypothesis\n");
    for model in &models {
        let ggml = dir.join(format!("whisper/ggml-{model}.bin"));
        for set in &sets {
            let mut runs = vec![("trimmed", set.synthetic)];
            if full && set.synthetic {
                runs.push(("full", false));
            }
            for (ctx, partials) in runs {
                eprintln!(
                    "eval asr: {model} / {} / {ctx} ({} clips)",
                    set.name,
                    set.clips.len()
                );
                let rows = transcribe(&bin, &ggml, ctx, partials, threads, &set.clips)?;
                let (mut edits, mut words, mut audio, mut fin, mut part) = (0, 0, 0.0, 0.0, 0.0);
                let mut part_max = 0.0f64;
                let mut n_part = 0;
                for (clip, row) in set.clips.iter().zip(&rows) {
                    let r = normalize(&clip.reference);
                    let h = normalize(&row.text);
                    edits += edit_distance(&r, &h);
                    words += r.len();
                    audio += row.audio_s;
                    fin += row.final_s;
                    part += row.partial_sum_s;
                    part_max = part_max.max(row.partial_max_s);
                    n_part += row.partials;
                    let _ = writeln!(
                        tsv,
                        "{}\t{model}\t{ctx}\t{}\t{:.3}\t{:.4}\t{}\t{}",
                        set.name,
                        clip.wav.display(),
                        row.audio_s,
                        row.final_s,
                        clip.reference,
                        row.text
                    );
                }
                let wer = edits as f64 / words.max(1) as f64;
                let voice = set.name.as_str();
                let anchor = ANCHORS
                    .iter()
                    .find(|(m, c, v, _)| m == model && *c == ctx && *v == voice)
                    .map_or("", |a| a.3);
                let partial_cols = if partials && n_part > 0 {
                    format!("{:.3} | {part_max:.3}", part / audio)
                } else {
                    "- | -".to_string()
                };
                let line = format!(
                    "| {} | {model} | {ctx} | {} | {words} | {:.1} % | **{:.1} %** | {:.3} | {partial_cols} | {anchor} |",
                    set.name,
                    set.clips.len(),
                    100.0 * wer,
                    100.0 * (1.0 - wer),
                    fin / audio.max(1e-9),
                );
                println!("{line}");
                table.push_str(&line);
                table.push('\n');
            }
        }
    }
    let mut summary = format!(
        "# eval asr\n\nwhisper.cpp via vl-asr, {threads} thread(s), greedy; final = trimmed audio_ctx \
         (audio + 64 frames) with temperature fallback, partials every 500 ms without fallback.\n\n{table}\n"
    );
    for n in &notes {
        let _ = writeln!(summary, "- {n}");
    }
    println!("\n{table}");
    for n in &notes {
        println!("- {n}");
    }
    let path = out.join("summary.md");
    std::fs::write(&path, summary).map_err(|e| format!("{}: {e}", path.display()))?;
    let path = out.join("clips.tsv");
    std::fs::write(&path, tsv).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!(
        "eval asr: wrote {} and clips.tsv",
        out.join("summary.md").display()
    );
    Ok(())
}

fn strs(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| (*s).to_string()).collect()
}

/// Speaks the 10 sentences with one voice into `dir`.
fn synthesize(voice: &str, dir: &Path) -> Result<Vec<Clip>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let piper_dir = crate::models::models_dir().join("piper");
    let piper_model = piper_dir.join("en_US-joe-medium.onnx");
    // vl-tts's `fetch-models.sh` puts the voice and ONNX Runtime into models/piper.
    let ort = std::env::var_os("ORT_DYLIB_PATH")
        .map_or_else(|| piper_dir.join("libonnxruntime.so.1.32.0"), PathBuf::from);
    match voice {
        "espeak" if !cmd::available("espeak-ng", &["--version"]) => {
            return Err("espeak-ng is not installed: apt-get install espeak-ng".into());
        }
        "flite" if !cmd::available("flite", &["-lv"]) => {
            return Err("flite is not installed: apt-get install flite".into());
        }
        "piper" if !piper_model.is_file() || !ort.is_file() => {
            return Err(format!(
                "needs {} and {} (run crates/vl-tts/fetch-models.sh)",
                piper_model.display(),
                ort.display()
            ));
        }
        _ => {}
    }
    let mut clips = Vec::new();
    for (i, text) in SENTENCES.iter().enumerate() {
        let wav = dir.join(format!("s{i:02}.wav"));
        let mut c = match voice {
            "espeak" => {
                let mut c = Command::new("espeak-ng");
                c.args(["-v", "en-us", "-w"]).arg(&wav).arg(text);
                c
            }
            "flite" => {
                let mut c = Command::new("flite");
                c.args(["-voice", "slt", "-t", text, "-o"]).arg(&wav);
                c
            }
            _ => {
                let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
                c.args([
                    "run",
                    "-q",
                    "-p",
                    "vl-tts",
                    "--features",
                    "piper",
                    "--example",
                    "say",
                    "--",
                ])
                .arg(&wav)
                .arg(text)
                .env("VL_TTS_MODELS", crate::models::models_dir().join("piper"))
                .stdout(std::process::Stdio::null());
                c
            }
        };
        let status = c.status().map_err(|e| format!("cannot run {voice}: {e}"))?;
        if !status.success() {
            return Err(format!("{voice} failed with {status}"));
        }
        clips.push(Clip {
            wav,
            reference: (*text).to_string(),
        });
    }
    Ok(clips)
}

/// The asterisk prompts with a transcript: (phrases at the top level, single words in
/// sub-folders), each thinned to at most `max` clips by taking every k-th.
fn asterisk(max: usize) -> Result<(Vec<Clip>, Vec<Clip>), String> {
    let out = Command::new("zcat")
        .arg(ASTERISK_INDEX)
        .output()
        .map_err(|e| format!("cannot run zcat: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{ASTERISK_INDEX} unreadable: apt-get install asterisk-core-sounds-en-wav"
        ));
    }
    let index = String::from_utf8_lossy(&out.stdout);
    let (mut phrases, mut words) = (Vec::new(), Vec::new());
    for (name, text) in parse_index(&index) {
        let wav = Path::new(ASTERISK_DIR).join(format!("{name}.wav"));
        if !wav.is_file() {
            continue;
        }
        let clip = Clip {
            wav,
            reference: text,
        };
        if name.contains('/') {
            words.push(clip);
        } else {
            phrases.push(clip);
        }
    }
    if phrases.is_empty() {
        return Err(format!("no prompts found in {ASTERISK_DIR}"));
    }
    let thin = |v: Vec<Clip>| -> Vec<Clip> {
        let k = v.len().div_ceil(max.max(1)).max(1);
        v.into_iter().step_by(k).collect()
    };
    Ok((thin(phrases), thin(words)))
}

/// `name: transcript` lines of the asterisk index, with bracketed notes removed; entries with no
/// words left (tones, beeps) are dropped.
fn parse_index(index: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in index.lines() {
        if line.starts_with(';') {
            continue;
        }
        let Some((name, text)) = line.split_once(':') else {
            continue;
        };
        let mut clean = String::new();
        let mut depth = 0usize;
        for c in text.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                _ if depth == 0 => clean.push(c),
                _ => {}
            }
        }
        let clean = clean.trim().to_string();
        if !normalize(&clean).is_empty() && !name.trim().is_empty() {
            out.push((name.trim().to_string(), clean));
        }
    }
    out
}

/// Runs `vl-asr transcribe --tsv` on all clips in one process.
fn transcribe(
    bin: &Path,
    model: &Path,
    ctx: &str,
    partials: bool,
    threads: usize,
    clips: &[Clip],
) -> Result<Vec<Row>, String> {
    let mut c = Command::new(bin);
    c.args([
        "transcribe",
        "--tsv",
        "--final-ctx",
        ctx,
        "--threads",
        &threads.to_string(),
        "--model",
    ])
    .arg(model);
    if partials {
        c.args(["--partials", "500"]);
    }
    for clip in clips {
        c.arg(&clip.wav);
    }
    let out = c
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "vl-asr transcribe failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Row> = text
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(7, '\t').collect();
            let num = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
            Some(Row {
                audio_s: num(1)?,
                final_s: num(2)?,
                partials: f.get(3)?.parse().ok()?,
                partial_sum_s: num(4)?,
                partial_max_s: num(5)?,
                text: f.get(6).copied().unwrap_or_default().to_string(),
            })
        })
        .collect();
    if rows.len() != clips.len() {
        return Err(format!(
            "vl-asr printed {} rows for {} clips",
            rows.len(),
            clips.len()
        ));
    }
    Ok(rows)
}

/// Lower-case words without punctuation, with numbers written out (see the module docs).
pub(crate) fn normalize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let spaced: String = text
        .chars()
        .map(|c| {
            if c == '-' || c == '/' || c == '—' {
                ' '
            } else {
                c
            }
        })
        .collect();
    for raw in spaced.split_whitespace() {
        let mut token = raw.to_lowercase();
        let (mut prefix, mut suffix) = (Vec::new(), Vec::new());
        if token.starts_with('$') {
            suffix.push("dollars".to_string());
        }
        if token.ends_with('%') {
            suffix.push("percent".to_string());
        }
        token = token
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string();
        if token.is_empty() {
            continue;
        }
        if token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            prefix.extend(number_words(&token));
        } else {
            let word: String = token
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect();
            prefix.push(word);
        }
        out.extend(prefix.into_iter().filter(|w| !w.is_empty()));
        out.extend(suffix);
    }
    out
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

fn below_100(n: u64) -> Vec<String> {
    if n < 20 {
        return vec![ONES[n as usize].to_string()];
    }
    let mut v = vec![TENS[(n / 10) as usize].to_string()];
    if n % 10 != 0 {
        v.push(ONES[(n % 10) as usize].to_string());
    }
    v
}

/// Words for a digit token: `7:30`/`7.30`/`730` → seven thirty, `1970s` → nineteen seventies,
/// `1st` → first, `3.5` → three point five, other numbers in the usual English reading.
fn number_words(token: &str) -> Vec<String> {
    let ordinals = [
        ("1st", "first"),
        ("2nd", "second"),
        ("3rd", "third"),
        ("4th", "fourth"),
        ("5th", "fifth"),
        ("10th", "tenth"),
        ("20th", "twentieth"),
    ];
    if let Some((_, w)) = ordinals.iter().find(|(d, _)| *d == token) {
        return vec![(*w).to_string()];
    }
    if let Some((h, m)) = token.split_once([':', '.']) {
        if let (Ok(h), Ok(m)) = (h.parse::<u64>(), m.parse::<u64>()) {
            if token.contains(':') || m >= 10 && token.len() - token.find('.').unwrap_or(0) == 3 {
                // A clock time.
                let mut v = below_100(h.min(99));
                if m != 0 {
                    if m < 10 {
                        v.push("oh".into());
                    }
                    v.extend(below_100(m.min(99)));
                }
                return v;
            }
            let mut v = integer_words(h);
            v.push("point".into());
            v.extend(
                token
                    .split_once('.')
                    .map(|(_, d)| d)
                    .unwrap_or_default()
                    .chars()
                    .filter_map(|c| c.to_digit(10))
                    .map(|d| ONES[d as usize].to_string()),
            );
            return v;
        }
    }
    let (digits, plural) = match token.strip_suffix('s') {
        Some(d) if d.chars().all(|c| c.is_ascii_digit()) => (d, true),
        _ => (token, false),
    };
    let Ok(n) = digits.parse::<u64>() else {
        return vec![token.to_string()];
    };
    let mut v = integer_words(n);
    if plural {
        if let Some(last) = v.last_mut() {
            *last = if let Some(stem) = last.strip_suffix('y') {
                format!("{stem}ies")
            } else if last == "six" {
                "sixes".into()
            } else {
                format!("{last}s")
            };
        }
    }
    v
}

fn integer_words(n: u64) -> Vec<String> {
    match n {
        0..=99 => below_100(n),
        100..=9999 if n % 100 >= 10 && n % 1000 != 0 => {
            // "seven thirty", "nineteen seventy": how times and years are said.
            let mut v = below_100(n / 100);
            v.extend(below_100(n % 100));
            v
        }
        100..=999_999 => {
            let mut v = Vec::new();
            let (th, rest) = (n / 1000, n % 1000);
            if th > 0 {
                v.extend(integer_words(th));
                v.push("thousand".into());
            }
            if rest >= 100 {
                v.extend(below_100(rest / 100));
                v.push("hundred".into());
            }
            if rest % 100 > 0 {
                v.extend(below_100(rest % 100));
            }
            v
        }
        _ => n
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(|d| ONES[d as usize].to_string())
            .collect(),
    }
}

/// Word-level Levenshtein distance (substitutions + insertions + deletions).
pub(crate) fn edit_distance(reference: &[String], hypothesis: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=hypothesis.len()).collect();
    let mut cur = vec![0; hypothesis.len() + 1];
    for (i, r) in reference.iter().enumerate() {
        cur[0] = i + 1;
        for (j, h) in hypothesis.iter().enumerate() {
            let sub = prev[j] + usize::from(r != h);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[hypothesis.len()]
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, normalize, parse_index};

    fn n(s: &str) -> String {
        normalize(s).join(" ")
    }

    #[test]
    fn numbers_are_normalized_as_backends_md_says() {
        assert_eq!(n("Set an alarm for 7:30."), "set an alarm for seven thirty");
        assert_eq!(n("at 7.30 and 730"), "at seven thirty and seven thirty");
        assert_eq!(n("the 1970s"), "the nineteen seventies");
        assert_eq!(n("Press 2, then 0."), "press two then zero");
        assert_eq!(
            n("26 miles in 1998"),
            "twenty six miles in nineteen ninety eight"
        );
        assert_eq!(n("4 people, 10 minutes"), "four people ten minutes");
        assert_eq!(
            n("2000 and 2005 and 100"),
            "two thousand and two thousand five and one hundred"
        );
        assert_eq!(n("50% of $5"), "fifty percent of five dollars");
        assert_eq!(n("3.5"), "three point five");
        assert_eq!(n("twenty-six, Call-Forward"), "twenty six call forward");
        assert_eq!(n("It's the 1st."), "it's the first");
    }

    #[test]
    fn wer_counts_edits() {
        let r = normalize("please enter your password");
        assert_eq!(
            edit_distance(&r, &normalize("Please enter your password.")),
            0
        );
        assert_eq!(
            edit_distance(&r, &normalize("please enter the password")),
            1
        );
        assert_eq!(
            edit_distance(&r, &normalize("please enter your pass word")),
            2
        );
        assert_eq!(edit_distance(&r, &[]), 4);
        assert_eq!(edit_distance(&[], &r), 4);
    }

    #[test]
    fn asterisk_index_lines_are_parsed() {
        let index = "; Core Asterisk Sounds\n\nactivated: Activated.\nbeep: [this is a simple beep tone]\n\
                     letters/dash: dash [-]\nconf-adminmenu: Please press 1 to mute: or 2.\n";
        assert_eq!(
            parse_index(index),
            vec![
                ("activated".to_string(), "Activated.".to_string()),
                ("letters/dash".to_string(), "dash".to_string()),
                (
                    "conf-adminmenu".to_string(),
                    "Please press 1 to mute: or 2.".to_string()
                ),
            ]
        );
    }
}
