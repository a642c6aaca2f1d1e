//! The resident import file (design.md, "Resident import format"): decoding, header matching and
//! the validation of every row, with every problem reported against its line and column so staff
//! can fix the spreadsheet in one pass.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Gender, IdCardNumber, Phone, Relation};

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
const MAX_TEXT_CHARS: usize = 50;

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

/// Text from UTF-8 (with or without BOM) or, failing that, GBK, which Chinese spreadsheets write.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if had_errors {
        return Err("the file is neither UTF-8 nor GBK text; save it as CSV (UTF-8)".to_owned());
    }
    Ok(text)
}

/// Physical line numbers of record starts.
///
/// The csv crate's own `Position::line` is off after blank lines and with CRLF line ends
/// (BurntSushi/rust-csv issues 208 and 395), and Windows spreadsheets write CRLF, so we count.
struct LineCounter<'t> {
    text: &'t [u8],
    scanned: usize,
    line: usize,
    last_was_cr: bool,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t [u8]) -> Self {
        LineCounter {
            text,
            scanned: 0,
            line: 1,
            last_was_cr: false,
        }
    }

    /// The line of the record the csv reader says starts at `byte`; offsets must not decrease.
    fn line_at(&mut self, byte: u64) -> usize {
        // The reported offset can point at the line ends (and blank lines) before the record.
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while let Some(b'\r' | b'\n') = self.text.get(start) {
            start += 1;
        }
        if let Some(unscanned) = self.text.get(self.scanned..start) {
            for &byte in unscanned {
                // CRLF, LF and a lone CR each end one line.
                if byte == b'\r' || (byte == b'\n' && !self.last_was_cr) {
                    self.line += 1;
                }
                self.last_was_cr = byte == b'\r';
            }
            self.scanned = start;
        }
        self.line
    }
}

/// The columns the file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Committee,
    Group,
    Building,
    Household,
    Relation,
    Name,
    Gender,
    BirthDate,
    Phone,
    IdCardNumber,
    Disability,
    DisabilityLevel,
    PartyMember,
    LowIncome,
    Skills,
}

impl Column {
    /// In the order of [`ENGLISH_COLUMNS`], so `index()` is a position in both.
    const ALL: [Column; 15] = [
        Column::Committee,
        Column::Group,
        Column::Building,
        Column::Household,
        Column::Relation,
        Column::Name,
        Column::Gender,
        Column::BirthDate,
        Column::Phone,
        Column::IdCardNumber,
        Column::Disability,
        Column::DisabilityLevel,
        Column::PartyMember,
        Column::LowIncome,
        Column::Skills,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn english(self) -> &'static str {
        ENGLISH_COLUMNS[self.index()]
    }

    fn chinese(self) -> &'static str {
        match self {
            Column::Committee => "居委会",
            Column::Group => "居民组",
            Column::Building => "楼栋",
            Column::Household => "户号",
            Column::Relation => "与户主关系",
            Column::Name => "姓名",
            Column::Gender => "性别",
            Column::BirthDate => "出生日期",
            Column::Phone => "手机号",
            Column::IdCardNumber => "身份证号",
            Column::Disability => "残疾",
            Column::DisabilityLevel => "残疾等级",
            Column::PartyMember => "党员",
            Column::LowIncome => "低保",
            Column::Skills => "技能",
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::Committee
                | Column::Group
                | Column::Building
                | Column::Household
                | Column::Name
                | Column::Gender
                | Column::BirthDate
                | Column::IdCardNumber
        )
    }

    fn from_header(cell: &str) -> Option<Column> {
        let cell = cell.trim();
        Column::ALL
            .into_iter()
            .find(|c| cell.eq_ignore_ascii_case(c.english()) || cell == c.chinese())
    }
}

/// Where each known column sits in the file's rows.
struct Layout {
    positions: [Option<usize>; 15],
    width: usize,
}

