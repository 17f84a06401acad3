//! One exchange ahead: the push's next batch and the pull's next page leave while the store
//! records the answer before them, so the phone's writes, the network and the server overlap
//! instead of taking turns. An answer that comes back before the store is done waits here, so
//! answers are still recorded one at a time and in order, and a failure is acted on only once
//! everything before it is recorded.

/// The exchange after the one whose answer the store is recording; `T` is its answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Ahead<T> {
    /// Not sent: nothing more to send, or it cannot leave yet.
    #[default]
    Nothing,
    /// Sent while the store records the answer before it.
    Sent,
    /// Sent, and the answer before it is recorded: acted on as soon as it arrives.
    Awaited,
    /// Back, waiting for the answer before it to be recorded.
    Arrived(Box<T>),
}

/// What a step does once the store has recorded an answer.
pub enum Then<T> {
    /// Act on the answer that arrived in the meantime.
    Act(T),
    /// Wait for the exchange on its way: it is acted on when it arrives.
    Wait,
    /// Nothing was sent ahead.
    Idle,
}

impl<T> Ahead<T> {
    /// An answer arrived: `None` when it must wait for the store (kept here), else the answer
    /// to act on now.
    pub fn arrive(&mut self, answer: T) -> Option<T> {
        if matches!(self, Self::Sent) {
            *self = Self::Arrived(Box::new(answer));
            None
        } else {
            *self = Self::Nothing;
            Some(answer)
        }
    }

    /// The store recorded the answer before the one ahead: what to do next.
    pub fn recorded(&mut self) -> Then<T> {
        match std::mem::take(self) {
            Self::Arrived(answer) => Then::Act(*answer),
            Self::Sent | Self::Awaited => {
                *self = Self::Awaited;
                Then::Wait
            }
            Self::Nothing => Then::Idle,
        }
    }
}
