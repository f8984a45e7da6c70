//! Where a staff member's token waits between runs: the OS keychain (the macOS Keychain, the
//! Windows Credential Manager, the Secret Service on Linux and the BSDs, else the Linux
//! kernel's key store), and a file readable by the user alone only when no keychain exists at
//! all, which is said loudly, or when `INBOX_TOKEN_STORE=file` asks for it (tests, CI).
//!
//! A keychain that exists but refuses (locked, the user said no) is an error, never a reason
//! to write the token to a file. Nothing here prints a token.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::api::CredentialStoreApi;
use keyring_core::{CredentialStore, Entry};

use crate::error::{Context, Error, Result};

/// Which stores may hold the token, from `INBOX_TOKEN_STORE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A keychain if one exists, else the file (with a warning).
    Auto,
    /// A keychain or nothing.
    Keychain,
    /// The file only.
    File,
}

/// A keychain that answered.
struct Keychain {
    /// How to tell the user where the token is.
    name: &'static str,
    store: Arc<CredentialStore>,
}

/// Where `save` put the token, to tell the user.
#[derive(Debug)]
pub struct Saved {
    pub place: String,
    /// Said on stderr: the token is in a plain file.
    pub warning: Option<String>,
}

/// Which token: one per shop and staff member.
#[derive(Debug, Clone)]
pub struct TokenKey {
    pub service: String,
    pub user: String,
}

#[derive(Debug)]
pub struct TokenStore {
    mode: Mode,
    file: PathBuf,
}

impl TokenStore {
    pub fn new(data_dir: &Path) -> Result<TokenStore> {
        let mode = match std::env::var("INBOX_TOKEN_STORE").as_deref() {
            Err(_) | Ok("") | Ok("auto") => Mode::Auto,
            Ok("keychain") => Mode::Keychain,
            Ok("file") => Mode::File,
            Ok(other) => {
                return Err(Error::Local(format!(
                    "INBOX_TOKEN_STORE is {other:?}; use `auto`, `keychain` or `file`"
                )));
            }
        };
        Ok(TokenStore {
            mode,
            file: data_dir.join("token"),
        })
    }

    /// The keychains this machine has, best first; with why the others are missing.
    fn keychains(&self) -> (Vec<Keychain>, Vec<String>) {
        if self.mode == Mode::File {
            return (Vec::new(), Vec::new());
        }
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let mut offer =
            |name: &'static str, store: keyring_core::Result<Arc<CredentialStore>>| match store {
                Ok(store) => found.push(Keychain { name, store }),
                Err(e) => missing.push(format!("{name}: {}", one_line(&e.to_string()))),
            };
        #[cfg(target_os = "macos")]
        offer(
            "the macOS Keychain",
            apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>),
        );
        #[cfg(target_os = "windows")]
        offer(
            "the Windows Credential Manager",
            windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>),
        );
        #[cfg(all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        ))]
        offer(
            "the Secret Service keychain",
            zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>),
        );
        #[cfg(target_os = "linux")]
        offer(
            "the kernel key store (keyutils; kept until reboot)",
            keyutils(),
        );
        let _ = &mut offer;
        (found, missing)
    }

    /// Stores the token, replacing any earlier one for the same key.
    pub fn save(&self, key: &TokenKey, token: &str) -> Result<Saved> {
        let (keychains, missing) = self.keychains();
        if let Some(keychain) = keychains.first() {
            let entry = entry(keychain, key)?;
            entry
                .set_password(token)
                .with_context(|| format!("{} refused to store the token", keychain.name))?;
            // A keychain that takes a secret and can't give it back keeps nothing.
            match entry.get_password() {
                Ok(back) if back == token => {}
                Ok(_) => {
                    return Err(Error::Local(format!(
                        "{} gave back a different token",
                        keychain.name
                    )));
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("{} lost the token it just stored", keychain.name)
                    });
                }
            }
            remove_file(&self.file)?;
            return Ok(Saved {
                place: keychain.name.to_owned(),
                warning: None,
            });
        }
        match self.mode {
            Mode::Keychain => {
                return Err(Error::Local(format!(
                    "no OS keychain is available ({}) and INBOX_TOKEN_STORE=keychain forbids a file",
                    missing.join("; ")
                )));
            }
            Mode::Auto | Mode::File => {}
        }
        write_private(&self.file, token)?;
        let why = match self.mode {
            Mode::File => "INBOX_TOKEN_STORE=file".to_owned(),
            _ => format!("no OS keychain is available ({})", missing.join("; ")),
        };
        Ok(Saved {
            place: self.file.display().to_string(),
            warning: Some(format!(
                "warning: {why}; the token is stored in {}, readable by your user only",
                self.file.display()
            )),
        })
    }

    /// The stored token, if any: from a keychain, else from the file.
    pub fn load(&self, key: &TokenKey) -> Result<Option<String>> {
        let (keychains, _) = self.keychains();
        for keychain in &keychains {
            match entry(keychain, key)?.get_password() {
                Ok(token) => return Ok(Some(token)),
                Err(keyring_core::Error::NoEntry) => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("can't read the token from {}", keychain.name));
                }
            }
        }
        match std::fs::read_to_string(&self.file) {
            Ok(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_owned())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("can't read {}", self.file.display())),
        }
    }

    /// Forgets the token everywhere it might be.
    pub fn delete(&self, key: &TokenKey) -> Result<()> {
        let (keychains, _) = self.keychains();
        for keychain in &keychains {
            match entry(keychain, key)?.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("can't delete the token from {}", keychain.name));
                }
            }
        }
        remove_file(&self.file)
    }
}

fn entry(keychain: &Keychain, key: &TokenKey) -> Result<Entry> {
    keychain
        .store
        .build(&key.service, &key.user, None)
        .with_context(|| format!("can't open {}", keychain.name))
}

/// The kernel key store, if this process can reach a session keyring.
#[cfg(target_os = "linux")]
fn keyutils() -> keyring_core::Result<Arc<CredentialStore>> {
    let store = linux_keyutils_keyring_store::Store::new()?;
    // Building an entry looks up the session keyring: where keyctl is blocked (some
    // containers) this fails, and the store is as good as absent.
    store.build("inbox", "probe", None)?;
    Ok(store)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("can't remove {}", path.display())),
    }
}

/// Writes a file only its owner can read, replacing it atomically.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().context("the token file has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&temporary)
        .with_context(|| format!("can't create {}", temporary.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path).with_context(|| format!("can't write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_token_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        write_private(&path, "secret").unwrap();
        write_private(&path, "newer").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "newer");
    }
}
