//! Downloading a photo the server has (a report's, seen by any device of the town) to a file.

use crux_core::{Command, render::render};

use super::{Event, Model};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        photo::{self, PhotoOp, PhotoResult},
    },
    i18n::Message,
    model::Failure,
};

/// Where the latest download stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FetchState {
    #[default]
    Idle,
    Fetching,
    Saved {
        path: String,
        bytes: u64,
    },
    Failed(Message),
}

#[derive(Debug)]
pub enum FetchEvent {
    Downloaded {
        sha256: String,
        path: String,
        result: Result<Vec<u8>, ApiFailure>,
    },
    Saved {
        path: String,
        bytes: u64,
        result: PhotoResult,
    },
}

pub fn start(model: &mut Model, sha256: String, path: String) -> Command<Effect, Event> {
    let Some(registration) = model.registration().cloned() else {
        model.fetch = FetchState::Failed(Message::NotRegistered);
        return render();
    };
    if !relais_protocol::upload::is_content_address(&sha256) {
        model.fetch = FetchState::Failed(Message::UnknownPhoto(sha256));
        return render();
    }
    model.fetch = FetchState::Fetching;
    let download = api::photo(&registration, &sha256).then_send(move |result| {
        Event::Fetch(FetchEvent::Downloaded {
            sha256,
            path,
            result,
        })
    });
    Command::all([download, render()])
}

pub fn update(event: FetchEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        FetchEvent::Downloaded {
            path,
            result: Ok(bytes),
            ..
        } => {
            let size = bytes.len() as u64;
            photo::run(PhotoOp::Save {
                path: path.clone(),
                bytes,
            })
            .then_send(move |result| {
                Event::Fetch(FetchEvent::Saved {
                    path,
                    bytes: size,
                    result,
                })
            })
        }
        FetchEvent::Downloaded {
            sha256,
            result: Err(failure),
            ..
        } => {
            model.fetch = FetchState::Failed(match failure {
                ApiFailure::NotFound => Message::UnknownPhoto(sha256),
                other => Failure::from(other).message().clone(),
            });
            render()
        }
        FetchEvent::Saved {
            path,
            bytes,
            result,
        } => {
            model.fetch = match result {
                Ok(_) => FetchState::Saved { path, bytes },
                Err(text) => FetchState::Failed(Message::Localized(text)),
            };
            render()
        }
    }
}