impl Layout {
    /// The known column at a cell position.
    fn column_at(&self, position: usize) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| self.positions[c.index()] == Some(position))
    }

    fn from_header(record: &csv::StringRecord, line: usize) -> Result<Layout, Vec<RowError>> {
        let mut positions = [None; 15];
        let mut errors = Vec::new();
        for (position, cell) in record.iter().enumerate() {
            let Some(column) = Column::from_header(cell) else {
                if cell.trim().is_empty() {
                    errors.push(RowError {
                        line,
                        column: String::new(),
                        reason: format!(
                            "header cell {} is empty; name the column or delete it",
                            position + 1
                        ),
                    });
                    continue;
                }
                errors.push(RowError {
                    line,
                    column: shorten(cell.trim()).into_owned(),
                    reason: format!(
                        "unknown column \"{}\" (header cell {}); expected the English or Chinese \
                         names: {}",
                        shorten(cell.trim()),
                        position + 1,
                        ENGLISH_COLUMNS.join(", ")
                    ),
                });
                continue;
            };
            match positions[column.index()] {
                Some(first) => errors.push(RowError {
                    line,
                    column: column.english().to_owned(),
                    reason: format!(
                        "column {} / {} appears more than once (header cells {} and {})",
                        column.english(),
                        column.chinese(),
                        first + 1,
                        position + 1
                    ),
                }),
                None => positions[column.index()] = Some(position),
            }
        }
        for column in Column::ALL {
            if column.required() && positions[column.index()].is_none() {
                errors.push(RowError {
                    line,
                    column: column.english().to_owned(),
                    reason: format!(
                        "required column {} / {} is missing",
                        column.english(),
                        column.chinese()
                    ),
                });
            }
        }
        if errors.is_empty() {
            Ok(Layout {
                positions,
                width: record.len(),
            })
        } else {
            Err(errors)
        }
    }
}

/// The problems found so far, keeping only the first [`MAX_REPORTED_ERRORS`].
#[derive(Default)]
struct Report {
    errors: Vec<RowError>,
    omitted: usize,
}

impl Report {
    fn push(&mut self, line: usize, column: &str, reason: impl Into<String>) {
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

    fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }

    fn finish(mut self) -> ImportErrors {
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

/// Validates one data row, reporting every problem in it.
struct RowParser<'a> {
    record: &'a csv::StringRecord,
    layout: &'a Layout,
    line: usize,
    today: NaiveDate,
    report: &'a mut Report,
    seen: &'a mut SeenInFile,
}

impl<'a> RowParser<'a> {
    fn parse(mut self) -> Option<ImportRow> {
        let before = self.report.total();
        let committee = self.text(Column::Committee);
        let group = self.text(Column::Group);
        let building = self.text(Column::Building);
        let household = self.text(Column::Household);
        let relation = self.relation();
        let name = self.text(Column::Name);
        let gender = self.gender();
        let birth_date = self.birth_date();
        let phone = self.phone();
        let id_card = self.id_card();
        let disability = self.yes_no(Column::Disability);
        let disability_level = self.disability_level(disability);
        let party_member = self.yes_no(Column::PartyMember);
        let low_income = self.yes_no(Column::LowIncome);
        let skills = self.skills();

        if let (Some(id), Some(birth)) = (&id_card, birth_date)
            && id.birth_date() != birth
        {
            // Naming the ID's own date would repeat part of the number in the report.
            self.error(
                Column::BirthDate,
                "does not match the birth date in the ID number (its characters 7-14)",
            );
        }
        if let (Some(id), Some(gender)) = (&id_card, gender)
            && id.gender() != gender
        {
            let reason = format!(
                "gender {} does not match the ID number, whose 17th digit says {}",
                gender_word(gender),
                gender_word(id.gender())
            );
            self.error(Column::Gender, reason);
        }

        // Cross-row checks run even when this row has other problems, so one upload reports all.
        if let Some(id) = &id_card {
            self.seen.check_id(id, self.line, self.report);
        }
        if !(committee.is_empty() || group.is_empty() || building.is_empty()) {
            self.seen
                .check_building(&committee, &group, &building, self.line, self.report);
        }
        if relation == Some(Relation::Head) && !(building.is_empty() || household.is_empty()) {
            self.seen
                .check_head(&building, &household, self.line, self.report);
        }

        let (Some(gender), Some(birth_date), Some(id_card)) = (gender, birth_date, id_card) else {
            return None;
        };
        if self.report.total() > before {
            return None;
        }
        Some(ImportRow {
            line: self.line,
            committee,
            group,
            building,
            household,
            relation,
            name,
            gender,
            birth_date,
            phone,
            id_card,
            disability,
            disability_level,
            party_member,
            low_income,
            skills,
        })
    }

    /// The trimmed cell, or "" when the file has no such column.
    fn cell(&self, column: Column) -> &'a str {
        self.layout.positions[column.index()]
            .and_then(|position| self.record.get(position))
            .map_or("", str::trim)
    }

    fn error(&mut self, column: Column, reason: impl Into<String>) {
        self.report.push(self.line, column.english(), reason);
    }

    /// A required name or label; empty on error (the row is then dropped anyway).
    fn text(&mut self, column: Column) -> String {
        let value = self.cell(column);
        if value.is_empty() {
            self.error(column, "is required");
            return String::new();
        }
        if let Err(reason) = check_text(value) {
            self.error(column, reason);
            return String::new();
        }
        value.to_owned()
    }

