//! Who is signed in: the current account as JSON in the data dir (so lists work offline) and
//! its token in the keychain (only what talks to the shop needs it).
//!
//! A CA file chosen at sign-in is copied into the account's own folder and only the copy is
//! trusted from then on: the chosen path may be somewhere others can write (`/tmp`), and
//! whoever replaces the file there would choose whom the app trusts as the shop.

use std::path::{Path, PathBuf};

use std::time::Duration;

use crate::Account;
use crate::api::{ApiClient, ShopAddress};
use crate::error::{Context, Error, Result};
use crate::keychain::Saved;

use crate::keychain::{TokenKey, TokenStore};

/// The account's own copy of the CA it trusts, in its folder beside the mirror.
pub const CA_FILE: &str = "ca.pem";

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

    /// The current account, if someone signed in here. An account saved before CA files were
    /// copied has its CA read once more from where it was chosen, copied, and the copy trusted
    /// from then on (see [`DataDir::own_ca`]).
    pub fn account(&self) -> Result<Option<Account>> {
        let file = self.account_file();
        let account: Account = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!("{} is damaged; run `inbox login` again", file.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("can't read {}", file.display())),
        };
        Ok(Some(self.own_ca(account)))
    }

    /// Moves an account onto its own copy of its CA file. A failure leaves the account as it
    /// was (it still opens, and the original path is read as before) and is logged.
    fn own_ca(&self, mut account: Account) -> Account {
        let Some(chosen) = account.ca_path.clone() else {
            return account;
        };
        let own = account.dir(&self.path).join(CA_FILE);
        if chosen == own {
            return account;
        }
        let moved = (|| -> Result<()> {
            if !own.is_file() {
                let pem = std::fs::read(&chosen)
                    .with_context(|| format!("can't read the CA file {}", chosen.display()))?;
                keep_ca(&own, &pem)?;
            }
            account.ca_path = Some(own.clone());
            self.save_account(&account)
        })();
        if let Err(error) = moved {
            tracing::warn!(%error, "the CA file stays where it was chosen");
            account.ca_path = Some(chosen);
        }
        account
    }

    /// The current account, or the signed-out error.
    pub fn require_account(&self) -> Result<Account> {
        self.account()?
            .ok_or_else(|| Error::SignedOut(SIGNED_OUT.to_owned()))
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

/// A new sign-in: the account and where its token went.
#[derive(Debug)]
pub struct SignedIn {
    pub account: Account,
    pub saved: Saved,
}

/// Signs in at a shop: checks the password with the shop, keeps the token in the keychain and
/// the account in the data dir. A previous account's token is forgotten. `ca_path` trusts a
/// self-hosted shop's own certificate authority instead of the system's.
pub async fn sign_in(
    data: &DataDir,
    shop_url: &str,
    ca_path: Option<PathBuf>,
    email: &str,
    password: &str,
) -> Result<SignedIn> {
    let url = shop_url.trim().trim_end_matches('/').to_owned();
    // Read once, here: what is trusted from now on is the copy kept with the account.
    let ca_pem = match ca_path {
        Some(path) => Some(
            std::fs::read(&path)
                .with_context(|| format!("can't read the CA file {}", path.display()))?,
        ),
        None => None,
    };
    let address = ShopAddress {
        url: url.clone(),
        ca_pem: ca_pem.clone(),
    };
    let api = ApiClient::new(&address)?;
    let session = api.sign_in(email.trim(), password).await?;
    let mut account = Account {
        shop_url: url,
        ca_path: None,
        staff: session.staff,
    };
    data.ensure()?;
    if let Some(pem) = &ca_pem {
        let own = account.dir(&data.path).join(CA_FILE);
        if let Err(e) = keep_ca(&own, pem) {
            let api = api.with_token(session.token);
            let _ = tokio::time::timeout(Duration::from_secs(5), api.sign_out()).await;
            return Err(e);
        }
        account.ca_path = Some(own);
    }
    let tokens = data.tokens()?;
    let previous = data.account().ok().flatten();
    let key = token_key(&account);
    let token = session.token.clone();
    let saved = tokio::task::spawn_blocking(move || -> Result<Saved> {
        // Someone else was signed in here: their token goes, it has no account any more.
        if let Some(previous) = previous {
            let old = token_key(&previous);
            if (old.service.as_str(), old.user.as_str())
                != (key.service.as_str(), key.user.as_str())
            {
                tokens.delete(&old)?;
            }
        }
        tokens.save(&key, &token)
    })
    .await?;
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) => {
            // Kept nowhere, the new session is of no use: don't leave it open at the shop.
            let api = api.with_token(session.token);
            let _ = tokio::time::timeout(Duration::from_secs(5), api.sign_out()).await;
            return Err(e);
        }
    };
    data.save_account(&account)?;
    Ok(SignedIn { account, saved })
}

/// How a sign-out went.
#[derive(Debug)]
pub struct SignedOut {
    /// Who was signed out; `None` when nobody was signed in.
    pub account: Option<Account>,
    /// Whether the shop revoked the token; it is forgotten here either way.
    pub revoked: bool,
    /// Why the shop did not revoke it.
    pub warning: Option<String>,
}

/// Signs out: asks the shop to revoke the token (briefly; offline is fine), then forgets the
/// token and the account here. The mirror stays for the next sign-in.
pub async fn sign_out(data: &DataDir) -> Result<SignedOut> {
    let Some(account) = data.account()? else {
        return Ok(SignedOut {
            account: None,
            revoked: false,
            warning: None,
        });
    };
    let mut revoked = false;
    let mut warning = None;
    if let Some(token) = load_token(data, &account).await? {
        let api = ApiClient::new(&account.address()?)?.with_token(token);
        match tokio::time::timeout(Duration::from_secs(10), api.sign_out()).await {
            Ok(Ok(())) => revoked = true,
            Ok(Err(e)) => warning = Some(format!("the shop did not revoke the token ({e})")),
            Err(_) => warning = Some("the shop did not answer in time to revoke the token".into()),
        }
    }
    let (tokens, key) = (data.tokens()?, token_key(&account));
    tokio::task::spawn_blocking(move || tokens.delete(&key)).await??;
    data.forget_account()?;
    Ok(SignedOut {
        account: Some(account),
        revoked,
        warning,
    })
}

/// The stored token of an account, if any.
pub async fn load_token(data: &DataDir, account: &Account) -> Result<Option<String>> {
    let tokens = data.tokens()?;
    let key = token_key(account);
    tokio::task::spawn_blocking(move || tokens.load(&key)).await?
}

/// The keychain entry of an account's token.
pub fn token_key(account: &Account) -> TokenKey {
    TokenKey {
        service: format!("inbox {}", account.shop_url),
        user: account.staff.email.clone(),
    }
}

/// Writes the account's copy of its CA: in the account's folder (made the owner's only),
/// readable by the owner only, replaced whole (a new file renamed over the old one).
fn keep_ca(own: &Path, pem: &[u8]) -> Result<()> {
    let dir = own.parent().context("the CA copy has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("can't create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("can't restrict {}", dir.display()))?;
    }
    let temporary = dir.join(format!(".{CA_FILE}.{:016x}.tmp", rand::random::<u64>()));
    let written = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(pem)?;
        file.sync_all()?;
        std::fs::rename(&temporary, own)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e).with_context(|| format!("can't keep the CA file in {}", dir.display()));
    }
    Ok(())
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
