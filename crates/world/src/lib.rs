//! payrig-world: the deterministic engine.
//!
//! What it is: the event queue ([`queue::TimerQueue`]), the trace ([`trace::Trace`]) and the
//! wiring of protocol machines to device simulators. For ATIONet, [`ationet::AtionetWorld`] owns
//! the transactions, the site systems with their pumps, and the PFEP; the server, the cucumber
//! suite, the proptests and the benches all drive the same world.
//!
//! What it is not: it owns no socket, reads no clock and draws no ambient randomness. Every call
//! takes `now`; a seed fixes every random draw, so the same seed gives the same trace, byte for
//! byte (SIM-G-01).
//!
//! Driving loop (server or test):
//!
//! ```text
//! world.advance(now);                 // fire every deadline <= now, in time order
//! world.create(now, request)?;        // or get / cancel / prompt / control calls
//! for e in world.drain_trace() { journal.push(e) }
//! sleep_until(world.next_deadline()); // wall clock; virtual clock: advance on demand
//! ```

pub mod ationet;
pub mod queue;
pub mod tecs;
pub mod trace;

/// A scenario or configuration value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The TOML did not parse.
    #[error("invalid scenario TOML: {0}")]
    Toml(String),
    /// A field has a bad value.
    #[error("{field}: {reason}")]
    Field {
        /// Dotted field path.
        field: String,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// A field error.
    pub fn field(field: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Field {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}
