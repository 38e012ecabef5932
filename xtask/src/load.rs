//! `cargo xtask load --sessions N --seconds S`: builds the release server and `vl-load`, starts
//! the server on a free loopback port with the scripted backend, runs the load against it, and
//! prints the summary. The JSON report and the PNG plot go to `artifacts/load/` (or `--out DIR`).
//! `vl-load` exits non-zero when a session failed to open or any unexpected error happened, so
//! the command fails then.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd;

/// The query every load session uses.
pub(crate) const QUERY: &str = "api-version=2026-07-15&model=gpt-realtime";

/// The target directory cargo builds into.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| cmd::project_root().join("target"), PathBuf::from)
}

/// Builds the release binaries of `packages`.
pub(crate) fn build_release(packages: &[&str]) -> Result<(), String> {
    let mut args = vec!["build".to_string(), "--release".into()];
    for p in packages {
        args.push("--package".into());
        args.push((*p).into());
    }
    cmd::cargo(&args)
}

/// A release `vl-server` child process on a free loopback port; killed when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    /// The address it listens on.
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts `target/release/vl-server` with `flags` and waits until `/healthz` answers.
    pub(crate) fn start(flags: &[String]) -> Result<Self, String> {
        Self::start_binary(&target_dir().join("release/vl-server"), flags)
    }

    /// Starts the vl-server at `binary` with `flags` and waits until `/healthz` answers.
    pub(crate) fn start_binary(binary: &std::path::Path, flags: &[String]) -> Result<Self, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::fs::File::create(target_dir().join("vl-server-xtask.log"))
            .map_err(|e| format!("server log: {e}"))?;
        let child = Command::new(binary)
            .arg("--listen")
            .arg(addr.to_string())
            .args(flags)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if http_get(addr, "/healthz").is_ok_and(|r| r.starts_with("HTTP/1.1 200")) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("vl-server did not become healthy within 20 s".into())
    }

    /// The server's pid.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The WebSocket URL of the Voice Live endpoint.
    pub(crate) fn url(&self) -> String {
        format!("ws://{}/voice-live/realtime?{QUERY}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET; the whole response as text.
pub(crate) fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

/// Takes `--name VALUE` out of `args`.
pub(crate) fn take_flag(args: &mut Vec<String>, name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    args.remove(i);
    (i < args.len()).then(|| args.remove(i))
}

/// The server event latencies `--max-p99-ms` gates (vl-load's names): a `session.update`
/// probe, the VAD's speech stop and the commit. The first audio and `response.created` wait for
/// the backends and are reported, not gated.
const GATED_LATENCIES: [&str; 3] = ["probe", "vad_stop", "commit"];

/// `cargo xtask load`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (mut args, server_flags) = match args.iter().position(|a| a == "--") {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (args.to_vec(), Vec::new()),
    };
    let sessions = take_flag(&mut args, "--sessions").unwrap_or_else(|| "200".into());
    let seconds = take_flag(&mut args, "--seconds").unwrap_or_else(|| "60".into());
    let out = take_flag(&mut args, "--out")
        .map_or_else(|| cmd::project_root().join("artifacts/load"), PathBuf::from);
    let bin_dir = take_flag(&mut args, "--bin-dir").map(PathBuf::from);
    let max_p99_ms = take_positive(&mut args, "--max-p99-ms", "ms")?;
    let max_idle_kib = take_positive(&mut args, "--max-idle-kib", "KiB")?;
    let dsp = match args.iter().position(|a| a == "--dsp") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    if let Some(extra) = args.first() {
        return Err(format!(
            "load: unknown argument `{extra}`; usage: load --sessions N --seconds S [--dsp] [--out DIR] [--bin-dir DIR] [--max-p99-ms MS] [--max-idle-kib KIB] [-- SERVER FLAGS]"
        ));
    }
    // Prebuilt binaries (CI: the test step's) or a fresh release build.
    let bin_dir = match bin_dir {
        Some(dir) => dir,
        None => {
            build_release(&["vl-server", "vl-load"])?;
            target_dir().join("release")
        }
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let server = Server::start_binary(&bin_dir.join("vl-server"), &server_flags)?;
    let tag = format!("{sessions}x{seconds}{}", if dsp { "-dsp" } else { "" });
    let report = out.join(format!("load-{tag}.json"));
    let plot = out.join(format!("load-{tag}.png"));
    let result = cmd::run(
        Command::new(bin_dir.join("vl-load"))
            .args([
                "--url",
                &server.url(),
                "--sessions",
                &sessions,
                "--seconds",
                &seconds,
            ])
            .args(["--ramp", "5", "--server-pid", &server.pid().to_string()])
            .arg("--report")
            .arg(&report)
            .arg("--plot")
            .arg(&plot)
            .args(dsp.then_some("--dsp")),
    );
    drop(server);
    result?;
    if max_p99_ms.is_some() || max_idle_kib.is_some() {
        check_gates(&report, max_p99_ms, max_idle_kib)?;
    }
    Ok(())
}

/// Takes `--name VALUE` out of `args` as a positive number (of `unit`), if it is there.
fn take_positive(args: &mut Vec<String>, name: &str, unit: &str) -> Result<Option<f64>, String> {
    take_flag(args, name)
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|x| *x > 0.0)
                .ok_or_else(|| format!("load: {name} wants a positive number of {unit}, not `{v}`"))
        })
        .transpose()
}

/// Fails when a gated latency's p99 in the JSON `report` is over `max_p99_ms`, or the idle RSS
/// per session over `max_idle_kib`; prints each figure against its limit.
fn check_gates(
    report: &std::path::Path,
    max_p99_ms: Option<f64>,
    max_idle_kib: Option<f64>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(report)
        .map_err(|e| format!("load report {}: {e}", report.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("load report {}: {e}", report.display()))?;
    let mut over = Vec::new();
    if let Some(limit) = max_p99_ms {
        for name in GATED_LATENCIES {
            let latency = &json["latency"][name];
            let (Some(p99), Some(count)) = (latency["p99_ms"].as_f64(), latency["count"].as_u64())
            else {
                over.push(format!("{name}: no samples in the report"));
                continue;
            };
            eprintln!("load gate: {name} p99 {p99:.2} ms (limit {limit} ms, n={count})");
            if p99 > limit {
                over.push(format!("{name} p99 {p99:.2} ms > {limit} ms"));
            }
        }
    }
    if let Some(limit) = max_idle_kib {
        match json["idle_rss_per_session_kib"].as_f64() {
            Some(kib) => {
                eprintln!("load gate: idle RSS per session {kib:.1} KiB (limit {limit} KiB)");
                if kib > limit {
                    over.push(format!("idle RSS per session {kib:.1} KiB > {limit} KiB"));
                }
            }
            None => over.push("idle RSS per session: not in the report (no --server-pid?)".into()),
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!("load gate failed: {}", over.join("; ")))
    }
}
