//! Unified social credit codes (统一社会信用代码, GB 32100-2015) of employers and partners:
//! registration authority, organisation category, 6-digit administrative division, 9-character
//! organisation code and a MOD 31 check character.
//!
//! Unlike an ID card number the code is public information, so it is printed and serialized in full.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// The 31 characters a code may contain, in the order of their values 0–30 (no I, O, Z, S, V).
const CODE_SET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the 17 leading characters in the checksum (3^i mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Registration authorities the standard assigns: 1–9 (ministries and agencies), A (central
/// military commission), N (agriculture) and Y (the catch-all for other authorities).
const AUTHORITIES: &[u8; 12] = b"123456789ANY";

/// A valid GB 32100 unified social credit code, stored in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "91110000600037341L")]
pub struct CreditCode(String);

/// Why a text is not a valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters once surrounding whitespace is trimmed.
    #[error("unified social credit code must be 18 characters")]
    Length,
    /// A character outside the code set, such as I, O, Z, S, V or punctuation.
    #[error(
        "unified social credit code may only contain digits and the letters A-H, J-N, P-R, T, U, W-Y"
    )]
    Characters,
    /// The first character is not a registration authority the standard assigns.
    #[error("unified social credit code must start with a registration authority: 1-9, A, N or Y")]
    Authority,
    /// Characters 3–8 are not six digits.
    #[error("characters 3-8 of a unified social credit code must be a 6-digit division code")]
    DivisionCode,
    /// The checksum does not match, which almost always means a mistyped character.
    #[error(
        "check character of the unified social credit code does not match the other 17 characters (probably a typing mistake)"
    )]
    CheckCharacter,
}

impl CreditCode {
    /// Parses and validates a code, tolerating surrounding whitespace and lower case.
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let code = normalise(input, 18)?;
        let bytes = code.as_bytes();
        if !AUTHORITIES.contains(&bytes[0]) {
            return Err(CreditCodeError::Authority);
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::DivisionCode);
        }
        if check_character(&bytes[..17]) != Some(bytes[17]) {
            return Err(CreditCodeError::CheckCharacter);
        }
        Ok(CreditCode(code))
    }

    /// The 18 characters, in upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CreditCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Builds a valid code from its first 17 characters by appending the check character.
///
/// Fails with `Length` when `prefix17` is not 17 characters, and otherwise as `parse` would.
pub fn make_credit_code(prefix17: &str) -> Result<CreditCode, CreditCodeError> {
    let mut code = normalise(prefix17, 17)?;
    let check = check_character(code.as_bytes()).ok_or(CreditCodeError::Characters)?;
    code.push(char::from(check));
    // Going through `parse` keeps a single definition of what a valid code is.
    CreditCode::parse(&code)
}

/// Trims and upper-cases `input`, then checks it is `length` characters from the code set.
fn normalise(input: &str, length: usize) -> Result<String, CreditCodeError> {
    let trimmed = input.trim();
    // Counting characters rather than bytes reports full-width input as bad characters, not length.
    if trimmed.chars().count() != length {
        return Err(CreditCodeError::Length);
    }
    let code = trimmed.to_ascii_uppercase();
    if code.bytes().all(|b| value_of(b).is_some()) {
        Ok(code)
    } else {
        Err(CreditCodeError::Characters)
    }
}

/// The value of a code-set character: its position in `CODE_SET`.
fn value_of(character: u8) -> Option<u32> {
    CODE_SET
        .iter()
        .position(|c| *c == character)
        .and_then(|index| u32::try_from(index).ok())
}

