//! Error types of the clients.

use payrig_ationet::wire::ProblemBody;

/// What went wrong with an ATIONet call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request could not be sent or the answer not read (connection, timeout, URL).
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The server answered with a non-2xx status.
    #[error("HTTP {status}{}", problem_summary(.problem))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The RFC 7807 body, when the answer had one that decodes.
        problem: Option<Box<ProblemBody>>,
        /// The body as text (lossy UTF-8).
        body: String,
    },
    /// A 2xx answer whose body does not decode as the expected type.
    #[error("HTTP {status}: body does not decode: {message}; body: {body}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The decoder's message.
        message: String,
        /// The body as text (lossy UTF-8).
        body: String,
    },
    /// The method name given to [`crate::AtionetClient::raw`] is not an HTTP method.
    #[error("invalid HTTP method `{0}`")]
    Method(String),
    /// A header given to [`crate::AtionetClient::raw`] is not valid.
    #[error("invalid header `{0}`")]
    Header(String),
}

fn problem_summary(problem: &Option<Box<ProblemBody>>) -> String {
    match problem {
        Some(p) => {
            let keys: Vec<&str> = p.errors.keys().map(String::as_str).collect();
            format!(" {} [{}]", p.code, keys.join(", "))
        }
        None => String::new(),
    }
}

impl ClientError {
    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } | ClientError::Decode { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The problem body of a non-2xx answer, if it had one.
    pub fn problem(&self) -> Option<&ProblemBody> {
        match self {
            ClientError::Status { problem, .. } => problem.as_deref(),
            _ => None,
        }
    }
}

/// What went wrong with a control API call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlApiError {
    /// The request could not be sent or the answer not read.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// The control API answered with an error (`{"error":{"code","message"}}`).
    #[error("control API HTTP {status} {code}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// `error.code` (`clock_not_virtual`), or `http_<status>` when the body had none.
        code: String,
        /// `error.message`, or the raw body.
        message: String,
    },
    /// A 2xx answer whose body does not decode as the expected type.
    #[error("control API body does not decode: {message}; body: {body}")]
    Decode {
        /// The decoder's message.
        message: String,
        /// The body as text.
        body: String,
    },
}

impl ControlApiError {
    /// The HTTP status, if the control API answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ControlApiError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}
