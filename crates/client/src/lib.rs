//! payrig-client: payrig typed async protocol clients.
