//! Latency histograms and the JSON report of a load run.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::procstat::ProcSample;

/// A latency histogram in µs (1 µs to 60 s, 3 significant digits).
#[derive(Debug, Clone)]
pub struct Latency {
    hist: Histogram<u64>,
}

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    /// An empty histogram.
    pub fn new() -> Self {
        // Bounds and precision are valid constants; `new_with_bounds` only fails on bad ones.
        let hist = Histogram::new_with_bounds(1, 60_000_000, 3)
            .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!()));
        Self { hist }
    }

    /// Records one latency (clamped to the histogram's range).
    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(1, 60_000_000);
        self.hist.saturating_record(us);
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Self) {
        let _ = self.hist.add(&other.hist);
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The summary in ms.
    pub fn summary(&self) -> LatencySummary {
        let ms = |q: f64| self.hist.value_at_quantile(q) as f64 / 1000.0;
        LatencySummary {
            count: self.hist.len(),
            p50_ms: ms(0.5),
            p90_ms: ms(0.9),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            max_ms: self.hist.max() as f64 / 1000.0,
            mean_ms: self.hist.mean() / 1000.0,
        }
    }
}

/// Quantiles of one latency, in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Number of measurements.
    pub count: u64,
    /// Median, in ms.
    pub p50_ms: f64,
    /// 90th percentile, in ms.
    pub p90_ms: f64,
    /// 99th percentile, in ms.
    pub p99_ms: f64,
    /// 99.9th percentile, in ms.
    pub p999_ms: f64,
    /// Largest, in ms.
    pub max_ms: f64,
    /// Mean, in ms.
    pub mean_ms: f64,
}

/// One second of the run, for the plot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Second {
    /// Seconds since streaming started.
    pub t_s: f64,
    /// p99 of the server event latencies (probe, VAD stop, commit, response) measured in this
    /// second, in ms.
    pub event_p99_ms: f64,
    /// p99 of the time to first audio measured in this second, in ms.
    pub first_audio_p99_ms: f64,
    /// Server RSS, in MiB (0 without a pid).
    pub rss_mib: f64,
    /// Server CPU use over the second, in cores.
    pub cpu_cores: f64,
}

/// The JSON report of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Sessions requested.
    pub sessions: usize,
    /// Sessions that completed the handshake and `session.updated`.
    pub sessions_opened: usize,
    /// Seconds of streaming per session, in s.
    pub seconds: f64,
    /// Audio loop: prompts, speech seconds, loop seconds.
    pub script: BTreeMap<String, f64>,
    /// Latencies by name (see the crate docs for their definitions).
    pub latency: BTreeMap<String, LatencySummary>,
    /// Server `error` events by code.
    pub error_events: BTreeMap<String, u64>,
    /// Connection failures and unexpected closes by kind.
    pub failures: BTreeMap<String, u64>,
    /// Counts of selected server events.
    pub events: BTreeMap<String, u64>,
    /// Appends sent by all sessions.
    pub appends_sent: u64,
    /// Server sample before any session connected.
    pub server_baseline: Option<ProcSample>,
    /// Server sample with every session open and idle.
    pub server_idle: Option<ProcSample>,
    /// Server sample at the end of streaming.
    pub server_end: Option<ProcSample>,
    /// (idle RSS − baseline RSS) / open sessions, in KiB.
    pub idle_rss_per_session_kib: Option<f64>,
    /// Mean server CPU while streaming, in cores.
    pub server_cpu_cores: Option<f64>,
    /// Largest server RSS while streaming, in MiB.
    pub server_peak_rss_mib: Option<f64>,
    /// Per-second series.
    pub timeline: Vec<Second>,
}

impl Report {
    /// Total of unexpected `error` events and failures.
    pub fn error_total(&self) -> u64 {
        self.error_events.values().sum::<u64>() + self.failures.values().sum::<u64>()
    }

    /// A few lines for a terminal.
    pub fn summary_text(&self) -> String {
        let mut s = format!(
            "vl-load: {} sessions ({} opened) x {:.0} s, {} appends sent\n",
            self.sessions, self.sessions_opened, self.seconds, self.appends_sent
        );
        for (name, l) in &self.latency {
            s.push_str(&format!(
                "  {name:<18} n={:<7} p50 {:>7.2} ms  p99 {:>7.2} ms  p99.9 {:>7.2} ms  max {:>7.2} ms\n",
                l.count, l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms
            ));
        }
        s.push_str(&format!(
            "  errors: {} (events {:?}, failures {:?})\n",
            self.error_total(),
            self.error_events,
            self.failures
        ));
        if let Some(kib) = self.idle_rss_per_session_kib {
            s.push_str(&format!("  idle RSS per session: {kib:.1} KiB\n"));
        }
        if let (Some(cpu), Some(rss)) = (self.server_cpu_cores, self.server_peak_rss_mib) {
            s.push_str(&format!(
                "  server while streaming: {cpu:.2} cores, peak RSS {rss:.1} MiB\n"
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_out_in_ms() {
        let mut l = Latency::new();
        for ms in 1..=100u64 {
            l.record(Duration::from_millis(ms));
        }
        let s = l.summary();
        assert_eq!(s.count, 100);
        assert!((s.p50_ms - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p99_ms - 99.0).abs() < 0.1, "{s:?}");
        assert!((s.max_ms - 100.0).abs() < 0.1, "{s:?}");
        let mut m = Latency::new();
        m.merge(&l);
        assert_eq!(m.count(), 100);
    }
}
