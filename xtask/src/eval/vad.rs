//! `cargo xtask eval vad [--data DIR] [--no-silero] [--files N]`: frame-level accuracy and speed
//! of vl-vad's classifiers next to the anchors, all in one run on the same inputs.
//!
//! * Data: the TEN VAD test set (`$VL_TEST_DATA/vad/ten-testset`, 30 manually labelled 16 kHz
//!   clips, evaluation only) clean, and mixed at 20/10/5/0 dB with the nine real-noise scenes of
//!   `$VL_TEST_DATA/noise` (noise = `*_mixture.wav` − `*_clean.wav`): clip `i` gets scene
//!   `i mod 9` from a seeded random offset (looped if shorter), scaled so that the clip's
//!   speech-active power (frames labelled speech) over the noise power is the SNR. The mixtures
//!   are generated here with fixed seeds and never written to the repository.
//! * Grid: 10 ms frames; frame `t`'s label is the label at `10 t + 5` ms and each engine's score
//!   for it is the score of the engine frame holding sample `160 t + 80`.
//! * Metrics: ROC-AUC (ties averaged), TPR at 1 % and 5 % FPR, and RTF (engine CPU time of the
//!   calling thread around the engine calls only / audio duration; one stream, one thread).
//! * Engines: vl-vad `NeuralClassifier` (the default of `Vad`), vl-vad `FrameClassifier`
//!   (energy/spectral), the `earshot` crate (16 ms frames), and Silero VAD v6.2 (`silero_vad.onnx`
//!   from the PyPI `silero-vad` 6.2.3 wheel, SHA-256 checked, run with onnxruntime from PyPI in a
//!   venv at `.venv-eval-vad` that this command creates; 32 ms chunks; its RTF includes the
//!   Python per-chunk call overhead). `--no-silero` skips it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

const RATE: usize = 16_000;
const HOP: usize = 160;
const SNRS: [f64; 4] = [20.0, 10.0, 5.0, 0.0];
const SCENES: [&str; 9] = [
    "airport",
    "car",
    "office",
    "pub",
    "rain",
    "restaurant",
    "street",
    "subway",
    "train",
];
const SEED: u64 = 0x5EED_0AD5;
/// The event rows "release 0.35": `ServerVadConfig::release_threshold` = threshold − 0.15
/// (Silero's `neg_threshold` rule), not tuned here.
const RELEASE_THRESHOLD: f32 = 0.35;
const SILERO_VERSION: &str = "6.2.3";
const ONNXRUNTIME_VERSION: &str = "1.32.0";
const NUMPY_VERSION: &str = "2.4.6";

/// One labelled clip.
struct Clip {
    audio: Vec<f32>,
    labels: Vec<bool>,
}

/// One condition: a name and its clips (same labels as clean).
struct Condition {
    name: String,
    clips: Vec<Vec<f32>>,
}

/// Scores of one engine on one condition, on the 10 ms grid, plus the time spent.
struct Scored {
    scores: Vec<f32>,
    seconds: f64,
}

/// Runs the evaluation.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let root = cmd::project_root();
    let mut data = std::env::var_os("VL_TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"));
    let mut silero = true;
    let mut max_files = usize::MAX;
    let (mut frames, mut events, mut explain) = (true, true, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => data = PathBuf::from(it.next().ok_or("--data takes a directory")?),
            "--no-silero" => silero = false,
            "--no-events" => events = false,
            "--events-only" => frames = false,
            "--explain" => explain = true,
            "--files" => {
                max_files = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--files takes a number")?;
            }
            other => {
                return Err(format!(
                    "unknown flag `{other}`; usage: eval vad [--data DIR] [--no-silero] [--files N] [--no-events | --events-only] [--explain]"
                ));
            }
        }
    }
    let noises = SCENES
        .iter()
        .map(|s| load_noise(&data.join("noise"), s))
        .collect::<Result<Vec<_>, _>>()?;
    if frames {
        frame_level(&root, &data, &noises, silero, max_files)?;
    }
    if events {
        event_level(&root, &noises, silero, explain)?;
    }
    Ok(())
}

