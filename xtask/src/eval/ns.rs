//! `cargo xtask eval ns [--out DIR] [--no-dnsmos] [--sets scenes,heldout,tune]`: vl-dsp's
//! noise suppressor against RNNoise (`nnnoiseless`, at 48 kHz through vl-codec's resampler),
//! the speexdsp preprocessor, WebRTC NS at levels High and VeryHigh (the `sonora` port of APM,
//! NS alone at 16 kHz) and DeepFilterNet3 (the server's deep mode through vl-deepfilter at
//! 16 kHz; `cargo xtask models --only deepfilter` first), with the nine real noises of `$VL_TEST_DATA/noise` (noise =
//! mixture − clean) remixed at 0/5/10 dB SNR under speech at −26 dBFS, plus clean input (do no
//! harm). Speech sets: `scenes` = the scenes' own clean speech; `heldout` = Debian asterisk
//! G.722 prompts in es/fr/it/ru (never tuned on); `tune` = asterisk English prompts with the
//! noises reversed in time (the split the suppressor's constants were tuned on). G.722 is
//! decoded by PyPI `G722`. Metrics: PESQ-WB (PyPI `pesq`), STOI (`pystoi`), SI-SDR (own code),
//! DNSMOS P.835 OVRL/SIG/BAK (`speechmos`, offline; needs librosa; a failure stops the run with
//! the reason, `--no-dnsmos` skips it), output level change, each output aligned to the clean
//! reference by cross-correlation. Python runs in a venv this command creates
//! (`.venv-eval-dsp`). Writes `DIR/summary.md` (default `artifacts/ns`).

#[path = "../../../crates/vl-dsp/tests/common/mod.rs"]
pub(super) mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{read_wav, si_sdr_db, write_wav};

use crate::cmd;

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

/// PESQ-WB, STOI and (optionally) DNSMOS per (reference, degraded) pair, one line per pair in
/// input order. Cost: DNSMOS P.835 scores every 9.01 s window at a 1 s hop (7 windows of a 15 s
/// clip, each through two ONNX models, ~0.5 s per window on a loaded 2-core machine), which made
/// a sequential run of several hundred files take over an hour; onnxruntime's default thread
/// pool (spinning threads, one per core) also competes with itself and everything else on a
/// shared machine. So the pairs go to a pool of worker processes (`VL_EVAL_JOBS`, default the
/// number of CPUs), each loading the ONNX sessions once with one intra-op thread and no
/// spinning, and scoring its pairs with speechmos' own `dnsmos.run` (the metric is unchanged).
/// Scores are cached in `metrics-cache.tsv` next to the pairs list, keyed by a SHA-256 of this
/// script, both files and the DNSMOS flag, so a rerun scores only the outputs that changed.
const METRICS_SCRIPT: &str = r#"
import sys, os, wave, numpy as np
want_dnsmos = sys.argv[2] == "1"
def init():
    global pesq, stoi, dnsmos
    from pesq import pesq
    from pystoi import stoi
    if want_dnsmos:
        try:
            import onnxruntime as ort
            from speechmos import dnsmos
        except Exception as e:
            sys.exit(f"DNSMOS requested but `from speechmos import dnsmos` failed: {e!r} "
                     "(the venv needs speechmos, onnxruntime and librosa; or pass --no-dnsmos)")
        d = os.path.join(os.path.dirname(os.path.abspath(dnsmos.__file__)), "dnsmos_models")
        primary = os.path.join(d, "sig_bak_ovr.onnx")
        model = dnsmos.DNSMOS(primary, os.path.join(d, "model_v8.onnx"))
        o = ort.SessionOptions()
        o.intra_op_num_threads = 1
        o.inter_op_num_threads = 1
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
        cpu = ["CPUExecutionProvider"]
        model.onnx_sess = ort.InferenceSession(primary, o, providers=cpu)
        model.p808_onnx_sess = ort.InferenceSession(os.path.join(d, "model_v8.onnx"), o, providers=cpu)
        dnsmos.dnsmos = model  # dnsmos.run reuses the module's instance for the same model path
def load(p):
    with wave.open(p) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768.0
    return x
