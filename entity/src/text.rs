//! The one rule for text that enters Anju, whatever carried it (a JSON body, a form, a query
//! string, a path segment, a CSV cell): control characters are refused, and the text is
//! normalised to Unicode NFC so that the same name typed on two phones is stored, compared and
//! counted alike. Lengths are counted in characters of the normalised text.
//!
//! Tab, line feed and carriage return are the only control characters allowed (descriptions
//! have lines). NUL in particular never reaches the database: PostgreSQL refuses it in text
//! (`invalid byte sequence for encoding "UTF8": 0x00`), which would otherwise be a 500.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A control character other than tab, line feed or carriage return.
    #[error("must not contain control characters (found U+{0:04X})")]
    Control(u32),
}

/// Whether `c` is a control character the rule refuses.
pub fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A `LIKE` pattern matching values that contain `text`; `%`, `_` and backslash in it match
/// themselves (the pattern carries its escape character).
pub fn contains_pattern(text: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escaped(text))).escape('\\')
}

/// A `LIKE` pattern matching values that start with `text` (escaped as [`contains_pattern`]).
pub fn prefix_pattern(text: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("{}%", like_escaped(text))).escape('\\')
}

fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Checks `text` and returns it in NFC (borrowed when it already was).
pub fn clean(text: &str) -> Result<Cow<'_, str>, TextError> {
    if let Some(c) = text.chars().find(|c| is_refused(*c)) {
        return Err(TextError::Control(u32::from(c)));
    }
    if is_nfc(text) {
        Ok(Cow::Borrowed(text))
    } else {
        Ok(Cow::Owned(text.nfc().collect()))
    }
}

/// Whether `text` is already in NFC (ASCII always is; most Chinese text passes the quick check).
pub fn is_nfc(text: &str) -> bool {
    text.is_ascii()
        || match is_nfc_quick(text.chars()) {
            IsNormalized::Yes => true,
            IsNormalized::No => false,
            IsNormalized::Maybe => unicode_normalization::is_nfc(text),
        }
}

/// Like [`clean`], for owned text.
pub fn clean_owned(text: String) -> Result<String, TextError> {
    match clean(&text)? {
        Cow::Borrowed(_) => Ok(text),
        Cow::Owned(normalised) => Ok(normalised),
    }
}

/// A text field of a request checked with the others: trimmed, 1 to `max` characters. A failure
/// is noted in `errors` under `name` ("must be 1–`max` characters") and gives `None`, so that the
/// other fields are still checked.
pub fn field(
    errors: &mut std::collections::BTreeMap<String, String>,
    name: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        errors.insert(name.to_owned(), format!("must be 1–{max} characters"));
        return None;
    }
    Some(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_lines_and_tabs_are_not() {
        assert_eq!(clean("a\u{0}b"), Err(TextError::Control(0)));
        assert_eq!(clean("a\u{1b}[31m"), Err(TextError::Control(0x1b)));
        assert_eq!(clean("\u{7f}"), Err(TextError::Control(0x7f)));
        assert_eq!(clean("\u{85}"), Err(TextError::Control(0x85)));
        assert_eq!(clean("第一行\n第二行\t完").unwrap(), "第一行\n第二行\t完");
    }

    #[test]
    fn text_is_normalised_to_nfc() {
        // "é" as e + combining acute becomes the single precomposed character.
        let decomposed = "Cafe\u{301}";
        let clean = clean(decomposed).unwrap();
        assert_eq!(clean, "Caf\u{e9}");
        assert!(matches!(clean, Cow::Owned(_)));
        assert_eq!(clean.chars().count(), 4);
        assert!(matches!(
            super::clean("兴贤里社区").unwrap(),
            Cow::Borrowed(_)
        ));
        // CJK compatibility ideographs have canonical decompositions too.
        assert_eq!(super::clean("\u{F900}").unwrap(), "\u{8C48}");
    }
}