/// The frame-level tables on the TEN test set.
fn frame_level(
    root: &Path,
    data: &Path,
    noises: &[Vec<f32>],
    silero: bool,
    max_files: usize,
) -> Result<(), String> {
    let clips = load_ten(&data.join("vad/ten-testset"), max_files)?;
    let mut conditions = vec![Condition {
        name: "clean".into(),
        clips: clips.iter().map(|c| c.audio.clone()).collect(),
    }];
    for snr in SNRS {
        conditions.push(Condition {
            name: format!("{snr} dB"),
            clips: mix_all(&clips, noises, snr),
        });
    }
    let labels: Vec<bool> = clips
        .iter()
        .flat_map(|c| c.labels.iter().copied())
        .collect();
    let speech = labels.iter().filter(|&&l| l).count();
    let seconds: f64 = clips
        .iter()
        .map(|c| c.audio.len() as f64 / RATE as f64)
        .sum();
    println!(
        "TEN test set: {} clips, {seconds:.1} s, {:.1} % speech frames; noise: 9 DPDFNet scenes (clip i: scene i mod 9)",
        clips.len(),
        100.0 * speech as f64 / labels.len() as f64
    );

    let mut engines: Vec<(String, Vec<Scored>)> = Vec::new();
    for (name, f) in [
        (
            "vl-vad neural",
            score_neural as fn(&[f32], &[bool]) -> Scored,
        ),
        ("vl-vad energy", score_energy),
        ("earshot 1.2.2", score_earshot),
    ] {
        let scored: Vec<Scored> = conditions
            .iter()
            .map(|c| score_condition(c, &clips, f))
            .collect();
        engines.push((name.to_string(), scored));
    }
    if silero {
        let scored = run_silero(root, &conditions, &clips)?;
        engines.push((
            format!("Silero v{SILERO_VERSION} (onnxruntime, Python)"),
            scored,
        ));
    }

    let audio_total = seconds * conditions.len() as f64;
    let mut rows: Vec<(String, Vec<Metrics>, f64)> = Vec::new();
    for (name, scored) in &engines {
        let metrics = scored
            .iter()
            .map(|s| Metrics::of(&s.scores, &labels))
            .collect();
        let secs: f64 = scored.iter().map(|s| s.seconds).sum();
        rows.push((name.clone(), metrics, secs / audio_total));
    }
    print!("{}", table(&conditions, &rows));
    Ok(())
}

/// Music on hold (asterisk, 8 kHz → 16 kHz), concatenated.
fn music() -> Result<Vec<f32>, String> {
    let dir = Path::new("/usr/share/asterisk/moh");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            format!(
                "{}: {e} (apt-get install asterisk-moh-opsound-wav)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let mut r = hound::WavReader::open(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        if r.spec().sample_rate != 8000 {
            continue;
        }
        let x: Vec<f32> = r
            .samples::<i16>()
            .filter_map(Result::ok)
            .map(|s| f32::from(s) / 32768.0)
            .collect();
        for i in 0..x.len() * 2 {
            let a = x[i / 2];
            let b = x.get(i / 2 + 1).copied().unwrap_or(a);
            out.push(if i % 2 == 0 { a } else { 0.5 * (a + b) });
        }
    }
    if out.is_empty() {
        return Err("no 8 kHz music on hold found".into());
    }
    Ok(out)
}

