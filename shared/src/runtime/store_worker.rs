//! Runs store operations on one thread that owns the SQLite connection: opened once, used
//! serially, so the device never has two writers.

use std::sync::mpsc::{self, Sender};

use super::Job;
use crate::{effects::StoreOp, store::LocalStore};

pub struct StoreWorker {
    jobs: Sender<Job<StoreOp>>,
}

impl StoreWorker {
    pub fn start(mut store: LocalStore) -> Self {
        let (jobs, queue) = mpsc::channel::<Job<StoreOp>>();
        std::thread::Builder::new()
            .name("relais-store".into())
            .spawn(move || {
                for job in queue {
                    let output = store.execute(job.operation().clone());
                    job.resolve(output);
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
