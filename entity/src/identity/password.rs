//! Passwords: a policy with clear rules, and argon2id hashing with the OWASP parameters
//! (m = 19 MiB, t = 2, p = 1). Hashing is deliberately slow: callers run it off the async threads.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};

/// Shortest accepted password.
pub const MIN_LENGTH: usize = 8;
/// Longest accepted password (bounds hashing work).
pub const MAX_LENGTH: usize = 128;

/// Common passwords (and patterns common in China) that are refused outright.
const DENY_LIST: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "qwertyui",
    "qwerty123",
    "1qaz2wsx",
    "1q2w3e4r",
    "abcd1234",
    "abc12345",
    "a1234567",
    "iloveyou",
    "woaini520",
    "woaini1314",
    "5201314520",
    "13145200",
    "admin123",
    "admin888",
    "welcome1",
    "aa123456",
    "a123456789",
    "zxcvbnm1",
    "asdfghjk",
    "letmein1",
    "123qweasd",
    "qweasdzxc",
    "anju1234",
    "xingxianli",
];

/// A password that satisfies the policy.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The rule a password broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    /// Too short.
    #[error("must be at least 8 characters")]
    TooShort,
    /// Too long.
    #[error("must be at most 128 characters")]
    TooLong,
    /// On the list of common passwords, or one repeated character.
    #[error("is too common; choose one that is harder to guess")]
    TooCommon,
    /// The same as the account's phone number.
    #[error("must not be the phone number")]
    IsPhone,
}

impl Password {
    /// Checks `candidate` against the policy (`phone` is the account's number).
    pub fn parse(candidate: &str, phone: Option<&str>) -> Result<Self, PasswordRule> {
        let length = candidate.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordRule::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordRule::TooLong);
        }
        let lower = candidate.to_lowercase();
        let mut chars = lower.chars();
        let first = chars.next();
        if DENY_LIST.contains(&lower.as_str()) || chars.all(|c| Some(c) == first) {
            return Err(PasswordRule::TooCommon);
        }
        if phone.is_some_and(|p| candidate.contains(p)) {
            return Err(PasswordRule::IsPhone);
        }
        Ok(Self(candidate.to_owned()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn argon2() -> Argon2<'static> {
    // Constant, valid parameters.
    let params = Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|_| unreachable!("OWASP argon2 parameters are valid"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (blocking: tens of milliseconds).
pub fn hash(password: &Password) -> Result<String, argon2::password_hash::Error> {
    let random =
        crate::crypto::random_bytes::<16>().map_err(|_| argon2::password_hash::Error::Crypto)?;
    let salt = SaltString::encode_b64(&random)?;
    Ok(argon2()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a PHC string (blocking). A malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A valid hash of a random password, verified against when an account does not exist so that
/// failed logins take the same time either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        // The dummy password needs no secrecy (a dummy match never logs anyone in), only a
        // valid hash to spend the same time on.
        let random = crate::crypto::random_bytes::<24>().unwrap_or([7; 24]);
        let password = Password(crate::crypto::hex(&random));
        hash(&password).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_rule() {
        assert_eq!(
            Password::parse("short", None).unwrap_err(),
            PasswordRule::TooShort
        );
        assert_eq!(
            Password::parse(&"x".repeat(129), None).unwrap_err(),
            PasswordRule::TooLong
        );
        assert_eq!(
            Password::parse("Password123", None).unwrap_err(),
            PasswordRule::TooCommon
        );
        assert_eq!(
            Password::parse("aaaaaaaaaa", None).unwrap_err(),
            PasswordRule::TooCommon
        );
        assert_eq!(
            Password::parse("x13800138000", Some("13800138000")).unwrap_err(),
            PasswordRule::IsPhone
        );
        assert!(
            Password::parse("洛河南岸的春天", None).is_err(),
            "7 characters is too short"
        );
        assert!(Password::parse("洛河南岸的春天来了", None).is_ok());
    }

    #[test]
    fn hashes_verify_and_use_argon2id() {
        let password = Password::parse("correct horse battery", None).unwrap();
        let phc = hash(&password).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("wrong horse battery", &phc));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify("anything", dummy_hash()));
    }
}
