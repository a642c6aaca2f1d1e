//! The error report: problems by row and column, each with a stable code, an English reason and
//! a Chinese message for the staff who fix the spreadsheet; capped and in file order.

use super::{ImportErrors, MAX_REPORTED_ERRORS, RowError, columns::Column};

/// What is wrong, in both languages, with the code the app and the console key on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// Stable snake_case code.
    pub code: &'static str,
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh: String,
}

impl Msg {
    /// A message.
    pub fn new(code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            code,
            en: en.into(),
            zh: zh.into(),
        }
    }
}

/// The problems found so far, keeping only the first [`MAX_REPORTED_ERRORS`].
#[derive(Default)]
pub(super) struct Report {
    pub(super) errors: Vec<RowError>,
    omitted: usize,
    /// The sheet the rows come from (none for CSV).
    pub(super) sheet: Option<String>,
    /// Each known column's header as the file writes it, once the header row is found.
    pub(super) headers: Option<[String; 15]>,
}

impl Report {
    /// A problem of a cell (`column`), of a whole row or of the file (`None`); `value` is the
    /// cell as written, quoted back unless it is an ID number.
    pub(super) fn push(
        &mut self,
        line: usize,
        column: Option<Column>,
        value: Option<&str>,
        msg: Msg,
    ) {
        if self.errors.len() >= MAX_REPORTED_ERRORS {
            self.omitted += 1;
            return;
        }
        let header = match (column, &self.headers) {
            (Some(c), Some(headers)) if !headers[c.index()].is_empty() => {
                headers[c.index()].clone()
            }
            (Some(c), _) => c.chinese().to_owned(),
            (None, _) => String::new(),
        };
        let value = match column {
            Some(Column::IdCardNumber) => None,
            _ => value
                .filter(|v| !v.is_empty())
                .map(|v| super::rows::shorten(v).into_owned()),
        };
        self.errors.push(RowError {
            sheet: self.sheet.clone(),
            line,
            column: column.map_or_else(String::new, |c| c.english().to_owned()),
            header,
            value,
            code: msg.code.to_owned(),
            reason: msg.en,
            message: msg.zh,
        });
    }

    /// A problem about a header cell that is not a known column: its text is the header.
    pub(super) fn push_header(&mut self, line: usize, header: &str, msg: Msg) {
        self.push(line, None, None, msg);
        if let Some(last) = self.errors.last_mut()
            && last.line == line
        {
            last.header = super::rows::shorten(header).into_owned();
        }
    }

    pub(super) fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }

    pub(super) fn finish(mut self) -> ImportErrors {
        if self.omitted > 0 {
            let line = self.errors.last().map_or(0, |e| e.line);
            let omitted = self.omitted;
            self.omitted = 0;
            // Past the cap on purpose: this last line says how many were left out.
            self.errors.push(RowError {
                sheet: self.sheet.clone(),
                line,
                column: String::new(),
                header: String::new(),
                value: None,
                code: "more_problems".to_owned(),
                reason: format!(
                    "{omitted} more problem(s) omitted; fix these first and upload again"
                ),
                message: format!("另有 {omitted} 处问题未列出，请先改正以上问题后重新上传"),
            });
        }
        ImportErrors {
            errors: self.errors,
        }
    }
}
