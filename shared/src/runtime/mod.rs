//! The runtime around the crux core: it routes every effect either to a Rust handler on the core
//! side (local store, HTTP, clock) or to the native [`Shell`] (rendering), using crux's
//! [`EffectRouter`]. Shells, the CLI included, talk to the core only through [`Runtime`].
//!
//! Handlers resolve their requests on their own threads, never inside the routing call, as crux
//! requires. [`Runtime::wait_idle`] lets a caller wait until no core-side work is in flight,
//! which is how the CLI knows a command is finished.

mod clock;
mod http;
mod idle;
pub(crate) mod photos;
mod store_worker;

use std::{
    path::Path,
    sync::{Arc, Weak},
    time::Duration,
};

use crux_core::{
    Core, Request,
    capability::Operation,
    effects::{EffectRouter, ResolveSink, Routes},
};

use crate::{
    app::Relais,
    effects::{Effect, Notification, store::StoreError},
    model::{Event, Intent},
    store::LocalStore,
    view::ViewModel,
};

pub use http::IDLE_TIMEOUT;
use idle::Inflight;
pub use store_worker::STORE_THREAD;

/// What the native shell does for the core. Called on a Rust thread: shells hop to their main
/// thread before touching the UI.
#[uniffi::export(foreign)]
pub trait Shell: Send + Sync {
    /// The view model changed: read it again with `view()`.
    fn render(&self);
    /// Tell the user about one of their reports (a system notification on a phone).
    fn notify(&self, notification: Notification);
}

type Router = EffectRouter<Relais, Handle>;

/// The routes' way back into the router.
#[derive(Clone)]
pub struct Handle {
    router: Weak<Router>,
}

impl Routes<Relais> for Handle {
    fn new(router: Weak<Router>) -> Self {
        Self { router }
    }
}

/// A core-side request and the way to resolve it through the router, counted while in flight.
pub(crate) struct Job<Op: Operation> {
    request: Request<Op>,
    router: Weak<Router>,
    /// `None` once the job stopped counting (a timer waiting).
    inflight: Option<Arc<Inflight>>,
}

impl<Op: Operation> Job<Op>
where
    Router: ResolveSink<Op>,
{
    fn start(request: Request<Op>, handle: &Handle, inflight: &Arc<Inflight>) -> Self {
        inflight.begin();
        Self {
            request,
            router: handle.router.clone(),
            inflight: Some(inflight.clone()),
        }
    }

    /// Stops counting this job as work in flight: it waits for something that may never come
    /// soon (a timer), and the core is idle meanwhile.
    pub(crate) fn idle_while_waiting(mut self) -> Self {
        if let Some(inflight) = self.inflight.take() {
            inflight.end();
        }
        self
    }

    pub(crate) fn operation(&self) -> &Op {
        &self.request.operation
    }

    /// Feeds the output back into the core, then marks the job done. Follow-up effects are
    /// routed (and counted) before this one stops counting, so the count never drops to zero
    /// while work remains.
    pub(crate) fn resolve(mut self, output: Op::Output) {
        if let Some(router) = self.router.upgrade() {
            // An error means the request was not waiting for an answer any more (its command
            // was dropped): there is nothing left to feed.
            let _ = router.resolve_request(&mut self.request, output);
        }
        if let Some(inflight) = &self.inflight {
            inflight.end();
        }
    }
}

/// The core with its effect handlers, ready for a shell to drive.
pub struct Runtime {
    router: Arc<Router>,
    inflight: Arc<Inflight>,
}

impl Runtime {
    /// Opens the local store in `data_dir` and starts the core-side handlers. The shell is told
    /// to render whenever the view model changes.
    ///
    /// # Errors
    /// The local store cannot be opened (unwritable directory, corrupt or newer database).
    pub fn new(data_dir: &Path, shell: Arc<dyn Shell>) -> Result<Self, StoreError> {
        let store = store_worker::StoreWorker::start(LocalStore::open(data_dir)?);
        let photos = photos::PhotoStore::new(data_dir);
        let executor = http::Executor::new().map_err(|e| StoreError(e.to_string()))?;
        let inflight = Arc::new(Inflight::default());
        let counter = inflight.clone();
        let router = EffectRouter::new(Core::new(), move |handle: Handle| {
            move |effect| match effect {
                Effect::Render(_) => shell.render(),
                Effect::Notify(request) => shell.notify(request.operation),
                Effect::Store(request) => store.submit(Job::start(request, &handle, &counter)),
                Effect::Http(request) => executor.send(Job::start(request, &handle, &counter)),
                Effect::Photo(request) => {
                    photos.submit(&executor, Job::start(request, &handle, &counter))
                }
                Effect::Time(request) => {
                    clock::answer(&executor, Job::start(request, &handle, &counter))
                }
            }
        });
        Ok(Self { router, inflight })
    }

    /// Sends an intent to the core.
    pub fn send(&self, intent: Intent) {
        self.router.update(Event::Intent(intent));
    }

    pub fn view(&self) -> ViewModel {
        self.router.view()
    }

    /// Waits until no core-side effect is in flight; `false` if `timeout` passed first.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.inflight.wait_zero(timeout)
    }
}
