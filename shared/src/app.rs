//! The crux [`App`] implementation: it only delegates to [`crate::model`] and [`crate::view`].

use crux_core::{App, Command};

use crate::{effects::Effect, model, view::ViewModel};

/// The Relais app. Stateless: all state is in [`model::Model`].
#[derive(Default)]
pub struct Relais;

impl App for Relais {
    type Event = model::Event;
    type Model = model::Model;
    type ViewModel = ViewModel;
    type Effect = Effect;

    fn update(
        &self,
        event: model::Event,
        model: &mut model::Model,
    ) -> Command<Effect, model::Event> {
        model::update(event, model)
    }

    fn view(&self, model: &model::Model) -> ViewModel {
        ViewModel::from(model)
    }
}