def score(line):
    ref_p, deg_p = line.rstrip("\n").split("\t")
    r, d = load(ref_p), load(deg_p)
    n = min(len(r), len(d)); r, d = r[:n], d[:n]
    try: p = pesq(16000, r, d, 'wb')
    except Exception: p = float('nan')
    s = stoi(r, d, 16000, extended=False)
    o = sg = b = float('nan')
    if want_dnsmos:
        try:
            m = dnsmos.run(np.clip(d, -1, 1), sr=16000)
            o, sg, b = m['ovrl_mos'], m['sig_mos'], m['bak_mos']
        except Exception as e:
            return f"ERROR DNSMOS failed on {deg_p}: {e!r}"
    return f"{p} {s} {o} {sg} {b}"
if __name__ == "__main__":
    import hashlib, multiprocessing as mp
    lines = [l for l in open(sys.argv[1]) if l.strip()]
    # Cache of earlier scores keyed by the two files' bytes and the DNSMOS flag: a rerun that
    # only changes one engine scores only that engine's files.
    cache_p = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "metrics-cache.tsv")
    cache = {}
    if os.path.exists(cache_p):
        for l in open(cache_p):
            k, _, v = l.rstrip("\n").partition("\t")
            if v: cache[k] = v
    def key(line):
        h = hashlib.sha256(sys.argv[2].encode() + open(__file__, "rb").read())
        for p in line.rstrip("\n").split("\t"):
            h.update(open(p, "rb").read())
        return h.hexdigest()
    keys = [key(l) for l in lines]
    todo = [i for i, k in enumerate(keys) if k not in cache]
    print(f"metrics: {len(lines) - len(todo)} of {len(lines)} pairs cached", file=sys.stderr, flush=True)
    jobs = int(os.environ.get("VL_EVAL_JOBS", "0")) or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    if want_dnsmos:
        try:
            import onnxruntime, librosa
            from speechmos import dnsmos
        except Exception as e:
            sys.exit(f"DNSMOS requested but `from speechmos import dnsmos` failed: {e!r} "
                     "(the venv needs speechmos, onnxruntime and librosa; or pass --no-dnsmos)")
    if jobs == 1:
        init()
        results = map(score, (lines[i] for i in todo))
    else:
        pool = mp.get_context("fork").Pool(jobs, initializer=init)
        results = pool.imap(score, (lines[i] for i in todo), chunksize=1)
    with open(cache_p, "a") as cf:
        for n, (i, res) in enumerate(zip(todo, results)):
            if res.startswith("ERROR "):
                sys.exit(res[6:])
            cache[keys[i]] = res
            cf.write(f"{keys[i]}\t{res}\n"); cf.flush()
            if (n + 1) % 50 == 0:
                print(f"metrics: {n + 1}/{len(todo)}", file=sys.stderr, flush=True)
    for k in keys:
        print(cache[k], flush=True)
"#;

/// Per-file quality metrics from the Python side.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PyMetrics {
    pub(super) pesq: f64,
    pub(super) stoi: f64,
    pub(super) ovrl: f64,
    pub(super) sig: f64,
    pub(super) bak: f64,
}

