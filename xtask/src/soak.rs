//! `cargo xtask soak [--minutes M] [--sessions N] [--churn MIN,MAX] [--no-dsp] [--out DIR]
//! [-- SERVER FLAGS]`: the release server under churn (reliability.md §4.5). `vl-load --churn`
//! keeps N sessions streaming recorded prompts in real time with the server's noise suppression
//! and echo cancellation on, each session living MIN–MAX s (seeded) before it closes and a new
//! one opens, while this command samples the server's RSS, threads and open fds from `/proc` and
//! `voicelive_sessions_active` and `voicelive_heap_allocated_bytes` (glibc mallinfo2) from
//! `/metrics`; the heap figure tells a leak (it grows) from memory the allocator keeps (it does not).
//!
//! Default: 2 minutes, 40 sessions, lifetimes 5–30 s. The warm-up is 5 minutes (reliability.md
//! §4.5), or the first half of a shorter run (RSS climbs for about 100 s of churn before it levels). Fails when the mean RSS of the last fifth differs by more than
//! ±5 % from the mean of the first 20 s after the warm-up, when vl-load saw a failed session or
//! an unexpected error, or when the sessions gauge and the fd count are not back to baseline
//! 2 s after the last disconnect. The RSS slope after the warm-up (least squares) is reported in
//! MiB per 10 min next to reliability.md's nightly limit (< 1 MiB per 10 min over 30 min).
//! Samples and the summary go to `artifacts/soak/soak-<M>m.json`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::cmd;
use crate::load::{Server, build_release, http_get, take_flag, target_dir};

/// One sample of the server.
#[derive(Debug, Clone, Copy)]
struct Sample {
    t_s: f64,
    rss_kib: u64,
    threads: u64,
    fds: u64,
    sessions: u64,
    /// `voicelive_heap_allocated_bytes` in KiB (0 when the server has no glibc figures).
    heap_kib: u64,
}

fn proc_field(pid: u32, name: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A gauge of the server's `/metrics` page.
fn gauge(metrics: &str, name: &str) -> Option<u64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))?
        .trim()
        .parse()
        .ok()
}

fn sample(server: &Server, t0: Instant) -> Option<Sample> {
    let pid = server.pid();
    let metrics = http_get(server.addr, "/metrics").unwrap_or_default();
    Some(Sample {
        t_s: t0.elapsed().as_secs_f64(),
        rss_kib: proc_field(pid, "VmRSS:")?,
        threads: proc_field(pid, "Threads:")?,
        fds: std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64,
        sessions: gauge(&metrics, "voicelive_sessions_active").unwrap_or(u64::MAX),
        heap_kib: gauge(&metrics, "voicelive_heap_allocated_bytes").unwrap_or(0) / 1024,
    })
}

fn mean_rss(samples: &[Sample]) -> f64 {
    mean(samples, |s| s.rss_kib)
}

fn mean(samples: &[Sample], field: impl Fn(&Sample) -> u64) -> f64 {
    samples.iter().map(|s| field(s) as f64).sum::<f64>() / samples.len().max(1) as f64
}

