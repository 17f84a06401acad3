//! Registering the device with a town (tenant) on a server, which gives it a bearer token.
//! A successful registration starts a first sync, which brings the town's catalogue.

use crux_core::{Command, render::render};
use relais_protocol::{RegisterDevice, Registered};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Event, Failure, Model, sync};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// How this device talks to its server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub server_url: String,
    pub tenant: String,
    pub device_id: Uuid,
    pub token: String,
    /// Registered with an enrolment code: a field agent's device.
    #[serde(default)]
    pub agent: bool,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("server_url", &self.server_url)
            .field("tenant", &self.tenant)
            .field("device_id", &self.device_id)
            .field("agent", &self.agent)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Where the latest registration attempt stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Registering {
    #[default]
    Idle,
    Pending,
    Failed(Failure),
}

#[derive(Debug)]
pub enum RegistrationEvent {
    /// The server answered the registration request.
    Answered {
        server_url: String,
        tenant: String,
        agent: bool,
        result: Result<Registered, ApiFailure>,
    },
    /// The registration was written to the local store.
    Saved(Registration, Result<(), StoreError>),
}

/// The user asked to register with `tenant` on `server_url`.
pub fn start(
    model: &mut Model,
    server_url: String,
    tenant: String,
    platform: String,
    enrolment_code: Option<String>,
) -> Command<Effect, Event> {
    if let Some(existing) = &model.registration {
        model.registering = Registering::Failed(Failure::Failed(Message::AlreadyRegistered {
            tenant: existing.tenant.clone(),
        }));
        return render();
    }
    model.registering = Registering::Pending;
    let body = RegisterDevice {
        platform,
        app_version: env!("CARGO_PKG_VERSION").into(),
        enrolment_code: enrolment_code.clone(),
        language: Some(model.lang.code().into()),
    };
    let agent = enrolment_code.is_some();
    let request = api::register(&server_url, &tenant, &body).then_send(move |result| {
        Event::Registration(RegistrationEvent::Answered {
            server_url,
            tenant,
            agent,
            result,
        })
    });
    Command::all([request, render()])
}

pub fn update(event: RegistrationEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        RegistrationEvent::Answered {
            server_url,
            tenant,
            agent,
            result: Ok(registered),
        } => {
            let registration = Registration {
                server_url,
                tenant,
                device_id: registered.device_id,
                token: registered.token,
                agent,
            };
            store::write(StoreOp::SaveRegistration(registration.clone())).then_send(move |result| {
                Event::Registration(RegistrationEvent::Saved(registration, result))
            })
        }
        RegistrationEvent::Answered {
            tenant,
            result: Err(failure),
            ..
        } => {
            model.registering = Registering::Failed(match failure {
                ApiFailure::UnknownTenant => Failure::Failed(Message::UnknownTenant(tenant)),
                other => Failure::from(other),
            });
            render()
        }
        RegistrationEvent::Saved(registration, Ok(())) => {
            model.registration = Some(registration);
            model.registering = Registering::Idle;
            Command::all([sync::start(model), render()])
        }
        RegistrationEvent::Saved(_, Err(e)) => {
            model.registering = Registering::Failed(Failure::Failed(Message::StorageFailed(e.0)));
            render()
        }
    }
}
