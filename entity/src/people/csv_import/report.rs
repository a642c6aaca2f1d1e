//! The error report: problems by line and column, capped, sorted.

use super::{ImportErrors, MAX_REPORTED_ERRORS, RowError};

/// The problems found so far, keeping only the first [`MAX_REPORTED_ERRORS`].
#[derive(Default)]
pub(super) struct Report {
    pub(super) errors: Vec<RowError>,
    omitted: usize,
}

impl Report {
    pub(super) fn push(&mut self, line: usize, column: &str, reason: impl Into<String>) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError {
                line,
                column: column.to_owned(),
                reason: reason.into(),
            });
        } else {
            self.omitted += 1;
        }
    }

    pub(super) fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }

    pub(super) fn finish(mut self) -> ImportErrors {
        if self.omitted > 0 {
            let line = self.errors.last().map_or(0, |e| e.line);
            self.errors.push(RowError {
                line,
                column: String::new(),
                reason: format!(
                    "{} more problem(s) omitted; fix these first and upload again",
                    self.omitted
                ),
            });
        }
        ImportErrors {
            errors: self.errors,
        }
    }
}
