//! Event-level part of `cargo xtask eval vad`: turn detection on synthetic conversations built
//! from real recorded speech.
//!
//! * Speech: Debian asterisk prompts in English (`asterisk-core-sounds-en-wav`, 8 kHz → 16 kHz
//!   by linear interpolation), Spanish, French and Italian (`asterisk-core-sounds-*-g722`,
//!   16 kHz, decoded with spandsp's G.722 decoder through Python ctypes), with the packages'
//!   transcripts. Each prompt is trimmed to its speech (10 ms frames above max − 40 dB, gaps
//!   < 100 ms bridged), which is also the ground truth.
//! * Utterances (fixed seed): 70 % are 1–3 complete prompts of one language with 150–400 ms
//!   pauses (a turn must not end there); 30 % are a *fragment* prompt recorded for
//!   concatenation ("Press 1 for", "There are currently", "Il y a présentement") + a 400–1000 ms
//!   pause + a digit ("five"), i.e. a mid-sentence pause longer than `silence_duration_ms`.
//!   Gaps between utterances 0.8–3 s. Noise: the nine real scenes of `shared/data/noise`
//!   (cycled every 20 s) at 20 / 10 / 0 dB and the asterisk music on hold at 10 dB, scaled to
//!   the speech-active power.
//! * ASR stand-in for the semantic mode: 200 ms after each prompt ends, the partial transcript
//!   becomes the transcripts of the utterance's prompts so far (a full stop added to the last
//!   one when it has no final punctuation, as Whisper does).
//! * Every engine's 10 ms probabilities go through the same `vl_vad::TurnDetector`
//!   (`server_vad` defaults: threshold 0.5, prefix 300 ms, silence 500 ms, speech 200 ms), and
//!   for the semantic rows also through `vl_vad::EndOfTurnDetector`
//!   (`SemanticConfig::azure(500, default, 1000)`), exactly as `vl_vad::Vad` combines them. The
//!   "semantic, no statement floor" rows are the same with `statement_silence_ms` = 0 (the rule
//!   before declarative sentences had to wait 400 ms): an ablation in the same run.
//!
//! Caveat: vl-vad's neural classifier was distilled on asterisk prompts (other mixtures and
//! seeds), so its rows here are in-domain.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use vl_vad::{
    EndOfTurnDetector, SemanticConfig, ServerVadConfig, ThresholdLevel, TurnDetector, TurnEvent,
};

const HOP: usize = 160;
const RATE: usize = 16_000;
const SEED: u64 = 0x7E57_0E0E;
/// Utterances per condition (≈ 9–10 min of audio each).
const UTTERANCES: usize = 110;
const ASR_LATENCY_MS: usize = 200;
const SOUNDS: &str = "/usr/share/asterisk/sounds";
const LANGS: [&str; 4] = ["en", "es", "fr", "it"];
/// Prompts recorded as the first part of a sentence, per language (names in the packages).
const FRAGMENTS: [&str; 12] = [
    "vm-onefor",
    "vm-and",
    "vm-for",
    "vm-from",
    "queue-less-than",
    "at-tone-time-exactly",
    "vm-youhave",
    "conf-thereare",
    "queue-holdtime",
    "queue-thereare",
    "conf-enteringno",
    "vm-num-i-have",
];

/// One trimmed prompt.
struct Prompt {
    audio: Vec<f32>,
    text: String,
}

struct Lang {
    complete: Vec<Prompt>,
    fragments: Vec<Prompt>,
    digits: Vec<Prompt>,
}

/// Ground truth of one utterance, in samples.
struct Utterance {
    start: usize,
    end: usize,
    fragment: bool,
    /// Number of prompts (pauses inside = prompts − 1).
    parts: usize,
    /// Each prompt's (start, end), in samples.
    prompts: Vec<(usize, usize)>,
}

/// A conversation: clean speech, truth, and the partial-transcript timeline.
pub(crate) struct Conversation {
    pub(crate) speech: Vec<f32>,
    pub(crate) labels: Vec<bool>,
    utterances: Vec<Utterance>,
    /// (frame index, text of the current utterance so far).
    partials: Vec<(usize, String)>,
}

