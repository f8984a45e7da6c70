//! Staff passwords and tokens, and customer chat tokens.
//!
//! Tokens are random and opaque; only their SHA-256 is stored, so a copy of the database
//! can't be used to sign in. Passwords are hashed with Argon2id.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Staff tokens last this long.
pub const STAFF_TOKEN_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

pub fn hash_password(password: &str) -> String {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a staff member's hash, or, for an email that belongs to nobody,
/// against a hash of a random password, so that both take the same time and the answer can't
/// tell which staff emails exist.
pub fn verify_sign_in(password: &str, hash: Option<&str>) -> bool {
    static NOBODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match hash {
        Some(hash) => verify_password(password, hash),
        None => {
            let nobody = NOBODY.get_or_init(|| hash_password(&new_token("nobody_")));
            let _ = verify_password(password, nobody);
            false
        }
    }
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A new random token with a prefix that says what it is for (`st_` staff, `ct_` customer).
pub fn new_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn an_unknown_email_costs_a_full_check_and_never_passes() {
        let hash = hash_password("pw");
        assert!(verify_sign_in("pw", Some(&hash)));
        assert!(!verify_sign_in("wrong", Some(&hash)));
        assert!(!verify_sign_in("pw", None));
        // The unknown email ran Argon2 too (19 MiB filled and hashed): never a fast answer.
        let t = std::time::Instant::now();
        assert!(!verify_sign_in("pw", None));
        assert!(t.elapsed() >= std::time::Duration::from_millis(2));
    }

    #[test]
    fn tokens_are_unique_and_prefixed() {
        let a = new_token("st_");
        let b = new_token("st_");
        assert!(a.starts_with("st_") && a.len() > 40);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
