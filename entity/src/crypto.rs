//! Keys kept in the data directory, and the cipher for sensitive personal information.
//!
//! ID-card numbers are encrypted with AES-256-GCM (random 96-bit nonce per value) and looked up by
//! HMAC-SHA256. Both keys derive from one 32-byte master key with distinct labels, so a leaked
//! lookup hash reveals nothing about the encryption key.

use std::{io::Write, path::Path};

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Format version of the stored ciphertext (first byte), so keys and algorithms can change later.
const CIPHER_VERSION: u8 = 1;

/// Why a key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key file failed.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key is not valid base64 of the right length.
    #[error("{0}")]
    Invalid(String),
}

/// SHA-256 of `bytes`, as lower-case hex: how high-entropy secrets (refresh tokens, partner
/// client secrets) are stored, and how stored files are fingerprinted.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The bytes of lower-case or upper-case hex, if it is hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The operating system's random source failed: whatever needed the randomness (a token, a key,
/// a salt, a code) is not made, rather than made predictable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomUnavailable;

impl From<RandomUnavailable> for sea_orm::DbErr {
    fn from(e: RandomUnavailable) -> Self {
        sea_orm::DbErr::Custom(e.to_string())
    }
}

impl From<RandomUnavailable> for crate::DomainError {
    fn from(e: RandomUnavailable) -> Self {
        crate::DomainError::Db(e.into())
    }
}

/// Random bytes from the operating system; an error (never zeros) when it has none to give.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomUnavailable> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| {
        tracing::error!("the operating system's random source failed");
        RandomUnavailable
    })?;
    Ok(bytes)
}

/// A uniformly random string of `n` decimal digits (one-time codes).
pub fn random_digits(n: usize) -> Result<String, RandomUnavailable> {
    let mut out = String::with_capacity(n);
    while out.len() < n {
        // Rejection sampling: bytes of 250 and above would favour the low digits.
        for b in random_bytes::<16>()? {
            if b < 250 && out.len() < n {
                out.push(char::from(b'0' + b % 10));
            }
        }
    }
    Ok(out)
}

/// Reads a base64 key from `path`, or makes one of `N` random bytes and writes it there with mode
/// 0600 (created exclusively, so two processes starting at once agree on one key).
pub fn load_or_create_key<const N: usize>(path: &Path) -> Result<[u8; N], KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => decode_key(text.trim()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let key = random_bytes::<N>().map_err(|e| KeyError::Invalid(e.to_string()))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(STANDARD.encode(key).as_bytes())
                        .and_then(|()| file.write_all(b"\n"))
                        .map_err(io)?;
                    Ok(key)
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(path).map_err(io)?;
                    decode_key(text.trim())
                }
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

/// Decodes a base64 key of exactly `N` bytes.
pub fn decode_key<const N: usize>(text: &str) -> Result<[u8; N], KeyError> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|_| KeyError::Invalid("key is not valid base64".into()))?;
    bytes
        .try_into()
        .map_err(|_| KeyError::Invalid(format!("key must be {N} bytes")))
}

/// Encrypts, decrypts and hashes sensitive values.
#[derive(Clone)]
pub struct PiiCipher {
    aead: Aes256Gcm,
    lookup: Hmac<Sha256>,
    links: Hmac<Sha256>,
}

impl std::fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiCipher([redacted])")
    }
}

