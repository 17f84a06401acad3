//! Imports that take a while (a town's zones from a GeoJSON file, its directory of public
//! services from open-data files) run in the background, so that the page that started one can
//! show how far it got. Starting one answers at once with the job's page, which names the step
//! under way with a progress bar and asks the browser to load it again every second (a
//! `Refresh` header: no script needed) until the job has finished; then it says what the import
//! did, or why it was refused (nothing changed then).
//!
//! The jobs are kept in the database ([`Database::begin_import`]), not in the memory of the
//! server running them: behind a load balancer the job's page may be asked of any server of the
//! town, and it answers the same. The rules are here: one import at a time per town; a finished
//! job is forgotten after an hour; a job that has not moved for [`STALLED_MS`] stopped with its
//! server (each import is one transaction: it either finished before or changed nothing), is
//! shown as interrupted and no longer holds up the town's next import.

use std::sync::{Arc, Mutex, PoisonError};

use relais_protocol::LocalizedText;
use relais_server_database::{Database, DbResult, ImportJob, ImportProgress, ImportWindow};
use uuid::Uuid;

use crate::clock::now_ms;

/// How long a finished job stays readable.
const KEPT_MS: i64 = 3_600_000;

/// How long a job may go without reaching its next step before it counts as stopped with its
/// server. Each step is one read or one transaction of seconds; ten minutes leaves a wide margin.
pub(crate) const STALLED_MS: i64 = 600_000;

/// What an import turned out to be: what it did, or why nothing changed.
pub type Outcome = Result<LocalizedText, LocalizedText>;

/// Where a job stands, as its page shows it.
pub type Progress = ImportProgress;

/// What the work of a job uses to say how far it got.
#[derive(Debug, Clone)]
pub struct Reporter<DB> {
    db: DB,
    job: Arc<Mutex<ImportJob>>,
}

impl<DB: Database> Reporter<DB> {
    /// The next step starts: `doing`.
    pub async fn step(&self, doing: LocalizedText) {
        let job = {
            let mut job = self.job.lock().unwrap_or_else(PoisonError::into_inner);
            job.progress.done = (job.progress.done + 1).min(job.progress.steps);
            job.progress.doing = doing;
            job.updated_at_ms = now_ms();
            job.clone()
        };
        record(&self.db, job).await;
    }
}

/// Keeps where `job` stands. A failure is logged, not fatal: the import itself goes on, and its
/// page shows the last step recorded.
async fn record<DB: Database>(db: &DB, job: ImportJob) {
    if let Err(error) = db.update_import(job).await {
        tracing::warn!(%error, "could not record an import's progress");
    }
}

/// Starts `work` in the background for `tenant`, from `page`, `steps` steps long, and returns
/// the job's id; `None` while another import of the town runs (nothing started).
///
/// # Errors
/// The job could not be recorded (nothing started).
pub async fn start<DB, F, Fut>(
    db: &DB,
    tenant: &str,
    what: LocalizedText,
    page: &str,
    steps: u32,
    work: F,
) -> DbResult<Option<Uuid>>
where
    DB: Database,
    F: FnOnce(Reporter<DB>) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let now = now_ms();
    let job = ImportJob {
        id: Uuid::now_v7(),
        tenant: tenant.to_owned(),
        progress: ImportProgress {
            what,
            page: page.to_owned(),
            done: 0,
            steps: steps.max(1),
            doing: LocalizedText::new("Démarrage", "Starting"),
            outcome: None,
        },
        updated_at_ms: now,
        finished_at_ms: None,
    };
    let window = ImportWindow {
        forget_before_ms: now - KEPT_MS,
        stalled_before_ms: now - STALLED_MS,
    };
    if !db.begin_import(job.clone(), window).await? {
        return Ok(None);
    }
    let id = job.id;
    let job = Arc::new(Mutex::new(job));
    let running = work(Reporter {
        db: db.clone(),
        job: Arc::clone(&job),
    });
    let db = db.clone();
    tokio::spawn(async move {
        // A panic in the work still finishes the job, as a failure.
        let outcome = tokio::spawn(running).await.unwrap_or_else(|error| {
            tracing::error!(%error, "an import failed");
            Err(LocalizedText::new(
                "L'importation a échoué ; rien n'a été modifié.",
                "The import failed; nothing was changed.",
            ))
        });
        let finished = {
            let mut job = job.lock().unwrap_or_else(PoisonError::into_inner);
            let now = now_ms();
            job.progress.done = job.progress.steps;
            job.progress.doing = LocalizedText::new("Terminé", "Finished");
            job.progress.outcome = Some(outcome);
            job.updated_at_ms = now;
            job.finished_at_ms = Some(now);
            job.clone()
        };
        record(&db, finished).await;
    });
    Ok(Some(id))
}

/// Where job `id` of `tenant` stands; `None` for an unknown job, another town's, or one
/// forgotten. A job that stopped with its server reads as finished, interrupted.
///
/// # Errors
/// The storage failed.
pub async fn progress<DB: Database>(db: &DB, tenant: &str, id: Uuid) -> DbResult<Option<Progress>> {
    let Some(job) = db.import_job(tenant, id).await? else {
        return Ok(None);
    };
    let mut progress = job.progress;
    if progress.outcome.is_none() && job.updated_at_ms < now_ms() - STALLED_MS {
        progress.outcome = Some(Err(LocalizedText::new(
            "L'importation s'est interrompue avec le serveur qui la menait : vérifiez ce qui a été importé, puis recommencez si besoin.",
            "The import stopped with the server running it: check what was imported, then start it again if needed.",
        )));
    }
    Ok(Some(progress))
}
