//! The app's window as the X server sees it: closed the way a window manager closes it (a
//! `WM_DELETE_WINDOW` message, which is what the title bar's close button sends), and whether it
//! is on screen (mapped) or hidden; what it shows, as the X server has it (screenshots that
//! don't ask WebKit, whose snapshot has been seen to hang after a resize). Also the app's
//! process, found by its command line.

use std::path::Path;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, ImageFormat, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

pub struct Screen {
    conn: RustConnection,
    root: Window,
}

impl Screen {
    pub fn open(display: &str) -> Screen {
        let (conn, screen) = RustConnection::connect(Some(display)).expect("an X connection");
        let root = conn.setup().roots[screen].root;
        Screen { conn, root }
    }

    fn atom(&self, name: &str) -> u32 {
        self.conn
            .intern_atom(false, name.as_bytes())
            .expect("intern_atom")
            .reply()
            .expect("an atom")
            .atom
    }

    /// The top-level windows of process `pid` that carry a title (GTK's own helper windows
    /// have none).
    fn windows_of(&self, pid: u32) -> Vec<Window> {
        let net_wm_pid = self.atom("_NET_WM_PID");
        let tree = self
            .conn
            .query_tree(self.root)
            .expect("query_tree")
            .reply()
            .expect("the window tree");
        tree.children
            .into_iter()
            .filter(|&w| {
                let owner = self
                    .conn
                    .get_property(false, w, net_wm_pid, AtomEnum::CARDINAL, 0, 1)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .and_then(|r| r.value32().and_then(|mut v| v.next()));
                owner == Some(pid) && self.titled_inbox(w)
            })
            .collect()
    }

    /// Whether `window` carries the app's title (GTK's own helper windows have none).
    fn titled_inbox(&self, window: Window) -> bool {
        self.conn
            .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 64)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|r| r.value == b"Inbox")
    }

    /// The app's main window.
    pub fn window(&self, pid: u32) -> Window {
        let start = Instant::now();
        loop {
            if let Some(&w) = self.windows_of(pid).first() {
                return w;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "process {pid} has no Inbox window"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG of the shown window titled "Inbox" (any process), as on screen; `None` when no
    /// such window is shown.
    pub fn capture(&self) -> Option<Vec<u8>> {
        let tree = self.conn.query_tree(self.root).ok()?.reply().ok()?;
        let window = tree
            .children
            .into_iter()
            .rev()
            .find(|&w| self.titled_inbox(w) && self.is_shown(w))?;
        let geometry = self.conn.get_geometry(window).ok()?.reply().ok()?;
        let at = self
            .conn
            .translate_coordinates(window, self.root, 0, 0)
            .ok()?
            .reply()
            .ok()?;
        let (width, height) = (geometry.width, geometry.height);
        let image = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                at.dst_x,
                at.dst_y,
                width,
                height,
                !0,
            )
            .ok()?
            .reply()
            .ok()?;
        // Xvfb's 24-bit screen: 32 bits a pixel, blue, green, red, unused.
        let rgb: Vec<u8> = image
            .data
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0]])
            .collect();
        let picture = image::RgbImage::from_raw(u32::from(width), u32::from(height), rgb)?;
        let mut png = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut png, image::ImageFormat::Png).ok()?;
        Some(png.into_inner())
    }

    pub fn is_shown(&self, window: Window) -> bool {
        self.conn
            .get_window_attributes(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == MapState::VIEWABLE)
    }

    /// Waits until the window is shown (`true`) or hidden (`false`).
    pub async fn wait_shown(&self, window: Window, shown: bool) {
        let start = Instant::now();
        while self.is_shown(window) != shown {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the window never became {}",
                if shown { "shown" } else { "hidden" }
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Closes the window as a window manager's close button does.
    pub fn close(&self, window: Window) {
        let protocols = self.atom("WM_PROTOCOLS");
        let delete = self.atom("WM_DELETE_WINDOW");
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, event)
            .expect("the close message is sent");
        self.conn.flush().expect("the X connection flushes");
    }
}

/// The app process whose command line names this data folder.
pub fn app_pid(binary: &Path, data_dir: &Path) -> Option<u32> {
    let binary = binary.to_string_lossy().into_owned();
    let data_dir = data_dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<String> = cmdline
                .split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            // A zombie (ended, not yet reaped) has an empty command line.
            (args.first() == Some(&binary) && args.iter().any(|a| a == &data_dir)).then_some(pid)
        })
}

pub async fn wait_app_pid(binary: &Path, data_dir: &Path) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = app_pid(binary, data_dir) {
            return pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the app never ran"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether a process runs (not ended; a zombie waiting to be reaped counts as ended).
pub fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after_name = stat.rsplit_once(')')?.1.trim_start().to_owned();
            after_name.chars().next()
        })
        .is_some_and(|state| state != 'Z' && state != 'X')
}
