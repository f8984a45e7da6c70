//! Who is signed in: the current account as JSON in the data dir (so lists work offline) and
//! its token in the keychain (only what talks to the shop needs it).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use inbox_core::Account;

use crate::keychain::{TokenKey, TokenStore};

/// Said whenever a command needs a sign-in it doesn't have.
pub const SIGNED_OUT: &str = "you are signed out; run `inbox login`";

/// The data dir: `account.json`, the token file (if it must be a file) and the mirrors.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub path: PathBuf,
}

impl DataDir {
    pub fn new(path: Option<PathBuf>) -> Result<DataDir> {
        let path = match path {
            Some(path) => path,
            None => dirs::data_dir()
                .context("this system has no data directory; pass --data-dir")?
                .join("inbox"),
        };
        Ok(DataDir { path })
    }

    fn account_file(&self) -> PathBuf {
        self.path.join("account.json")
    }

    pub fn tokens(&self) -> Result<TokenStore> {
        TokenStore::new(&self.path)
    }

    /// The current account, if someone signed in here.
    pub fn account(&self) -> Result<Option<Account>> {
        let file = self.account_file();
        match std::fs::read(&file) {
            Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
                format!("{} is damaged; run `inbox login` again", file.display())
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("can't read {}", file.display())),
        }
    }

    /// The current account, or the signed-out error.
    pub fn require_account(&self) -> Result<Account> {
        self.account()?.ok_or_else(|| anyhow!(SIGNED_OUT))
    }

    /// Creates the data dir (for the owner only) if it is missing.
    pub fn ensure(&self) -> Result<()> {
        create_private_dir(&self.path)
    }

    pub fn save_account(&self, account: &Account) -> Result<()> {
        self.ensure()?;
        let file = self.account_file();
        let temporary = file.with_extension("json.tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(account)?)
            .with_context(|| format!("can't write {}", temporary.display()))?;
        std::fs::rename(&temporary, &file)
            .with_context(|| format!("can't write {}", file.display()))?;
        Ok(())
    }

    /// Forgets the current account; its mirror stays for the next sign-in.
    pub fn forget_account(&self) -> Result<()> {
        match std::fs::remove_file(self.account_file()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).context("can't remove the account file"),
        }
    }
}

/// The keychain entry of an account's token.
pub fn token_key(account: &Account) -> TokenKey {
    TokenKey {
        service: format!("inbox {}", account.shop_url),
        user: account.staff.email.clone(),
    }
}

/// The mirror holds customers' conversations: keep the folder to its owner.
fn create_private_dir(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(path).with_context(|| format!("can't create {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("can't restrict {}", path.display()))?;
    }
    Ok(())
}
