//! Registering the device with a town (tenant) on a server, which gives it a bearer token and,
//! for a staff member's device (registered with an enrolment code), their profile. A successful
//! registration starts a first sync, which brings the town's catalogue.
//!
//! A device that is already registered checks first that the server still knows it: one whose
//! identity is gone (deleted from another device of the account, revoked) forgets everything
//! but the language and registers anew, instead of being stuck for good.

use crux_core::{Command, render::render};
use relais_protocol::{RegisterDevice, Registered, StaffProfile};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Event, Failure, Lifecycle, Model, sync};
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
    /// Registered with an enrolment code: a staff member's device (also when an older server
    /// sent no profile).
    #[serde(default)]
    pub agent: bool,
    /// Whose staff device it is and what they may act on.
    #[serde(default)]
    pub staff: Option<StaffProfile>,
}

impl Registration {
    /// A staff member's device: it works reports, and does not file them.
    pub const fn is_staff(&self) -> bool {
        self.agent || self.staff.is_some()
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("server_url", &self.server_url)
            .field("tenant", &self.tenant)
            .field("device_id", &self.device_id)
            .field("agent", &self.agent)
            .field("staff", &self.staff)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// What the user asked to register with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub server_url: String,
    pub tenant: String,
    pub platform: String,
    pub enrolment_code: Option<String>,
}

/// Where the latest registration attempt stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Registering {
    #[default]
    Idle,
    /// Asking the server whether it still knows this already registered device.
    Checking,
    Pending,
    Failed(Failure),
}

#[derive(Debug)]
pub enum RegistrationEvent {
    /// The server answered whether it still knows this device.
    Checked {
        request: Request,
        result: Result<(), ApiFailure>,
    },
    /// The store forgot the identity the server no longer knows.
    Forgotten {
        request: Request,
        result: Result<(), StoreError>,
    },
    /// The server answered the registration request.
    Answered {
        request: Request,
        result: Result<Registered, ApiFailure>,
    },
    /// The registration was written to the local store.
    Saved(Registration, Result<(), StoreError>),
}

fn send(event: RegistrationEvent) -> Event {
    Event::Registration(event)
}

impl Request {
    /// The request with its server address and town code checked and in their canonical form
    /// (trimmed, no trailing slash): every later request is built from them, so a value that
    /// is no URL, or a town code that would change the path, never gets that far.
    fn checked(self) -> Result<Self, Message> {
        let server_url = self.server_url.trim();
        let url = crux_http::Url::parse(server_url)
            .ok()
            .filter(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && url.username().is_empty()
                    && url.password().is_none()
                    && url.query().is_none()
                    && url.fragment().is_none()
            })
            .ok_or_else(|| Message::InvalidServerUrl(server_url.to_owned()))?;
        let tenant = self.tenant.trim();
        if !relais_domain::tenant::is_code(tenant) {
            return Err(Message::InvalidTenant(tenant.to_owned()));
        }
        Ok(Self {
            server_url: url.as_str().trim_end_matches('/').to_owned(),
            tenant: tenant.to_owned(),
            ..self
        })
    }
}

/// Whether a bearer token can travel in an `Authorization` header: visible ASCII only.
fn is_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// The user asked to register.
pub fn start(model: &mut Model, request: Request) -> Command<Effect, Event> {
    let request = match request.checked() {
        Ok(request) => request,
        Err(message) => {
            model.registering = Registering::Failed(Failure::Failed(message));
            return render();
        }
    };
    let Some(existing) = model.registration().cloned() else {
        return register(model, request);
    };
    model.registering = Registering::Checking;
    // Any authenticated call tells; with the catalogue's tag it costs a 304.
    let etag = model
        .catalogue
        .as_ref()
        .and(model.etags.catalogue.as_deref());
    let check = api::catalogue(&existing, etag).then_send(move |result| {
        send(RegistrationEvent::Checked {
            request,
            result: result.map(|_| ()),
        })
    });
    Command::all([check, render()])
}

fn register(model: &mut Model, request: Request) -> Command<Effect, Event> {
    model.registering = Registering::Pending;
    let body = RegisterDevice {
        platform: request.platform.clone(),
        app_version: env!("CARGO_PKG_VERSION").into(),
        enrolment_code: request.enrolment_code.clone(),
        language: Some(model.lang.code().into()),
    };
    let call = api::register(&request.server_url, &request.tenant, &body)
        .then_send(move |result| send(RegistrationEvent::Answered { request, result }));
    Command::all([call, render()])
}

pub fn update(event: RegistrationEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        RegistrationEvent::Checked {
            request,
            result: Err(ApiFailure::Unauthorized),
        } => {
            model.reset_store(move |result| send(RegistrationEvent::Forgotten { request, result }))
        }
        RegistrationEvent::Checked { result: Ok(()), .. } => {
            let tenant = model
                .registration()
                .map(|r| r.tenant.clone())
                .unwrap_or_default();
            model.registering =
                Registering::Failed(Failure::Failed(Message::AlreadyRegistered { tenant }));
            render()
        }
        RegistrationEvent::Checked {
            result: Err(failure),
            ..
        } => {
            model.registering = Registering::Failed(Failure::from(failure));
            render()
        }
        RegistrationEvent::Forgotten {
            request,
            result: Ok(()),
        } => {
            model.forget_everything();
            register(model, request)
        }
        RegistrationEvent::Answered {
            result: Ok(registered),
            ..
        } if !is_token(&registered.token) => {
            model.registering = Registering::Failed(Failure::from(ApiFailure::Protocol(
                "the server gave a token that cannot be sent back".into(),
            )));
            render()
        }
        RegistrationEvent::Answered {
            request,
            result: Ok(registered),
        } => {
            let registration = Registration {
                server_url: request.server_url,
                tenant: request.tenant,
                device_id: registered.device_id,
                token: registered.token,
                agent: request.enrolment_code.is_some(),
                staff: registered.staff,
            };
            store::write(StoreOp::SaveRegistration(registration.clone()))
                .then_send(move |result| send(RegistrationEvent::Saved(registration, result)))
        }
        RegistrationEvent::Answered {
            request,
            result: Err(failure),
        } => {
            model.registering = Registering::Failed(match failure {
                ApiFailure::UnknownTenant => {
                    Failure::Failed(Message::UnknownTenant(request.tenant))
                }
                other => Failure::from(other),
            });
            render()
        }
        RegistrationEvent::Saved(registration, Ok(())) => {
            model.lifecycle = Lifecycle::Registered(registration);
            model.registering = Registering::Idle;
            Command::all([sync::start(model), render()])
        }
        RegistrationEvent::Saved(_, Err(e))
        | RegistrationEvent::Forgotten { result: Err(e), .. } => {
            model.registering = Registering::Failed(Failure::Failed(Message::StorageFailed(e.0)));
            render()
        }
    }
}
