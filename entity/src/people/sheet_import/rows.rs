//! Row validation: every cell of a row, and the checks across rows (duplicate ID numbers, one head per household, a building in one group).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::{
    Gender, IdCardNumber, ImportRow, MAX_TEXT_CHARS, Phone, Relation,
    columns::{Column, Layout},
    report::{Msg, Report},
    source::Cell,
};
use crate::people::IdCardError;

/// Validates one data row, reporting every problem in it.
pub(super) struct RowParser<'a> {
    pub(super) cells: &'a [Cell],
    pub(super) layout: &'a Layout,
    pub(super) line: usize,
    pub(super) today: NaiveDate,
    pub(super) report: &'a mut Report,
    pub(super) seen: &'a mut SeenInFile,
}

impl<'a> RowParser<'a> {
    pub(super) fn parse(mut self) -> Option<ImportRow> {
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
                Msg::new(
                    "birth_date_mismatch",
                    "does not match the birth date in the ID number (its characters 7-14)",
                    "出生日期与身份证号第 7 至 14 位的日期不一致",
                ),
            );
        }
        if let (Some(id), Some(gender)) = (&id_card, gender)
            && id.gender() != gender
        {
            let msg = Msg::new(
                "gender_mismatch",
                format!(
                    "gender {} does not match the ID number, whose 17th digit says {}",
                    gender_word(gender),
                    gender_word(id.gender())
                ),
                format!(
                    "性别填的是“{}”，身份证号第 17 位表示“{}”，请核对",
                    gender_zh(gender),
                    gender_zh(id.gender())
                ),
            );
            self.error(Column::Gender, msg);
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

    /// The cell of `column`, or an empty one when the file has no such column.
    fn raw(&self, column: Column) -> &'a Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.layout.positions[column.index()]
            .and_then(|position| self.cells.get(position))
            .unwrap_or(EMPTY)
    }

    /// The cell as text (already normalised and trimmed), "" when the file has no such column.
    pub(super) fn cell(&self, column: Column) -> Cow<'a, str> {
        self.raw(column).text()
    }

    pub(super) fn error(&mut self, column: Column, msg: Msg) {
        let value = self.cell(column);
        self.report.push(self.line, Some(column), Some(&value), msg);
    }

    fn required(&mut self, column: Column) {
        self.error(
            column,
            Msg::new(
                "required",
                "is required",
                format!("“{}”必须填写", column.chinese()),
            ),
        );
    }

    /// A required name or label; empty on error (the row is then dropped anyway).
    pub(super) fn text(&mut self, column: Column) -> String {
        if let Cell::Date(_) = self.raw(column) {
            // 1-2 typed into a cell of the General format becomes the 2nd of January.
            self.error(
                column,
                Msg::new(
                    "became_date",
                    "the spreadsheet turned this cell into a date; format the column as text and \
                     type it again",
                    "表格把这一格自动变成了日期，请把这一列设置为“文本”格式后重新输入",
                ),
            );
            return String::new();
        }
        let value = self.cell(column);
        if value.is_empty() {
            self.required(column);
            return String::new();
        }
        if let Err(msg) = check_text(&value, column) {
            self.error(column, msg);
            return String::new();
        }
        value.into_owned()
    }

    pub(super) fn relation(&mut self) -> Option<Relation> {
        let value = self.cell(Column::Relation);
        let relation = match value.as_ref() {
            "" => return None,
            "户主" | "本人" => Relation::Head,
            "配偶" | "妻" | "夫" => Relation::Spouse,
            "子女" | "子" | "女" | "儿子" | "女儿" => Relation::Child,
            "父母" | "父亲" | "母亲" => Relation::Parent,
            "其他" => Relation::Other,
            v if v.eq_ignore_ascii_case("head") => Relation::Head,
            v if v.eq_ignore_ascii_case("spouse") => Relation::Spouse,
            v if v.eq_ignore_ascii_case("child") => Relation::Child,
            v if v.eq_ignore_ascii_case("parent") => Relation::Parent,
            v if v.eq_ignore_ascii_case("other") => Relation::Other,
            v => {
                let msg = Msg::new(
                    "relation_unknown",
                    format!(
                        "\"{}\" is not one of 户主, 配偶, 子女, 父母, 其他 (or head, spouse, child, \
                         parent, other)",
                        shorten(v)
                    ),
                    format!(
                        "“{}”不是可选的关系，请填 户主、配偶、子女、父母 或 其他",
                        shorten(v)
                    ),
                );
                self.error(Column::Relation, msg);
                return None;
            }
        };
        Some(relation)
    }

    pub(super) fn gender(&mut self) -> Option<Gender> {
        let value = self.cell(Column::Gender);
        match value.as_ref() {
            "男" => Some(Gender::Male),
            "女" => Some(Gender::Female),
            v if v.eq_ignore_ascii_case("male") => Some(Gender::Male),
            v if v.eq_ignore_ascii_case("female") => Some(Gender::Female),
            "" => {
                self.required(Column::Gender);
                None
            }
            v => {
                let msg = Msg::new(
                    "gender_unknown",
                    format!("\"{}\" is not 男, 女, male or female", shorten(v)),
                    format!("“{}”不是性别，请填 男 或 女", shorten(v)),
                );
                self.error(Column::Gender, msg);
                None
            }
        }
    }

    pub(super) fn birth_date(&mut self) -> Option<NaiveDate> {
        let date = match self.raw(Column::BirthDate) {
            Cell::Empty => {
                self.required(Column::BirthDate);
                return None;
            }
            Cell::Date(date) => *date,
            Cell::Number(n) => number_date(*n),
            other => parse_date_text(&other.text()),
        };
        let Some(date) = date else {
            let value = self.cell(Column::BirthDate);
            let msg = Msg::new(
                "date_invalid",
                format!(
                    "\"{}\" is not a date; write it as 2020-01-05, 2020/1/5, 2020年1月5日 or 20200105",
                    shorten(&value)
                ),
                format!(
                    "“{}”不是日期，请写成 2020-01-05、2020/1/5、2020年1月5日 或 20200105",
                    shorten(&value)
                ),
            );
            self.error(Column::BirthDate, msg);
            return None;
        };
        if date > self.today {
            self.error(
                Column::BirthDate,
                Msg::new("date_in_future", "is in the future", "出生日期晚于今天"),
            );
            return None;
        }
        Some(date)
    }

    pub(super) fn phone(&mut self) -> Option<Phone> {
        let value = self.cell(Column::Phone);
        if value.is_empty() {
            return None;
        }
        match Phone::parse(&value) {
            Ok(phone) => Some(phone),
            Err(err) => {
                let msg = Msg::new(
                    "phone_invalid",
                    err.to_string(),
                    "手机号应为 11 位数字，以 13 至 19 开头",
                );
                self.error(Column::Phone, msg);
                None
            }
        }
    }

    pub(super) fn id_card(&mut self) -> Option<IdCardNumber> {
        let cell = self.raw(Column::IdCardNumber);
        let value = cell.text();
        if value.is_empty() {
            self.required(Column::IdCardNumber);
            return None;
        }
        // Typed into a General or Number cell, an 18-digit number keeps 15 significant digits and
        // shows as 4.11224E+17; saved to CSV it stays that way. Say exactly that, and the fix.
        if matches!(cell, Cell::Number(_)) || looks_rounded(&value) {
            self.error(
                Column::IdCardNumber,
                Msg::new(
                    "id_number_as_number",
                    "the spreadsheet stored the ID number as a number and lost its last digits \
                     (it shows as 4.11224E+17 or ends in 000); format the column as text and type \
                     the numbers again",
                    "身份证号被表格当成了数字，后几位已经丢失（显示成 4.11224E+17 或末尾变成 000）。\
                     请把这一列设置为“文本”格式，再重新输入身份证号",
                ),
            );
            return None;
        }
        // The reason never repeats the number: error reports get logged and mailed around.
        match IdCardNumber::parse(&value, self.today) {
            Ok(id) => Some(id),
            Err(err) => {
                let (code, zh) = match err {
                    IdCardError::Format => (
                        "id_number_format",
                        "身份证号应为 18 位：17 位数字加 1 位数字或 X",
                    ),
                    IdCardError::CheckCharacter => (
                        "id_number_check",
                        "身份证号最后一位校验码不对，多半是某一位输错了，请对照身份证核对",
                    ),
                    IdCardError::Region => {
                        ("id_number_region", "身份证号前 6 位地区码不能以 0 开头")
                    }
                    IdCardError::BirthDate => (
                        "id_number_birth_date",
                        "身份证号第 7 至 14 位不是有效的出生日期",
                    ),
                };
                self.error(Column::IdCardNumber, Msg::new(code, err.to_string(), zh));
                None
            }
        }
    }

    pub(super) fn yes_no(&mut self, column: Column) -> bool {
        let value = self.cell(column);
        let yes = ["是", "有", "true", "yes", "1", "y"];
        let no = ["否", "无", "false", "no", "0", "n", ""];
        if yes.iter().any(|word| value.eq_ignore_ascii_case(word)) {
            return true;
        }
        if !no.iter().any(|word| value.eq_ignore_ascii_case(word)) {
            let msg = Msg::new(
                "yes_no_invalid",
                format!(
                    "\"{}\" is not 是/否, yes/no, true/false, y/n or 1/0",
                    shorten(&value)
                ),
                format!("“{}”应填 是 或 否", shorten(&value)),
            );
            self.error(column, msg);
        }
        false
    }

    pub(super) fn disability_level(&mut self, disability: bool) -> Option<u8> {
        let value = self.cell(Column::DisabilityLevel);
        let level = match value.as_ref() {
            "" => return None,
            "1" | "一级" => 1,
            "2" | "二级" => 2,
            "3" | "三级" => 3,
            "4" | "四级" => 4,
            v => {
                let msg = Msg::new(
                    "disability_level_invalid",
                    format!("\"{}\" is not a level from 1 to 4", shorten(v)),
                    format!("“{}”不是残疾等级，请填 1 至 4", shorten(v)),
                );
                self.error(Column::DisabilityLevel, msg);
                return None;
            }
        };
        if !disability {
            self.error(
                Column::DisabilityLevel,
                Msg::new(
                    "disability_level_without_disability",
                    "a disability level needs disability = 是 (yes)",
                    "填了残疾等级，但“残疾”一列不是“是”",
                ),
            );
            return None;
        }
        Some(level)
    }

    pub(super) fn skills(&mut self) -> Vec<String> {
        let mut skills: Vec<String> = Vec::new();
        let cell = self.cell(Column::Skills);
        for skill in cell
            // Line breaks too: a list typed with Alt+Enter inside one spreadsheet cell.
            .split([';', '；', '、', ',', '，', '\n', '\r'])
            .map(str::trim)
            .filter(|skill| !skill.is_empty())
        {
            if let Err(mut msg) = check_text(skill, Column::Skills) {
                msg.en = format!("each skill {}", msg.en);
                self.error(Column::Skills, msg);
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
pub(super) struct SeenInFile {
    /// Full ID number -> the line it first appeared on.
    pub(super) id_numbers: HashMap<String, usize>,
    /// Building -> (committee, group, line): a building belongs to exactly one group.
    buildings: HashMap<String, (String, String, usize)>,
    /// (building, household) -> the line of its head.
    heads: HashMap<(String, String), usize>,
}

impl SeenInFile {
    pub(super) fn check_id(&mut self, id: &IdCardNumber, line: usize, report: &mut Report) {
        match self.id_numbers.get(id.expose()) {
            Some(first) => report.push(
                line,
                Some(Column::IdCardNumber),
                None,
                Msg::new(
                    "id_number_repeated",
                    format!("the same ID number is already on line {first}"),
                    format!("这个身份证号在第 {first} 行已经出现过"),
                ),
            ),
            None => {
                self.id_numbers.insert(id.expose().to_owned(), line);
            }
        }
    }

    pub(super) fn check_building(
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
                    Some(Column::Building),
                    Some(building),
                    Msg::new(
                        "building_in_two_groups",
                        format!(
                            "building \"{building}\" is under {first_committee} / {first_group} \
                             on line {first}, so it cannot also be under {committee} / {group}"
                        ),
                        format!(
                            "第 {first} 行把“{building}”放在 {first_committee} {first_group}，\
                             同一栋楼不能再属于 {committee} {group}"
                        ),
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

    pub(super) fn check_head(
        &mut self,
        building: &str,
        household: &str,
        line: usize,
        report: &mut Report,
    ) {
        let key = (building.to_owned(), household.to_owned());
        match self.heads.get(&key) {
            Some(first) => report.push(
                line,
                Some(Column::Relation),
                Some("户主"),
                Msg::new(
                    "two_heads",
                    format!(
                        "household {household} in building {building} already has a head (户主) \
                         on line {first}"
                    ),
                    format!(
                        "{building} {household} 户在第 {first} 行已经有户主，一户只能有一位户主"
                    ),
                ),
            ),
            None => {
                self.heads.insert(key, line);
            }
        }
    }
}

/// Names and labels end up on screens and in printed lists, where control characters break lines.
pub(super) fn check_text(value: &str, column: Column) -> Result<(), Msg> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(Msg::new(
            "too_long",
            format!("must be at most {MAX_TEXT_CHARS} characters"),
            format!("“{}”最多 {MAX_TEXT_CHARS} 个字", column.chinese()),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Msg::new(
            "control_character",
            "must not contain line breaks, tabs or other control characters",
            "不能含有换行、制表符等控制字符",
        ));
    }
    Ok(())
}

/// A date typed as a number: `20200105` (a General cell), or an Excel serial day that lost its
/// date format.
fn number_date(n: f64) -> Option<NaiveDate> {
    if n.fract() != 0.0 {
        return None;
    }
    if (19_000_101.0..=99_991_231.0).contains(&n) {
        return parse_date_text(&super::source::number_text(n));
    }
    super::source::serial_date(n)
}

/// Dates as Chinese spreadsheets write them, year first (never the ambiguous day/month forms):
/// `2020-01-05`, `2020-1-5`, `2020/1/5`, `2020.1.5`, `2020年1月5日` and `20200105`, optionally
/// followed by a midnight time, as CSV exports of date cells are.
pub(super) fn parse_date_text(value: &str) -> Option<NaiveDate> {
    let value = value.split_whitespace().next()?;
    if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::from_ymd_opt(
            value[0..4].parse().ok()?,
            value[4..6].parse().ok()?,
            value[6..8].parse().ok()?,
        );
    }
    let value = value.strip_suffix('日').unwrap_or(value);
    let mut parts = value.split(['-', '/', '.', '年', '月']);
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || ![year, month, day]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// Text a spreadsheet made of a long number: scientific notation (`4.11224E+17`), or 18 digits
/// ending in 000 whose check character does not match (the rounding Excel does at 15 digits).
fn looks_rounded(value: &str) -> bool {
    let scientific = value
        .split_once(['E', 'e'])
        .is_some_and(|(mantissa, exponent)| {
            !mantissa.is_empty()
                && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && exponent
                    .trim_start_matches('+')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
        });
    let rounded = value.len() == 18
        && value.bytes().all(|b| b.is_ascii_digit())
        && value.ends_with("000")
        && matches!(
            IdCardNumber::parse(value, NaiveDate::MAX),
            Err(IdCardError::CheckCharacter)
        );
    scientific || rounded
}

fn gender_zh(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "男",
        Gender::Female => "女",
    }
}

pub(super) fn gender_word(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male (男)",
        Gender::Female => "female (女)",
    }
}

/// A cell value fit to quote in a message: a garbage cell may be megabytes long.
pub(super) fn shorten(value: &str) -> Cow<'_, str> {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &value[..cut])),
        None => Cow::Borrowed(value),
    }
}
