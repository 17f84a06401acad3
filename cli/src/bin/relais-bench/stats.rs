//! Latency and error tallies of the load generator: one [`Tally`] per kind of request and per
//! simulated phone (no lock on the hot path), merged at the end of a phase into a [`Summary`]
//! (rate, p50, p99, max from an HDR histogram, errors by label).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;

/// Slowest latency the histograms hold exactly (longer ones are recorded as this), in µs.
const MAX_LATENCY_US: u64 = 600_000_000;

/// The latencies and errors of one kind of request.
#[derive(Clone)]
pub struct Tally {
    /// Latency of every answered or failed request, in microseconds.
    latency: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    pub fn new() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, MAX_LATENCY_US, 3)
                .expect("static histogram bounds are valid"),
            ok: 0,
            errors: BTreeMap::new(),
        }
    }

    /// Records a request sent at `started`: a success, or an error counted under its label.
    pub fn record(&mut self, started: Instant, outcome: Result<(), String>) {
        let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.latency.saturating_record(us.max(1));
        match outcome {
            Ok(()) => self.ok += 1,
            Err(label) => *self.errors.entry(label).or_default() += 1,
        }
    }

    pub fn add(&mut self, other: &Self) {
        self.latency
            .add(&other.latency)
            .expect("histograms of the same bounds add up");
        self.ok += other.ok;
        for (label, n) in &other.errors {
            *self.errors.entry(label.clone()).or_default() += n;
        }
    }

    pub fn ok(&self) -> u64 {
        self.ok
    }

    /// The tally over a phase that lasted `elapsed`.
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let ms = |us: u64| Duration::from_micros(us).as_secs_f64() * 1000.0;
        Summary {
            ok: self.ok,
            rate: self.ok as f64 / elapsed.as_secs_f64(),
            p50_ms: ms(self.latency.value_at_quantile(0.50)),
            p99_ms: ms(self.latency.value_at_quantile(0.99)),
            max_ms: ms(self.latency.max()),
            errors: self.errors.clone(),
        }
    }
}

/// What a phase of one kind of request came to.
pub struct Summary {
    /// Successful requests.
    pub ok: u64,
    /// Successful requests per second.
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: BTreeMap<String, u64>,
}

impl Summary {
    /// Header of [`Summary::row`].
    pub fn header() -> String {
        format!(
            "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8}",
            "requests", "ok", "ok/s", "p50 ms", "p99 ms", "max ms", "errors"
        )
    }

    /// One line of the table: `name`, counts, rate and latencies.
    pub fn row(&self, name: &str) -> String {
        format!(
            "{name:<22} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>8}",
            self.ok,
            self.rate,
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.errors.values().sum::<u64>()
        )
    }

    /// The errors by label, `label: count` separated by commas, or `none`.
    pub fn errors_line(&self) -> String {
        if self.errors.is_empty() {
            return "none".into();
        }
        let mut line = String::new();
        for (label, n) in &self.errors {
            if !line.is_empty() {
                line.push_str(", ");
            }
            let _ = write!(line, "{label}: {n}");
        }
        line
    }
}