    fn relation(&mut self) -> Option<Relation> {
        let value = self.cell(Column::Relation);
        let relation = match value {
            "" => return None,
            "户主" => Relation::Head,
            "配偶" => Relation::Spouse,
            "子女" => Relation::Child,
            "父母" => Relation::Parent,
            "其他" => Relation::Other,
            _ if value.eq_ignore_ascii_case("head") => Relation::Head,
            _ if value.eq_ignore_ascii_case("spouse") => Relation::Spouse,
            _ if value.eq_ignore_ascii_case("child") => Relation::Child,
            _ if value.eq_ignore_ascii_case("parent") => Relation::Parent,
            _ if value.eq_ignore_ascii_case("other") => Relation::Other,
            _ => {
                let reason = format!(
                    "\"{}\" is not one of 户主, 配偶, 子女, 父母, 其他 (or head, spouse, child, \
                     parent, other)",
                    shorten(value)
                );
                self.error(Column::Relation, reason);
                return None;
            }
        };
        Some(relation)
    }

    fn gender(&mut self) -> Option<Gender> {
        let value = self.cell(Column::Gender);
        match value {
            "男" => Some(Gender::Male),
            "女" => Some(Gender::Female),
            _ if value.eq_ignore_ascii_case("male") => Some(Gender::Male),
            _ if value.eq_ignore_ascii_case("female") => Some(Gender::Female),
            "" => {
                self.error(Column::Gender, "is required");
                None
            }
            _ => {
                let reason = format!("\"{}\" is not 男, 女, male or female", shorten(value));
                self.error(Column::Gender, reason);
                None
            }
        }
    }

    fn birth_date(&mut self) -> Option<NaiveDate> {
        let value = self.cell(Column::BirthDate);
        if value.is_empty() {
            self.error(Column::BirthDate, "is required");
            return None;
        }
        let Some(date) = parse_iso_date(value) else {
            let reason = format!("\"{}\" is not a date written YYYY-MM-DD", shorten(value));
            self.error(Column::BirthDate, reason);
            return None;
        };
        if date > self.today {
            self.error(Column::BirthDate, "is in the future");
            return None;
        }
        Some(date)
    }

    fn phone(&mut self) -> Option<Phone> {
        let value = self.cell(Column::Phone);
        if value.is_empty() {
            return None;
        }
        match Phone::parse(value) {
            Ok(phone) => Some(phone),
            Err(err) => {
                self.error(Column::Phone, err.to_string());
                None
            }
        }
    }

    fn id_card(&mut self) -> Option<IdCardNumber> {
        let value = self.cell(Column::IdCardNumber);
        if value.is_empty() {
            self.error(Column::IdCardNumber, "is required");
            return None;
        }
        // The reason never repeats the number: error reports get logged and mailed around.
        match IdCardNumber::parse(value, self.today) {
            Ok(id) => Some(id),
            Err(err) => {
                self.error(Column::IdCardNumber, err.to_string());
                None
            }
        }
    }

    fn yes_no(&mut self, column: Column) -> bool {
        let value = self.cell(column);
        let yes = ["是", "true", "yes", "1", "y"];
        let no = ["否", "false", "no", "0", "n", ""];
        if yes.iter().any(|word| value.eq_ignore_ascii_case(word)) {
            return true;
        }
        if !no.iter().any(|word| value.eq_ignore_ascii_case(word)) {
            let reason = format!(
                "\"{}\" is not 是/否, yes/no, true/false, y/n or 1/0",
                shorten(value)
            );
            self.error(column, reason);
        }
        false
    }

    fn disability_level(&mut self, disability: bool) -> Option<u8> {
        let value = self.cell(Column::DisabilityLevel);
        if value.is_empty() {
            return None;
        }
        let level = match value {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            "4" => 4,
            _ => {
                let reason = format!("\"{}\" is not a level from 1 to 4", shorten(value));
                self.error(Column::DisabilityLevel, reason);
                return None;
            }
        };
        if !disability {
            self.error(
                Column::DisabilityLevel,
                "a disability level needs disability = 是 (yes)",
            );
            return None;
        }
        Some(level)
    }

    fn skills(&mut self) -> Vec<String> {
        let mut skills: Vec<String> = Vec::new();
        for skill in self
            .cell(Column::Skills)
            // Line breaks too: a list typed with Alt+Enter inside one spreadsheet cell.
            .split([';', '；', '、', ',', '\n', '\r'])
            .map(str::trim)
            .filter(|skill| !skill.is_empty())
        {
            if let Err(reason) = check_text(skill) {
                self.error(Column::Skills, format!("each skill {reason}"));
                continue;
            }
            if !skills.iter().any(|known| known == skill) {
                skills.push(skill.to_owned());
            }
        }
        skills
    }
}

