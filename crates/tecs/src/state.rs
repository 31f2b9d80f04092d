//! Terminal states (spec 4.1) as observers see them, and the terminal's timers.

use serde::Serialize;

/// The state of one terminal (4.1); `done` is transient, until the response is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum TerminalState {
    /// 0: free for a new request.
    Idle = 0,
    /// 1: the reader prompts for a card; `card_wait` runs.
    AwaitingCard = 1,
    /// 2: at the acquirer; `host_timeout` runs.
    Authorizing = 2,
    /// 3: outcome known, response being written.
    Done = 3,
}

impl TerminalState {
    /// The spec's number.
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// The spec's name (`awaiting_card`).
    pub const fn name(self) -> &'static str {
        match self {
            TerminalState::Idle => "idle",
            TerminalState::AwaitingCard => "awaiting_card",
            TerminalState::Authorizing => "authorizing",
            TerminalState::Done => "done",
        }
    }
}

/// The terminal's timers (D15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Timer {
    /// `card_wait` in `awaiting_card` (default 60 s): `2002`.
    CardWait,
    /// `host_timeout` in `authorizing` (default 30 s): `1091` and a timeout reversal.
    HostTimeout,
}

impl Timer {
    /// The spec's name.
    pub const fn name(self) -> &'static str {
        match self {
            Timer::CardWait => "card_wait",
            Timer::HostTimeout => "host_timeout",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names() {
        let all = [
            (TerminalState::Idle, 0, "idle"),
            (TerminalState::AwaitingCard, 1, "awaiting_card"),
            (TerminalState::Authorizing, 2, "authorizing"),
            (TerminalState::Done, 3, "done"),
        ];
        for (s, id, name) in all {
            assert_eq!((s.id(), s.name()), (id, name));
        }
        assert_eq!(Timer::CardWait.name(), "card_wait");
        assert_eq!(Timer::HostTimeout.name(), "host_timeout");
    }
}
