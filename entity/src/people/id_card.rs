//! Resident identity card numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit
//! sequence whose last digit gives the gender, and an ISO 7064 MOD 11-2 check character.
//!
//! The full number is personal data we must not leak: `Debug` and `Display` print the masked form,
//! and the type is deliberately not `Serialize`. Code that encrypts or hashes it calls `expose`.

use std::fmt;

use chrono::NaiveDate;

use super::Gender;

/// Weights of the 17 leading digits in the MOD 11-2 checksum.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder of the weighted sum modulo 11.
const CHECK_CHARACTERS: &[u8; 11] = b"10X98765432";
/// No resident alive was born earlier; a date before it is a typing mistake.
const EARLIEST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// A valid GB 11643 resident ID number, stored in upper case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber {
    number: String,
    birth_date: NaiveDate,
}

/// Why a text is not a valid resident ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdCardError {
    /// Wrong length or a character other than digits and a final X.
    #[error("must be 18 characters: 17 digits followed by a digit or X")]
    Format,
    /// The checksum does not match, which almost always means a mistyped digit.
    #[error("check character does not match the other 17 digits (probably a typing mistake)")]
    CheckCharacter,
    /// Region codes are never 0xxxxx.
    #[error("region code (the first 6 digits) must not start with 0")]
    Region,
    /// Characters 7–14 are not a date between 1900-01-01 and today.
    #[error("characters 7-14 must be a real birth date (YYYYMMDD) between 1900-01-01 and today")]
    BirthDate,
}

impl IdCardNumber {
    /// Parses and validates a number; `today` bounds the birth date it encodes.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdCardNumber, IdCardError> {
        let bytes = input.trim().as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdCardError::Format);
        }
        let last = bytes[17].to_ascii_uppercase();
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(IdCardError::Format);
        }
        // The checksum comes first: a typo in the date digits is better reported as a typo.
        if check_character(&bytes[..17]) != last {
            return Err(IdCardError::CheckCharacter);
        }
        if bytes[0] == b'0' {
            return Err(IdCardError::Region);
        }
        let birth_date = birth_date_of(&bytes[6..14])
            .filter(|date| *date >= EARLIEST_BIRTH_DATE && *date <= today)
            .ok_or(IdCardError::BirthDate)?;
        let mut number = String::with_capacity(18);
        number.extend(bytes[..17].iter().map(|b| char::from(*b)));
        number.push(char::from(last));
        Ok(IdCardNumber { number, birth_date })
    }

    /// The birth date the number encodes.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The gender the number encodes: an odd 17th digit is male.
    pub fn gender(&self) -> Gender {
        if self.number.as_bytes()[16] % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The first character, sixteen stars and the check character: `4****************X`.
    ///
    /// Responses show a resident's birth date (or age) beside this, and every resident of a site
    /// shares a handful of region codes, so the mask hides both the birth digits and the
    /// sequence: with region and birth date known, about forty numbers still fit what is shown.
    /// The audited reveal is the one way to the full number.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.number[..1],
            "*".repeat(16),
            &self.number[17..]
        )
    }

    /// The last six characters, which a resident types to prove who they are when activating.
    pub fn last6(&self) -> &str {
        &self.number[12..]
    }

    /// The full number. Call it only to encrypt or hash it, never to log or send it.
    pub fn expose(&self) -> &str {
        &self.number
    }
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdCardNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Builds a valid number from its parts; the sequence's last digit is nudged to match `male`.
///
/// Fails when `region` is not six digits starting with 1–9 or `birth` is before 1900.
pub fn make_id_card(
    region: &str,
    birth: NaiveDate,
    sequence: u16,
    male: bool,
) -> Result<IdCardNumber, IdCardError> {
    let region_ok = region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit());
    if !region_ok {
        return Err(IdCardError::Format);
    }
    let mut sequence = sequence % 1000;
    if (sequence % 2 == 1) != male {
        // Flipping the lowest bit keeps the sequence within 0..=999.
        sequence ^= 1;
    }
    let mut number = format!("{region}{}{sequence:03}", birth.format("%Y%m%d"));
    if number.len() != 17 || !number.bytes().all(|b| b.is_ascii_digit()) {
        // Only years 0000–9999 print as four digits; `parse` then rejects those before 1900.
        return Err(IdCardError::BirthDate);
    }
    number.push(char::from(check_character(number.as_bytes())));
    // Going through `parse` keeps a single definition of what a valid number is.
    IdCardNumber::parse(&number, birth)
}

