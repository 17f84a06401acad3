//! Runs store operations on one thread that owns the SQLite connection: opened once, used
//! serially, so the device never has two writers.
//!
//! The operations queued while the thread was busy commit together (group commit): photos
//! finishing their uploads side by side, a page applied while the view reads, share one
//! `fsync` instead of one each. Each answer is released only after the group's commit, so a
//! saved report still means a report on disk.

use std::sync::mpsc::{self, Sender};

use super::Job;
use crate::{effects::StoreOp, store::LocalStore};

/// The store thread's name (benchmarks read its CPU time by it).
pub const STORE_THREAD: &str = "relais-store";

/// Most operations committed together.
const MAX_GROUP: usize = 64;

pub struct StoreWorker {
    jobs: Sender<Job<StoreOp>>,
}

impl StoreWorker {
    pub fn start(mut store: LocalStore) -> Self {
        let (jobs, queue) = mpsc::channel::<Job<StoreOp>>();
        std::thread::Builder::new()
            .name(STORE_THREAD.into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut group = vec![first];
                    group.extend(queue.try_iter().take(MAX_GROUP - 1));
                    let ops = group.iter().map(|job| job.operation().clone()).collect();
                    for (job, output) in group.into_iter().zip(store.execute_group(ops)) {
                        job.resolve(output);
                    }
                }
            })
            .expect("the OS refused to start the store thread");
        Self { jobs }
    }

    pub fn submit(&self, job: Job<StoreOp>) {
        // The thread lives as long as the sender: a send cannot fail while `self` exists.
        let _ = self.jobs.send(job);
    }
}
