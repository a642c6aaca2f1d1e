//! The resident import file (design.md, "Resident import format"): decoding, header matching and
//! the validation of every row, with every problem reported against its line and column so staff
//! can fix the spreadsheet in one pass.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Gender, IdCardNumber, Phone, Relation};

mod columns;
mod decoding;
mod report;
mod rows;
mod source;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod xlsx_tests;

use columns::Layout;
pub use report::Msg;
use report::Report;
use rows::{RowParser, SeenInFile};
use source::Cell;

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

/// The Chinese column names, in the order of [`ENGLISH_COLUMNS`] (the template's header row).
pub const CHINESE_COLUMNS: [&str; 15] = [
    "居委会",
    "居民组",
    "楼栋",
    "户号",
    "与户主关系",
    "姓名",
    "性别",
    "出生日期",
    "手机号",
    "身份证号",
    "残疾",
    "残疾等级",
    "党员",
    "低保",
    "技能",
];

/// A row whose name starts with this is the template's example, skipped by the import (staff may
/// leave it in).
pub const EXAMPLE_MARK: &str = "示例";

/// At most this many problems are reported; a garbage upload must not produce a giant response.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Longest accepted name or label, in characters.
pub(super) const MAX_TEXT_CHARS: usize = 50;

/// One resident, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Row number in the sheet, or physical line of a CSV file.
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
    /// The sheet of a workbook; none for CSV.
    pub sheet: Option<String>,
    /// Row number in the sheet, or physical line of a CSV file (the first is 1).
    pub line: usize,
    /// English column name; empty when the problem is the whole row or file.
    pub column: String,
    /// The column's header as the file writes it (Chinese or English); its Chinese name when
    /// the file has no such column.
    pub header: String,
    /// The cell as written (shortened); never given for ID numbers.
    pub value: Option<String>,
    /// Stable snake_case code.
    pub code: String,
    /// What is wrong, in English.
    pub reason: String,
    /// What is wrong and how to fix it, in Simplified Chinese.
    pub message: String,
}

impl RowError {
    /// A problem the registry finds in a row that parsed (the header named by its Chinese name).
    pub fn in_column(line: usize, english: &str, value: Option<String>, msg: Msg) -> Self {
        let header = columns::Column::ALL
            .into_iter()
            .find(|c| c.english() == english)
            .map_or_else(String::new, |c| c.chinese().to_owned());
        Self {
            sheet: None,
            line,
            column: english.to_owned(),
            header,
            value,
            code: msg.code.to_owned(),
            reason: msg.en,
            message: msg.zh,
        }
    }
}

/// Every problem found in a file that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("the import file has {} problem(s)", errors.len())]
pub struct ImportErrors {
    /// The problems, in file order (header problems first), capped at [`MAX_REPORTED_ERRORS`] + 1.
    pub errors: Vec<RowError>,
}

/// A file whose every row is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// The sheet the rows were read from (none for CSV).
    pub sheet: Option<String>,
    /// The residents, in file order.
    pub rows: Vec<ImportRow>,
}

/// [`parse_sheet`] of a CSV file or of a workbook's first sheet, returning the rows.
pub fn parse_import(bytes: &[u8], today: NaiveDate) -> Result<Vec<ImportRow>, ImportErrors> {
    parse_sheet(bytes, None, today).map(|file| file.rows)
}