/// What earlier rows said, for the checks that span rows.
#[derive(Default)]
struct SeenInFile {
    /// Full ID number -> the line it first appeared on.
    id_numbers: HashMap<String, usize>,
    /// Building -> (committee, group, line): a building belongs to exactly one group.
    buildings: HashMap<String, (String, String, usize)>,
    /// (building, household) -> the line of its head.
    heads: HashMap<(String, String), usize>,
}

impl SeenInFile {
    fn check_id(&mut self, id: &IdCardNumber, line: usize, report: &mut Report) {
        match self.id_numbers.get(id.expose()) {
            Some(first) => report.push(
                line,
                Column::IdCardNumber.english(),
                format!("the same ID number is already on line {first}"),
            ),
            None => {
                self.id_numbers.insert(id.expose().to_owned(), line);
            }
        }
    }

    fn check_building(
        &mut self,
        committee: &str,
        group: &str,
        building: &str,
        line: usize,
        report: &mut Report,
    ) {
        match self.buildings.get(building) {
            Some((first_committee, first_group, first))
                if first_committee != committee || first_group != group =>
            {
                report.push(
                    line,
                    Column::Building.english(),
                    format!(
                        "building \"{building}\" is under {first_committee} / {first_group} on \
                         line {first}, so it cannot also be under {committee} / {group}"
                    ),
                );
            }
            Some(_) => {}
            None => {
                self.buildings.insert(
                    building.to_owned(),
                    (committee.to_owned(), group.to_owned(), line),
                );
            }
        }
    }

    fn check_head(&mut self, building: &str, household: &str, line: usize, report: &mut Report) {
        let key = (building.to_owned(), household.to_owned());
        match self.heads.get(&key) {
            Some(first) => report.push(
                line,
                Column::Relation.english(),
                format!(
                    "household {household} in building {building} already has a head (户主) on \
                     line {first}"
                ),
            ),
            None => {
                self.heads.insert(key, line);
            }
        }
    }
}

/// Names and labels end up on screens and in printed lists, where control characters break lines.
fn check_text(value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain line breaks, tabs or other control characters".to_owned());
    }
    Ok(())
}

