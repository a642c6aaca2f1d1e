//! Reading the file into rows of cells: CSV (UTF-8 with or without BOM, or GBK) or a workbook
//! (`.xlsx`, `.xls` and WPS's `.et`, which is the same binary format, read by calamine), with
//! every text cell normalised the same way (NFC, full-width digits and letters made ASCII,
//! surrounding spaces including the ideographic space trimmed).

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto_from_rs};
use chrono::NaiveDate;

use super::decoding::{LineCounter, decode};
use super::report::Msg;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Nothing in it.
    Empty,
    /// Text, normalised and trimmed.
    Text(String),
    /// A number as the spreadsheet stores it (an ID number typed without the text format lands
    /// here, already rounded to 15 significant digits).
    Number(f64),
    /// A cell the spreadsheet formatted as a date (`None` when the serial is not a day).
    Date(Option<NaiveDate>),
    /// TRUE / FALSE.
    Bool(bool),
    /// A formula error such as `#N/A`.
    Error,
}

impl Cell {
    /// The cell as text: numbers without a needless `.0`, dates as `YYYY-MM-DD`, booleans as
    /// 是 / 否.
    pub(super) fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Number(n) => Cow::Owned(number_text(*n)),
            Cell::Date(Some(date)) => Cow::Owned(date.to_string()),
            Cell::Date(None) | Cell::Error => Cow::Borrowed("#?"),
            Cell::Bool(true) => Cow::Borrowed("是"),
            Cell::Bool(false) => Cow::Borrowed("否"),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.is_empty(),
            _ => false,
        }
    }
}

/// A whole number without a fraction or exponent; anything else as Rust prints it.
pub(super) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A row and where it is: its 1-based row number in the sheet, or its physical line in a CSV file.
pub(super) struct SourceRow {
    pub(super) line: usize,
    pub(super) cells: Vec<Cell>,
}

/// The file's rows, and the sheet they came from (none for CSV).
pub(super) struct Source {
    pub(super) sheet: Option<String>,
    pub(super) rows: Vec<SourceRow>,
    /// CSV rows must be exactly as wide as the header; a sheet's used range is rectangular.
    pub(super) is_csv: bool,
}

/// Which kind of file the bytes are, by their first bytes (browsers and WPS send any media type).
fn is_workbook(bytes: &[u8]) -> bool {
    // ZIP (xlsx) or an OLE compound document (xls, et).
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Reads the rows of a CSV file or of one sheet of a workbook (`sheet`, or the first).
pub(super) fn read(bytes: &[u8], sheet: Option<&str>) -> Result<Source, (usize, Msg)> {
    if is_workbook(bytes) {
        read_workbook(bytes, sheet)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Source, (usize, Msg)> {
    let text = decode(bytes).map_err(|_| {
        (
            1,
            Msg::new(
                "file_encoding",
                "the file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or upload the Excel file itself",
                "文件既不是 UTF-8 也不是 GBK 编码。请另存为“CSV UTF-8”，或直接上传 Excel 文件",
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                let line = err.position().map_or(0, |p| lines.line_at(p.byte()));
                return Err((
                    line,
                    Msg::new(
                        "file_not_csv",
                        format!("the file is not valid CSV: {err}"),
                        "文件不是有效的 CSV 表格，请用 Excel 或 WPS 重新保存",
                    ),
                ));
            }
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let cells = record.iter().map(text_cell).collect();
        rows.push(SourceRow { line, cells });
    }
    Ok(Source {
        sheet: None,
        rows,
        is_csv: true,
    })
}

fn unreadable() -> Msg {
    Msg::new(
        "workbook_unreadable",
        "the workbook cannot be read; save it again as .xlsx (Excel workbook) and upload that",
        "无法读取这个表格文件，请用 Excel 或 WPS 另存为 .xlsx 格式后再上传",
    )
}

fn read_workbook(bytes: &[u8], sheet: Option<&str>) -> Result<Source, (usize, Msg)> {
    let mut workbook: Sheets<_> =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| (1, unreadable()))?;
    let names = workbook.sheet_names();
    let name = match sheet.map(str::trim).filter(|s| !s.is_empty()) {
        Some(wanted) => names
            .iter()
            .find(|n| n.trim() == wanted)
            .cloned()
            .ok_or_else(|| {
                (
                    1,
                    Msg::new(
                        "sheet_not_found",
                        format!(
                            "the workbook has no sheet \"{wanted}\"; its sheets are: {}",
                            names.join(", ")
                        ),
                        format!(
                            "表格里没有名为“{wanted}”的工作表，现有工作表：{}",
                            names.join("、")
                        ),
                    ),
                )
            })?,
        // The first visible worksheet: a hidden sheet of drop-down lists is not the roster.
        None => workbook
            .sheets_metadata()
            .iter()
            .find(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .or_else(|| names.first().cloned())
            .ok_or_else(|| (1, unreadable()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|_| (1, unreadable()))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| SourceRow {
            line: first_row + i + 1,
            // Columns left of the used range are empty; keep positions as the sheet shows them.
            cells: std::iter::repeat_n(Cell::Empty, first_column)
                .chain(cells.iter().map(workbook_cell))
                .collect(),
        })
        .collect();
    Ok(Source {
        sheet: Some(name),
        rows,
        is_csv: false,
    })
}

fn workbook_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => text_cell(text),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(value) if value.is_datetime() => Cell::Date(serial_date(value.as_f64())),
        Data::DateTime(value) => Cell::Number(value.as_f64()),
        Data::DateTimeIso(text) => text
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| text_cell(text), |d| Cell::Date(Some(d))),
        Data::DurationIso(text) => text_cell(text),
        Data::Error(_) => Cell::Error,
    }
}

/// The day of an Excel serial date (1900 date system, as Excel and WPS write by default; serials
/// from 61 on are right, the first two months of 1900 are one day off in Excel itself).
pub(super) fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

fn text_cell(raw: &str) -> Cell {
    let text = normalise(raw);
    if text.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(text)
    }
}

/// The text rule of the import: NFC, full-width digits, letters and the date separators (`－`,
/// `／`, `．`) as ASCII, surrounding white space (the ideographic space too) trimmed.
pub(super) fn normalise(raw: &str) -> String {
    let nfc: Cow<'_, str> = if crate::text::is_nfc(raw) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(unicode_normalization::UnicodeNormalization::nfc(raw).collect())
    };
    nfc.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '－' | '／' | '．' | '＋' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}
