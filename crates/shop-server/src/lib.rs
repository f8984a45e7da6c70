//! Reference shop server.
