//! Refuses to build a server whose chat widget bundle is older than the widget's sources.
//!
//! The bundle (`static/widget.js`, `static/store.js`) is built by `make widget` (npm, Vite) and
//! committed, so building the server needs no Node. The build writes the fingerprint of its
//! sources to `static/widget.sources`; this script computes the same fingerprint
//! (`widget/scripts/sources.js`: FNV-1a 64 over each file's path and LF-normalised contents, in
//! path order) and stops the build when they differ, so an edit to the TypeScript can't ship
//! without its bundle. It never runs npm and never writes anything.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let widget = manifest.join("widget");
    let stamp = manifest.join("static/widget.sources");
    println!("cargo:rerun-if-changed={}", stamp.display());
    println!("cargo:rerun-if-changed={}", widget.join("src").display());
    for file in ["package-lock.json", "scripts/build.js", "tsconfig.json"] {
        println!("cargo:rerun-if-changed={}", widget.join(file).display());
    }
    if !widget.join("src").is_dir() {
        // A packaged crate carries the bundle without its sources.
        return;
    }
    let recorded = std::fs::read_to_string(&stamp).unwrap_or_default();
    let recorded = recorded.trim().strip_prefix("fnv1a64 ").unwrap_or("");
    let current = fingerprint(&widget);
    if recorded != current {
        panic!(
            "the chat widget bundle in crates/shop-server/static/ is stale: its sources changed \
             since it was built (fingerprint {current}, bundle built from {recorded:?}). Run \
             `make widget` (or `npm run build` in crates/shop-server/widget) and commit the result"
        );
    }
}

fn source_files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if !entry.file_name().to_string_lossy().ends_with(".test.ts") {
                let relative = path.strip_prefix(root).expect("under root");
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &root.join("src"), &mut files);
    files.extend(["package-lock.json", "scripts/build.js", "tsconfig.json"].map(String::from));
    // JavaScript's default sort compares UTF-16 code units; for the ASCII names here that is
    // byte order.
    files.sort();
    files
}

fn fingerprint(root: &Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for file in source_files(root) {
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        feed(file.as_bytes());
        feed(&[0]);
        feed(text.replace("\r\n", "\n").as_bytes());
        feed(&[0]);
    }
    format!("{hash:016x}")
}
