//! `cargo xtask serve`: set up what the server needs and run it.
//!
//! Today the server runs the deterministic `scripted` backend, which needs nothing beyond the
//! Rust build. The embedded-model issue extends this command with model downloads and checks.

use std::process::Command;

use crate::cmd;

/// Default flags when the user passes none.
const DEFAULT_FLAGS: &[&str] = &["--listen", "127.0.0.1:8765", "--backend", "scripted"];

/// Builds `vl-server` in release mode and runs it with `args` (after an optional `--`).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let flags: Vec<String> = match args.split_first() {
        Some((first, rest)) if first == "--" => rest.to_vec(),
        Some(_) => args.to_vec(),
        None => DEFAULT_FLAGS.iter().map(|s| (*s).to_string()).collect(),
    };
    eprintln!("serve: building vl-server (release)…");
    cmd::cargo(&[
        "build".into(),
        "--release".into(),
        "--package".into(),
        "vl-server".into(),
    ])?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || cmd::project_root().join("target"),
        std::path::PathBuf::from,
    );
    let binary = target.join("release/vl-server");
    eprintln!("serve: starting {} {}", binary.display(), flags.join(" "));
    cmd::run(Command::new(binary).args(&flags))
}