/// The metrics venv, created with pip on first use.
pub(super) fn venv_python() -> Result<PathBuf, String> {
    let root = cmd::project_root();
    let venv = root.join(".venv-eval-dsp");
    let python = venv.join("bin/python");
    let ok = Command::new(&python)
        .args([
            "-c",
            "import pesq, pystoi, onnxruntime, librosa, G722; from speechmos import dnsmos",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        cmd::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        cmd::run(Command::new(venv.join("bin/pip")).args([
            "install",
            "-q",
            "numpy",
            "scipy",
            "pesq==0.0.4",
            "pystoi==0.4.1",
            "speechmos==0.0.1.1",
            "onnxruntime",
            "librosa==0.11.0",
            "G722==1.2.8",
        ]))?;
    }
    Ok(python)
}

/// PESQ-WB/STOI/DNSMOS for (reference, degraded) WAV pairs.
pub(super) fn py_metrics(
    pairs: &[(PathBuf, PathBuf)],
    dnsmos: bool,
    dir: &Path,
) -> Result<Vec<PyMetrics>, String> {
    let python = venv_python()?;
    let list = dir.join("pairs.txt");
    let mut text = String::new();
    for (r, d) in pairs {
        let _ = writeln!(text, "{}\t{}", r.display(), d.display());
    }
    std::fs::write(&list, text).map_err(|e| e.to_string())?;
    let script = dir.join("metrics.py");
    std::fs::write(&script, METRICS_SCRIPT).map_err(|e| e.to_string())?;
    eprintln!("$ {} metrics.py ({} pairs)", python.display(), pairs.len());
    let out = Command::new(&python)
        .arg(&script)
        .arg(&list)
        .arg(if dnsmos { "1" } else { "0" })
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("python: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "metrics.py failed ({}; its stderr is above)",
            out.status
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut res = Vec::new();
    for line in stdout.lines() {
        let v: Vec<f64> = line
            .split_whitespace()
            .map(|t| t.parse().unwrap_or(f64::NAN))
            .collect();
        if let [pesq, stoi, ovrl, sig, bak] = v[..] {
            res.push(PyMetrics {
                pesq,
                stoi,
                ovrl,
                sig,
                bak,
            });
        }
    }
    if res.len() != pairs.len() {
        return Err(format!(
            "metrics.py returned {} rows for {} pairs",
            res.len(),
            pairs.len()
        ));
    }
    Ok(res)
}

/// Lag (0..max) maximising the cross-correlation of `out` against `reference`, over the
/// loudest second of the reference (the scenes start with seconds of silence).
pub(super) fn best_lag(reference: &[f32], out: &[f32], max: usize) -> usize {
    let win = 16_000usize;
    let usable = reference.len().min(out.len()).saturating_sub(max + win);
    let mut start = 0;
    let mut best_e = -1.0f64;
    for s0 in (0..usable).step_by(1600) {
        let e: f64 = reference[s0..s0 + win]
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum();
        if e > best_e {
            best_e = e;
            start = s0;
        }
    }
    let n = win.min(reference.len().saturating_sub(start + max));
    let mut best = (0, f64::NEG_INFINITY);
    for lag in 0..max {
        let c: f64 = reference[start..start + n]
            .iter()
            .zip(&out[start + lag..start + lag + n])
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        if c > best.1 {
            best = (lag, c);
        }
    }
    best.0
}

type Engine = fn(&[f32]) -> Result<Vec<f32>, String>;

fn ours(x: &[f32]) -> Result<Vec<f32>, String> {
    let mut ns = vl_dsp::NoiseSuppressor::default();
    let mut out = x.to_vec();
    for f in out.chunks_exact_mut(vl_dsp::FRAME_LEN) {
        ns.process(f).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn rnnoise(x: &[f32]) -> Result<Vec<f32>, String> {
    let mut up = vl_codec::Resampler::new(16_000, 48_000).map_err(|e| e.to_string())?;
    let mut down = vl_codec::Resampler::new(48_000, 16_000).map_err(|e| e.to_string())?;
    let mut x48 = Vec::new();
    up.process_into(x, &mut x48);
    let mut st = nnnoiseless::DenoiseState::new();
    let frame = nnnoiseless::DenoiseState::FRAME_SIZE;
    let mut y48 = vec![0.0f32; x48.len()];
    let mut inb = vec![0.0f32; frame];
    let mut outb = vec![0.0f32; frame];
    for (i, o) in x48.chunks_exact(frame).zip(y48.chunks_exact_mut(frame)) {
        for (a, &b) in inb.iter_mut().zip(i) {
            *a = b * 32768.0;
        }
        st.process_frame(&mut outb, &inb);
        for (a, &b) in o.iter_mut().zip(&outb) {
            *a = b / 32768.0;
        }
    }
    let mut y = Vec::new();
    down.process_into(&y48, &mut y);
    Ok(y)
}

fn speex(x: &[f32]) -> Result<Vec<f32>, String> {
    let mut st = speexdsp_ffi::SpeexDenoise::new(vl_dsp::FRAME_LEN).ok_or("speex init")?;
    let mut out = x.to_vec();
    let mut buf = vec![0i16; vl_dsp::FRAME_LEN];
    for f in out.chunks_exact_mut(vl_dsp::FRAME_LEN) {
        speexdsp_ffi::to_i16(f, &mut buf);
        st.process(&mut buf);
        speexdsp_ffi::to_f32(&buf, f);
    }
    Ok(out)
}

/// DeepFilterNet3 through vl-deepfilter at 16 kHz (the server's deep mode), library and model
/// from `cargo xtask models --only deepfilter` (loaded once).
fn deepfilter(x: &[f32]) -> Result<Vec<f32>, String> {
    static RT: std::sync::OnceLock<Result<std::sync::Arc<vl_deepfilter::Runtime>, String>> =
        std::sync::OnceLock::new();
    let rt = RT
        .get_or_init(|| {
            vl_deepfilter::Runtime::load(&vl_deepfilter::Paths::in_models_dir(
                &crate::models::models_dir(),
            ))
            .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)?;
    let mut ns = rt
        .stream(vl_deepfilter::Config::default())
        .map_err(|e| e.to_string())?;
    let mut out = x.to_vec();
    for f in out.chunks_exact_mut(vl_deepfilter::FRAME_LEN) {
        ns.process(f).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// WebRTC NS (APM via sonora, NS alone; settings in `webrtc.rs`) at level High.
fn webrtc_ns_high(x: &[f32]) -> Result<Vec<f32>, String> {
    super::webrtc::ns(x, sonora::config::NoiseSuppressionLevel::High)
}

/// WebRTC NS at level VeryHigh.
fn webrtc_ns_very_high(x: &[f32]) -> Result<Vec<f32>, String> {
    super::webrtc::ns(x, sonora::config::NoiseSuppressionLevel::VeryHigh)
}

fn noisy(x: &[f32]) -> Result<Vec<f32>, String> {
    Ok(x.to_vec())
}

const DECODE_SCRIPT: &str = r#"
import sys, wave, G722
out_dir = sys.argv[2]
for i, line in enumerate(open(sys.argv[1])):
    pcm = G722.G722(16000, 64000).decode(open(line.strip(), 'rb').read())
    with wave.open(f"{out_dir}/{i}.wav", 'wb') as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(pcm.tobytes())
"#;

/// Speech material: the scenes' own speech, or asterisk G.722 prompts of some languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpeechSet {
    /// The DPDFNet scenes' clean speech (one language each) with their own noise.
    Scenes,
    /// Asterisk G.722 prompts in es/fr/it/ru (not tuned on), one 15 s clip per noise scene.
    HeldOut,
    /// Asterisk G.722 English prompts: the split to tune on.
    Tune,
}

impl SpeechSet {
    fn name(self) -> &'static str {
        match self {
            Self::Scenes => "scenes",
            Self::HeldOut => "heldout",
            Self::Tune => "tune",
        }
    }
}

/// 15 s clips of asterisk G.722 prompts (decoded to 16 kHz by PyPI `G722`), prompts drawn with
/// a fixed seed, 0.3 s of silence between prompts; `count` clips of `len` samples.
fn asterisk_clips(
    langs: &[&str],
    seed: u64,
    count: usize,
    len: usize,
    dir: &Path,
) -> Result<Vec<Vec<f32>>, String> {
    let mut files = Vec::new();
    for lang in langs {
        let d = PathBuf::from("/usr/share/asterisk/sounds").join(lang);
        let rd = std::fs::read_dir(&d).map_err(|e| {
            format!(
                "{}: {e} (apt-get install asterisk-core-sounds-{lang}-g722)",
                d.display()
            )
        })?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "g722"))
            .collect();
        v.sort();
        files.extend(v);
    }
    if files.is_empty() {
        return Err(format!("no .g722 prompts for {langs:?}"));
    }
    let mut rng = common::Rng::new(seed);
    // Enough prompts for all clips (prompts are 1–4 s long), drawn without replacement.
    let mut chosen = Vec::new();
    let want = (count * len / 16_000).max(1);
    while chosen.len() < want.min(files.len()) {
        let i = (rng.uniform() * files.len() as f32) as usize % files.len();
        chosen.push(files.swap_remove(i));
    }
    let dec = dir.join(format!("g722-{}-{seed}", langs.join("")));
    std::fs::create_dir_all(&dec).map_err(|e| e.to_string())?;
    let list = dec.join("list.txt");
    let text: String = chosen
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    let fresh = std::fs::read_to_string(&list).ok().as_deref() != Some(text.as_str());
    if fresh {
        std::fs::write(&list, &text).map_err(|e| e.to_string())?;
        let script = dec.join("decode.py");
        std::fs::write(&script, DECODE_SCRIPT).map_err(|e| e.to_string())?;
        cmd::run(
            Command::new(venv_python()?)
                .arg(&script)
                .arg(&list)
                .arg(&dec),
        )?;
    }
    let mut clips = Vec::new();
    let mut cur = Vec::new();
    for i in 0..chosen.len() {
        let (_, x) = read_wav(&dec.join(format!("{i}.wav")))?;
        cur.extend(x);
        cur.extend(std::iter::repeat_n(0.0, 4800));
        if cur.len() >= len {
            cur.truncate(len);
            clips.push(std::mem::take(&mut cur));
            if clips.len() == count {
                break;
            }
        }
    }
    if clips.len() < count {
        return Err(format!(
            "only {} clips of speech for {langs:?}",
            clips.len()
        ));
    }
    Ok(clips)
}

/// One clip: (name, clean speech at −26 dBFS, noise at the speech's power).
type Clip = (String, Vec<f32>, Vec<f32>);

/// The clips of a set.
fn material(set: SpeechSet, dir: &Path) -> Result<Vec<Clip>, String> {
    let data = common::data_dir().join("noise");
    let mut scenes = Vec::new();
    for scene in SCENES {
        let (mut clean, mut noise) = super::mix::scene_noise(&data, scene)?;
        let n = clean.len() / vl_dsp::FRAME_LEN * vl_dsp::FRAME_LEN;
        clean.truncate(n);
        noise.truncate(n);
        scenes.push((scene, clean, noise));
    }
    let n = scenes.iter().map(|s| s.1.len()).min().unwrap_or(0);
    let speech: Vec<Vec<f32>> = match set {
        SpeechSet::Scenes => scenes.iter().map(|s| s.1.clone()).collect(),
        SpeechSet::HeldOut => asterisk_clips(&["es", "fr", "it", "ru"], 11, SCENES.len(), n, dir)?,
        SpeechSet::Tune => {
            let mut c = asterisk_clips(&["en"], 5, SCENES.len(), n, dir)?;
            // Tune on the other half of each noise: reverse it in time.
            for (_, _, noise) in scenes.iter_mut() {
                noise.reverse();
            }
            c.truncate(SCENES.len());
            c
        }
    };
    let mut out = Vec::new();
    for ((scene, _, noise), sp) in scenes.into_iter().zip(speech) {
        let len = sp.len().min(noise.len());
        let pc = common::power(&sp[..len]);
        let level = (10f64.powf(-26.0 / 10.0) / pc).sqrt() as f32;
        let clean: Vec<f32> = sp[..len].iter().map(|v| v * level).collect();
        let gn = (10f64.powf(-26.0 / 10.0) / common::power(&noise[..len])).sqrt() as f32;
        let noise: Vec<f32> = noise[..len].iter().map(|v| v * gn).collect();
        out.push((scene.to_string(), clean, noise));
    }
    Ok(out)
}

/// Runs the evaluation.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut out_dir = cmd::project_root().join("artifacts/ns");
    let mut dnsmos = true;
    let mut sets = vec![SpeechSet::Scenes, SpeechSet::HeldOut];
    let usage = "usage: eval ns [--out DIR] [--no-dnsmos] [--sets scenes,heldout,tune]";
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out_dir = PathBuf::from(it.next().ok_or("--out takes a directory")?),
            "--no-dnsmos" => dnsmos = false,
            "--sets" => {
                sets = it
                    .next()
                    .ok_or("--sets takes a list")?
                    .split(',')
                    .map(|s| match s {
                        "scenes" => Ok(SpeechSet::Scenes),
                        "heldout" => Ok(SpeechSet::HeldOut),
                        "tune" => Ok(SpeechSet::Tune),
                        o => Err(format!("unknown set `{o}`; {usage}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            other => return Err(format!("unknown flag `{other}`; {usage}")),
        }
    }
    let wav_dir = out_dir.join("wav");
    std::fs::create_dir_all(&wav_dir).map_err(|e| e.to_string())?;
    let engines: [(&str, Engine); 7] = [
        ("noisy", noisy),
        ("speexdsp", speex),
        ("WebRTC NS high", webrtc_ns_high),
        ("WebRTC NS very-high", webrtc_ns_very_high),
        ("RNNoise", rnnoise),
        ("DeepFilterNet3", deepfilter),
        ("vl-dsp", ours),
    ];
    let conditions: [(&str, Option<f64>); 4] = [
        ("0 dB", Some(0.0)),
        ("5 dB", Some(5.0)),
        ("10 dB", Some(10.0)),
        ("clean", None),
    ];
    let mut pairs = Vec::new();
    let mut keys = Vec::new();
    let mut sdr = Vec::new();
    let mut levels = Vec::new();
    for (si, &set) in sets.iter().enumerate() {
        for (clip, clean, noise) in material(set, &out_dir)? {
            let n = clean.len();
            let ref_path = wav_dir.join(format!("{}_{clip}_ref.wav", set.name()));
            write_wav(&ref_path, 16_000, &clean)?;
            for (ci, (_, snr)) in conditions.iter().enumerate() {
                let input: Vec<f32> = match snr {
                    Some(s) => {
                        let g = 10f64.powf(-s / 20.0) as f32;
                        clean.iter().zip(&noise).map(|(c, v)| c + g * v).collect()
                    }
                    None => clean.clone(),
                };
                for (ei, (ename, f)) in engines.iter().enumerate() {
                    let y = f(&input)?;
                    let lag = if ei == 0 {
                        0
                    } else {
                        best_lag(&clean, &y, 1200)
                    };
                    let aligned: Vec<f32> = y[lag..]
                        .iter()
                        .copied()
                        .chain(std::iter::repeat_n(0.0, lag))
                        .collect();
                    let path = wav_dir.join(format!(
                        "{}_{clip}_{ci}_{}.wav",
                        set.name(),
                        ename.replace(' ', "_")
                    ));
                    write_wav(&path, 16_000, &aligned)?;
                    sdr.push(si_sdr_db(&clean[..n - 1200], &aligned[..n - 1200]));
                    levels.push(
                        10.0 * (common::power(&aligned[..n - 1200])
                            / common::power(&input[..n - 1200]))
                        .log10(),
                    );
                    pairs.push((ref_path.clone(), path));
                    keys.push((si, ci, ei, lag));
                }
            }
            eprintln!("{} {clip}: done", set.name());
        }
    }
    let m = py_metrics(&pairs, dnsmos, &out_dir)?;
    let mut table = String::new();
    for (si, &set) in sets.iter().enumerate() {
        let _ = writeln!(
            table,
            "\n### speech set `{}`\n\n| input | engine | PESQ-WB | STOI | SI-SDR dB | DNSMOS OVRL / SIG / BAK | level out/in dB | delay (samples) | PESQ / RNNoise | STOI / RNNoise | SI-SDR − RNNoise dB | OVRL / RNNoise |\n|---|---|---|---|---|---|---|---|---|---|---|---|",
            set.name()
        );
        for (ci, (cname, _)) in conditions.iter().enumerate() {
            let mut rows = Vec::new();
            for (ei, (ename, _)) in engines.iter().enumerate() {
                let idx: Vec<usize> = keys
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| k.0 == si && k.1 == ci && k.2 == ei)
                    .map(|(i, _)| i)
                    .collect();
                let avg = |f: &dyn Fn(usize) -> f64| {
                    idx.iter().map(|&i| f(i)).sum::<f64>() / idx.len() as f64
                };
                let r = [
                    avg(&|i| m[i].pesq),
                    avg(&|i| m[i].stoi),
                    avg(&|i| sdr[i]),
                    avg(&|i| m[i].ovrl),
                    avg(&|i| m[i].sig),
                    avg(&|i| m[i].bak),
                    avg(&|i| keys[i].3 as f64),
                    avg(&|i| levels[i]),
                ];
                rows.push((ename, r));
            }
            let rn = rows
                .iter()
                .find(|r| *r.0 == "RNNoise")
                .map(|r| r.1)
                .unwrap_or_default();
            for (ename, r) in &rows {
                let _ = writeln!(
                    table,
                    "| {cname} | {ename} | {:.2} | {:.3} | {:.1} | {:.2} / {:.2} / {:.2} | {:+.2} | {:.0} | {:.3} | {:.3} | {:+.1} | {:.3} |",
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[7],
                    r[6],
                    r[0] / rn[0],
                    r[1] / rn[1],
                    r[2] - rn[2],
                    r[3] / rn[3]
                );
            }
        }
    }
    println!("{table}");
    std::fs::write(out_dir.join("summary.md"), &table).map_err(|e| e.to_string())?;
    Ok(())
}
