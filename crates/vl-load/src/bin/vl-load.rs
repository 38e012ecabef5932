//! `vl-load`: opens N sessions against a running vl-server, streams recorded prompts in real time
//! with server VAD on, and writes a JSON report (and a PNG plot). `vl-load --help` lists the flags.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use vl_load::client::LoadConfig;

/// Load generator for vl-server.
#[derive(Debug, Parser)]
#[command(name = "vl-load", version, about)]
struct Args {
    /// WebSocket URL with query
    #[arg(
        long,
        default_value = "ws://127.0.0.1:8080/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime"
    )]
    url: String,
    /// Concurrent sessions
    #[arg(long, default_value_t = 10)]
    sessions: usize,
    /// Streaming seconds per session
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Seconds over which the sessions connect
    #[arg(long, default_value_t = 2.0)]
    ramp: f64,
    /// Seconds between `session.update` probes of each session
    #[arg(long, default_value_t = 2.0)]
    probe_interval: f64,
    /// Server VAD silence_duration_ms
    #[arg(long, default_value_t = 500)]
    silence_ms: u64,
    /// Folder of 16-bit WAV prompts (resampled to 24 kHz)
    #[arg(long, default_value = "/usr/share/asterisk/sounds/en")]
    audio_dir: PathBuf,
    /// Most prompts in the audio loop
    #[arg(long, default_value_t = 24)]
    prompts: usize,
    /// Silence after each prompt, in ms
    #[arg(long, default_value_t = 1500)]
    gap_ms: u64,
    /// The server's pid, to sample RSS/CPU/threads/fds from /proc
    #[arg(long)]
    server_pid: Option<u32>,
    /// API key sent as the `api-key` header (or VL_LOAD_API_KEY)
    #[arg(long, env = "VL_LOAD_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// JSON report path
    #[arg(long, default_value = "vl-load-report.json")]
    report: PathBuf,
    /// PNG plot path (feature `plot`)
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Churn `MIN,MAX`: each session lives MIN-MAX s (seeded), then a new one replaces it
    #[arg(long, value_parser = parse_churn)]
    churn: Option<(f64, f64)>,
    /// Turn the server's noise suppression and echo cancellation on
    #[arg(long)]
    dsp: bool,
    /// Client worker threads
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn parse_churn(text: &str) -> Result<(f64, f64), String> {
    let (a, b) = text.split_once(',').ok_or("expected MIN,MAX in seconds")?;
    let a: f64 = a.trim().parse().map_err(|_| "MIN is not a number")?;
    let b: f64 = b.trim().parse().map_err(|_| "MAX is not a number")?;
    if a <= 0.0 || b < a {
        return Err("expected 0 < MIN <= MAX".into());
    }
    Ok((a, b))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let files = vl_load::audio::wav_files(&args.audio_dir)?;
    let script = Arc::new(vl_load::audio::build_script(
        &files,
        args.prompts,
        args.gap_ms,
    )?);
    let cfg = LoadConfig {
        url: args.url.clone(),
        sessions: args.sessions,
        seconds: args.seconds,
        ramp: Duration::from_secs_f64(args.ramp.max(0.0)),
        probe_interval: Duration::from_secs_f64(args.probe_interval.max(0.05)),
        silence_ms: args.silence_ms,
        api_key: args.api_key.clone(),
        server_pid: args.server_pid,
        idle_wait: Duration::from_secs(2),
        churn: args.churn,
        dsp: args.dsp,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let report = rt.block_on(vl_load::client::run(cfg, script));
    std::fs::write(&args.report, serde_json::to_string_pretty(&report)?)?;
    print!("{}", report.summary_text());
    println!("  report: {}", args.report.display());
    if let Some(path) = &args.plot {
        #[cfg(feature = "plot")]
        {
            vl_load::plot::draw(&report, path)?;
            println!("  plot: {}", path.display());
        }
        #[cfg(not(feature = "plot"))]
        eprintln!(
            "vl-load: built without feature `plot`; {} not drawn",
            path.display()
        );
    }
    if report.error_total() > 0 || report.sessions_opened < report.sessions {
        std::process::exit(1);
    }
    Ok(())
}
