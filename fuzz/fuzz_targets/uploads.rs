//! The shop server's upload validators, given any bytes under any accepted type: they never
//! panic, never allocate past their limits (libFuzzer's -rss_limit_mb catches that), and what
//! they accept has the declared type and bounded dimensions.
#![no_main]

use inbox_protocol::{IMAGE_TYPES, MAX_IMAGE_SIDE, VIDEO_TYPES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else {
        return;
    };
    let types: Vec<&str> = IMAGE_TYPES.iter().chain(VIDEO_TYPES.iter()).copied().collect();
    let mime = types[*which as usize % types.len()];
    if let Ok(checked) = shop_server::media::check(mime, bytes) {
        assert_eq!(checked.mime, mime);
        if let (Some(w), Some(h)) = (checked.width, checked.height) {
            assert!(w <= MAX_IMAGE_SIDE && h <= MAX_IMAGE_SIDE, "{w}x{h}");
        }
    }
});
