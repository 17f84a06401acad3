//! The last steps of a sync: the town's catalogue and its directory of services, each fetched
//! with the `ETag` of the copy the device holds, so that an unchanged one costs a `304` and no
//! body; not asked for at all when the pull's last page said the device's copy is current.

use crux_core::{Command, render::render};
use relais_protocol::{Catalogue, Directory};

use super::{Event, Failure, Model, SyncEvent, SyncStep, finish, running, stop};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure, Fetched},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// The `ETag`s of the copies the device holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Etags {
    pub catalogue: Option<String>,
    pub directory: Option<String>,
}

#[derive(Debug)]
pub enum ResourceEvent {
    Catalogue(Result<Fetched<Catalogue>, ApiFailure>),
    CatalogueSaved {
        catalogue: Catalogue,
        etag: Option<String>,
        result: Result<(), StoreError>,
    },
    Directory(Result<Fetched<Directory>, ApiFailure>),
    DirectorySaved {
        directory: Box<Directory>,
        etag: Option<String>,
        result: Result<(), StoreError>,
    },
}

fn send(event: ResourceEvent) -> Event {
    Event::Sync(SyncEvent::Resource(event))
}

/// Fetches the catalogue, unless the server says it is unchanged.
pub fn catalogue(model: &mut Model) -> Command<Effect, Event> {
    let held = model
        .catalogue
        .is_some()
        .then(|| model.etags.catalogue.clone());
    let Some(run) = running(model) else {
        return Command::done();
    };
    if current(run.resources.as_ref().map(|r| &r.catalogue), held) {
        return directory(model);
    }
    run.step = SyncStep::FetchingCatalogue;
    let registration = run.registration.clone();
    // Without a catalogue, the tag of an older copy means nothing.
    let etag = model
        .catalogue
        .as_ref()
        .and(model.etags.catalogue.as_deref());
    let fetch =
        api::catalogue(&registration, etag).then_send(|r| send(ResourceEvent::Catalogue(r)));
    Command::all([fetch, render()])
}

fn directory(model: &mut Model) -> Command<Effect, Event> {
    let held = model
        .directory
        .is_some()
        .then(|| model.etags.directory.clone());
    let Some(run) = running(model) else {
        return Command::done();
    };
    if current(
        run.resources.as_ref().and_then(|r| r.directory.as_ref()),
        held,
    ) {
        return finish(model);
    }
    run.step = SyncStep::FetchingDirectory;
    let registration = run.registration.clone();
    let etag = model
        .directory
        .as_ref()
        .and(model.etags.directory.as_deref());
    let fetch =
        api::directory(&registration, etag).then_send(|r| send(ResourceEvent::Directory(r)));
    Command::all([fetch, render()])
}

/// Whether the device holds a copy (`held`: with its tag, if any) tagged as the server said
/// the resource is now.
fn current(now: Option<&String>, held: Option<Option<String>>) -> bool {
    now.is_some() && held.flatten().as_ref() == now
}

pub fn update(event: ResourceEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        ResourceEvent::Catalogue(Ok(Fetched::Unchanged)) => directory(model),
        ResourceEvent::Catalogue(Ok(Fetched::Changed { value, etag })) => {
            let op = StoreOp::SaveCatalogue {
                catalogue: value.clone(),
                etag: etag.clone(),
            };
            store::write(op).then_send(move |result| {
                send(ResourceEvent::CatalogueSaved {
                    catalogue: value,
                    etag,
                    result,
                })
            })
        }
        ResourceEvent::CatalogueSaved {
            catalogue,
            etag,
            result: Ok(()),
        } => {
            crate::model::set_catalogue(model, Some(catalogue));
            model.etags.catalogue = etag;
            directory(model)
        }
        // A server without a directory of services: the sync is complete without one.
        ResourceEvent::Directory(Err(ApiFailure::NotFound) | Ok(Fetched::Unchanged)) => {
            finish(model)
        }
        ResourceEvent::Directory(Ok(Fetched::Changed { value, etag })) => {
            let directory = Box::new(value);
            let op = StoreOp::SaveDirectory {
                directory: directory.clone(),
                etag: etag.clone(),
            };
            store::write(op).then_send(move |result| {
                send(ResourceEvent::DirectorySaved {
                    directory,
                    etag,
                    result,
                })
            })
        }
        ResourceEvent::DirectorySaved {
            directory,
            etag,
            result: Ok(()),
        } => {
            model.directory = Some(*directory);
            model.etags.directory = etag;
            finish(model)
        }
        ResourceEvent::Catalogue(Err(failure)) | ResourceEvent::Directory(Err(failure)) => {
            stop(model, Failure::from(failure))
        }
        ResourceEvent::CatalogueSaved { result: Err(e), .. }
        | ResourceEvent::DirectorySaved { result: Err(e), .. } => {
            stop(model, Failure::Failed(Message::StorageFailed(e.0)))
        }
    }
}
