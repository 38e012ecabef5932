//! Samples of a process's resource use, read from `/proc/<pid>` (Linux).

use std::path::PathBuf;

use serde::Serialize;

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

/// One reading of a process's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ProcSample {
    /// Resident set size, in KiB.
    pub rss_kib: u64,
    /// Threads.
    pub threads: u64,
    /// Open file descriptors.
    pub fds: u64,
    /// User + system CPU time since the process started, in s.
    pub cpu_s: f64,
}

/// Reads the counters of `pid`; `None` if the process is gone or `/proc` is unreadable.
pub fn sample(pid: u32) -> Option<ProcSample> {
    let base = PathBuf::from(format!("/proc/{pid}"));
    let status = std::fs::read_to_string(base.join("status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    let rss_kib = field("VmRSS:")?;
    let threads = field("Threads:").unwrap_or(0);
    let stat = std::fs::read_to_string(base.join("stat")).ok()?;
    // Fields after the `(comm)`, which may contain spaces: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').map(|(_, r)| r)?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let cpu_s = (tick(11) + tick(12)) as f64 / TICKS_PER_S;
    let fds = std::fs::read_dir(base.join("fd")).map_or(0, |d| d.count() as u64);
    Some(ProcSample {
        rss_kib,
        threads,
        fds,
        cpu_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_can_be_sampled() {
        let s = sample(std::process::id()).unwrap();
        assert!(s.rss_kib > 100, "{s:?}");
        assert!(s.threads >= 1 && s.fds >= 3, "{s:?}");
        let mut x = 0u64;
        for i in 0..30_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let later = sample(std::process::id()).unwrap();
        assert!(later.cpu_s >= s.cpu_s, "{s:?} {later:?}");
    }

    #[test]
    fn a_missing_process_is_none() {
        assert_eq!(sample(u32::MAX), None);
    }
}
