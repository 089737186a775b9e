//! The progress bar on stderr (hidden with `--json` or when stderr is not a terminal).

use std::future::Future;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One bar reused for each stage of a scenario (connecting, warming up, measuring…).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(visible: bool) -> Self {
        let target =
            if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Self { bar: ProgressBar::with_draw_target(None, target) }
    }

    /// Starts a counted stage: `done/len` with a rate.
    pub fn count(&self, stage: &str, len: u64) {
        self.restart(stage, len, "{msg:<18} [{bar:30}] {pos}/{len} ({per_sec}) {elapsed}");
    }

    /// Starts a timed stage of `length`; `note` (a live figure) shows beside it.
    pub fn timed(&self, stage: &str, length: Duration) {
        let tenths = u64::try_from(length.as_millis() / 100).unwrap_or(u64::MAX);
        self.restart(stage, tenths.max(1), "{msg:<18} [{bar:30}] {elapsed} {prefix}");
    }

    /// Waits `length`, moving the bar and calling `note` every 250 ms for the live figure.
    pub async fn wait(&self, stage: &str, length: Duration, mut note: impl FnMut() -> String) {
        self.timed(stage, length);
        let deadline = tokio::time::Instant::now() + length;
        let mut ticks = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = ticks.tick() => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    let done = length.saturating_sub(left).as_millis() / 100;
                    self.bar.set_position(u64::try_from(done).unwrap_or(u64::MAX));
                    self.bar.set_prefix(note());
                }
            }
        }
        self.bar.set_position(self.bar.length().unwrap_or(0));
    }

    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Runs `work` under a spinner named `stage`.
    pub async fn spin<T>(&self, stage: &str, work: impl Future<Output = T>) -> T {
        self.bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
        );
        self.bar.set_message(stage.to_owned());
        self.bar.set_length(0);
        self.bar.enable_steady_tick(Duration::from_millis(120));
        let out = work.await;
        self.bar.disable_steady_tick();
        out
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn restart(&self, stage: &str, len: u64, template: &str) {
        let style = ProgressStyle::with_template(template)
            .expect("the bench's progress templates are valid")
            .progress_chars("=> ");
        self.bar.disable_steady_tick();
        self.bar.set_style(style);
        self.bar.set_message(stage.to_owned());
        self.bar.set_prefix(String::new());
        self.bar.set_length(len);
        self.bar.set_position(0);
        self.bar.reset_elapsed();
    }
}
