//! Answers the core's time requests from the system clock (only `Now` is used).

use std::time::SystemTime;

use crux_time::{TimeRequest, TimeResponse, protocol::Instant};

use super::{Job, http::Executor};

pub fn answer(executor: &Executor, job: Job<TimeRequest>) {
    // Resolved on the executor's thread: crux forbids resolving inside the routing call.
    executor.spawn(async move {
        let instant = Instant::from(SystemTime::now());
        match job.operation() {
            TimeRequest::Now => job.resolve(TimeResponse::Now { instant }),
            other => unreachable!("the core only asks for the time, not {other:?}"),
        }
    });
}
