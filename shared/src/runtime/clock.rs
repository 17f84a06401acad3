//! Answers the core's time requests: the system clock, and timers (the sync policy's) that sleep
//! on the executor. A timer is not work in flight: [`super::Runtime::wait_idle`] does not wait
//! for it, and what it starts when it fires counts as usual.

use std::time::{Duration, SystemTime};

use crux_time::{TimeRequest, TimeResponse, protocol::Instant};

use super::{Job, http::Executor};

pub fn answer(executor: &Executor, job: Job<TimeRequest>) {
    // Resolved on the executor's thread: crux forbids resolving inside the routing call.
    executor.spawn(async move {
        let response = match job.operation().clone() {
            TimeRequest::Now => TimeResponse::Now {
                instant: Instant::from(SystemTime::now()),
            },
            TimeRequest::NotifyAfter { id, duration } => {
                let job = job.idle_while_waiting();
                tokio::time::sleep(duration.into()).await;
                return job.resolve(TimeResponse::DurationElapsed { id });
            }
            TimeRequest::NotifyAt { id, instant } => {
                let job = job.idle_while_waiting();
                let wait = SystemTime::from(instant)
                    .duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO);
                tokio::time::sleep(wait).await;
                return job.resolve(TimeResponse::InstantArrived { id });
            }
            TimeRequest::Clear { id } => TimeResponse::Cleared { id },
        };
        job.resolve(response);
    });
}
