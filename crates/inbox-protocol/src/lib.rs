//! Wire types of the Inbox API, shared by the shop server and the desktop client.
//!
//! Everything here is plain data with serde derives; this crate never does I/O, so client and
//! server can't drift apart on the shape of a message.

pub mod api;
pub mod entities;
pub mod problem;
pub mod topic;

pub use api::*;
pub use entities::*;
pub use problem::{PROBLEM_CONTENT_TYPE, Problem, ProblemCode};
pub use topic::{CONFIDENCE_GATE, LIST_LABELS, Topic};
