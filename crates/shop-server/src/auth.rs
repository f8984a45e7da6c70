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

/// Argon2's working memory for one password check (19 MiB with the default parameters),
/// kept between checks: allocating it afresh for every check left each thread's share of a
/// sign-in burst in the allocator for good (docs/benchmarks.md, "Abuse and load").
pub type CheckMemory = Vec<argon2::Block>;

/// Checks a password against a staff member's hash, or, for an email that belongs to nobody,
/// against a hash of a random password, so that both take the same time and the answer can't
/// tell which staff emails exist. `memory` is reused and grown to what the hash needs.
pub fn verify_sign_in(password: &str, hash: Option<&str>, memory: &mut CheckMemory) -> bool {
    static NOBODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match hash {
        Some(hash) => verify_with(password, hash, memory),
        None => {
            let nobody = NOBODY.get_or_init(|| hash_password(&new_token("nobody_")));
            let _ = verify_with(password, nobody, memory);
            false
        }
    }
}

/// [`verify_password`], in `memory` instead of a fresh allocation.
fn verify_with(password: &str, hash: &str, memory: &mut CheckMemory) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm), Some(expected), Some(salt)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::default());
    }
    let blocks = params.block_count();
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory[..blocks],
        )
        .is_ok()
        // `Output`'s equality is constant-time.
        && argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
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
        let mut memory = CheckMemory::new();
        assert!(verify_sign_in("pw", Some(&hash), &mut memory));
        assert!(!verify_sign_in("wrong", Some(&hash), &mut memory));
        assert!(!verify_sign_in("pw", Some("not a hash"), &mut memory));
        assert!(!verify_sign_in("pw", None, &mut memory));
        // The unknown email ran Argon2 too (19 MiB filled and hashed): never a fast answer.
        let t = std::time::Instant::now();
        assert!(!verify_sign_in("pw", None, &mut memory));
        assert!(t.elapsed() >= std::time::Duration::from_millis(2));
        // The memory was reused, not grown per check.
        assert_eq!(memory.len(), argon2::Params::default().block_count());
    }

    #[test]
    fn the_reusing_check_agrees_with_the_library_on_every_kind_of_hash() {
        let mut memory = CheckMemory::new();
        for password in ["", "pw", "correct horse battery staple", "åäö 🦀"] {
            let hash = hash_password(password);
            assert!(verify_password(password, &hash));
            assert!(verify_sign_in(password, Some(&hash), &mut memory));
            assert!(!verify_sign_in(
                &format!("{password}x"),
                Some(&hash),
                &mut memory
            ));
        }
        // A hash with other parameters (smaller memory, more passes) also verifies.
        let params = argon2::Params::new(8 * 1024, 3, 1, None).unwrap();
        let other = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"pw", &SaltString::encode_b64(b"0123456789abcdef").unwrap())
            .unwrap()
            .to_string();
        assert!(verify_sign_in("pw", Some(&other), &mut memory));
        assert!(!verify_sign_in("pW", Some(&other), &mut memory));
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
