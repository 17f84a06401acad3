//! A "phone" on this machine: the core runtime opened on a data directory, with a shell that
//! has nothing to draw. Each CLI command opens it, sends one intent, waits until the core is
//! idle and reads the view model.

use std::{
    path::Path,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use anyhow::{Context, bail};
use shared::{
    Intent, Runtime, ViewModel,
    effects::Notification,
    i18n::{Lang, shell::Phrase},
    runtime::Shell,
};

/// Longest a command waits for the core: a sync of many pages over a slow link.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(600);

/// The CLI renders on demand, after each command, so render requests need no action;
/// notifications are kept for the command to print.
#[derive(Default)]
struct Headless {
    notifications: Mutex<Vec<Notification>>,
}

impl Shell for Headless {
    fn render(&self) {}

    fn notify(&self, notification: Notification) {
        self.notifications
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notification);
    }
}

pub struct Device {
    runtime: Runtime,
    shell: Arc<Headless>,
}

impl Device {
    /// Opens the device's data in `dir` and loads it.
    pub fn open(dir: &Path, language: &str) -> anyhow::Result<Self> {
        let shell = Arc::new(Headless::default());
        let runtime = Runtime::new(dir, shell.clone())
            .with_context(|| format!("cannot open the device data in {}", dir.display()))?;
        let device = Self { runtime, shell };
        let view = device.send(Intent::Start {
            language: language.to_owned(),
            auto_sync: None,
        })?;
        if !view.ready {
            bail!(
                "{}",
                view.notice
                    .unwrap_or_else(|| "the local store could not be read".into())
            );
        }
        Ok(device)
    }

    /// Sends `intent`, waits until the core is idle and returns the view model.
    pub fn send(&self, intent: Intent) -> anyhow::Result<ViewModel> {
        self.runtime.send(intent);
        if !self.runtime.wait_idle(COMMAND_TIMEOUT) {
            bail!(
                "the core did not finish within {} s",
                COMMAND_TIMEOUT.as_secs()
            );
        }
        Ok(self.runtime.view())
    }

    pub fn view(&self) -> ViewModel {
        self.runtime.view()
    }

    /// The user's language.
    pub fn lang(&self) -> Lang {
        Lang::from_tag(&self.view().language)
    }

    /// A shell phrase in the device's language.
    pub fn say(&self, phrase: &Phrase<'_>) -> String {
        phrase.text(self.lang())
    }

    /// Notifications the core asked to show since the last call.
    pub fn take_notifications(&self) -> Vec<Notification> {
        std::mem::take(
            &mut *self
                .shell
                .notifications
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}
