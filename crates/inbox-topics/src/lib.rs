//! Topic classifier (work in progress by its own issue).
