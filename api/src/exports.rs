//! Spreadsheet exports: one table, written as `.xlsx` or as CSV (UTF-8 with a BOM, so Excel and
//! WPS open it as Chinese text), with memory that stays flat however many rows there are.
//!
//! CSV is streamed: rows go to the client as they are read, a batch at a time. An `.xlsx` is a
//! ZIP whose directory comes last, so it is written row by row to a temporary file in
//! rust_xlsxwriter's constant-memory mode (each row leaves memory when the next starts) and then
//! streamed from that file. Either way the route reads the database in batches and never holds
//! more than one batch.

use actix_web::{HttpResponse, http::header, web};
use bytes::Bytes;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use futures_util::Stream;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Rows read from the database per batch.
pub const BATCH: u64 = 1000;

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// An Excel workbook (the default).
    #[default]
    Xlsx,
    /// CSV, UTF-8 with a BOM.
    Csv,
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A day (a real date cell in the workbook).
    Date(NaiveDate),
    /// A moment, shown in China time (UTC+8) to the minute.
    Time(DateTime<Utc>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(v)
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Time(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Empty, Into::into)
    }
}

/// 是 / 否.
pub fn yes_no(v: bool) -> Value {
    Value::Text(if v { "是" } else { "否" }.to_owned())
}

fn china(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    (t + chrono::Duration::hours(8)).naive_utc()
}

/// A column: its Chinese header and its width in characters (for the workbook).
pub type Column = (&'static str, f64);

/// A table being written.
pub struct Table {
    sink: Sink,
    rows: u64,
}

enum Sink {
    Csv {
        buffer: Vec<u8>,
        tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    },
    Xlsx(Box<XlsxSink>),
}

struct XlsxSink {
    workbook: Workbook,
    date: Format,
    time: Format,
    next_row: u32,
}

/// Flush the CSV buffer to the client at about this size.
const CSV_CHUNK: usize = 64 * 1024;

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("writing the workbook: {e}"))
}

/// A cell as CSV text. A cell that begins like a formula is prefixed with `'`, so that opening
/// the file in a spreadsheet never runs what a resident typed (CSV injection).
fn csv_text(value: &Value) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Text(t) => {
            if t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{t}")
            } else {
                t.clone()
            }
        }
        Value::Int(n) => n.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Time(t) => china(*t).format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// Appends one CSV record (quoted as needed, CRLF-terminated as Excel writes) to `buffer`.
fn csv_record(buffer: &mut Vec<u8>, cells: impl IntoIterator<Item = String>) {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buffer);
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(cells);
    let _ = writer.flush();
}

impl Table {
    fn csv(columns: &[Column], tx: mpsc::Sender<Result<Bytes, std::io::Error>>) -> Self {
        let mut buffer = Vec::with_capacity(CSV_CHUNK * 2);
        buffer.extend_from_slice(b"\xEF\xBB\xBF");
        csv_record(
            &mut buffer,
            columns.iter().map(|(name, _)| (*name).to_owned()),
        );
        Self {
            sink: Sink::Csv { buffer, tx },
            rows: 0,
        }
    }

