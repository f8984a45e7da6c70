//! What the desktop benchmarks share: the release binaries of the app and of the empty app,
//! an X server of their own, and the memory of a process with everything under it (PSS, USS and
//! RSS from `/proc/PID/smaps_rollup`). It starts and measures processes; it never judges the
//! figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The cargo profile both apps are built with for measuring: `APP_PROFILE`, by default `dist`,
/// the one the shipped app is built with (`make bundle`); `release` is the one `make demo`
/// and the other benchmarks use.
pub fn profile() -> String {
    std::env::var("APP_PROFILE").unwrap_or_else(|_| "dist".to_owned())
}

/// Builds (or finds up to date) the app and the empty app, as shipped.
pub fn build_binaries() -> Result<(PathBuf, PathBuf)> {
    let profile = profile();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building both apps (cargo build --profile {profile} --features custom-protocol)");
    let status = Command::new(cargo)
        .args([
            "build",
            "--profile",
            &profile,
            "--locked",
            "-p",
            "inbox-desktop",
        ])
        .args(["--features", "custom-protocol"])
        .args(["--bin", "inbox-desktop", "--example", "empty_app"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .context("running cargo")?;
    ensure!(status.success(), "cargo build failed");
    let release = target_dir().join(&profile);
    let inbox = release.join("inbox-desktop");
    let empty = release.join("examples/empty_app");
    for path in [&inbox, &empty] {
        ensure!(
            path.exists(),
            "{} is missing after the build",
            path.display()
        );
    }
    Ok((inbox, empty))
}

/// Parent pid of every process, from `/proc/PID/stat`.
fn parents() -> BTreeMap<u32, u32> {
    let mut parents = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return parents;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name is in parentheses and may hold spaces: the fields after it count.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
            parents.insert(pid, ppid);
        }
    }
    parents
}

/// Every process below `root`, with `root` first.
pub fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|&(_, &ppid)| ppid == parent)
                .map(|(&pid, _)| pid),
        );
        i += 1;
    }
    found
}

fn exe_name(pid: u32) -> Option<String> {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    Some(exe.file_name()?.to_string_lossy().into_owned())
}

/// The memory of the app and every process under it.
pub struct Memory {
    /// By executable name.
    pub pss_mb: BTreeMap<String, f64>,
    pub uss_mb: f64,
    pub rss_mb: f64,
}

pub fn memory_of_tree(app: u32) -> Result<Memory> {
    let mut memory = Memory {
        pss_mb: BTreeMap::new(),
        uss_mb: 0.0,
        rss_mb: 0.0,
    };
    for (i, pid) in tree(app).into_iter().enumerate() {
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue; // Exited meanwhile.
        };
        let mb = |field: &str| -> Result<f64> {
            let kib: u64 = rollup
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("no {field} line for process {pid}"))?;
            Ok(kib as f64 * 1024.0 / 1e6)
        };
        let name = if i == 0 {
            "app".to_owned()
        } else {
            exe_name(pid).unwrap_or_else(|| format!("pid {pid}"))
        };
        *memory.pss_mb.entry(name).or_insert(0.0) += mb("Pss:")?;
        memory.uss_mb += mb("Private_Clean:")? + mb("Private_Dirty:")?;
        memory.rss_mb += mb("Rss:")?;
    }
    ensure!(!memory.pss_mb.is_empty(), "the app process is gone");
    Ok(memory)
}

/// Waits for the app and its children to exit after the session closed; kills what lingers so
/// the next launch starts alone.
pub fn wait_gone(app: u32) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if !Path::new(&format!("/proc/{app}")).exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for pid in tree(app).into_iter().rev() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// An X server of our own for the whole run, as the end-to-end tests have.
#[path = "../../../tests/e2e/xvfb.rs"]
mod xvfb;
pub use xvfb::Xvfb;