/// Strictly `YYYY-MM-DD`: spreadsheets also write `2020/1/5`, which is ambiguous across locales.
fn parse_iso_date(value: &str) -> Option<NaiveDate> {
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = value[0..4].parse().ok()?;
    let month = value[5..7].parse().ok()?;
    let day = value[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn gender_word(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male (男)",
        Gender::Female => "female (女)",
    }
}

/// A cell value fit to quote in a message: a garbage cell may be megabytes long.
fn shorten(value: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &value[..cut])),
        None => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::make_id_card;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 1)
    }

    fn id(birth: NaiveDate, sequence: u16, male: bool) -> String {
        make_id_card("411224", birth, sequence, male)
            .unwrap()
            .expose()
            .to_owned()
    }

    const HEADER: &str = "committee,group,building,household,relation,name,gender,birth_date,\
                          phone,id_card_number,disability,disability_level,party_member,\
                          low_income,skills";

    /// A valid row in `HEADER`'s order; `n` makes the ID number unique.
    fn good_row(n: u16) -> String {
        // 500 male sequence numbers per birth date, so spread larger `n` over several days.
        let birth = date(1980, 1, 1) + chrono::Days::new(u64::from(n / 500));
        format!(
            "第一居委会,第1组,1号楼,1-{n},其他,张{n},男,{birth},13812345678,{},否,,否,否,保洁",
            id(birth, (n % 500) * 2, true)
        )
    }

    fn file(lines: &[String]) -> String {
        let mut text = HEADER.to_owned();
        for line in lines {
            text.push('\n');
            text.push_str(line);
        }
        text.push('\n');
        text
    }

    fn errors_of(text: &str) -> Vec<RowError> {
        match parse_import(text.as_bytes(), today()) {
            Ok(rows) => panic!("expected errors, got {} rows", rows.len()),
            Err(errors) => errors.errors,
        }
    }

    fn where_(errors: &[RowError]) -> Vec<(usize, &str)> {
        errors.iter().map(|e| (e.line, e.column.as_str())).collect()
    }

    #[test]
    fn parses_a_complete_row() {
        let id_number = id(date(1975, 3, 9), 41, false);
        let text = format!(
            "{HEADER}\n第二居委会,第12组,17号楼,3-201,配偶,  李秀英 ,女,1975-03-09,+86 139 1234 5678,\
             {},是,2,是,yes,\"缝纫；保洁、缝纫, 家政 ;\"\n",
            id_number.to_lowercase()
        );
        let rows = parse_import(text.as_bytes(), today()).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.committee, "第二居委会");
        assert_eq!(row.group, "第12组");
        assert_eq!(row.building, "17号楼");
        assert_eq!(row.household, "3-201");
        assert_eq!(row.relation, Some(Relation::Spouse));
        assert_eq!(row.name, "李秀英");
        assert_eq!(row.gender, Gender::Female);
        assert_eq!(row.birth_date, date(1975, 3, 9));
        assert_eq!(row.phone.as_ref().map(Phone::as_str), Some("13912345678"));
        assert_eq!(row.id_card.expose(), id_number);
        assert!(row.disability);
        assert_eq!(row.disability_level, Some(2));
        assert!(row.party_member);
        assert!(row.low_income);
        assert_eq!(row.skills, ["缝纫", "保洁", "家政"]);
    }

    #[test]
    fn control_characters_are_refused_by_cell_and_text_is_normalised() {
        let bad = good_row(2).replace("张2", "张\u{0}2");
        let errors = parse_import(file(&[good_row(1), bad]).as_bytes(), today())
            .unwrap_err()
            .errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "name"));
        let decomposed = good_row(3).replace("张3", "Jose\u{301}");
        let rows = parse_import(file(&[decomposed]).as_bytes(), today()).unwrap();
        assert_eq!(rows[0].name, "Jos\u{e9}");
    }

    #[test]
    fn debug_of_a_row_does_not_reveal_the_id_number() {
        let rows = parse_import(file(&[good_row(7)]).as_bytes(), today()).unwrap();
        let full = rows[0].id_card.expose().to_owned();
        let debug = format!("{:?}", rows[0]);
        assert!(!debug.contains(&full), "{debug}");
        assert!(debug.contains(&rows[0].id_card.masked()), "{debug}");
    }

    #[test]
    fn accepts_a_chinese_header_in_any_order_with_only_required_columns() {
        let id_number = id(date(2012, 9, 30), 3, true);
        let text = format!(
            " 身份证号 ,姓名,出生日期,性别,户号,楼栋,居民组,居委会\n\
             {id_number},王小明,2012-09-30,男,2-502,5号楼,第3组,第一居委会\n"
        );
        let rows = parse_import(text.as_bytes(), today()).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.name, "王小明");
        assert_eq!(row.building, "5号楼");
        assert_eq!(row.household, "2-502");
        assert_eq!(row.committee, "第一居委会");
        assert_eq!(row.relation, None);
        assert_eq!(row.phone, None);
        assert!(!row.disability && !row.party_member && !row.low_income);
        assert!(row.skills.is_empty());
    }

    #[test]
    fn header_names_match_case_insensitively_and_may_mix_languages() {
        let text = format!(
            "COMMITTEE, Group ,楼栋,户号,Name,性别,Birth_Date,ID_CARD_NUMBER,低保,Disability_Level,残疾\n\
             一,1组,1号楼,1-101,张三,男,1980-01-01,{},是,4,是\n",
            id(date(1980, 1, 1), 1, true)
        );
        let rows = parse_import(text.as_bytes(), today()).unwrap();
        assert!(rows[0].low_income);
        assert_eq!(rows[0].disability_level, Some(4));
    }

    #[test]
    fn reads_utf8_with_a_bom_and_crlf_line_ends() {
        let text = file(&[good_row(1), good_row(2)]).replace('\n', "\r\n");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(text.as_bytes());
        let rows = parse_import(&bytes, today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[0].skills, ["保洁"]);
    }

    #[test]
    fn reads_a_gbk_encoded_file() {
        let id_number = id(date(1990, 5, 17), 88, false);
        let text = format!(
            "居委会,居民组,楼栋,户号,与户主关系,姓名,性别,出生日期,身份证号,技能\n\
             第三居委会,第二十组,80号楼,1-1102,户主,赵桂兰,女,1990-05-17,{id_number},种植食用菌、厨师\n"
        );
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the test needs non-UTF-8 bytes"
        );
        let rows = parse_import(&bytes, today()).unwrap();
        assert_eq!(rows[0].name, "赵桂兰");
        assert_eq!(rows[0].committee, "第三居委会");
        assert_eq!(rows[0].relation, Some(Relation::Head));
        assert_eq!(rows[0].skills, ["种植食用菌", "厨师"]);
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_gbk_are_one_clear_error() {
        let errors = parse_import(b"committee\xFF\xFF\n", today())
            .unwrap_err()
            .errors;
        assert_eq!(where_(&errors), [(1, "")]);
        assert!(errors[0].reason.contains("neither UTF-8 nor GBK"));
    }

    #[test]
    fn an_empty_file_is_an_error_but_a_header_alone_is_no_rows() {
        for empty in ["", "\n\n", " , ,\n"] {
            let errors = errors_of(empty);
            assert_eq!(where_(&errors), [(1, "")], "{empty:?}");
            assert!(errors[0].reason.contains("empty"));
        }
        assert_eq!(parse_import(file(&[]).as_bytes(), today()).unwrap(), []);
    }

    #[test]
    fn names_each_unknown_column() {
        let text = format!("{HEADER},备注,Email\n{},x,y\n", good_row(1));
        let errors = errors_of(&text);
        assert_eq!(where_(&errors), [(1, "备注"), (1, "Email")]);
        assert!(errors[0].reason.contains("unknown column \"备注\""));
        assert!(errors[1].reason.contains("unknown column \"Email\""));
    }

    #[test]
    fn an_unnamed_column_is_reported_by_position() {
        let text = format!("{HEADER},\n{},\n", good_row(1));
        let errors = errors_of(&text);
        assert_eq!(where_(&errors), [(1, "")]);
        assert!(errors[0].reason.contains("header cell 16 is empty"));
    }

    #[test]
    fn reports_duplicated_and_missing_columns() {
        let text = "name,姓名,gender,committee\n";
        let errors = errors_of(text);
        assert_eq!(
            where_(&errors),
            [
                (1, "name"),
                (1, "group"),
                (1, "building"),
                (1, "household"),
                (1, "birth_date"),
                (1, "id_card_number"),
            ]
        );
        assert!(errors[0].reason.contains("more than once"));
        assert!(
            errors[1]
                .reason
                .contains("required column group / 居民组 is missing")
        );
    }

    #[test]
    fn one_bad_row_among_many_is_reported_at_its_line_and_column() {
        let mut rows: Vec<String> = (1..=200).map(good_row).collect();
        rows[122] = rows[122].replace(",男,", ",公,");
        let errors = errors_of(&file(&rows));
        // Row index 122 is the 123rd data row, on line 124.
        assert_eq!(where_(&errors), [(124, "gender")]);
        assert!(errors[0].reason.contains("\"公\""), "{}", errors[0].reason);
    }

    #[test]
    fn collects_every_problem_of_a_row() {
        let row = format!(
            ",第1组,1号楼,1-1,亲戚,{},x,1980-13-01,12345,{},maybe,5,否,2,",
            "名".repeat(51),
            id(date(1980, 1, 1), 1, true)
        );
        let errors = errors_of(&file(&[row]));
        assert_eq!(
            where_(&errors),
            [
                (2, "committee"),
                (2, "relation"),
                (2, "name"),
                (2, "gender"),
                (2, "birth_date"),
                (2, "phone"),
                (2, "disability"),
                (2, "disability_level"),
                (2, "low_income"),
            ]
        );
        assert_eq!(errors[0].reason, "is required");
        assert!(errors[2].reason.contains("at most 50"));
        assert!(errors[5].reason.contains("11-digit mainland mobile number"));
    }

    #[test]
    fn names_may_not_contain_line_breaks() {
        let row = good_row(1).replace(",张1,", ",\"张\n1\",");
        let errors = errors_of(&file(&[row]));
        assert_eq!(where_(&errors), [(2, "name")]);
        assert!(errors[0].reason.contains("line breaks"));
    }

    #[test]
    fn birth_date_and_gender_must_agree_with_the_id_number() {
        let male_1980 = id(date(1980, 1, 1), 5, true);
        let rows = [
            format!("一,1组,1号楼,1-1,,甲,男,1980-01-02,,{male_1980},,,,,"),
            format!(
                "一,1组,1号楼,1-2,,乙,女,1980-01-01,,{},,,,,",
                id(date(1980, 1, 1), 21, true)
            ),
            format!(
                "一,1组,1号楼,1-3,,丙,男,1980/01/01,,{},,,,,",
                id(date(1980, 1, 1), 23, true)
            ),
            format!(
                "一,1组,1号楼,1-4,,丁,男,2030-01-01,,{},,,,,",
                id(date(1980, 1, 1), 25, true)
            ),
        ];
        let errors = errors_of(&file(&rows));
        assert_eq!(
            where_(&errors),
            [
                (2, "birth_date"),
                (3, "gender"),
                (4, "birth_date"),
                (5, "birth_date")
            ]
        );
        assert!(errors[0].reason.contains("does not match"));
        assert!(
            !errors[0].reason.contains("1980-01-01"),
            "no part of the ID is echoed"
        );
        assert!(errors[1].reason.contains("17th digit"));
        assert!(errors[2].reason.contains("YYYY-MM-DD"));
        assert!(errors[3].reason.contains("future"));
    }

    #[test]
    fn invalid_id_numbers_are_reported_without_echoing_them() {
        let good = id(date(1980, 1, 1), 11, true);
        let wrong_check = format!(
            "{}{}",
            &good[..17],
            if good.ends_with('0') { '1' } else { '0' }
        );
        let future = make_id_card("411224", date(2025, 6, 2), 1, true).unwrap();
        let rows = [
            format!("一,1组,1号楼,1-1,,甲,男,1980-01-01,,{wrong_check},,,,,"),
            "一,1组,1号楼,1-2,,乙,男,1980-01-01,,41122419800101,,,,,".to_owned(),
            format!(
                "一,1组,1号楼,1-3,,丙,男,2025-06-02,,{},,,,,",
                future.expose()
            ),
            "一,1组,1号楼,1-4,,丁,男,1980-01-01,,,,,,,".to_owned(),
        ];
        let errors = errors_of(&file(&rows));
        assert_eq!(
            where_(&errors),
            [
                (2, "id_card_number"),
                (3, "id_card_number"),
                (4, "birth_date"),
                (4, "id_card_number"),
                (5, "id_card_number"),
            ]
        );
        assert!(errors[0].reason.contains("check character"));
        assert!(errors[1].reason.contains("18 characters"));
        assert!(errors[3].reason.contains("birth date"));
        assert_eq!(errors[4].reason, "is required");
        for error in &errors {
            assert!(!error.reason.contains("411224"), "{}", error.reason);
        }
    }

    #[test]
    fn a_repeated_id_number_names_the_first_line() {
        let rows = [good_row(1), good_row(2), good_row(3), good_row(2)];
        let errors = errors_of(&file(&rows));
        assert_eq!(where_(&errors), [(5, "id_card_number")]);
        assert_eq!(errors[0].reason, "the same ID number is already on line 3");
        // Case does not hide a duplicate.
        let lower = good_row(10).replace('X', "x");
        let errors = errors_of(&file(&[good_row(10), lower]));
        if good_row(10).contains('X') {
            assert_eq!(where_(&errors), [(3, "id_card_number")]);
        }
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_is_reported() {
        let rows = [
            good_row(1),
            format!("{},extra", good_row(2)),
            "a,b,c".to_owned(),
        ];
        let errors = errors_of(&file(&rows));
        assert_eq!(where_(&errors), [(3, ""), (4, "")]);
        assert_eq!(errors[0].reason, "row has 16 cells but the header has 15");
    }

    #[test]
    fn blank_lines_are_skipped_and_lines_are_physical() {
        let text = format!(
            "\n{HEADER}\n\n{}\n,,,,,,,,,,,,,,\n   \n{}\n\n",
            good_row(1),
            good_row(2).replace(",男,", ",X,")
        );
        let errors = errors_of(&text);
        assert_eq!(where_(&errors), [(7, "gender")]);
        let errors = errors_of(&text.replace('\n', "\r\n"));
        assert_eq!(where_(&errors), [(7, "gender")]);
        // A quoted cell spanning lines counts every line it covers.
        let multi = format!(
            "{HEADER}\n{}\n{}\n",
            good_row(1).replace(",保洁", ",\"保洁\r\n缝纫\n\n电工\""),
            good_row(2).replace(",男,", ",?,")
        );
        let errors = errors_of(&multi);
        assert_eq!(where_(&errors), [(6, "gender")]);
        let rows = parse_import(
            file(&[good_row(1).replace(",保洁", ",\"保洁\n缝纫\"")]).as_bytes(),
            today(),
        )
        .unwrap();
        assert_eq!(rows[0].skills, ["保洁", "缝纫"]);
        // Old Mac line ends are line ends too.
        let errors = errors_of(&text.replace('\n', "\r"));
        assert_eq!(where_(&errors), [(7, "gender")]);
    }

    #[test]
    fn yes_no_cells_accept_the_usual_spellings() {
        let yes = ["是", "true", "TRUE", "yes", "Yes", "1", "y", "Y"];
        let no = ["否", "false", "no", "NO", "0", "n", ""];
        let rows: Vec<String> = yes
            .iter()
            .chain(no.iter())
            .enumerate()
            .map(|(i, word)| good_row(i as u16).replace(",否,否,保洁", &format!(",{word},否,保洁")))
            .collect();
        let parsed = parse_import(file(&rows).as_bytes(), today()).unwrap();
        let flags: Vec<bool> = parsed.iter().map(|r| r.party_member).collect();
        let expected: Vec<bool> = yes
            .iter()
            .map(|_| true)
            .chain(no.iter().map(|_| false))
            .collect();
        assert_eq!(flags, expected);
    }

    #[test]
    fn disability_level_needs_disability() {
        let with_level = |disability: &str, level: &str| {
            good_row(1).replace(",否,,否,否,", &format!(",{disability},{level},否,否,"))
        };
        let rows = parse_import(file(&[with_level("是", "")]).as_bytes(), today()).unwrap();
        assert_eq!((rows[0].disability, rows[0].disability_level), (true, None));
        for level in ["1", "4"] {
            let rows = parse_import(file(&[with_level("1", level)]).as_bytes(), today()).unwrap();
            assert!(rows[0].disability_level.is_some());
        }
        let errors = errors_of(&file(&[with_level("否", "2")]));
        assert_eq!(where_(&errors), [(2, "disability_level")]);
        for level in ["0", "5", "一级", "1.0"] {
            let errors = errors_of(&file(&[with_level("是", level)]));
            assert_eq!(where_(&errors), [(2, "disability_level")], "{level}");
        }
    }

    #[test]
    fn relations_in_chinese_and_english() {
        let words = [
            ("户主", Relation::Head),
            ("配偶", Relation::Spouse),
            ("子女", Relation::Child),
            ("父母", Relation::Parent),
            ("其他", Relation::Other),
            ("Head", Relation::Head),
            ("spouse", Relation::Spouse),
            ("CHILD", Relation::Child),
            ("parent", Relation::Parent),
            ("other", Relation::Other),
        ];
        let rows: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, (word, _))| {
                // Each head gets its own household.
                good_row(i as u16).replace(",其他,", &format!(",{word},"))
            })
            .collect();
        let parsed = parse_import(file(&rows).as_bytes(), today()).unwrap();
        let relations: Vec<_> = parsed.iter().map(|r| r.relation).collect();
        let expected: Vec<_> = words.iter().map(|(_, r)| Some(*r)).collect();
        assert_eq!(relations, expected);
    }

    #[test]
    fn skills_are_split_trimmed_and_deduplicated() {
        let row = good_row(1).replace(",保洁", ",\" 电工; 焊工；电工、 ,,驾驶 \"");
        let rows = parse_import(file(&[row]).as_bytes(), today()).unwrap();
        assert_eq!(rows[0].skills, ["电工", "焊工", "驾驶"]);
    }

    #[test]
    fn a_building_belongs_to_one_group_and_a_household_has_one_head() {
        let rows = [
            good_row(1).replace(",其他,", ",户主,"),
            good_row(2).replace(",1-2,其他,", ",1-1,户主,"),
            good_row(3).replace("第1组", "第2组"),
        ];
        let errors = errors_of(&file(&rows));
        assert_eq!(where_(&errors), [(3, "relation"), (4, "building")]);
        assert!(
            errors[0]
                .reason
                .contains("already has a head (户主) on line 2")
        );
        assert!(errors[1].reason.contains("on line 2"));
    }

    #[test]
    fn caps_the_report_at_a_thousand_problems() {
        let rows: Vec<String> = (0..1500)
            .map(|i| good_row(i).replace(",男,", ",?,"))
            .collect();
        let errors = errors_of(&file(&rows));
        assert_eq!(errors.len(), MAX_REPORTED_ERRORS + 1);
        assert_eq!(errors[999].line, 1001);
        let last = errors.last().unwrap();
        assert_eq!(last.column, "");
        assert!(
            last.reason.starts_with("500 more problem(s) omitted"),
            "{}",
            last.reason
        );
    }

    #[test]
    fn parses_a_whole_community_well_within_the_time_budget() {
        let rows = crate::people::synthetic::generate(2025, today());
        let text = crate::people::synthetic::to_csv(&rows);
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        for (encoding, bytes) in [("UTF-8", text.as_bytes()), ("GBK", &gbk[..])] {
            let started = std::time::Instant::now();
            let parsed = parse_import(bytes, today()).unwrap();
            let elapsed = started.elapsed();
            eprintln!("parsed {} rows ({encoding}) in {elapsed:?}", parsed.len());
            assert_eq!(parsed.len(), 11_212);
            // Debug builds are ~10x slower than release; the budget is for the slow case.
            assert!(elapsed < std::time::Duration::from_secs(3), "{elapsed:?}");
        }
    }

    #[test]
    fn errors_serialize_for_an_api_response() {
        let errors = parse_import(b"name\n", today()).unwrap_err();
        let json = serde_json::to_value(&errors).unwrap();
        assert_eq!(json["errors"][0]["line"], 1);
        assert_eq!(json["errors"][0]["column"], "committee");
        assert!(errors.to_string().contains("problem"));
    }
}
