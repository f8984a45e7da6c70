//! Test support: a private D-Bus session bus with a notification server that records every
//! `Notify` call and can click or close what it recorded.
//!
//! [`PrivateBus`] runs `dbus-daemon` with a generated configuration: it listens on a fresh
//! socket under `/tmp`, allows everything, and has **no service directories**, so nothing is
//! ever auto-started on it (an installed dunst would otherwise start on the first `Notify` and
//! make "nothing was shown" tests lie). [`Recorder`] owns `org.freedesktop.Notifications` on
//! that bus and keeps every call; [`Recorder::invoke`] emits `ActionInvoked` (as a click on the
//! notification does) and [`Recorder::close`] `NotificationClosed`, both addressed to the
//! connection that sent the notification, as KDE does (the strictest server).
//!
//! Point the process under test at it with `DBUS_SESSION_BUS_ADDRESS=`[`Recorder::address`].
//! From another process or language, run the `notify-recorder` binary (see its docs).
//!
//! It must never be used by product code: it is a fake notification server.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use zbus::message::Header;
use zbus::{OwnedVariant, Variant};

pub const NAME: &str = "org.freedesktop.Notifications";
pub const PATH: &str = "/org/freedesktop/Notifications";

/// The bus configuration: a session bus on a fresh socket, everything allowed, and no
/// `<servicedir>` (so no service can be activated).
pub const SESSION_CONF: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// A `dbus-daemon` of our own; stopped when dropped.
#[derive(Debug)]
pub struct PrivateBus {
    address: String,
    daemon: Child,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    pub fn start() -> Result<PrivateBus> {
        let dir = tempfile::tempdir()?;
        let conf = dir.path().join("session.conf");
        std::fs::write(&conf, SESSION_CONF)?;
        PrivateBus::start_with(&conf, dir)
    }

    fn start_with(conf: &Path, dir: tempfile::TempDir) -> Result<PrivateBus> {
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("can't run dbus-daemon (Debian: apt-get install dbus)")?;
        let mut line = String::new();
        BufReader::new(daemon.stdout.take().expect("piped"))
            .read_line(&mut line)
            .context("reading the bus address")?;
        let address = line.trim().to_owned();
        if address.is_empty() {
            let _ = daemon.kill();
            bail!("dbus-daemon printed no address");
        }
        Ok(PrivateBus {
            address,
            daemon,
            _dir: dir,
        })
    }

    /// The value for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One `Notify` call as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The id the server answered with (1, 2, … in order of arrival).
    pub id: u32,
    pub app_name: String,
    pub replaces_id: u32,
    pub app_icon: String,
    pub summary: String,
    pub body: String,
    /// Pairs of action key and label, flattened as on the wire.
    pub actions: Vec<String>,
    /// Hints, each value printed as text (strings as they are, numbers in decimal).
    pub hints: BTreeMap<String, String>,
    pub expire_timeout: i32,
    /// The unique bus name of the connection that sent it.
    pub sender: String,
    /// When the call arrived, in microseconds since the Unix epoch (for latency benchmarks).
    pub received_at_us: u64,
}

impl Recorded {
    pub fn hint(&self, key: &str) -> Option<&str> {
        self.hints.get(key).map(String::as_str)
    }
}

struct Server {
    calls: Arc<Mutex<Vec<Recorded>>>,
    changed: watch::Sender<usize>,
}

fn text(value: &Variant<'_>) -> String {
    match value {
        Variant::Str(s) => s.to_string(),
        Variant::Bool(b) => b.to_string(),
        Variant::U8(n) => n.to_string(),
        Variant::I16(n) => n.to_string(),
        Variant::U16(n) => n.to_string(),
        Variant::I32(n) => n.to_string(),
        Variant::U32(n) => n.to_string(),
        Variant::I64(n) => n.to_string(),
        Variant::U64(n) => n.to_string(),
        Variant::F64(n) => n.to_string(),
        Variant::Variant(inner) => text(inner),
        other => format!("{other:?}"),
    }
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        #[zbus(header)] header: Header<'_>,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: std::collections::HashMap<String, OwnedVariant>,
        expire_timeout: i32,
    ) -> u32 {
        let mut calls = self.calls.lock().expect("calls poisoned");
        let id = if replaces_id > 0 {
            replaces_id
        } else {
            calls.len() as u32 + 1
        };
        calls.push(Recorded {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions,
            hints: hints.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
            expire_timeout,
            sender: header.sender().map(|s| s.to_string()).unwrap_or_default(),
            received_at_us: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_micros() as u64)
                .unwrap_or_default(),
        });
        let n = calls.len();
        drop(calls);
        self.changed.send_replace(n);
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        ["actions", "body", "body-markup", "persistence"]
            .map(String::from)
            .to_vec()
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "notify-recorder".into(),
            "inbox".into(),
            env!("CARGO_PKG_VERSION").into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// A notification server on a private bus that records every call.