    fn xlsx(sheet: &str, columns: &[Column]) -> Result<Self, ApiError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold().set_background_color(0xEEEEEE);
        let sheet_ = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        sheet_.set_name(sheet).map_err(xlsx_error)?;
        for (i, (name, width)) in columns.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            sheet_.set_column_width(col, *width).map_err(xlsx_error)?;
            sheet_
                .write_string_with_format(0, col, *name, &bold)
                .map_err(xlsx_error)?;
        }
        sheet_.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(Self {
            sink: Sink::Xlsx(Box::new(XlsxSink {
                workbook,
                date: Format::new().set_num_format("yyyy-mm-dd"),
                time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
                next_row: 1,
            })),
            rows: 0,
        })
    }

    /// How many rows have been written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends one row. For CSV this waits while the client is slower than the database, so a
    /// slow download holds one chunk, not the table.
    pub async fn push(&mut self, row: &[Value]) -> Result<(), ApiError> {
        self.rows += 1;
        match &mut self.sink {
            Sink::Csv { buffer, tx } => {
                csv_record(buffer, row.iter().map(csv_text));
                if buffer.len() >= CSV_CHUNK {
                    let chunk = std::mem::take(buffer);
                    tx.send(Ok(Bytes::from(chunk)))
                        .await
                        .map_err(|_| ApiError::Internal(anyhow::anyhow!("the client went away")))?;
                }
                Ok(())
            }
            Sink::Xlsx(xlsx) => {
                let XlsxSink {
                    workbook,
                    date,
                    time,
                    next_row,
                } = &mut **xlsx;
                let sheet = workbook.worksheet_from_index(0).map_err(xlsx_error)?;
                let r = *next_row;
                for (i, value) in row.iter().enumerate() {
                    let c = u16::try_from(i).unwrap_or(u16::MAX);
                    match value {
                        Value::Empty => {}
                        Value::Text(t) => {
                            sheet.write_string(r, c, t).map_err(xlsx_error)?;
                        }
                        Value::Int(n) => {
                            sheet.write_number(r, c, *n as f64).map_err(xlsx_error)?;
                        }
                        Value::Date(d) => {
                            let day = excel_date(*d)?;
                            sheet
                                .write_datetime_with_format(r, c, &day, date)
                                .map_err(xlsx_error)?;
                        }
                        Value::Time(t) => {
                            let t = china(*t);
                            let moment = excel_date(t.date())?
                                .and_hms(t.hour() as u16, t.minute() as u8, 0)
                                .map_err(xlsx_error)?;
                            sheet
                                .write_datetime_with_format(r, c, &moment, time)
                                .map_err(xlsx_error)?;
                        }
                    }
                }
                *next_row += 1;
                Ok(())
            }
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ApiError> {
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )
    .map_err(xlsx_error)
}

/// `Content-Disposition` for a download named `name` (Chinese, so RFC 6266's `filename*`, with
/// an ASCII fallback).
fn disposition(name: &str, format: ExportFormat) -> String {
    let extension = match format {
        ExportFormat::Xlsx => "xlsx",
        ExportFormat::Csv => "csv",
    };
    let today = entity::kernel::china_time::today().format("%Y%m%d");
    let full = format!("{name}-{today}.{extension}");
    let encoded = percent_encoding::utf8_percent_encode(&full, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"export-{today}.{extension}\"; filename*=UTF-8''{encoded}")
}

/// Answers with the table `write` produces, as `format`. The caller has checked permissions and
/// recorded the audit event before; `write` reads the database in batches and pushes rows.
pub async fn respond<F, Fut>(
    format: ExportFormat,
    name: &'static str,
    columns: &'static [Column],
    write: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Table) -> Fut + 'static,
    Fut: Future<Output = Result<Table, ApiError>> + 'static,
{
    match format {
        ExportFormat::Csv => {
            let (tx, rx) = mpsc::channel(4);
            let table = Table::csv(columns, tx.clone());
            actix_web::rt::spawn(async move {
                match write(table).await {
                    Ok(Table {
                        sink: Sink::Csv { buffer, tx },
                        ..
                    }) => {
                        let _ = tx.send(Ok(Bytes::from(buffer))).await;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        // The status has gone out: end the body with an error so the client sees
                        // a broken download rather than a short file that looks whole.
                        tracing::warn!(error = %e, "export failed while streaming");
                        let _ = tx
                            .send(Err(std::io::Error::other("the export failed")))
                            .await;
                    }
                }
            });
            Ok(HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((header::CONTENT_DISPOSITION, disposition(name, format)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .streaming(receiver_stream(rx)))
        }
        ExportFormat::Xlsx => {
            let table = Table::xlsx(name, columns)?;
            let table = write(table).await?;
            let Sink::Xlsx(xlsx) = table.sink else {
                return Err(ApiError::Internal(anyhow::anyhow!("not a workbook")));
            };
            let mut workbook = xlsx.workbook;
            let file = web::block(move || -> Result<tempfile::NamedTempFile, ApiError> {
                let file =
                    tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(e.into()))?;
                workbook.save(file.path()).map_err(xlsx_error)?;
                Ok(file)
            })
            .await
            .map_err(|e| ApiError::Internal(e.into()))??;
            Ok(HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ))
                .insert_header((header::CONTENT_DISPOSITION, disposition(name, format)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .streaming(file_stream(file).await?))
        }
    }
}

fn receiver_stream(
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// The file in 64 KiB chunks; it is deleted when the stream ends (the handle keeps it until then).
async fn file_stream(
    file: tempfile::NamedTempFile,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>>, ApiError> {
    use tokio::io::AsyncReadExt;
    let handle = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(futures_util::stream::unfold(
        (handle, file),
        |(mut handle, file)| async move {
            let mut chunk = vec![0u8; 64 * 1024];
            match handle.read(&mut chunk).await {
                Ok(0) => None,
                Ok(n) => {
                    chunk.truncate(n);
                    Some((Ok(Bytes::from(chunk)), (handle, file)))
                }
                Err(e) => Some((Err(e), (handle, file))),
            }
        },
    ))
}

/// A list's own filters (`T`, parsed as the list parses them) plus `format`: how exports take
/// the filters of the screen they are started from.
pub struct ExportQuery<T> {
    /// `xlsx` (default) or `csv`.
    pub format: ExportFormat,
    /// The list's filters.
    pub filters: T,
}

impl<T: serde::de::DeserializeOwned> actix_web::FromRequest for ExportQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(split_format(req.query_string()).and_then(|(format, rest)| {
            Ok(ExportQuery {
                format,
                filters: crate::extract::parse_query(&rest)?,
            })
        }))
    }
}

/// `format=` taken out of a query string, and the rest.
fn split_format(query: &str) -> Result<(ExportFormat, String), ApiError> {
    let mut format = ExportFormat::Xlsx;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("format", value)) => {
                format = match value {
                    "xlsx" => ExportFormat::Xlsx,
                    "csv" => ExportFormat::Csv,
                    _ => {
                        return Err(ApiError::InvalidQuery(std::collections::BTreeMap::from([
                            ("format".to_owned(), "must be xlsx or csv".to_owned()),
                        ])));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    Ok((format, rest.join("&")))
}

/// The `format` query parameter, for the OpenAPI description of every export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `xlsx` (an Excel workbook, the default) or `csv` (UTF-8 with a BOM).
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// No filters besides `format`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilters {}
