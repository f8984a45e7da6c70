//! Every JSON body the Inbox API accepts: decoding arbitrary bytes never panics, and whatever
//! decodes encodes again to the same value (what the server stores and answers with is what it
//! read).
#![no_main]

use inbox_protocol::*;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        let again: T = serde_json::from_slice(&serde_json::to_vec(&value).unwrap())
            .expect("what was encoded decodes");
        assert_eq!(value, again);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 13 {
        0 => round_trip::<SignInRequest>(body),
        1 => round_trip::<SendMessage>(body),
        2 => round_trip::<SetStatus>(body),
        3 => round_trip::<SetReadState>(body),
        4 => round_trip::<SetAssignee>(body),
        5 => round_trip::<NoteBody>(body),
        6 => round_trip::<StartChat>(body),
        7 => round_trip::<CustomerText>(body),
        8 => round_trip::<CartChange>(body),
        9 => round_trip::<ApplyDiscount>(body),
        10 => round_trip::<ConfirmEmail>(body),
        12 => round_trip::<PlaceOrder>(body),
        _ => round_trip::<Problem>(body),
    }
});
