//! The real app in a real window: Xvfb for a screen, tauri-driver and WebKitWebDriver to
//! drive the webview, the real shop-server in-process over TLS. Each [`Desktop`] has a display,
//! driver ports and a data dir of its own; dropping it stops them (tauri-driver with SIGTERM, so
//! it takes WebKitWebDriver down with it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::xvfb::Xvfb;

/// How long anything the UI should do may take before a test gives up (a loaded CI machine
/// builds and renders slowly; this is a ceiling, not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_inbox-desktop"))
}

/// Screenshots go here (`target/e2e-screenshots/`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("e2e-screenshots")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("HOME or CARGO_HOME");
    let installed = home.join("bin/tauri-driver");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// The app under WebDriver.
pub struct Desktop {
    pub client: Client,
    driver: Child,
    _xvfb: Xvfb,
    name: String,
    shots: u32,
}

impl Desktop {
    /// Starts the app with these arguments and extra environment, and a WebDriver session.
    pub async fn launch(name: &str, args: &[String], env: &[(String, String)]) -> Desktop {
        let xvfb = Xvfb::start().expect("an X display");
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .env("DISPLAY", &xvfb.display)
            // Software rendering: Xvfb has no GPU.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let driver = command
            .spawn()
            .expect("tauri-driver runs (cargo install tauri-driver --locked --version ^2)");
        wait_for_port(port).await;
        wait_for_port(native_port).await;
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": app_binary(), "args": args },
        });
        let capabilities = capabilities.as_object().expect("an object").clone();
        let client = ClientBuilder::rustls()
            .expect("a WebDriver client")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with the app");
        Desktop {
            client,
            driver,
            _xvfb: xvfb,
            name: name.to_owned(),
            shots: 0,
        }
    }

    /// The X display the app's window is on.
    pub fn display(&self) -> &str {
        &self._xvfb.display
    }

    /// Saves a screenshot of the window as `target/e2e-screenshots/<test>-<n>-<what>.png`, taken
    /// from the X server (WebKit's own snapshot has hung after a window resize, and a hung one
    /// takes the WebDriver session with it).
    pub async fn screenshot(&mut self, what: &str) {
        self.shots += 1;
        eprintln!("[{}] {} {what}", self.name, self.shots);
        // A frame for what the last step changed to be drawn.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let display = self.display().to_owned();
        let png = tokio::task::spawn_blocking(move || super::x11::Screen::open(&display).capture())
            .await
            .expect("the capture runs");
        let Some(png) = png else {
            eprintln!(
                "[{}] no window on screen for {what}; no screenshot",
                self.name
            );
            return;
        };
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        let file = dir.join(format!("{}-{:02}-{what}.png", self.name, self.shots));
        std::fs::write(&file, png).expect("the screenshot is saved");
    }

    /// Saves what the window shows when a test is about to fail, as `<test>-failed.png`.
    pub async fn failure_screenshot(&self) {
        let display = self.display().to_owned();
        let shot =
            tokio::task::spawn_blocking(move || super::x11::Screen::open(&display).capture());
        if let Ok(Some(png)) = shot.await {
            let dir = screenshot_dir();
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{}-failed.png", self.name)), png);
        }
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                self.failure_screenshot().await;
                panic!("no element {css:?} appeared: {e}")
            }
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        match tokio::time::timeout(
            Duration::from_secs(20),
            self.client.find_all(Locator::Css(css)),
        )
        .await
        {
            Ok(found) => found.unwrap_or_default(),
            Err(_) => {
                eprintln!("[{}] find_all {css:?} hung", self.name);
                Vec::new()
            }
        }
    }

    /// Clicks the first element matching `css`. Live lists re-render under the test (a new
    /// message, a sync page): an element replaced between finding and clicking is found again.
    pub async fn click(&self, css: &str) {
        eprintln!("[{}] click {css}", self.name);
        let start = Instant::now();
        loop {
            let element = self.find(css).await;
            // Inside a scrolled panel the element may be under its edge: bring it to the middle.
            let _ = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({ block: 'center' }); return true;",
                    vec![serde_json::to_value(&element).expect("an element reference")],
                )
                .await;
            match element.click().await {
                Ok(()) => return,
                Err(e) if is_stale(&e) && start.elapsed() < PATIENCE => {
                    eprintln!("[{}] {css} was replaced before the click; again", self.name);
                }
                Err(e) => {
                    self.failure_screenshot().await;
                    panic!("can't click {css:?}: {e}")
                }
            }
        }
    }

    /// Replaces an input's text.
    pub async fn fill(&self, css: &str, text: &str) {
        eprintln!("[{}] fill {css}", self.name);
        let input = self.find(css).await;
        input.clear().await.expect("the input clears");
        if text.is_empty() {
            return;
        }
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("can't type into {css:?}: {e}"));
    }

    /// Waits until `check` holds for the text content of the elements matching `css` (all of
    /// them joined by newlines); returns that text.
    pub async fn wait_text(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut last = String::new();
        let script = "return Array.from(document.querySelectorAll(arguments[0])) \
                      .map(e => e.textContent.trim()).join('\\n');";
        while start.elapsed() < PATIENCE {
            let call = self.client.execute(script, vec![serde_json::json!(css)]);
            match tokio::time::timeout(Duration::from_secs(20), call).await {
                Ok(Ok(value)) => last = value.as_str().unwrap_or_default().to_owned(),
                Ok(Err(e)) => eprintln!("[{}] reading {css:?} failed: {e}", self.name),
                Err(_) => eprintln!("[{}] reading {css:?} hung", self.name),
            }
            if check(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.failure_screenshot().await;
        panic!("{css:?} never showed {what}; last text: {last:?}");
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if self.find_all(css).await.is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.failure_screenshot().await;
        panic!("{css:?} never went away");
    }

    /// Presses keys on whatever has focus (WebDriver key codes for special keys).
    pub async fn keys(&self, keys: &str) {
        let body = self.find("body").await;
        body.send_keys(keys).await.expect("keys are sent");
    }

    /// Types keys into whatever has focus now, as a keyboard does (WebDriver key codes for
    /// Enter `\u{E007}`, Escape `\u{E00C}`). Unlike [`Desktop::keys`], focus doesn't move.
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for value in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("the keys are pressed");
    }

    /// Moves the mouse pointer over `css`'s element, as a hand on the mouse does.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let element = self.find(css).await;
        let actions = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(actions)
            .await
            .expect("the pointer moves");
    }

    /// The `data-testid` of the focused element, or its tag and role.
    pub async fn focused(&self) -> String {
        let value = self
            .script(
                "const e = document.activeElement; \
                 return e ? (e.dataset.testid || `${e.tagName}:${e.getAttribute('role') || ''}`) : '';",
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Sizes the window as a person dragging its corner would, and waits until the page has
    /// that width.
    pub async fn set_size(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window is resized");
        let start = std::time::Instant::now();
        loop {
            let inner = self.script("return window.innerWidth;").await;
            if inner.as_u64() == Some(u64::from(width)) {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the page never became {width} px wide (it is {inner})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// axe-core's serious and critical violations on what the window shows, as
    /// "rule (impact): nodes" lines; empty when there are none. Runs once animations have
    /// ended: mid-fade text has less contrast than a person sees.
    pub async fn axe_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ui/node_modules/axe-core/axe.min.js"
        ))
        .expect("axe-core is installed (npm ci in ui/)");
        self.client
            .execute(&axe, vec![])
            .await
            .expect("axe-core loads into the page");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const ending = document.getAnimations()
                   .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
                 Promise.all(ending.map(a => a.finished))
                   .then(() => axe.run(document, { resultTypes: ['violations'] }))
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n =>
                       JSON.stringify(n.target)).join(', ')}`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(result).expect("a list of strings")
    }

    /// Runs script in the page and returns its JSON result.
    pub async fn script(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    pub async fn close(mut self) {
        // Ending the session closes the window, which the app answers by hiding it to the
        // tray; WebKitWebDriver has been seen to wait on that for good (once in a dozen runs).
        // The driver is stopped either way, and it ends the app.
        let _ = tokio::time::timeout(Duration::from_secs(15), self.client.clone().close()).await;
        self.stop_driver();
    }

    fn stop_driver(&mut self) {
        // SIGTERM: tauri-driver then stops WebKitWebDriver; SIGKILL would leave it behind.
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.driver.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.stop_driver();
    }
}

/// Whether WebDriver says the element is gone from the page (WebKitWebDriver words it as a
/// node "not found" rather than the standard "stale element reference").
fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    let text = error.to_string();
    text.contains("stale element")
        || (text.contains("Node with identifier") && text.contains("not found"))
}

async fn wait_for_port(port: u16) {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on port {port}");
}
