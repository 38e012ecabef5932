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
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let binary = target_dir().join("release/vl-server");
        let log = std::fs::File::create(target_dir().join("vl-server-xtask.log"))
            .map_err(|e| format!("server log: {e}"))?;
        let child = Command::new(&binary)
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
    let dsp = match args.iter().position(|a| a == "--dsp") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    if let Some(extra) = args.first() {
        return Err(format!(
            "load: unknown argument `{extra}`; usage: load --sessions N --seconds S [--dsp] [--out DIR] [-- SERVER FLAGS]"
        ));
    }
    build_release(&["vl-server", "vl-load"])?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let server = Server::start(&server_flags)?;
    let tag = format!("{sessions}x{seconds}{}", if dsp { "-dsp" } else { "" });
    let report = out.join(format!("load-{tag}.json"));
    let plot = out.join(format!("load-{tag}.png"));
    let result = cmd::run(
        Command::new(target_dir().join("release/vl-load"))
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
    result
}