/// The event-level tables on conversations of asterisk prompts (see `vad_events`).
/// `explain`: also print where each premature end of a multi-prompt utterance fell.
fn event_level(
    root: &Path,
    noises: &[Vec<f32>],
    silero: bool,
    explain: bool,
) -> Result<(), String> {
    use super::vad_events as ev;
    let work = std::env::temp_dir().join(format!("vl-eval-vad-events-{}", std::process::id()));
    let (conv, langs) = ev::build(&work)?;
    let _ = std::fs::remove_dir_all(&work);
    // Noise bed: 20 s of each scene in turn, from a seeded offset.
    let mut rng = SEED ^ 0xE7E7;
    let mut bed = Vec::new();
    for n in noises {
        let off = (splitmix(&mut rng) % n.len() as u64) as usize;
        bed.extend((0..20 * RATE).map(|k| n[(off + k) % n.len()]));
    }
    let moh = music()?;
    let mut conditions = vec![Condition {
        name: "clean".into(),
        clips: vec![conv.speech.clone()],
    }];
    for snr in [20.0, 10.0, 0.0] {
        conditions.push(Condition {
            name: format!("noise {snr} dB"),
            clips: vec![ev::mix(&conv, &bed, snr)],
        });
    }
    conditions.push(Condition {
        name: "music 10 dB".into(),
        clips: vec![ev::mix(&conv, &moh, 10.0)],
    });
    let seconds = conv.speech.len() as f64 / RATE as f64;
    println!(
        "\nConversations: {langs}; {seconds:.0} s per condition, seed-fixed (see xtask/src/eval/vad_events.rs)"
    );
    let clip = Clip {
        audio: Vec::new(),
        labels: conv.labels.clone(),
    };
    let clips = [clip];
    let mut engines: Vec<(String, Vec<Vec<f32>>)> = Vec::new();
    let per = |f: fn(&[f32], &[bool]) -> Scored| -> Vec<Vec<f32>> {
        conditions
            .iter()
            .map(|c| f(&c.clips[0], &conv.labels).scores)
            .collect()
    };
    engines.push((
        "energy baseline".into(),
        conditions
            .iter()
            .map(|c| ev::energy_baseline(&c.clips[0]))
            .collect(),
    ));
    engines.push(("vl-vad neural".into(), per(score_neural)));
    engines.push(("vl-vad energy".into(), per(score_energy)));
    engines.push(("earshot 1.2.2".into(), per(score_earshot)));
    if silero {
        let scored = run_silero(root, &conditions, &clips)?;
        engines.push((
            format!("Silero v{SILERO_VERSION}"),
            scored.into_iter().map(|s| s.scores).collect(),
        ));
    }
    let mut rows = Vec::new();
    let release = Some(RELEASE_THRESHOLD);
    for (ci, c) in conditions.iter().enumerate() {
        for (name, probs) in &engines {
            let p = &probs[ci];
            let row = |mode: &str, sem: Option<&vl_vad::SemanticConfig>, rel: Option<f32>| {
                (
                    c.name.clone(),
                    format!("{name} {mode}"),
                    ev::detect(&conv, &c.clips[0], p, sem, rel),
                )
            };
            let sem = ev::semantic_config();
            rows.push(row("server_vad", None, None));
            let full = name.starts_with("vl-vad neural") || name.starts_with("Silero");
            if full || name.starts_with("earshot") {
                rows.push(row("server_vad, release 0.35", None, release));
            }
            if name.starts_with("vl-vad") || name.starts_with("Silero") {
                rows.push(row("semantic", Some(&sem), None));
            }
            if full {
                rows.push(row("semantic, release 0.35", Some(&sem), release));
            }
        }
    }
    print!(
        "{}",
        ev::table(
            &rows,
            "energy baseline server_vad",
            &[
                "vl-vad neural server_vad",
                "vl-vad neural server_vad, release 0.35",
                "vl-vad neural semantic",
                "vl-vad neural semantic, release 0.35",
                "vl-vad energy server_vad",
                "vl-vad energy semantic",
            ],
        )
    );
    if explain {
        println!("\n### Premature ends (150–400 ms pauses), where they fell\n");
        for (cond, name, e) in &rows {
            for line in &e.explain {
                println!("- {cond} | {name}: {line}");
            }
        }
    }
    Ok(())
}

/// ROC summary of one engine on one condition.
#[derive(Clone, Copy)]
struct Metrics {
    auc: f64,
    tpr1: f64,
    tpr5: f64,
}

