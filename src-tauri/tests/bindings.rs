//! `ui/src/bindings.ts` is generated from the commands and events here: the committed file must
//! be what the code generates, or the UI would call commands that no longer exist.
//! `UPDATE_BINDINGS=1` (`make bindings`) rewrites it.

use std::path::Path;

#[test]
fn the_committed_typescript_bindings_are_current() {
    let generated = inbox_desktop::typescript_bindings().expect("the bindings export");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("ui/src/bindings.ts is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale: run `make bindings` and commit it"
    );
}