pub struct Recorder {
    bus: PrivateBus,
    connection: zbus::Connection,
    calls: Arc<Mutex<Vec<Recorded>>>,
    changed: watch::Receiver<usize>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("address", &self.bus.address)
            .finish()
    }
}

impl Recorder {
    /// Starts a private bus and the recording server on it. Needs a tokio runtime.
    pub async fn start() -> Result<Recorder> {
        let bus = PrivateBus::start()?;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let (tx, changed) = watch::channel(0);
        let connection = zbus::connection::Builder::address(bus.address())
            .serve_at(
                PATH,
                Server {
                    calls: calls.clone(),
                    changed: tx,
                },
            )
            .name(NAME)
            .build()
            .await
            .context("owning org.freedesktop.Notifications on the private bus")?;
        Ok(Recorder {
            bus,
            connection,
            calls,
            changed,
        })
    }

    /// The value for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        self.bus.address()
    }

    /// Every call so far, in order of arrival.
    pub fn calls(&self) -> Vec<Recorded> {
        self.calls.lock().expect("calls poisoned").clone()
    }

    /// Waits until `done` holds for the calls so far, at most `timeout`; returns them.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[Recorded]) -> bool,
    ) -> Result<Vec<Recorded>> {
        let mut changed = self.changed.clone();
        let wait = async {
            loop {
                let calls = self.calls();
                if done(&calls) {
                    return Ok(calls);
                }
                if changed.changed().await.is_err() {
                    bail!("the recorder stopped");
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(result) => result,
            Err(_) => Err(anyhow!(
                "timed out after {timeout:?}; recorded so far: {:#?}",
                self.calls()
            )),
        }
    }

    /// Waits for the first call that matches, at most `timeout`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        matches: impl Fn(&Recorded) -> bool,
    ) -> Result<Recorded> {
        let calls = self
            .wait_until(timeout, |calls| calls.iter().any(&matches))
            .await?;
        Ok(calls.into_iter().find(|c| matches(c)).expect("found"))
    }

    fn sender_of(&self, id: u32) -> Result<String> {
        self.calls()
            .into_iter()
            .rev()
            .find(|c| c.id == id)
            .map(|c| c.sender)
            .ok_or_else(|| anyhow!("no notification {id} was recorded"))
    }

    /// Acts as a click: emits `ActionInvoked(id, action)` to the connection that sent
    /// notification `id` (`default` is a click on the notification itself), then
    /// `NotificationClosed(id, 2)` as servers do once a notification is clicked away.
    pub async fn invoke(&self, id: u32, action: &str) -> Result<()> {
        let sender = self.sender_of(id)?;
        self.connection
            .emit_signal(
                Some(sender.as_str()),
                PATH,
                NAME,
                "ActionInvoked",
                &(id, action),
            )
            .await?;
        self.close(id, 2).await
    }

    /// The server goes away, as when the desktop session restarts it: it gives up its name, so
    /// a `Notify` meanwhile reaches no one (`ServiceUnknown`). What was recorded is kept.
    pub async fn stop_server(&self) -> Result<()> {
        self.connection.release_name(NAME).await?;
        Ok(())
    }

    /// The server is back under its name (after [`Recorder::stop_server`]).
    pub async fn start_server(&self) -> Result<()> {
        self.connection.request_name(NAME).await?;
        Ok(())
    }

    /// Emits `NotificationClosed(id, reason)`: 1 expired, 2 dismissed, 3 closed by a call.
    pub async fn close(&self, id: u32, reason: u32) -> Result<()> {
        let sender = self.sender_of(id)?;
        self.connection
            .emit_signal(
                Some(sender.as_str()),
                PATH,
                NAME,
                "NotificationClosed",
                &(id, reason),
            )
            .await?;
        Ok(())
    }
}
