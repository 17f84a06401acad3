//! Self-service data rights, online only: export everything the server holds about me, and
//! delete my identity (my reports stay, anonymised). After a deletion the device forgets its
//! registration and its local data, as if new; so does a device whose identity the server no
//! longer knows (deleted from another device of the account) when asked to delete it.

use crux_core::{Command, render::render};
use relais_protocol::account::{Account, AccountDetails};

use super::{Event, Failure, Model};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::StoreError,
    },
    i18n::Message,
};

/// Where the latest account request stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AccountState {
    #[default]
    Idle,
    Working,
    /// The export, as the JSON the server sent.
    Exported(String),
    /// The account as the server has it now.
    Ready(Account),
    /// My identity is deleted and the device reset. `already_gone`: the server no longer knew
    /// this device (the account was deleted from another of its devices).
    Deleted {
        already_gone: bool,
    },
    Failed(Failure),
}

#[derive(Debug)]
pub enum AccountEvent {
    Answered(Result<Account, ApiFailure>),
    Exported(Result<String, ApiFailure>),
    Deleted(Result<(), ApiFailure>),
    Reset {
        already_gone: bool,
        result: Result<(), StoreError>,
    },
}

pub fn export(model: &mut Model) -> Command<Effect, Event> {
    let Some(registration) = model.registration().cloned() else {
        model.account = AccountState::Failed(Failure::Failed(Message::NotRegistered));
        return render();
    };
    model.account = AccountState::Working;
    let request =
        api::export(&registration).then_send(|r| Event::Account(AccountEvent::Exported(r)));
    Command::all([request, render()])
}

/// Create or update my account (contact details, preferred channel, language).
pub fn set(model: &mut Model, details: AccountDetails) -> Command<Effect, Event> {
    let Some(registration) = model.registration().cloned() else {
        model.account = AccountState::Failed(Failure::Failed(Message::NotRegistered));
        return render();
    };
    if !details.email.contains('@') || details.email.trim().len() < 3 {
        model.account = AccountState::Failed(Failure::Failed(Message::InvalidEmail));
        return render();
    }
    model.account = AccountState::Working;
    let request = api::put_account(&registration, &details)
        .then_send(|r| Event::Account(AccountEvent::Answered(r)));
    Command::all([request, render()])
}

/// Link this device to the account that gave `code` on another device.
pub fn link(model: &mut Model, code: &str) -> Command<Effect, Event> {
    let Some(registration) = model.registration().cloned() else {
        model.account = AccountState::Failed(Failure::Failed(Message::NotRegistered));
        return render();
    };
    model.account = AccountState::Working;
    let request = api::link_account(&registration, code)
        .then_send(|r| Event::Account(AccountEvent::Answered(r)));
    Command::all([request, render()])
}

pub fn delete(model: &mut Model) -> Command<Effect, Event> {
    let Some(registration) = model.registration().cloned() else {
        model.account = AccountState::Failed(Failure::Failed(Message::NotRegistered));
        return render();
    };
    model.account = AccountState::Working;
    let request =
        api::delete_account(&registration).then_send(|r| Event::Account(AccountEvent::Deleted(r)));
    Command::all([request, render()])
}

pub fn update(event: AccountEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        AccountEvent::Answered(Ok(account)) => {
            model.account = AccountState::Ready(account);
            render()
        }
        AccountEvent::Answered(Err(ApiFailure::NotFound)) => {
            model.account = AccountState::Failed(Failure::Failed(Message::UnknownLinkCode));
            render()
        }
        AccountEvent::Exported(Ok(json)) => {
            model.account = AccountState::Exported(json);
            render()
        }
        AccountEvent::Deleted(result @ (Ok(()) | Err(ApiFailure::Unauthorized))) => {
            let already_gone = result.is_err();
            model.reset_store(move |result| {
                Event::Account(AccountEvent::Reset {
                    already_gone,
                    result,
                })
            })
        }
        AccountEvent::Answered(Err(failure))
        | AccountEvent::Exported(Err(failure))
        | AccountEvent::Deleted(Err(failure)) => {
            model.account = AccountState::Failed(Failure::from(failure));
            render()
        }
        AccountEvent::Reset {
            already_gone,
            result,
        } => {
            model.forget_everything();
            model.account = match result {
                Ok(()) => AccountState::Deleted { already_gone },
                Err(e) => AccountState::Failed(Failure::Failed(Message::StorageFailed(e.0))),
            };
            render()
        }
    }
}
