//! `cargo xtask fuzz`: cargo-fuzz targets of `fuzz/`, run on the stable toolchain.
//!
//! cargo-fuzz needs nightly-only compiler flags; `RUSTC_BOOTSTRAP=1` lets the machine's one stable
//! toolchain accept them.

use std::process::Command;

use crate::cmd;

/// `fuzz list` or `fuzz <TARGET> [--seconds N]`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let Some((target, rest)) = args.split_first() else {
        return Err("usage: cargo xtask fuzz <TARGET|list> [--seconds N]".into());
    };
    if target == "list" {
        for name in targets()? {
            println!("{name}");
        }
        return Ok(());
    }
    let mut seconds = 60_u64;
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seconds" | "--time" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds takes a whole number of seconds")?;
            }
            other => return Err(format!("unknown fuzz flag `{other}`")),
        }
    }
    let known = targets()?;
    if !known.iter().any(|t| t == target) {
        return Err(format!(
            "unknown fuzz target `{target}`; targets: {}",
            known.join(", ")
        ));
    }
    run_target(target, seconds)
}

/// Runs every target briefly (`VL_FUZZ_SMOKE_SECONDS`, default 10 s each).
pub(crate) fn smoke() -> Result<(), String> {
    if !cmd::available("cargo", &["fuzz", "--version"]) {
        if std::env::var_os("CI").is_some() {
            return Err("cargo-fuzz is not installed (`cargo install cargo-fuzz --locked`)".into());
        }
        eprintln!("fuzz: cargo-fuzz not installed; skipping the smoke run outside CI");
        return Ok(());
    }
    let seconds = std::env::var("VL_FUZZ_SMOKE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for target in targets()? {
        run_target(&target, seconds)?;
    }
    Ok(())
}

fn run_target(target: &str, seconds: u64) -> Result<(), String> {
    let root = cmd::project_root();
    let seeds = root.join("fuzz/seeds").join(target);
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let mut command = Command::new("cargo");
    command
        .current_dir(root.join("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", target])
        .arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command.args([
        "--",
        &format!("-max_total_time={seconds}"),
        "-print_final_stats=1",
    ]);
    cmd::run(&mut command)
}

/// The `[[bin]]` names declared in `fuzz/Cargo.toml`.
fn targets() -> Result<Vec<String>, String> {
    let manifest = cmd::project_root().join("fuzz/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin {
            if let Some(value) = line.strip_prefix("name").map(str::trim_start) {
                if let Some(value) = value.strip_prefix('=') {
                    names.push(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    Ok(names)
}