/// Parses and validates a whole import file (CSV, or the first or the named `sheet` of an
/// `.xlsx` / `.xls` / `.et` workbook); either every row is good or nothing is returned.
pub fn parse_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    today: NaiveDate,
) -> Result<ImportFile, ImportErrors> {
    let mut report = Report::default();
    let mut source = match source::read(bytes, sheet) {
        Ok(source) => source,
        Err((line, msg)) => {
            report.push(line, None, None, msg);
            return Err(report.finish());
        }
    };
    report.sheet = source.sheet.clone();
    let mut rows = std::mem::take(&mut source.rows)
        .into_iter()
        .filter(|row| !row.cells.iter().all(Cell::is_empty))
        .peekable();
    // The header row: the first of the first few rows that names several known columns; title
    // rows above it are skipped. Without one, the first row is the header (and says what is wrong).
    let header_at = {
        let mut found = None;
        let mut seen = 0;
        let mut scan = Vec::new();
        while seen < HEADER_SEARCH_ROWS {
            let Some(row) = rows.next() else { break };
            seen += 1;
            let known = Layout::known_columns(&row.cells);
            scan.push(row);
            if known >= 3 {
                found = Some(scan.len() - 1);
                break;
            }
        }
        let at = found.unwrap_or(0);
        let mut scan = scan.into_iter().skip(at);
        let header = scan.next();
        (header, scan.collect::<Vec<_>>())
    };
    let (Some(header), peeked) = header_at else {
        report.push(
            1,
            None,
            None,
            Msg::new(
                "file_empty",
                "the file is empty: expected a header row",
                "文件是空的：第一行应当是表头",
            ),
        );
        return Err(report.finish());
    };
    if let Some(position) = refused_cell(&header.cells) {
        report.push(header.line, None, None, control_character(position));
        return Err(report.finish());
    }
    let Some(layout) = Layout::from_header(&header.cells, header.line, source.is_csv, &mut report)
    else {
        return Err(report.finish());
    };

    let mut residents = Vec::new();
    let mut seen = SeenInFile::default();
    for row in peeked.into_iter().chain(rows) {
        if let Some(position) = refused_cell(&row.cells) {
            let msg = control_character(position);
            report.push(row.line, layout.column_at(position), None, msg);
            continue;
        }
        if source.is_csv && row.cells.len() != layout.width {
            report.push(
                row.line,
                None,
                None,
                Msg::new(
                    "row_width",
                    format!(
                        "row has {} cells but the header has {}",
                        row.cells.len(),
                        layout.width
                    ),
                    format!(
                        "这一行有 {} 格，表头有 {} 格，请检查是否多了或少了逗号",
                        row.cells.len(),
                        layout.width
                    ),
                ),
            );
            continue;
        }
        if let Some(position) = row
            .cells
            .iter()
            .skip(layout.width)
            .position(|c| !c.is_empty())
        {
            let column = layout.width + position + 1;
            report.push(
                row.line,
                None,
                None,
                Msg::new(
                    "cell_outside_table",
                    format!("cell {column} is right of the last named column; give it a header or clear it"),
                    format!("第 {column} 格在表头范围之外，请补上列名或清空这一格"),
                ),
            );
            continue;
        }
        let is_example = layout.positions[columns::Column::Name.index()]
            .and_then(|p| row.cells.get(p))
            .is_some_and(|c| c.text().starts_with(EXAMPLE_MARK));
        if is_example {
            continue;
        }
        let resident = RowParser {
            cells: &row.cells,
            layout: &layout,
            line: row.line,
            today,
            report: &mut report,
            seen: &mut seen,
        }
        .parse();
        // Once anything is wrong nothing will be imported, so stop keeping rows.
        if let Some(resident) = resident.filter(|_| report.total() == 0) {
            residents.push(resident);
        }
    }
    if report.total() > 0 {
        return Err(report.finish());
    }
    Ok(ImportFile {
        sheet: source.sheet,
        rows: residents,
    })
}

/// How many non-empty rows are searched for the header.
const HEADER_SEARCH_ROWS: usize = 10;

/// The first cell holding a control character (what a broken export leaves in a file).
fn refused_cell(cells: &[Cell]) -> Option<usize> {
    cells.iter().position(|cell| match cell {
        Cell::Text(text) => text.chars().any(crate::text::is_refused),
        _ => false,
    })
}

fn control_character(position: usize) -> Msg {
    Msg::new(
        "control_character",
        format!(
            "cell {} contains a control character; retype the cell or save the file again",
            position + 1
        ),
        format!(
            "第 {} 格含有看不见的控制字符，请重新输入这一格",
            position + 1
        ),
    )
}