/// The MOD 11-2 check character of 17 ASCII digits.
fn check_character(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

/// Reads `YYYYMMDD` from eight ASCII digits.
fn birth_date_of(digits: &[u8]) -> Option<NaiveDate> {
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(number(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, number(4..6), number(6..8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 1)
    }

    /// Appends the right check character, so tests can state numbers by their meaningful digits.
    fn with_check(first17: &str) -> String {
        let mut number = first17.to_owned();
        number.push(char::from(check_character(first17.as_bytes())));
        number
    }

    #[test]
    fn accepts_the_standard_worked_example() {
        // The example number printed in GB 11643-1999.
        let id = IdCardNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.expose(), "11010519491231002X");
    }

    #[test]
    fn accepts_a_lowercase_x_and_stores_it_uppercase() {
        let id = IdCardNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id.last6(), "31002X");
        assert_eq!(
            id,
            IdCardNumber::parse("11010519491231002X", today()).unwrap()
        );
    }

    #[test]
    fn reads_gender_from_the_seventeenth_digit() {
        let male = IdCardNumber::parse(&with_check("41122419800101123"), today()).unwrap();
        assert_eq!(male.gender(), Gender::Male);
        let female = IdCardNumber::parse(&with_check("41122419800101124"), today()).unwrap();
        assert_eq!(female.gender(), Gender::Female);
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        let good = with_check("41122419800101123");
        for wrong in b"0123456789X" {
            if *wrong == good.as_bytes()[17] {
                continue;
            }
            let mut bad = good[..17].to_owned();
            bad.push(char::from(*wrong));
            assert_eq!(
                IdCardNumber::parse(&bad, today()),
                Err(IdCardError::CheckCharacter),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_swapped_digit_is_caught_by_the_checksum() {
        let good = with_check("41122419800101123");
        let mut swapped = good.clone().into_bytes();
        swapped.swap(14, 15);
        let swapped = String::from_utf8(swapped).unwrap();
        assert_eq!(
            IdCardNumber::parse(&swapped, today()),
            Err(IdCardError::CheckCharacter)
        );
    }

    #[test]
    fn rejects_wrong_length_and_characters() {
        let good = with_check("41122419800101123");
        let cases = [
            String::new(),
            good[..17].to_owned(),
            format!("{good}1"),
            format!("X{}", &good[1..]),
            format!("{}Y", &good[..17]),
            format!("{}-{}", &good[..6], &good[7..]),
            "４１１２２４１９８００１０１１２３４".to_owned(),
        ];
        for case in cases {
            assert_eq!(
                IdCardNumber::parse(&case, today()),
                Err(IdCardError::Format),
                "{case:?}"
            );
        }
    }

    #[test]
    fn rejects_impossible_early_and_future_birth_dates() {
        for first17 in [
            "41122419800230123", // 30 February
            "41122419801301123", // month 13
            "41122418991231123", // before 1900
            "41122420250602123", // tomorrow
            "41122430000101123", // far future
        ] {
            assert_eq!(
                IdCardNumber::parse(&with_check(first17), today()),
                Err(IdCardError::BirthDate),
                "{first17}"
            );
        }
        // The bounds themselves are allowed.
        assert!(IdCardNumber::parse(&with_check("41122419000101123"), today()).is_ok());
        assert!(IdCardNumber::parse(&with_check("41122420250601123"), today()).is_ok());
    }

    #[test]
    fn rejects_a_region_starting_with_zero() {
        assert_eq!(
            IdCardNumber::parse(&with_check("01122419800101123"), today()),
            Err(IdCardError::Region)
        );
    }

    #[test]
    fn debug_and_display_never_show_the_full_number() {
        let id = IdCardNumber::parse(&with_check("41122419800101123"), today()).unwrap();
        let full = id.expose().to_owned();
        assert_eq!(id.masked(), format!("4****************{}", &full[17..]));
        assert_eq!(id.masked().chars().count(), 18);
        assert_eq!(id.to_string(), id.masked());
        let debug = format!("{id:?} {id:#?}");
        assert!(!debug.contains(&full), "{debug}");
        assert!(!debug.contains("19800101"), "{debug}");
        assert!(debug.contains(&id.masked()), "{debug}");
    }

    #[test]
    fn make_id_card_builds_valid_numbers_of_the_asked_gender() {
        let birth = date(1987, 2, 28);
        for sequence in [0, 1, 2, 998, 999, 1500] {
            for male in [true, false] {
                let id = make_id_card("990101", birth, sequence, male).unwrap();
                assert_eq!(id.birth_date(), birth);
                assert_eq!(id.gender() == Gender::Male, male, "{sequence} {male}");
                assert!(id.expose().starts_with("99010119870228"));
                assert_eq!(IdCardNumber::parse(id.expose(), birth).unwrap(), id);
            }
        }
        let id = make_id_card("990101", birth, 123, true).unwrap();
        assert_eq!(&id.expose()[14..17], "123");
        let id = make_id_card("990101", birth, 123, false).unwrap();
        assert_eq!(&id.expose()[14..17], "122");
    }

    #[test]
    fn make_id_card_refuses_a_bad_region_or_date() {
        let birth = date(1987, 2, 28);
        assert_eq!(
            make_id_card("99010", birth, 1, true),
            Err(IdCardError::Format)
        );
        assert_eq!(
            make_id_card("99a101", birth, 1, true),
            Err(IdCardError::Format)
        );
        assert_eq!(
            make_id_card("090101", birth, 1, true),
            Err(IdCardError::Region)
        );
        assert_eq!(
            make_id_card("990101", date(1899, 12, 31), 1, true),
            Err(IdCardError::BirthDate)
        );
    }
}
