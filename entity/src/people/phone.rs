//! Mainland China mobile numbers, as residents type them into a spreadsheet or an app.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A mainland mobile number, normalised to its 11 digits (`1[3-9]` then 9 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// Why a text is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but whitespace and separators.
    #[error("phone number is empty")]
    Empty,
    /// Anything that does not reduce to `1[3-9]` followed by 9 digits.
    #[error("must be an 11-digit mainland mobile number starting with 1[3-9]")]
    Invalid,
}

impl Phone {
    /// Parses a number, tolerating the spaces, hyphens and country prefixes people write.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        // The length checks keep a bare 11-digit number starting with 86… from losing its prefix.
        let digits = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if compact.len() == 15 && compact.starts_with("0086") {
            &compact[4..]
        } else if compact.len() == 13 && compact.starts_with("86") {
            &compact[2..]
        } else {
            &compact
        };
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(PhoneError::Invalid)
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle four digits hidden (`138****5678`), for lists others can see.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Phone::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_numbers_of_every_allowed_second_digit() {
        for second in 3..=9 {
            let number = format!("1{second}812345678");
            assert_eq!(Phone::parse(&number).unwrap().as_str(), number);
        }
    }

    #[test]
    fn strips_whitespace_hyphens_and_country_prefixes() {
        let cases = [
            "  13812345678 ",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-13812345678",
            "+8613812345678",
            "8613812345678",
            "86 138 1234 5678",
            "0086 13812345678",
            "008613812345678",
            "\t138\u{3000}1234 5678\n",
        ];
        for case in cases {
            assert_eq!(
                Phone::parse(case).map(|p| p.as_str().to_owned()),
                Ok("13812345678".to_owned()),
                "{case:?}"
            );
        }
    }

    #[test]
    fn a_number_that_starts_with_86_is_not_mistaken_for_a_prefix() {
        // 11 digits: no room for a prefix, so "18…" is not read as "86" + something.
        assert_eq!(Phone::parse("18612345678").unwrap().as_str(), "18612345678");
    }

    #[test]
    fn rejects_what_is_not_a_mainland_mobile_number() {
        let cases = [
            "1381234567",             // 10 digits
            "138123456789",           // 12 digits
            "12812345678",            // second digit 2
            "10812345678",            // second digit 0
            "23812345678",            // does not start with 1
            "1381234567a",            // a letter
            "+85213812345678",        // Hong Kong prefix
            "+86 0371 1234567",       // landline
            "138.1234.5678",          // dots are not a separator we accept
            "８１３８１２３４５６７", // full-width digits
        ];
        for case in cases {
            assert_eq!(Phone::parse(case), Err(PhoneError::Invalid), "{case:?}");
        }
        assert_eq!(Phone::parse(" - "), Err(PhoneError::Empty));
    }

    #[test]
    fn masks_the_middle_four_digits() {
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn serializes_as_the_bare_string_and_deserializes_through_parse() {
        let phone = Phone::parse("+86 138-1234-5678").unwrap();
        assert_eq!(phone.to_string(), "13812345678");
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"13812345678\"");
        let back: Phone = serde_json::from_str("\"138 1234 5678\"").unwrap();
        assert_eq!(back, phone);
        let err = serde_json::from_str::<Phone>("\"12345\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("must be an 11-digit mainland mobile number starting with 1[3-9]"),
            "{err}"
        );
    }
}
