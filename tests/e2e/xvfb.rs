//! An X server of our own (Xvfb, 1280×800) on a display no one else uses, stopped when dropped:
//! the end-to-end tests' and the desktop benchmarks' screen (the benchmarks include this file
//! through `#[path]`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// Starts one on the first free display from a per-process offset (so parallel runs don't
    /// race for the same one), waiting until its socket is there.
    pub fn start() -> Result<Xvfb, String> {
        for n in (100 + std::process::id() % 400)..1000 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let mut child = Command::new("Xvfb")
                .arg(format!(":{n}"))
                .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("starting Xvfb (apt install xvfb): {e}"))?;
            let socket = format!("/tmp/.X11-unix/X{n}");
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if Path::new(&socket).exists() {
                    return Ok(Xvfb {
                        child,
                        display: format!(":{n}"),
                    });
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // Lost a race for this display: try the next.
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err("no free X display for Xvfb".into())
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
