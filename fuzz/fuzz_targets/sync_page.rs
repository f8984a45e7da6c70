//! The client's decoder of sync pages (the hand-written `Change` deserializer included), given
//! whatever a hostile or broken shop could send: it never panics, and a page it accepts encodes
//! and decodes to the same page.
#![no_main]

use inbox_protocol::{ChatEvent, SyncPage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = serde_json::from_slice::<SyncPage>(data) {
        let again: SyncPage = serde_json::from_slice(&serde_json::to_vec(&page).unwrap())
            .expect("what was encoded decodes");
        assert_eq!(page, again);
    }
    let _ = serde_json::from_slice::<ChatEvent>(data);
});
