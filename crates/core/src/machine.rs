//! The sans-IO contract shared by protocol machines and device simulators.

use crate::Timestamp;

/// A pure state machine in the quinn/str0m style: time is an argument, effects are returned.
///
/// Drain rule: after each [`Machine::handle_input`], the caller drains [`Machine::poll_output`]
/// before giving the next input. A due deadline is fired by passing the machine's own timeout
/// input with `now >= poll_timeout()`.
pub trait Machine {
    /// What the machine accepts (messages, customer actions, `Timeout`).
    type Input;
    /// What it produces (messages to peers, events for observers).
    type Output;
    /// Why an input was refused; carries the protocol's own code where it has one.
    type Reject;

    /// Feeds one input at `now`. A refused input changes nothing.
    fn handle_input(&mut self, now: Timestamp, input: Self::Input) -> Result<(), Self::Reject>;

    /// Takes the next output, if any.
    fn poll_output(&mut self) -> Option<Self::Output>;

    /// The next deadline, if any.
    fn poll_timeout(&self) -> Option<Timestamp>;
}