impl Metrics {
    fn of(scores: &[f32], labels: &[bool]) -> Self {
        let mut idx: Vec<usize> = (0..scores.len()).collect();
        idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let pos = labels.iter().filter(|&&l| l).count() as f64;
        let neg = labels.len() as f64 - pos;
        // Walk thresholds from high to low, one group of tied scores at a time.
        let (mut tp, mut fp) = (0.0_f64, 0.0_f64);
        let (mut auc, mut tpr1, mut tpr5) = (0.0, 0.0, 0.0);
        let mut i = 0;
        while i < idx.len() {
            let s = scores[idx[i]];
            let (tp0, fp0) = (tp, fp);
            while i < idx.len() && scores[idx[i]] == s {
                if labels[idx[i]] {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
                i += 1;
            }
            auc += (fp - fp0) * (tp + tp0) / 2.0;
            if fp / neg <= 0.01 {
                tpr1 = tp / pos;
            }
            if fp / neg <= 0.05 {
                tpr5 = tp / pos;
            }
        }
        Self {
            auc: auc / (pos * neg),
            tpr1,
            tpr5,
        }
    }
}

fn table(conditions: &[Condition], rows: &[(String, Vec<Metrics>, f64)]) -> String {
    let mut s = String::new();
    let names: Vec<&str> = conditions.iter().map(|c| c.name.as_str()).collect();
    let _ = writeln!(s, "\n### Frame-level ROC-AUC (TEN test set)\n");
    let _ = writeln!(s, "| engine | {} | RTF |", names.join(" | "));
    let _ = writeln!(s, "|---|{}---|", "---|".repeat(names.len()));
    for (name, m, rtf) in rows {
        let cells: Vec<String> = m.iter().map(|m| format!("{:.3}", m.auc)).collect();
        let _ = writeln!(s, "| {name} | {} | {rtf:.5} |", cells.join(" | "));
    }
    let _ = writeln!(s, "\n### TPR at 1 % / 5 % FPR\n");
    let _ = writeln!(s, "| engine | {} |", names.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(names.len()));
    for (name, m, _) in rows {
        let cells: Vec<String> = m
            .iter()
            .map(|m| format!("{:.3} / {:.3}", m.tpr1, m.tpr5))
            .collect();
        let _ = writeln!(s, "| {name} | {} |", cells.join(" | "));
    }
    if let Some((ours, om, ortf)) = rows.first() {
        let _ = writeln!(
            s,
            "\n### Ratios: {ours} / anchor (AUC per condition; RTF)\n"
        );
        let _ = writeln!(s, "| anchor | {} | RTF |", names.join(" | "));
        let _ = writeln!(s, "|---|{}---|", "---|".repeat(names.len()));
        for (name, m, rtf) in rows.iter().skip(1) {
            let cells: Vec<String> = om
                .iter()
                .zip(m)
                .map(|(o, a)| format!("{:.3}", o.auc / a.auc))
                .collect();
            let _ = writeln!(s, "| {name} | {} | {:.3} |", cells.join(" | "), ortf / rtf);
        }
    }
    s
}

fn score_condition(c: &Condition, clips: &[Clip], f: fn(&[f32], &[bool]) -> Scored) -> Scored {
    let mut all = Scored {
        scores: Vec::new(),
        seconds: 0.0,
    };
    for (audio, clip) in c.clips.iter().zip(clips) {
        let s = f(audio, &clip.labels);
        all.scores.extend(s.scores);
        all.seconds += s.seconds;
    }
    all
}

/// Maps per-engine-frame scores (frame = `frame` samples) to the 10 ms grid of `n` frames.
fn to_grid(engine: &[f32], frame: usize, n: usize) -> Vec<f32> {
    (0..n)
        .map(|t| {
            let k = (t * HOP + HOP / 2) / frame;
            engine.get(k).copied().unwrap_or(0.0)
        })
        .collect()
}

fn run_frames(audio: &[f32], frame: usize, mut f: impl FnMut(&[f32]) -> f32) -> (Vec<f32>, f64) {
    let mut out = Vec::with_capacity(audio.len() / frame + 1);
    let start = cpu_time::ThreadTime::now();
    for chunk in audio.chunks_exact(frame) {
        out.push(f(chunk));
    }
    (out, start.elapsed().as_secs_f64())
}

fn score_neural(audio: &[f32], labels: &[bool]) -> Scored {
    let Ok(mut c) = vl_vad::NeuralClassifier::new(16_000) else {
        return Scored {
            scores: vec![0.0; labels.len()],
            seconds: 0.0,
        };
    };
    let (s, seconds) = run_frames(audio, HOP, |f| c.process(f).unwrap_or(0.0));
    Scored {
        scores: to_grid(&s, HOP, labels.len()),
        seconds,
    }
}

fn score_energy(audio: &[f32], labels: &[bool]) -> Scored {
    let Ok(mut c) = vl_vad::FrameClassifier::new(16_000) else {
        return Scored {
            scores: vec![0.0; labels.len()],
            seconds: 0.0,
        };
    };
    let (s, seconds) = run_frames(audio, HOP, |f| c.process(f).unwrap_or(0.0));
    Scored {
        scores: to_grid(&s, HOP, labels.len()),
        seconds,
    }
}

fn score_earshot(audio: &[f32], labels: &[bool]) -> Scored {
    let mut d = earshot::Detector::default();
    let (s, seconds) = run_frames(audio, 256, |f| d.predict_f32(f));
    Scored {
        scores: to_grid(&s, 256, labels.len()),
        seconds,
    }
}

/// Writes every clip of every condition as raw f32, runs `crates/vl-vad/train/silero.py` over
/// them and reads the per-32 ms probabilities back.
fn run_silero(
    root: &Path,
    conditions: &[Condition],
    clips: &[Clip],
) -> Result<Vec<Scored>, String> {
    let venv = root.join(".venv-eval-vad");
    let python = venv.join("bin/python");
    let model = venv.join("silero_vad.onnx");
    let script = root.join("crates/vl-vad/train/silero.py");
    if !python.exists() {
        cmd::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    if !model.exists() {
        cmd::run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "-q",
            &format!("numpy=={NUMPY_VERSION}"),
            &format!("onnxruntime=={ONNXRUNTIME_VERSION}"),
        ]))?;
        let wheels = venv.join("wheels");
        cmd::run(
            Command::new(&python)
                .args(["-m", "pip", "download", "-q", "--no-deps"])
                .arg(format!("silero-vad=={SILERO_VERSION}"))
                .arg("-d")
                .arg(&wheels),
        )?;
        let wheel = std::fs::read_dir(&wheels)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
            .ok_or("no silero-vad wheel downloaded")?;
        cmd::run(
            Command::new(&python)
                .arg("-c")
                .arg("import sys; sys.path.insert(0, sys.argv[1]); import silero; silero.extract_model(sys.argv[2], sys.argv[3])")
                .arg(script.parent().ok_or("script path")?)
                .arg(&wheel)
                .arg(&model),
        )?;
    }
    let work = std::env::temp_dir().join(format!("vl-eval-vad-{}", std::process::id()));
    let (inp, out) = (work.join("in"), work.join("out"));
    std::fs::create_dir_all(&inp).map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    for c in conditions {
        for (i, audio) in c.clips.iter().enumerate() {
            let bytes: Vec<u8> = audio.iter().flat_map(|x| x.to_le_bytes()).collect();
            std::fs::write(inp.join(format!("{i:03}.f32")), bytes).map_err(|e| e.to_string())?;
        }
        let output = Command::new(&python)
            .arg(&script)
            .arg(&model)
            .arg(&inp)
            .arg(&out)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !output.status.success() {
            return Err(format!(
                "silero.py failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let seconds = stdout
            .lines()
            .find_map(|l| l.strip_prefix("onnx_seconds="))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .ok_or("silero.py printed no onnx_seconds")?;
        let mut scores = Vec::new();
        for (i, clip) in clips.iter().enumerate() {
            let bytes =
                std::fs::read(out.join(format!("{i:03}.f32"))).map_err(|e| e.to_string())?;
            let p: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            scores.extend(to_grid(&p, 512, clip.labels.len()));
        }
        results.push(Scored { scores, seconds });
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(results)
}

fn read_wav(path: &Path) -> Result<Vec<f32>, String> {
    let mut r = hound::WavReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec = r.spec();
    if spec.sample_rate as usize != RATE || spec.channels != 1 || spec.bits_per_sample != 16 {
        return Err(format!("{}: expected 16 kHz mono PCM16", path.display()));
    }
    r.samples::<i16>()
        .map(|s| s.map(|v| f32::from(v) / 32768.0))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn load_ten(dir: &Path, max_files: usize) -> Result<Vec<Clip>, String> {
    let mut clips = Vec::new();
    for n in 1..=30 {
        if clips.len() >= max_files {
            break;
        }
        let audio = read_wav(&dir.join(format!("testset-audio-{n:02}.wav")))?;
        let scv = std::fs::read_to_string(dir.join(format!("testset-audio-{n:02}.scv")))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let fields: Vec<&str> = scv.trim().split(',').skip(1).collect();
        let segs: Vec<(f64, f64, bool)> = fields
            .chunks_exact(3)
            .filter_map(|t| {
                Some((
                    t[0].trim().parse().ok()?,
                    t[1].trim().parse().ok()?,
                    t[2].trim() == "1",
                ))
            })
            .collect();
        let frames = audio.len() / HOP;
        let labels = (0..frames)
            .map(|t| {
                let time = (t * HOP + HOP / 2) as f64 / RATE as f64;
                segs.iter()
                    .find(|(a, b, _)| time >= *a && time < *b)
                    .is_some_and(|s| s.2)
            })
            .collect();
        clips.push(Clip { audio, labels });
    }
    Ok(clips)
}

fn load_noise(dir: &Path, scene: &str) -> Result<Vec<f32>, String> {
    Ok(super::mix::scene_noise(dir, scene)?.1)
}

/// SplitMix64: the fixed-seed source of noise offsets.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn mix_all(clips: &[Clip], noises: &[Vec<f32>], snr_db: f64) -> Vec<Vec<f32>> {
    let mut rng = SEED;
    clips
        .iter()
        .enumerate()
        .map(|(i, clip)| {
            let noise = &noises[i % noises.len()];
            let offset = (splitmix(&mut rng) % noise.len() as u64) as usize;
            super::mix::add_noise_at_snr(&clip.audio, &clip.labels, HOP, noise, offset, snr_db)
        })
        .collect()
}
