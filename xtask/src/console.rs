//! `cargo xtask console [build|check|test|ci]` and the CI step [`ci`]: the browser console in
//! `console/` (npm toolchain: esbuild + TypeScript, playwright-core for the browser test).
//!
//! The built bundle `console/dist/` is committed and embedded in vl-server, so `cargo build`
//! never needs Node; CI checks that rebuilding the sources reproduces it byte for byte and runs
//! the browser test against the real binary in Debian's Chromium.

use std::path::PathBuf;
use std::process::Command;

use crate::cmd;

/// The browser the end-to-end test drives (Debian package `chromium`).
const CHROMIUM: &str = "/usr/bin/chromium";

/// `cargo xtask console [build|check|test|ci]`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("build") => {
            npm_ci()?;
            npm(&["run", "build"])
        }
        Some("check") | None => check(),
        Some("test" | "ci") => ci(),
        Some(other) => Err(format!(
            "unknown console command `{other}`; expected build, check, test or ci"
        )),
    }
}

/// The CI step: `npm ci`, type check, the committed bundle equals a rebuild, then the browser
/// test against `VL_SERVER_BIN`, else against a `cargo build -p vl-server` binary in the
/// caller's `CARGO_TARGET_DIR`.
pub(crate) fn ci() -> Result<(), String> {
    let bin = match std::env::var_os("VL_SERVER_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => {
            cmd::cargo(&["build".into(), "-p".into(), "vl-server".into()])?;
            target_dir().join("debug/vl-server")
        }
    };
    ci_with_server(&bin)
}

/// [`ci`] against an already built vl-server binary `bin`: pass the test step's build (the
/// conformance step's binary) so that nothing is rebuilt with another feature set.
pub(crate) fn ci_with_server(bin: &std::path::Path) -> Result<(), String> {
    check()?;
    browser_test(bin)
}

/// `npm ci`, the TypeScript check, and `console/dist` up to date.
fn check() -> Result<(), String> {
    npm_ci()?;
    npm(&["run", "typecheck"])?;
    npm(&["run", "check-dist"])
}

fn browser_test(bin: &std::path::Path) -> Result<(), String> {
    if !std::path::Path::new(CHROMIUM).exists() {
        let message = format!("console: no browser at {CHROMIUM} (apt-get install chromium)");
        if std::env::var_os("CI").is_some() {
            return Err(message);
        }
        eprintln!("{message}; skipping the browser test");
        return Ok(());
    }
    let artifacts = target_dir().join("console-artifacts");
    cmd::run(
        npm_command(&["run", "test:e2e"])
            .env("VL_SERVER_BIN", bin)
            .env("CHROMIUM", CHROMIUM)
            .env("VL_CONSOLE_ARTIFACTS", &artifacts),
    )?;
    eprintln!("console: screenshots in {}", artifacts.display());
    Ok(())
}

/// `npm ci` in `console/` from the lock file (the npm cache is used when it has the packages).
fn npm_ci() -> Result<(), String> {
    if !cmd::available("npm", &["--version"]) {
        return Err("console: npm not found (Node.js 20+ with npm is needed)".into());
    }
    npm(&["ci", "--no-audit", "--no-fund", "--prefer-offline"])
}

fn npm(args: &[&str]) -> Result<(), String> {
    cmd::run(&mut npm_command(args))
}

/// `npm --prefix console ARGS` (`cmd::run` runs it from the project root).
fn npm_command(args: &[&str]) -> Command {
    let mut command = Command::new("npm");
    command
        .arg("--prefix")
        .arg(cmd::project_root().join("console"))
        .args(args);
    command
}

/// The caller's `CARGO_TARGET_DIR` (relative to the project root), else `target/`.
pub(crate) fn target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cmd::project_root().join("target"));
    if target.is_absolute() {
        target
    } else {
        cmd::project_root().join(target)
    }
}
