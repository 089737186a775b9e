//! What `/proc` says about a process: resident memory (`VmRSS`) and CPU time used.
//!
//! CPU time lets a report say who limited a figure: a load generator at ~100% of its core
//! is the bottleneck, a server at ~100% of its core is the one being measured.

use std::time::Instant;

use serde::Serialize;

/// Kernel clock ticks per second for `/proc/*/stat` (`USER_HZ`, 100 on every Linux ABI).
const TICKS_PER_SECOND: f64 = 100.0;

/// Resident memory of `pid` in KiB (`VmRSS`), if the process exists.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line["VmRSS:".len()..].split_whitespace().next()?.parse().ok()
}

/// User + system CPU ticks of `pid` (`self` for this process).
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat)
}

/// Fields 14 and 15 (utime, stime), counted after the `(comm)` that may contain spaces.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// Busy and total jiffies of each CPU (`cpuN` lines of `/proc/stat`); busy counts steal,
/// the time the hypervisor gave the CPU to someone else.
fn cores_jiffies() -> Vec<(u64, u64)> {
    std::fs::read_to_string("/proc/stat").map(|stat| parse_cores(&stat)).unwrap_or_default()
}

fn parse_cores(stat: &str) -> Vec<(u64, u64)> {
    let cores = stat.lines().filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "));
    cores
        .map(|line| {
            let fields: Vec<u64> =
                line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
            let total: u64 = fields.iter().take(8).sum();
            let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
            (total.saturating_sub(idle), total)
        })
        .collect()
}

/// Measures how busy a process kept its CPU over an interval.
#[derive(Debug)]
pub struct CpuMeter {
    pid: String,
    ticks: Option<u64>,
    since: Instant,
}

/// Fraction of one core used (1.0 = one core flat out), per process, and how busy each
/// CPU of the machine was, by anyone: a busy core its process did not use was taken by
/// other work on the machine.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CpuUse {
    pub generator: Option<f64>,
    pub server: Option<f64>,
    pub cores_busy: Vec<f64>,
}

impl CpuMeter {
    pub fn start(pid: Option<u32>) -> Self {
        let pid = pid.map_or_else(|| "self".to_owned(), |p| p.to_string());
        Self { ticks: cpu_ticks(&pid), pid, since: Instant::now() }
    }

    /// Cores used since `start`, rounded to two decimals.
    pub fn cores(&self) -> Option<f64> {
        let used = cpu_ticks(&self.pid)?.checked_sub(self.ticks?)?;
        let secs = self.since.elapsed().as_secs_f64();
        (secs > 0.0).then(|| (used as f64 / TICKS_PER_SECOND / secs * 100.0).round() / 100.0)
    }
}

/// The meters of one measurement window.
#[derive(Debug)]
pub struct CpuMeters {
    generator: CpuMeter,
    server: Option<CpuMeter>,
    cores: Vec<(u64, u64)>,
}

impl CpuMeters {
    pub fn start(server_pid: Option<u32>) -> Self {
        Self {
            generator: CpuMeter::start(None),
            server: server_pid.map(|p| CpuMeter::start(Some(p))),
            cores: cores_jiffies(),
        }
    }

    pub fn read(&self) -> CpuUse {
        let busy = |((b0, t0), (b1, t1)): (&(u64, u64), &(u64, u64))| {
            let (busy, total) = (b1.saturating_sub(*b0), t1.saturating_sub(*t0));
            let share = if total == 0 { 0.0 } else { busy as f64 / total as f64 };
            (share * 100.0).round() / 100.0
        };
        CpuUse {
            generator: self.generator.cores(),
            server: self.server.as_ref().and_then(CpuMeter::cores),
            cores_busy: self.cores.iter().zip(&cores_jiffies()).map(busy).collect(),
        }
    }
}

impl CpuUse {
    /// The table's line: who was busy, and a hint at the limit.
    pub fn display(&self) -> String {
        let pct = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{:.0}%", v * 100.0));
        let mut text = format!("generator {}, server {}", pct(self.generator), pct(self.server));
        if !self.cores_busy.is_empty() {
            let cores: Vec<String> = self.cores_busy.iter().map(|b| pct(Some(*b))).collect();
            text.push_str(&format!("; cores busy {}", cores.join(" ")));
        }
        if self.generator.is_some_and(|g| g >= 0.9) {
            text.push_str(" (the generator may be the limit)");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_from_status() {
        let status = "Name:\tsockudo\nVmPeak:\t  999 kB\nVmRSS:\t   14336 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(14336));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn cpu_ticks_skip_a_command_name_with_spaces() {
        let stat = "42 (my (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 1 0";
        assert_eq!(parse_cpu_ticks(stat), Some(281));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn per_core_jiffies_leave_idle_and_iowait_out() {
        let stat = "cpu  9 9 9 9 9 9 9 9 0 0\n\
                    cpu0 10 0 5 80 5 0 0 0 0 0\n\
                    cpu1 50 0 10 40 0 0 0 0 0 0\nintr 1 2\n";
        assert_eq!(parse_cores(stat), vec![(15, 100), (60, 100)]);
        assert!(parse_cores("intr 1\n").is_empty());
    }

    #[test]
    fn this_process_is_measurable() {
        assert!(rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
        assert!(CpuMeter::start(None).cores().is_some());
    }
}
