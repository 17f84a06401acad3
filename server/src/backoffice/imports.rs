//! Imports that take a while (a town's zones from a GeoJSON file, its directory of public
//! services from open-data files) run in the background, so that the page that started one can
//! show how far it got. Starting one answers at once with the job's page, which names the step
//! under way with a progress bar and asks the browser to load it again every second (a
//! `Refresh` header: no script needed) until the job has finished; then it says what the import
//! did, or why it was refused (nothing changed then). One import at a time per town; a finished
//! job is forgotten after an hour. The jobs live in the server's memory: a restart forgets them
//! (an import either finished before or never changed anything, as each is one transaction).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use relais_protocol::LocalizedText;
use uuid::Uuid;

use crate::clock::now_ms;

/// How long a finished job stays readable.
const KEPT_MS: i64 = 3_600_000;

/// What an import turned out to be: what it did, or why nothing changed.
pub type Outcome = Result<LocalizedText, LocalizedText>;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What is being imported ("Zones", "Annuaire des services").
    pub what: LocalizedText,
    /// The page that started it, where the job's page leads back to.
    pub page: &'static str,
    /// Steps done, out of `steps`.
    pub done: u32,
    pub steps: u32,
    /// The step under way.
    pub doing: LocalizedText,
    /// Set when the job has finished...
    pub outcome: Option<Outcome>,
    /// ...at this instant.
    finished_at_ms: Option<i64>,
}

#[derive(Debug)]
struct Job {
    tenant: String,
    progress: Mutex<Progress>,
}

/// The server's import jobs. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Imports {
    jobs: Arc<Mutex<HashMap<Uuid, Arc<Job>>>>,
}

/// What the work of a job uses to say how far it got.
#[derive(Debug, Clone)]
pub struct Reporter(Arc<Job>);

impl Reporter {
    /// The next step starts: `doing`.
    pub fn step(&self, doing: LocalizedText) {
        let mut progress = self
            .0
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        progress.done = (progress.done + 1).min(progress.steps);
        progress.doing = doing;
    }
}

impl Imports {
    /// Starts `work` in the background for `tenant`, from `page`, `steps` steps long, and returns the job's
    /// id; `None` while another import of the town runs (nothing started).
    pub fn start<F, Fut>(
        &self,
        tenant: &str,
        what: LocalizedText,
        page: &'static str,
        steps: u32,
        work: F,
    ) -> Option<Uuid>
    where
        F: FnOnce(Reporter) -> Fut,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let id = Uuid::now_v7();
        let job = {
            let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            let now = now_ms();
            jobs.retain(|_, job| job.finished_at().is_none_or(|at| now - at < KEPT_MS));
            if jobs
                .values()
                .any(|job| job.tenant == tenant && job.finished_at().is_none())
            {
                return None;
            }
            let job = Arc::new(Job {
                tenant: tenant.to_owned(),
                progress: Mutex::new(Progress {
                    what,
                    page,
                    done: 0,
                    steps: steps.max(1),
                    doing: LocalizedText::new("Démarrage", "Starting"),
                    outcome: None,
                    finished_at_ms: None,
                }),
            });
            jobs.insert(id, Arc::clone(&job));
            job
        };
        let running = work(Reporter(Arc::clone(&job)));
        tokio::spawn(async move {
            // A panic in the work still finishes the job, as a failure.
            let outcome = tokio::spawn(running).await.unwrap_or_else(|error| {
                tracing::error!(%error, "an import failed");
                Err(LocalizedText::new(
                    "L'importation a échoué ; rien n'a été modifié.",
                    "The import failed; nothing was changed.",
                ))
            });
            let mut progress = job.progress.lock().unwrap_or_else(PoisonError::into_inner);
            progress.done = progress.steps;
            progress.doing = LocalizedText::new("Terminé", "Finished");
            progress.outcome = Some(outcome);
            progress.finished_at_ms = Some(now_ms());
        });
        Some(id)
    }

    /// Where job `id` of `tenant` stands; `None` for an unknown job or another town's.
    pub fn progress(&self, tenant: &str, id: Uuid) -> Option<Progress> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        let job = jobs.get(&id).filter(|job| job.tenant == tenant)?;
        let progress = job
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Some(progress)
    }
}

impl Job {
    fn finished_at(&self) -> Option<i64> {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .finished_at_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> LocalizedText {
        LocalizedText::new(s, s)
    }

    #[tokio::test]
    async fn a_job_reports_its_steps_then_its_outcome_to_its_town_only() {
        let imports = Imports::default();
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let id = imports
            .start("paris", text("zones"), "/z", 3, |reporter| async move {
                reporter.step(text("reading"));
                wait.await.ok();
                reporter.step(text("storing"));
                Ok(text("12 zones"))
            })
            .unwrap();
        // The work has not run past its first await until the runtime gets to it; wait for it.
        let mut seen = imports.progress("paris", id).unwrap();
        while seen.done < 1 {
            tokio::task::yield_now().await;
            seen = imports.progress("paris", id).unwrap();
        }
        assert_eq!((seen.done, seen.steps), (1, 3));
        assert_eq!(seen.doing, text("reading"));
        assert_eq!(seen.outcome, None);
        assert_eq!(imports.progress("lyon", id), None, "another town's job");
        // A second import of the town waits for the first; another town's may start.
        assert!(
            imports
                .start("paris", text("x"), "/x", 1, |_| async { Ok(text("x")) })
                .is_none()
        );
        assert!(
            imports
                .start("lyon", text("x"), "/x", 1, |_| async { Ok(text("x")) })
                .is_some()
        );

        go.send(()).unwrap();
        while seen.outcome.is_none() {
            tokio::task::yield_now().await;
            seen = imports.progress("paris", id).unwrap();
        }
        assert_eq!(seen.outcome, Some(Ok(text("12 zones"))));
        assert_eq!(seen.done, seen.steps);
        assert!(
            imports
                .start("paris", text("x"), "/x", 1, |_| async { Ok(text("x")) })
                .is_some()
        );
    }

    #[tokio::test]
    async fn a_refusal_is_the_jobs_outcome() {
        let imports = Imports::default();
        let id = imports
            .start("paris", text("zones"), "/z", 2, |_| async {
                Err(text("bad file"))
            })
            .unwrap();
        let mut seen = imports.progress("paris", id).unwrap();
        while seen.outcome.is_none() {
            tokio::task::yield_now().await;
            seen = imports.progress("paris", id).unwrap();
        }
        assert_eq!(seen.outcome, Some(Err(text("bad file"))));
    }
}
