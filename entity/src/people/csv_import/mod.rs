//! The resident import file (design.md, "Resident import format"): decoding, header matching and
//! the validation of every row, with every problem reported against its line and column so staff
//! can fix the spreadsheet in one pass.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Gender, IdCardNumber, Phone, Relation};

mod columns;
mod decoding;
mod report;
mod rows;
#[cfg(test)]
mod tests;

use columns::Layout;
use decoding::{LineCounter, decode};
use report::Report;
use rows::{RowParser, SeenInFile};

/// The English column names, in the order the design lists them (a template's header row).
pub const ENGLISH_COLUMNS: [&str; 15] = [
    "committee",
    "group",
    "building",
    "household",
    "relation",
    "name",
    "gender",
    "birth_date",
    "phone",
    "id_card_number",
    "disability",
    "disability_level",
    "party_member",
    "low_income",
    "skills",
];

/// At most this many problems are reported; a garbage upload must not produce a giant response.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Longest accepted name or label, in characters.
pub(super) const MAX_TEXT_CHARS: usize = 50;

/// One resident, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Physical line in the file (the header is line 1).
    pub line: usize,
    /// 居委会 name.
    pub committee: String,
    /// 居民组 name, unique within the committee.
    pub group: String,
    /// 楼栋 name or number, unique within the site.
    pub building: String,
    /// 户号 label, unique within the building.
    pub household: String,
    /// 与户主关系, when the file says.
    pub relation: Option<Relation>,
    /// 姓名.
    pub name: String,
    /// 性别, consistent with the ID number.
    pub gender: Gender,
    /// 出生日期, equal to the date in the ID number.
    pub birth_date: NaiveDate,
    /// 手机号.
    pub phone: Option<Phone>,
    /// 身份证号.
    pub id_card: IdCardNumber,
    /// 残疾.
    pub disability: bool,
    /// 残疾等级 1–4, only when `disability`.
    pub disability_level: Option<u8>,
    /// 党员.
    pub party_member: bool,
    /// 低保; a household is low-income when any of its rows says so.
    pub low_income: bool,
    /// 技能, trimmed and deduplicated, in file order.
    pub skills: Vec<String>,
}

/// One problem in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Physical line in the file (the header is line 1).
    pub line: usize,
    /// English column name; empty when the problem is the whole row or file.
    pub column: String,
    /// What is wrong, in English.
    pub reason: String,
}

/// Every problem found in a file that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("the import file has {} problem(s)", errors.len())]
pub struct ImportErrors {
    /// The problems, in file order (header problems first), capped at [`MAX_REPORTED_ERRORS`] + 1.
    pub errors: Vec<RowError>,
}

/// Parses and validates a whole import file; either every row is good or nothing is returned.
pub fn parse_import(bytes: &[u8], today: NaiveDate) -> Result<Vec<ImportRow>, ImportErrors> {
    let mut report = Report::default();
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(reason) => {
            report.push(1, "", reason);
            return Err(report.finish());
        }
    };
    // The text rule (crate::text): NFC for the whole file; control characters are reported by
    // cell below.
    let text = if crate::text::is_nfc(&text) {
        text
    } else {
        Cow::Owned(unicode_normalization::UnicodeNormalization::nfc(text.as_ref()).collect())
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());

    let mut layout = None;
    let mut rows = Vec::new();
    let mut seen = SeenInFile::default();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                let line = err.position().map_or(0, |p| lines.line_at(p.byte()));
                report.push(line, "", format!("the file is not valid CSV: {err}"));
                break;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if let Some(position) = record
            .iter()
            .position(|c| c.chars().any(crate::text::is_refused))
        {
            let column = layout
                .as_ref()
                .and_then(|l: &Layout| l.column_at(position))
                .map_or_else(
                    || format!("cell {}", position + 1),
                    |c| c.english().to_owned(),
                );
            report.push(
                line,
                &column,
                "contains a control character; retype the cell or save the file as CSV again",
            );
            continue;
        }
        let Some(layout) = &layout else {
            match Layout::from_header(&record, line) {
                Ok(found) => layout = Some(found),
                Err(errors) => {
                    for error in errors {
                        report.push(error.line, &error.column, error.reason);
                    }
                    return Err(report.finish());
                }
            }
            continue;
        };
        if record.len() != layout.width {
            report.push(
                line,
                "",
                format!(
                    "row has {} cells but the header has {}",
                    record.len(),
                    layout.width
                ),
            );
            continue;
        }
        let row = RowParser {
            record: &record,
            layout,
            line,
            today,
            report: &mut report,
            seen: &mut seen,
        }
        .parse();
        // Once anything is wrong nothing will be imported, so stop keeping rows.
        if let Some(row) = row.filter(|_| report.total() == 0) {
            rows.push(row);
        }
    }
    if layout.is_none() && report.total() == 0 {
        report.push(1, "", "the file is empty: expected a header row");
    }
    if report.total() > 0 {
        return Err(report.finish());
    }
    Ok(rows)
}
