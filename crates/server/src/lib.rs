//! payrig-server: payrig reference servers (axum): protocol endpoints, /_payrig control API, journal.
