//! `relais-photo-bench`: times the device photo pipeline (`relais_photo::process`: decode,
//! shrink to 2048 px, turn upright, strip, JPEG q85, SHA-256) on one photo, next to
//! `vipsthumbnail` doing the same job on the same file in the same run (the machine's speed
//! drifts; the ratio is what to compare). Without `vipsthumbnail` (Debian: `libvips-tools`) it
//! says so and times ours alone.
//!
//! Ours is timed in-process on bytes already in memory; vips is timed as a whole command (process
//! start, file read and write included), as a shell would run it.
//!
//! Run: `cargo build --release -p relais-cli --bin relais-photo-bench &&
//! target/release/relais-photo-bench [PHOTO] [--runs N]`.

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;
use relais_photo::{self as photo, Limits};

/// Time the photo pipeline against vipsthumbnail.
#[derive(Parser)]
struct Args {
    /// The photo (default: the 12 MP Xiaomi test photo of the project's shared data).
    photo: Option<PathBuf>,
    /// Timed runs of each tool; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

const DEFAULT_PHOTO: &str =
    "../shared/data/photos/large_xiaomi_mi9t_4000x3000_orient6_emptygps.jpg";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runs = args.runs.max(1);
    // `../shared` is beside the workspace root: resolve it from there whatever the cwd.
    let path = args.photo.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(DEFAULT_PHOTO)
    });
    let input = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let (w, h) = image::image_dimensions(&path).context("reading the photo's dimensions")?;
    let megapixels = f64::from(w) * f64::from(h) / 1e6;
    let limits = Limits::default();
    println!(
        "photo: {} ({w}x{h}, {megapixels:.1} MP, {} bytes), {runs} runs each, median",
        path.display(),
        input.len()
    );

    let mut out = photo::process(&input, &limits)?; // warm-up, not timed
    let ours = median(runs, || {
        out = photo::process(&input, &limits)?;
        Ok(())
    })?;
    report(
        "relais  relais_photo::process",
        ours,
        megapixels,
        out.jpeg.len(),
        &format!("{}x{}", out.width, out.height),
    );

    let Some(version) = vips_version() else {
        println!(
            "vipsthumbnail not found: comparison skipped (Debian: apt-get install libvips-tools)"
        );
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("out.jpg");
    let mut ratios = Vec::new();
    for threads in [None, Some(1)] {
        let vips = || -> anyhow::Result<()> {
            let mut cmd = Command::new("vipsthumbnail");
            cmd.arg(&path)
                .args(["--size", "2048x2048", "-o"])
                .arg(format!("{}[Q=85,strip]", target.display()));
            if let Some(n) = threads {
                cmd.arg(format!("--vips-concurrency={n}"));
            }
            let status = cmd.status()?;
            if !status.success() {
                bail!("vipsthumbnail failed: {status}");
            }
            Ok(())
        };
        vips()?; // warm-up
        let time = median(runs, vips)?;
        let label = match threads {
            None => format!("{version} (default threads)"),
            Some(n) => format!("{version} ({n} thread)"),
        };
        let size = std::fs::metadata(&target)?.len();
        let (vw, vh) = image::image_dimensions(&target)?;
        report(
            &label,
            time,
            megapixels,
            usize::try_from(size)?,
            &format!("{vw}x{vh}"),
        );
        ratios.push((label, ours.as_secs_f64() / time.as_secs_f64()));
    }
    for (label, ratio) in ratios {
        println!("ratio ours/vips vs {label}: {ratio:.2}");
    }
    Ok(())
}

/// The median wall time of `runs` calls.
fn median(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[runs / 2])
}

fn report(label: &str, time: Duration, megapixels: f64, bytes: usize, size: &str) {
    let ms = time.as_secs_f64() * 1e3;
    println!(
        "{label:<42} {ms:8.1} ms/run  {:6.1} ms/MP  output {bytes} bytes ({size})",
        ms / megapixels
    );
}

/// `vipsthumbnail vips-8.14.1` style label, or `None` when the tool is absent.
fn vips_version() -> Option<String> {
    let out = Command::new("vipsthumbnail")
        .arg("--version")
        .output()
        .ok()?;
    out.status.success().then(|| {
        let text = String::from_utf8_lossy(&out.stdout);
        let version = text
            .split_whitespace()
            .next()
            .unwrap_or("unknown")
            .to_owned();
        format!("vipsthumbnail {version}")
    })
}