/// splitmix64.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uniform(state: &mut u64, lo: usize, hi: usize) -> usize {
    lo + (next(state) % (hi - lo + 1) as u64) as usize
}

fn index(lang: &str) -> Result<Vec<(String, String)>, String> {
    let path = format!("/usr/share/doc/asterisk-core-sounds-{lang}/core-sounds-{lang}.txt.gz");
    let out = Command::new("zcat")
        .arg(&path)
        .output()
        .map_err(|e| format!("zcat {path}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter(|l| !l.starts_with(';') && !l.starts_with("\u{feff};"))
        .filter_map(|l| l.split_once(": "))
        .map(|(n, t)| {
            (
                n.trim().to_string(),
                t.trim().trim_matches('"').trim().to_string(),
            )
        })
        .filter(|(_, t)| !t.is_empty() && !t.contains('[') && !t.contains('(') && !t.contains('<'))
        .collect())
}

fn read_wav_8k(path: &Path) -> Option<Vec<f32>> {
    let mut r = hound::WavReader::open(path).ok()?;
    if r.spec().sample_rate != 8000 || r.spec().channels != 1 {
        return None;
    }
    let x: Vec<f32> = r
        .samples::<i16>()
        .filter_map(Result::ok)
        .map(|s| f32::from(s) / 32768.0)
        .collect();
    Some(
        (0..x.len() * 2)
            .map(|i| {
                let a = x[i / 2];
                let b = x.get(i / 2 + 1).copied().unwrap_or(a);
                if i % 2 == 0 { a } else { 0.5 * (a + b) }
            })
            .collect(),
    )
}

/// Decodes G.722 files to 16 kHz f32 with spandsp (Python ctypes; no packages needed).
fn decode_g722(files: &[PathBuf], work: &Path) -> Result<Vec<Option<Vec<f32>>>, String> {
    const SCRIPT: &str = r#"
import ctypes, sys
lib = ctypes.CDLL("libspandsp.so.2")
lib.g722_decode_init.restype = ctypes.c_void_p
lib.g722_decode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
lib.g722_decode.restype = ctypes.c_int
lib.g722_decode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
lib.g722_decode_free.argtypes = [ctypes.c_void_p]
for line in sys.stdin:
    src, dst = line.rstrip("\n").split("\t")
    data = open(src, "rb").read()
    st = lib.g722_decode_init(None, 64000, 0)
    out = (ctypes.c_int16 * (2 * len(data) + 16))()
    n = lib.g722_decode(st, out, data, len(data))
    lib.g722_decode_free(st)
    open(dst, "wb").write(bytes(out)[: 2 * n])
"#;
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let mut list = String::new();
    let outs: Vec<PathBuf> = (0..files.len())
        .map(|i| work.join(format!("{i}.pcm")))
        .collect();
    for (f, o) in files.iter().zip(&outs) {
        let _ = writeln!(list, "{}\t{}", f.display(), o.display());
    }
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    if let Some(stdin) = child.stdin.as_mut() {
        use std::io::Write as _;
        stdin
            .write_all(list.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("G.722 decoding failed (apt-get install libspandsp2)".into());
    }
    Ok(outs
        .iter()
        .map(|o| {
            let b = std::fs::read(o).ok()?;
            Some(
                b.chunks_exact(2)
                    .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                    .collect(),
            )
        })
        .collect())
}

/// Frames above max − 40 dB with gaps < 100 ms bridged; `None` for silence.
fn speech_bounds(x: &[f32]) -> Option<(usize, usize)> {
    let db: Vec<f32> = x
        .chunks_exact(HOP)
        .map(|f| 10.0 * (f.iter().map(|v| v * v).sum::<f32>() / HOP as f32 + 1e-12).log10())
        .collect();
    let max = db.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let first = db.iter().position(|&d| d > max - 40.0)?;
    let last = db.iter().rposition(|&d| d > max - 40.0)?;
    Some((first * HOP, (last + 1) * HOP))
}

fn asr_text(t: &str) -> String {
    let t = t.trim();
    if t.ends_with(['.', '?', '!', '…']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

fn load_lang(lang: &str, work: &Path) -> Result<Lang, String> {
    let idx = index(lang)?;
    let dir = PathBuf::from(SOUNDS).join(lang);
    let mut names = Vec::new();
    let mut files = Vec::new();
    for (name, text) in &idx {
        let wav = dir.join(format!("{name}.wav"));
        let g722 = dir.join(format!("{name}.g722"));
        let is_digit = name.strip_prefix("digits/").is_some_and(|d| d.len() == 1);
        let is_frag = FRAGMENTS.contains(&name.as_str());
        if name.contains('/') && !is_digit {
            continue;
        }
        let path = if lang == "en" && wav.exists() {
            wav
        } else if g722.exists() {
            g722
        } else {
            continue;
        };
        names.push((name.clone(), text.clone(), is_digit, is_frag));
        files.push(path);
    }
    let g722: Vec<PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "g722"))
        .cloned()
        .collect();
    let mut decoded = decode_g722(&g722, &work.join(lang))?.into_iter();
    let mut out = Lang {
        complete: Vec::new(),
        fragments: Vec::new(),
        digits: Vec::new(),
    };
    for ((name, text, is_digit, is_frag), path) in names.into_iter().zip(files) {
        let audio = if path.extension().is_some_and(|e| e == "g722") {
            decoded.next().flatten()
        } else {
            read_wav_8k(&path)
        };
        let Some(audio) = audio else { continue };
        let Some((a, b)) = speech_bounds(&audio) else {
            continue;
        };
        let dur = (b - a) as f64 / RATE as f64;
        let p = Prompt {
            audio: audio[a..b].to_vec(),
            text,
        };
        if is_digit {
            out.digits.push(p);
        } else if is_frag {
            out.fragments.push(p);
        } else if (0.5..=6.0).contains(&dur) && !name.starts_with("beep") {
            out.complete.push(p);
        }
    }
    if out.complete.is_empty() || out.digits.is_empty() {
        return Err(format!("{lang}: no usable prompts in {}", dir.display()));
    }
    Ok(out)
}

/// Builds the conversation (clean speech and truth) with a fixed seed.
fn conversation(langs: &[Lang], seed: u64) -> Conversation {
    let mut rng = seed;
    let mut speech = vec![0.0_f32; RATE];
    let mut utterances = Vec::new();
    let mut partials = Vec::new();
    for _ in 0..UTTERANCES {
        let lang = &langs[uniform(&mut rng, 0, langs.len() - 1)];
        let fragment = !lang.fragments.is_empty() && uniform(&mut rng, 0, 9) < 3;
        let mut parts: Vec<(&Prompt, usize)> = Vec::new();
        if fragment {
            let f = &lang.fragments[uniform(&mut rng, 0, lang.fragments.len() - 1)];
            let d = &lang.digits[uniform(&mut rng, 0, lang.digits.len() - 1)];
            parts.push((f, uniform(&mut rng, 400, 1000)));
            parts.push((d, 0));
        } else {
            let n = uniform(&mut rng, 1, 3);
            for k in 0..n {
                let p = &lang.complete[uniform(&mut rng, 0, lang.complete.len() - 1)];
                let pause = if k + 1 < n {
                    uniform(&mut rng, 150, 400)
                } else {
                    0
                };
                parts.push((p, pause));
            }
        }
        let start = speech.len();
        let mut text = String::new();
        let mut prompts = Vec::new();
        for (k, (p, pause)) in parts.iter().enumerate() {
            prompts.push((speech.len(), speech.len() + p.audio.len()));
            speech.extend(&p.audio);
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(p.text.trim());
            let shown = if k + 1 == parts.len() {
                asr_text(&text)
            } else {
                text.clone()
            };
            partials.push((speech.len() / HOP + ASR_LATENCY_MS / 10, shown));
            speech.extend(std::iter::repeat_n(0.0, pause * RATE / 1000));
        }
        let end = speech.len();
        utterances.push(Utterance {
            start,
            end,
            fragment,
            parts: parts.len(),
            prompts,
        });
        let gap = uniform(&mut rng, 800, 3000);
        speech.extend(std::iter::repeat_n(0.0, gap * RATE / 1000));
    }
    speech.extend(std::iter::repeat_n(0.0, RATE));
    let frames = speech.len() / HOP;
    speech.truncate(frames * HOP);
    let mut labels = vec![false; frames];
    for (t, l) in labels.iter_mut().enumerate() {
        let s = &speech[t * HOP..(t + 1) * HOP];
        *l = s.iter().any(|v| *v != 0.0);
    }
    Conversation {
        speech,
        labels,
        utterances,
        partials,
    }
}

/// Loads the prompts and builds the conversation.
pub(crate) fn build(work: &Path) -> Result<(Conversation, String), String> {
    let mut langs = Vec::new();
    let mut names = Vec::new();
    for l in LANGS {
        match load_lang(l, work) {
            Ok(x) => {
                names.push(format!(
                    "{l} ({} prompts, {} fragments)",
                    x.complete.len(),
                    x.fragments.len()
                ));
                langs.push(x);
            }
            Err(e) => eprintln!("eval vad events: skipping {l}: {e}"),
        }
    }
    if langs.is_empty() {
        return Err(
            "no asterisk prompts found (apt-get install asterisk-core-sounds-en-wav)".into(),
        );
    }
    Ok((conversation(&langs, SEED), names.join(", ")))
}

/// Adds `noise` (looped) at `snr_db` relative to the speech-active power of `c`.
pub(crate) fn mix(c: &Conversation, noise: &[f32], snr_db: f64) -> Vec<f32> {
    super::mix::add_noise_at_snr(&c.speech, &c.labels, HOP, noise, 0, snr_db)
}

/// Turn-detection metrics of one engine/mode on one condition.
#[derive(Default, Clone)]
pub(crate) struct Events {
    onset: Vec<f64>,
    emit: Vec<f64>,
    eot: Vec<f64>,
    premature_multi: (usize, usize),
    fragment_held: (usize, usize),
    missed: (usize, usize),
    false_starts: usize,
    nonspeech_s: f64,
    prefix: Vec<f64>,
    /// One line per premature end of a multi-prompt utterance (`--explain`).
    pub(crate) explain: Vec<String>,
}

/// One detected turn, in ms.
struct Turn {
    emit_start: u64,
    audio_start: u64,
    emit_stop: u64,
    audio_end: u64,
    /// Silence that ended the turn, ms, and the transcript then.
    why: (u64, String),
}

/// The semantic config of the eval: `azure_semantic_vad` defaults (500 ms, default level,
/// 1000 ms timeout).
pub(crate) fn semantic_config() -> SemanticConfig {
    SemanticConfig::azure(500, ThresholdLevel::Default, 1000)
}

/// Runs the state machine(s) over the probabilities `p` (10 ms grid) of `audio`; `semantic`:
/// the end-of-turn config for the semantic rows (`None`: plain `server_vad`).
pub(crate) fn detect(
    c: &Conversation,
    audio: &[f32],
    p: &[f32],
    semantic: Option<&SemanticConfig>,
    release: Option<f32>,
) -> Events {
    let cfg = ServerVadConfig::default().with_release_threshold(release);
    let Ok(mut td) = TurnDetector::new(cfg, 16_000) else {
        return Events::default();
    };
    let mut eot = EndOfTurnDetector::new(semantic.cloned().unwrap_or_else(semantic_config));
    let semantic = semantic.is_some();
    let mut turns: Vec<Turn> = Vec::new();
    let mut open: Option<(u64, u64)> = None;
    let mut partial = c.partials.iter().peekable();
    let mut last_text = "";
    let mut required = u64::from(cfg.silence_duration_ms);
    for (t, &prob) in p.iter().enumerate() {
        while let Some((_, text)) = partial.next_if(|(f, _)| *f <= t) {
            if semantic {
                eot.set_transcript(text);
                last_text = text;
            }
        }
        if semantic {
            let frame = &audio[t * HOP..(t + 1) * HOP];
            let speech = td.is_speech(prob);
            if !td.in_turn() && !speech {
                eot.start_turn();
            }
            eot.push_frame(frame, speech);
            if td.in_turn() && !speech {
                td.set_end_silence_ms(Some(eot.required_silence_ms()));
                required = u64::from(eot.required_silence_ms());
            }
        }
        match td.process(prob) {
            Some(TurnEvent::SpeechStarted { audio_start_ms }) => {
                open = Some(((t as u64 + 1) * 10, audio_start_ms));
            }
            Some(TurnEvent::SpeechStopped { audio_end_ms }) => {
                if let Some((emit_start, audio_start)) = open.take() {
                    turns.push(Turn {
                        emit_start,
                        audio_start,
                        emit_stop: (t as u64 + 1) * 10,
                        audio_end: audio_end_ms,
                        why: (required, last_text.to_string()),
                    });
                }
            }
            _ => {}
        }
    }
    if let Some((emit_start, audio_start)) = open {
        let end = p.len() as u64 * 10;
        turns.push(Turn {
            emit_start,
            audio_start,
            emit_stop: end,
            audio_end: end,
            why: (0, String::new()),
        });
    }
    score(c, &turns)
}

fn score(c: &Conversation, turns: &[Turn]) -> Events {
    let mut ev = Events::default();
    let ms = |s: usize| (s * 1000 / RATE) as u64;
    let prefix = u64::from(ServerVadConfig::default().prefix_padding_ms);
    for u in &c.utterances {
        let (s, e) = (ms(u.start), ms(u.end));
        let overlapping: Vec<&Turn> = turns
            .iter()
            .filter(|t| t.audio_start + prefix < e && t.audio_end > s)
            .collect();
        ev.missed.1 += 1;
        let Some(first) = overlapping.first() else {
            ev.missed.0 += 1;
            continue;
        };
        ev.onset
            .push((first.audio_start + prefix) as f64 - s as f64);
        ev.emit.push(first.emit_start as f64 - s as f64);
        let covered = if first.audio_start <= s {
            1.0
        } else {
            ((s + 300).saturating_sub(first.audio_start) as f64 / 300.0).clamp(0.0, 1.0)
        };
        ev.prefix.push(covered);
        let premature = overlapping.iter().any(|t| t.emit_stop + 10 < e);
        if u.fragment {
            ev.fragment_held.1 += 1;
            if !premature {
                ev.fragment_held.0 += 1;
            }
        } else if u.parts > 1 {
            ev.premature_multi.1 += 1;
            if premature {
                ev.premature_multi.0 += 1;
                if let Some(t) = overlapping.iter().find(|t| t.emit_stop + 10 < e) {
                    ev.explain.push(explain(u, t));
                }
            }
        }
        if let Some(last) = overlapping.iter().find(|t| t.emit_stop + 10 >= e) {
            ev.eot.push(last.emit_stop as f64 - e as f64);
        }
    }
    // Non-speech: gaps between utterances; false starts: turns overlapping no utterance.
    let mut speech_ms = 0;
    for u in &c.utterances {
        speech_ms += ms(u.end) - ms(u.start);
    }
    ev.nonspeech_s = (c.speech.len() as f64 / RATE as f64) - speech_ms as f64 / 1000.0;
    ev.false_starts = turns
        .iter()
        .filter(|t| {
            !c.utterances.iter().any(|u| {
                t.audio_start + prefix < ms(u.end) + 100 && t.audio_end + 100 > ms(u.start)
            })
        })
        .count();
    ev
}

/// Where a premature end fell: in which prompt or pause the speech "ended", the pauses, the
/// silence that ended it and the transcript then.
fn explain(u: &Utterance, t: &Turn) -> String {
    let ms = |s: usize| (s * 1000 / RATE) as i64;
    let end = t.audio_end as i64;
    let mut at = String::from("?");
    for (k, &(a, b)) in u.prompts.iter().enumerate() {
        if end <= ms(b) + 30 && end >= ms(a) {
            let from_end = end - ms(b);
            at = if from_end >= -30 {
                format!("end of prompt {k} ({from_end:+} ms)")
            } else {
                format!(
                    "inside prompt {k} at {} of {} ms",
                    end - ms(a),
                    ms(b) - ms(a)
                )
            };
            break;
        }
    }
    let pauses: Vec<String> = u
        .prompts
        .windows(2)
        .map(|w| format!("{}", ms(w[1].0) - ms(w[0].1)))
        .collect();
    format!(
        "{at}; pauses [{}] ms; ended after {} ms of silence (required {}), text {:?}",
        pauses.join(", "),
        t.emit_stop as i64 - end,
        t.why.0,
        t.why.1
    )
}

fn pct(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

fn rate((a, b): (usize, usize)) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        100.0 * a as f64 / b as f64
    }
}

impl Events {
    fn false_per_10min(&self) -> f64 {
        self.false_starts as f64 / (self.nonspeech_s / 600.0).max(1e-9)
    }
}

/// The markdown tables: one row per (condition, engine/mode), then ratios to the baseline.
pub(crate) fn table(rows: &[(String, String, Events)], baseline: &str, ours: &[&str]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n### Turn detection (event level; {UTTERANCES} utterances per condition)\n"
    );
    let _ = writeln!(
        s,
        "| condition | engine / mode | onset p50 / p95 ms | emit p95 ms | end-of-turn p50 / p95 ms | premature % (150–400 ms pauses) | fragment held % (400–1000 ms) | missed % | false starts / 10 min | prefix coverage % |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
    for (cond, name, e) in rows {
        let _ = writeln!(
            s,
            "| {cond} | {name} | {:.0} / {:.0} | {:.0} | {:.0} / {:.0} | {:.1} ({}/{}) | {:.1} ({}/{}) | {:.1} | {:.1} | {:.1} |",
            pct(&e.onset, 0.5),
            pct(&e.onset, 0.95),
            pct(&e.emit, 0.95),
            pct(&e.eot, 0.5),
            pct(&e.eot, 0.95),
            rate(e.premature_multi),
            e.premature_multi.0,
            e.premature_multi.1,
            rate(e.fragment_held),
            e.fragment_held.0,
            e.fragment_held.1,
            rate(e.missed),
            e.false_per_10min(),
            100.0 * e.prefix.iter().sum::<f64>() / e.prefix.len().max(1) as f64,
        );
    }
    let _ = writeln!(
        s,
        "\n### Ratios to {baseline} (same condition): end-of-turn p95, premature, missed, false starts\n"
    );
    let _ = writeln!(
        s,
        "| condition | engine / mode | end-of-turn p95 | premature | fragment held | missed | false starts |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let ratio = |a: f64, b: f64| {
        if b.abs() < 1e-12 {
            if a.abs() < 1e-12 {
                "1.00".to_string()
            } else {
                "∞".to_string()
            }
        } else {
            format!("{:.2}", a / b)
        }
    };
    for (cond, name, e) in rows {
        if !ours.iter().any(|o| name == o) {
            continue;
        }
        let Some((_, _, b)) = rows.iter().find(|(c, n, _)| c == cond && n == baseline) else {
            continue;
        };
        let _ = writeln!(
            s,
            "| {cond} | {name} | {} | {} | {} | {} | {} |",
            ratio(pct(&e.eot, 0.95), pct(&b.eot, 0.95)),
            ratio(rate(e.premature_multi), rate(b.premature_multi)),
            ratio(rate(e.fragment_held), rate(b.fragment_held)),
            ratio(rate(e.missed), rate(b.missed)),
            ratio(e.false_per_10min(), b.false_per_10min()),
        );
    }
    s
}

/// A plain energy VAD: frame level over a minimum-tracking noise floor; 0.5 at 9 dB above it.
pub(crate) fn energy_baseline(audio: &[f32]) -> Vec<f32> {
    let mut floor = f32::NAN;
    audio
        .chunks_exact(HOP)
        .map(|f| {
            let db = 10.0 * (f.iter().map(|v| v * v).sum::<f32>() / HOP as f32 + 1e-10).log10();
            floor = if floor.is_nan() || db < floor {
                db
            } else {
                floor + 0.02 // 2 dB/s rise
            };
            1.0 / (1.0 + (-(db - floor - 9.0) / 3.0).exp())
        })
        .collect()
}