/// A ciphertext that does not decrypt under this key.
#[derive(Debug, thiserror::Error)]
#[error("the stored value cannot be decrypted with the configured key")]
pub struct DecryptError;

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl PiiCipher {
    /// A cipher from the 32-byte master key.
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"anju pii encryption v1");
        let mac = derive(master, b"anju pii lookup v1");
        let links = derive(master, b"anju signed links v1");
        Self {
            aead: Aes256Gcm::new(&enc.into()),
            lookup: <Hmac<Sha256> as Mac>::new_from_slice(&mac)
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length")),
            links: <Hmac<Sha256> as Mac>::new_from_slice(&links)
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length")),
        }
    }

    /// The signature of a link (`message` names what it opens and until when), hex: replicas
    /// sharing the key verify each other's links.
    pub fn sign_link(&self, message: &str) -> String {
        let mut mac = self.links.clone();
        mac.update(message.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// Whether `signature` is this key's signature of `message` (compared in constant time).
    pub fn verify_link(&self, message: &str, signature: &str) -> bool {
        let Some(bytes) = unhex(signature) else {
            return false;
        };
        let mut mac = self.links.clone();
        mac.update(message.as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }

    /// Encrypts `plain`: version byte, nonce, ciphertext and tag.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        self.encrypt_bytes(plain.as_bytes())
    }

    /// Encrypts bytes (a stored response body), as [`PiiCipher::encrypt`] does text.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> Vec<u8> {
        // The nonce comes from the operating system (OsRng panics rather than give zeros).
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption of an in-memory buffer cannot fail.
        let sealed = self.aead.encrypt(&nonce, plain).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + nonce.len() + sealed.len());
        out.push(CIPHER_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`PiiCipher::encrypt`] produced.
    pub fn decrypt(&self, stored: &[u8]) -> Result<String, DecryptError> {
        String::from_utf8(self.decrypt_bytes(stored)?).map_err(|_| DecryptError)
    }

    /// Decrypts what [`PiiCipher::encrypt_bytes`] produced.
    pub fn decrypt_bytes(&self, stored: &[u8]) -> Result<Vec<u8>, DecryptError> {
        if stored.len() < 1 + 12 + 16 || stored[0] != CIPHER_VERSION {
            return Err(DecryptError);
        }
        let nonce: [u8; 12] = stored[1..13].try_into().map_err(|_| DecryptError)?;
        self.aead
            .decrypt(&Nonce::from(nonce), &stored[13..])
            .map_err(|_| DecryptError)
    }

    /// The keyed lookup hash (hex) of `value`.
    pub fn lookup_hash(&self, value: &str) -> String {
        let mut mac = self.lookup.clone();
        mac.update(value.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The keyed hash of an ID number's last four characters (upper case), for finding a
    /// resident by them. Labelled, so it never equals the lookup hash of a whole value.
    pub fn tail_hash(&self, id_number: &str) -> String {
        let chars: Vec<char> = id_number.trim().chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..]
            .iter()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        self.lookup_hash(&format!("id-card-tail:{tail}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_hash_is_of_the_last_four_characters_in_upper_case() {
        let cipher = PiiCipher::new(&[7u8; 32]);
        assert_eq!(
            cipher.tail_hash("11010519491231002x"),
            cipher.tail_hash("002X")
        );
        assert_ne!(
            cipher.tail_hash("11010519491231002X"),
            cipher.tail_hash("11010519491231003X")
        );
        assert_ne!(cipher.tail_hash("002X"), cipher.lookup_hash("002X"));
    }

    #[test]
    fn round_trips_and_hides_the_value() {
        let cipher = PiiCipher::new(&[7u8; 32]);
        let stored = cipher.encrypt("11010519491231002X");
        assert!(!String::from_utf8_lossy(&stored).contains("19491231"));
        assert_eq!(cipher.decrypt(&stored).unwrap(), "11010519491231002X");
        assert_ne!(
            cipher.encrypt("11010519491231002X"),
            stored,
            "nonces differ"
        );
        assert_eq!(
            cipher.lookup_hash("11010519491231002X"),
            cipher.lookup_hash("11010519491231002X")
        );
        let other = PiiCipher::new(&[8u8; 32]);
        assert!(other.decrypt(&stored).is_err());
        assert_ne!(other.lookup_hash("x"), cipher.lookup_hash("x"));
    }

    #[test]
    fn key_files_are_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/pii.key");
        let first: [u8; 32] = load_or_create_key(&path).unwrap();
        let second: [u8; 32] = load_or_create_key(&path).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
