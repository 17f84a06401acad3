//! The Rust half of the FFI throughput figure: sends the same intent as the Kotlin half
//! (`android/src/test/.../FiguresTest.kt`) the same number of times to a core on a fresh data
//! directory, with a shell that does nothing, and prints the rate.
//!
//! `cargo run -p shared --example intent_loop -- DATA_DIR COUNT` prints `intents_per_second N`.

use std::{sync::Arc, time::Instant};

use shared::{
    Runtime,
    effects::Notification,
    model::{DraftIntent, Intent},
    runtime::Shell,
};

struct Silent;

impl Shell for Silent {
    fn render(&self) {}
    fn notify(&self, _: Notification) {}
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: intent_loop DATA_DIR COUNT");
    let count: u32 = args.next().and_then(|n| n.parse().ok()).expect("COUNT");
    let runtime = Runtime::new(std::path::Path::new(&dir), Arc::new(Silent)).expect("store");
    runtime.send(Intent::Start {
        language: "fr".into(),
        auto_sync: None,
    });
    assert!(runtime.wait_idle(std::time::Duration::from_secs(30)));
    // No draft: the core checks, records the problem and asks for a render; no effect runs.
    let intent = Intent::Draft {
        change: DraftIntent::Review,
    };
    let started = Instant::now();
    for _ in 0..count {
        runtime.send(intent.clone());
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("intents_per_second {:.0}", f64::from(count) / seconds);
}
