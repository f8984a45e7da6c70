//! Wire types of the Inbox API, shared by the shop server and the desktop client.
//!
//! Everything here is plain data with serde derives; this crate never does I/O, so client and
//! server can't drift apart on the shape of a message.

pub mod topic;

pub use topic::{CONFIDENCE_GATE, LIST_LABELS, Topic};