/// Least-squares slope of RSS over time, in KiB per second.
fn rss_slope(samples: &[Sample]) -> f64 {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return 0.0;
    }
    let mt = samples.iter().map(|s| s.t_s).sum::<f64>() / n;
    let mr = mean_rss(samples);
    let (mut num, mut den) = (0.0, 0.0);
    for s in samples {
        num += (s.t_s - mt) * (s.rss_kib as f64 - mr);
        den += (s.t_s - mt) * (s.t_s - mt);
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// `cargo xtask soak`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (mut args, server_flags) = match args.iter().position(|a| a == "--") {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (args.to_vec(), Vec::new()),
    };
    let minutes: f64 = take_flag(&mut args, "--minutes")
        .unwrap_or_else(|| "2".into())
        .parse()
        .map_err(|_| "soak: --minutes takes a number")?;
    let sessions = take_flag(&mut args, "--sessions").unwrap_or_else(|| "40".into());
    let churn = take_flag(&mut args, "--churn").unwrap_or_else(|| "5,30".into());
    let out = take_flag(&mut args, "--out")
        .map_or_else(|| cmd::project_root().join("artifacts/soak"), PathBuf::from);
    let dsp = match args.iter().position(|a| a == "--no-dsp") {
        Some(i) => {
            args.remove(i);
            false
        }
        None => true,
    };
    if let Some(extra) = args.first() {
        return Err(format!(
            "soak: unknown argument `{extra}`; usage: soak [--minutes M] [--sessions N] \
             [--churn MIN,MAX] [--no-dsp] [--out DIR] [-- SERVER FLAGS]"
        ));
    }
    if minutes.is_nan() || minutes < 0.5 {
        return Err("soak: --minutes must be at least 0.5".into());
    }
    build_release(&["vl-server", "vl-load"])?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let server = Server::start(&server_flags)?;
    let t0 = Instant::now();
    let base = sample(&server, t0).ok_or("soak: cannot sample the server")?;
    let seconds = minutes * 60.0;
    let interval = Duration::from_secs(if minutes <= 10.0 { 2 } else { 5 });
    let report = out.join(format!("soak-{minutes}m-load.json"));
    let mut child = Command::new(target_dir().join("release/vl-load"))
        .args(["--url", &server.url(), "--sessions", &sessions])
        .args(["--seconds", &seconds.to_string(), "--churn", &churn])
        .args(["--ramp", "10", "--server-pid", &server.pid().to_string()])
        .args(dsp.then_some("--dsp"))
        .arg("--report")
        .arg(&report)
        .spawn()
        .map_err(|e| format!("cannot start vl-load: {e}"))?;
    let mut samples = vec![base];
    let status = loop {
        std::thread::sleep(interval);
        if let Some(s) = sample(&server, t0) {
            eprintln!(
                "soak: t={:>5.0}s rss={:>7} KiB heap={:>7} KiB threads={:>3} fds={:>5} sessions={}",
                s.t_s, s.rss_kib, s.heap_kib, s.threads, s.fds, s.sessions
            );
            samples.push(s);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Err(format!("vl-load: {e}")),
        }
    };
    std::thread::sleep(Duration::from_secs(2));
    let after = sample(&server, t0).ok_or("soak: cannot sample the server at the end")?;
    drop(server);

    // reliability.md §4.5: a 5-min warm-up; short runs use their first half.
    let warm = (seconds / 2.0).min(300.0);
    let steady: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.t_s >= warm && s.t_s <= seconds)
        .collect();
    let head: Vec<Sample> = steady
        .iter()
        .copied()
        .filter(|s| s.t_s < warm + 20.0)
        .collect();
    let tail_from = seconds - seconds / 5.0;
    let tail: Vec<Sample> = steady
        .iter()
        .copied()
        .filter(|s| s.t_s >= tail_from)
        .collect();
    if head.is_empty() || tail.is_empty() {
        return Err("soak: too few samples after the warm-up".into());
    }
    let (head_mean, tail_mean) = (mean_rss(&head), mean_rss(&tail));
    let growth = tail_mean / head_mean - 1.0;
    let heap = |s: &Sample| s.heap_kib;
    let (heap_head, heap_tail) = (mean(&head, heap), mean(&tail, heap));
    let heap_growth = if heap_head > 0.0 {
        heap_tail / heap_head - 1.0
    } else {
        0.0
    };
    let slope_mib_per_10min = rss_slope(&steady) * 600.0 / 1024.0;
    let peak = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    let mut json = String::from("{\n  \"samples\": [\n");
    for (i, s) in samples.iter().enumerate() {
        let comma = if i + 1 < samples.len() { "," } else { "" };
        json.push_str(&format!(
            "    {{\"t_s\": {:.1}, \"rss_kib\": {}, \"heap_kib\": {}, \"threads\": {}, \"fds\": {}, \"sessions\": {}}}{comma}\n",
            s.t_s, s.rss_kib, s.heap_kib, s.threads, s.fds, s.sessions
        ));
    }
    json.push_str(&format!(
        "  ],\n  \"minutes\": {minutes},\n  \"sessions\": {sessions},\n  \"churn_s\": \"{churn}\",\n  \"dsp\": {dsp},\n  \
         \"warmup_s\": {warm:.0},\n  \"rss_after_warmup_kib\": {head_mean:.0},\n  \"rss_tail_mean_kib\": {tail_mean:.0},\n  \
         \"rss_peak_kib\": {peak},\n  \"rss_growth\": {growth:.4},\n  \"rss_slope_mib_per_10min\": {slope_mib_per_10min:.3},\n  \
         \"heap_after_warmup_kib\": {heap_head:.0},\n  \"heap_tail_mean_kib\": {heap_tail:.0},\n  \"heap_growth\": {heap_growth:.4},\n  \
         \"after\": {{\"rss_kib\": {}, \"threads\": {}, \"fds\": {}, \"sessions\": {}}},\n  \
         \"baseline\": {{\"rss_kib\": {}, \"threads\": {}, \"fds\": {}}}\n}}\n",
        after.rss_kib,
        after.threads,
        after.fds,
        after.sessions,
        base.rss_kib,
        base.threads,
        base.fds
    ));
    let path: PathBuf = out.join(format!("soak-{minutes}m.json"));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(json.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "soak: {minutes} min, {sessions} sessions, churn {churn} s, DSP {}: RSS baseline {} KiB, \
         after warm-up {head_mean:.0} KiB, last fifth {tail_mean:.0} KiB ({:+.2} %), peak {peak} KiB, \
         slope {slope_mib_per_10min:+.3} MiB/10 min; allocated heap {heap_head:.0} -> {heap_tail:.0} KiB \
         ({:+.2} %); 2 s after the last close: sessions {}, \
         threads {} (baseline {}), fds {} (baseline {})",
        if dsp { "on" } else { "off" },
        base.rss_kib,
        growth * 100.0,
        heap_growth * 100.0,
        after.sessions,
        after.threads,
        base.threads,
        after.fds,
        base.fds
    );
    println!(
        "soak: samples in {}, vl-load report in {}",
        path.display(),
        report.display()
    );
    let mut failures = Vec::new();
    if !status.success() {
        failures.push(format!(
            "vl-load reported errors ({status}); see {}",
            report.display()
        ));
    }
    if growth.abs() > 0.05 {
        failures.push(format!(
            "RSS changed {:+.2} % after warm-up (limit ±5 %)",
            growth * 100.0
        ));
    }
    if after.sessions != 0 {
        failures.push(format!(
            "{} sessions still active 2 s after the last close",
            after.sessions
        ));
    }
    if after.fds > base.fds + 2 {
        failures.push(format!("fds {} vs baseline {}", after.fds, base.fds));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