/// The check character of 17 code-set characters, or `None` if one is outside the set.
fn check_character(characters: &[u8]) -> Option<u8> {
    let mut sum = 0;
    for (character, weight) in characters.iter().zip(WEIGHTS) {
        sum += value_of(*character)? * weight;
    }
    // 31 - (sum mod 31) is 1..=31, and 31 stands for 0.
    let value = (31 - sum % 31) % 31;
    CODE_SET.get(usize::try_from(value).ok()?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes whose check characters were verified by hand with the GB 32100 algorithm.
    const VALID: [&str; 6] = [
        "91350100M000100Y43",
        "91110000600037341L",
        "91110108551385082Q",
        "91440300708461136T",
        "91110000802100433B",
        "91110000100017643K",
    ];

    #[test]
    fn accepts_well_known_valid_codes() {
        for code in VALID {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn computes_check_characters_of_known_prefixes() {
        let cases = [
            ("91350100M000100Y4", "91350100M000100Y43"),
            ("91110000600037341", "91110000600037341L"),
            ("12100000400000624", "12100000400000624D"),
            ("5111000050000000X", "5111000050000000X5"),
            ("Y1110000100000000", "Y11100001000000004"),
            ("91440300MA5ABCDEF", "91440300MA5ABCDEFW"),
        ];
        for (prefix, full) in cases {
            let code = make_credit_code(prefix).unwrap();
            assert_eq!(code.as_str(), full, "{prefix}");
            assert_eq!(CreditCode::parse(full).unwrap(), code);
        }
    }

    #[test]
    fn a_weighted_sum_divisible_by_31_gives_check_character_zero() {
        // Sum is 31: 3 (weight 1) + 1 (weight 28), so 31 - 0 = 31, which stands for 0.
        let prefix = "30000000000000001";
        assert_eq!(check_character(prefix.as_bytes()), Some(b'0'));
        assert_eq!(
            make_credit_code(prefix).unwrap().as_str(),
            "300000000000000010"
        );
    }

    #[test]
    fn rejects_every_wrong_check_character() {
        let good = VALID[0];
        for wrong in CODE_SET {
            if *wrong == good.as_bytes()[17] {
                continue;
            }
            let mut bad = good[..17].to_owned();
            bad.push(char::from(*wrong));
            assert_eq!(
                CreditCode::parse(&bad),
                Err(CreditCodeError::CheckCharacter),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_swapped_pair_is_caught_by_the_checksum() {
        let mut swapped = VALID[1].to_owned().into_bytes();
        // Characters 9 and 10 are '6' and '0'.
        swapped.swap(8, 9);
        let swapped = String::from_utf8(swapped).unwrap();
        assert_eq!(
            CreditCode::parse(&swapped),
            Err(CreditCodeError::CheckCharacter)
        );
    }

    #[test]
    fn accepts_lower_case_and_surrounding_whitespace_and_stores_upper_case() {
        let code = CreditCode::parse(" \t91350100m000100y43\n").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code, CreditCode::parse("91350100M000100Y43").unwrap());
        assert_eq!(
            make_credit_code("91110000600037341").unwrap(),
            make_credit_code(" 91110000600037341 ").unwrap()
        );
        assert_eq!(
            make_credit_code("91440300ma5abcdef").unwrap().as_str(),
            "91440300MA5ABCDEFW"
        );
    }

    #[test]
    fn rejects_letters_outside_the_code_set() {
        for letter in ['I', 'O', 'Z', 'S', 'V', 'i', 'o', 'z', 's', 'v'] {
            let mut bad = VALID[0].to_owned();
            bad.replace_range(8..9, &letter.to_string());
            assert_eq!(
                CreditCode::parse(&bad),
                Err(CreditCodeError::Characters),
                "{bad}"
            );
            let mut prefix = VALID[0][..17].to_owned();
            prefix.replace_range(8..9, &letter.to_string());
            assert_eq!(
                make_credit_code(&prefix),
                Err(CreditCodeError::Characters),
                "{prefix}"
            );
        }
        let cases = [
            "91350100-000100Y43",
            "91350100 000100Y43",
            "９１３５０１００Ｍ０００１００Ｙ４３", // full-width
        ];
        for case in cases {
            assert_eq!(
                CreditCode::parse(case),
                Err(CreditCodeError::Characters),
                "{case:?}"
            );
        }
    }

    #[test]
    fn rejects_wrong_length() {
        let good = VALID[0];
        for case in [
            String::new(),
            "   ".to_owned(),
            good[..17].to_owned(),
            format!("{good}0"),
            format!("{} {}", &good[..8], &good[8..]),
        ] {
            assert_eq!(
                CreditCode::parse(&case),
                Err(CreditCodeError::Length),
                "{case:?}"
            );
        }
        assert_eq!(make_credit_code(good), Err(CreditCodeError::Length));
        assert_eq!(make_credit_code(&good[..16]), Err(CreditCodeError::Length));
    }

    #[test]
    fn accepts_every_registration_authority_and_rejects_the_rest() {
        for authority in AUTHORITIES {
            let prefix = format!("{}1110000600037341", char::from(*authority));
            assert!(make_credit_code(&prefix).is_ok(), "{prefix}");
        }
        for authority in CODE_SET.iter().filter(|c| !AUTHORITIES.contains(c)) {
            let prefix = format!("{}1110000600037341", char::from(*authority));
            assert_eq!(
                make_credit_code(&prefix),
                Err(CreditCodeError::Authority),
                "{prefix}"
            );
        }
        assert_eq!(
            CreditCode::parse("01350100M000100Y43"),
            Err(CreditCodeError::Authority)
        );
    }

    #[test]
    fn rejects_a_division_code_that_is_not_six_digits() {
        for prefix in [
            "913A0100M000100Y4",
            "9135010XM000100Y4",
            "91Y50100M000100Y4",
        ] {
            // Even with the right check character, the division code must be digits.
            let mut code = prefix.to_owned();
            code.push(char::from(check_character(prefix.as_bytes()).unwrap()));
            assert_eq!(
                CreditCode::parse(&code),
                Err(CreditCodeError::DivisionCode),
                "{code}"
            );
            assert_eq!(
                make_credit_code(prefix),
                Err(CreditCodeError::DivisionCode),
                "{prefix}"
            );
        }
    }

    #[test]
    fn documents_itself_as_a_string_in_the_openapi_schema() {
        let schema = serde_json::to_value(<CreditCode as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "string", "{schema}");
        assert_eq!(schema["example"], "91110000600037341L", "{schema}");
    }

    #[test]
    fn displays_and_serializes_the_full_code_and_deserializes_through_parse() {
        let code = CreditCode::parse("91110000600037341l").unwrap();
        assert_eq!(code.to_string(), "91110000600037341L");
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"91110000600037341L\""
        );
        let back: CreditCode = serde_json::from_str("\" 91110000600037341l \"").unwrap();
        assert_eq!(back, code);
        let err = serde_json::from_str::<CreditCode>("\"91110000600037341M\"").unwrap_err();
        assert!(
            err.to_string().contains(
                "check character of the unified social credit code does not match the other 17 characters"
            ),
            "{err}"
        );
        let err = serde_json::from_str::<CreditCode>("\"9111000060003734\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("unified social credit code must be 18 characters"),
            "{err}"
        );
    }
}
