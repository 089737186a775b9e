//! Latency histograms (HdrHistogram, microseconds), their percentile summaries, and rates.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

/// Microseconds since a process-wide start: the one clock publishers and readers share.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    epoch: Instant,
}

impl Clock {
    pub fn start() -> Self {
        Self { epoch: Instant::now() }
    }

    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Latencies in microseconds, from 1 µs to 10 minutes at 3 significant digits.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        let histogram = Histogram::new_with_bounds(1, 600_000_000, 3)
            .expect("1..600e6 at 3 significant digits is a valid histogram");
        Self { histogram }
    }
}

impl Latencies {
    /// Records one latency; values beyond the range are clamped to it.
    pub fn record(&mut self, micros: u64) {
        self.histogram.saturating_record(micros.max(1));
    }

    /// Adds another histogram's samples (each task keeps its own; they merge at the end).
    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.histogram.add(&other.histogram);
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    pub fn summary(&self) -> Summary {
        let h = &self.histogram;
        let at = |q: f64| if h.is_empty() { 0 } else { h.value_at_quantile(q) };
        Summary {
            count: h.len(),
            mean_us: if h.is_empty() { 0.0 } else { (h.mean() * 10.0).round() / 10.0 },
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            p999_us: at(0.999),
            max_us: if h.is_empty() { 0 } else { h.max() },
        }
    }
}

/// Percentiles of a latency distribution, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
}

impl Summary {
    /// `p50 / p90 / p99 / max` in milliseconds, for the table.
    pub fn display(&self) -> String {
        if self.count == 0 {
            return "no samples".to_owned();
        }
        let ms = |us: u64| format!("{:.2}", us as f64 / 1000.0);
        format!(
            "{} / {} / {} / {} ms",
            ms(self.p50_us),
            ms(self.p90_us),
            ms(self.p99_us),
            ms(self.max_us)
        )
    }
}

/// `count` per second over `elapsed`, rounded to one decimal (0 for an empty interval).
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return 0.0;
    }
    (count as f64 / secs * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_a_thousand() {
        let mut latencies = Latencies::default();
        for us in 1..=1000 {
            latencies.record(us);
        }
        let s = latencies.summary();
        assert_eq!((s.count, s.p50_us, s.p90_us, s.p99_us, s.max_us), (1000, 500, 900, 990, 1000));
        assert_eq!(s.p999_us, 999);
        assert!((s.mean_us - 500.5).abs() < 0.2, "{}", s.mean_us);
    }

    #[test]
    fn merging_adds_samples_and_an_empty_summary_is_zero() {
        let mut a = Latencies::default();
        let mut b = Latencies::default();
        assert_eq!(a.summary().count, 0);
        assert_eq!(a.summary().display(), "no samples");
        a.record(10);
        b.record(3_000);
        b.record(0); // clamped to 1 µs
        a.merge(&b);
        let s = a.summary();
        assert_eq!(s.count, 3);
        assert!(s.max_us.abs_diff(3_000) <= 3, "within the 3 significant digits: {}", s.max_us);
        assert_eq!(s.display(), "0.01 / 3.00 / 3.00 / 3.00 ms");
    }

    #[test]
    fn rates() {
        assert_eq!(per_second(500, Duration::from_millis(250)), 2000.0);
        assert_eq!(per_second(1, Duration::from_secs(3)), 0.3);
        assert_eq!(per_second(10, Duration::ZERO), 0.0);
    }
}
