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
    // One build of all targets (cargo links them in parallel), then each binary runs directly:
    // `cargo fuzz run` per target re-checks and re-links the crate every time.
    let root = cmd::project_root();
    cmd::run(
        Command::new("cargo")
            .current_dir(root.join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "build"]),
    )?;
    let bin_dir = root
        .join("fuzz/target")
        .join(host_triple()?)
        .join("release");
    for target in targets()? {
        let (corpus, seeds) = corpus_dirs(&target)?;
        let artifacts = root.join("fuzz/artifacts").join(&target);
        std::fs::create_dir_all(&artifacts)
            .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;
        let mut command = Command::new(bin_dir.join(&target));
        command
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg(format!("-max_total_time={seconds}"))
            .arg("-print_final_stats=1")
            .arg(&corpus);
        if let Some(seeds) = seeds {
            command.arg(seeds);
        }
        cmd::run(&mut command)?;
    }
    Ok(())
}

/// The host's target triple (`rustc -vV`), which names cargo-fuzz's output directory.
fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV printed no host triple".to_string())
}

/// The target's corpus directory (created) and its committed seeds, if any.
fn corpus_dirs(target: &str) -> Result<(std::path::PathBuf, Option<std::path::PathBuf>), String> {
    let root = cmd::project_root();
    let seeds = root.join("fuzz/seeds").join(target);
    let corpus = root.join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    Ok((corpus, seeds.is_dir().then_some(seeds)))
}

fn run_target(target: &str, seconds: u64) -> Result<(), String> {
    let (corpus, seeds) = corpus_dirs(target)?;
    let mut command = Command::new("cargo");
    command
        .current_dir(cmd::project_root().join("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", target])
        .arg(&corpus);
    if let Some(seeds) = seeds {
        command.arg(seeds);
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
