//! Exit codes (conformance spec, section 7) and the error type that carries one.

use std::process::ExitCode;

/// A process exit status. When several apply, the first in the order 130, 2, 3, 5, 1, 4 wins
/// ([`Exit::worst`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: every selected scenario passed and every gate was met.
    Ok,
    /// 1: at least one scenario failed.
    Failed,
    /// 2: usage, configuration or lint error.
    Usage,
    /// 3: target unreachable or setup failed.
    Setup,
    /// 4: nothing failed, but a gate was missed.
    Gate,
    /// 5: internal error.
    Internal,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Setup => 3,
            Exit::Gate => 4,
            Exit::Internal => 5,
            Exit::Interrupted => 130,
        }
    }

    /// Rank in the precedence order 130, 2, 3, 5, 1, 4 (lower wins); `Ok` comes last.
    fn rank(self) -> u8 {
        match self {
            Exit::Interrupted => 0,
            Exit::Usage => 1,
            Exit::Setup => 2,
            Exit::Internal => 3,
            Exit::Failed => 4,
            Exit::Gate => 5,
            Exit::Ok => 6,
        }
    }

    /// The status that wins among several that apply.
    pub(crate) fn worst(all: impl IntoIterator<Item = Exit>) -> Exit {
        all.into_iter().min_by_key(|e| e.rank()).unwrap_or(Exit::Ok)
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// An error with the exit status it maps to.
#[derive(Debug)]
pub(crate) struct CliError {
    /// Exit status.
    pub(crate) exit: Exit,
    /// What happened.
    pub(crate) error: anyhow::Error,
}

impl CliError {
    /// Exit 2: usage, configuration or lint.
    pub(crate) fn usage(error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            exit: Exit::Usage,
            error: error.into(),
        }
    }

    /// Exit 3: target unreachable or setup failed.
    pub(crate) fn setup(error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            exit: Exit::Setup,
            error: error.into(),
        }
    }

    /// Exit 5: internal error.
    pub(crate) fn internal(error: impl Into<anyhow::Error>) -> CliError {
        CliError {
            exit: Exit::Internal,
            error: error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_section_7() {
        assert_eq!(Exit::worst([]), Exit::Ok);
        assert_eq!(Exit::worst([Exit::Gate, Exit::Failed]), Exit::Failed);
        assert_eq!(Exit::worst([Exit::Failed, Exit::Internal]), Exit::Internal);
        assert_eq!(Exit::worst([Exit::Internal, Exit::Setup]), Exit::Setup);
        assert_eq!(Exit::worst([Exit::Setup, Exit::Usage]), Exit::Usage);
        assert_eq!(
            Exit::worst([Exit::Usage, Exit::Interrupted, Exit::Ok]),
            Exit::Interrupted
        );
        assert_eq!(Exit::Interrupted.code(), 130);
        assert_eq!(Exit::Gate.code(), 4);
    }
}
