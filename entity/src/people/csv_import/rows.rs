//! Row validation: every cell of a row, and the checks across rows (duplicate ID numbers, one head per household, a building in one group).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::{
    Gender, IdCardNumber, ImportRow, MAX_TEXT_CHARS, Phone, Relation, columns::Column,
    columns::Layout, report::Report,
};

/// Validates one data row, reporting every problem in it.
pub(super) struct RowParser<'a> {
    pub(super) record: &'a csv::StringRecord,
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
    pub(super) fn cell(&self, column: Column) -> &'a str {
        self.layout.positions[column.index()]
            .and_then(|position| self.record.get(position))
            .map_or("", str::trim)
    }

    pub(super) fn error(&mut self, column: Column, reason: impl Into<String>) {
        self.report.push(self.line, column.english(), reason);
    }

    /// A required name or label; empty on error (the row is then dropped anyway).
    pub(super) fn text(&mut self, column: Column) -> String {
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

    pub(super) fn relation(&mut self) -> Option<Relation> {
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

    pub(super) fn gender(&mut self) -> Option<Gender> {
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

    pub(super) fn birth_date(&mut self) -> Option<NaiveDate> {
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

    pub(super) fn phone(&mut self) -> Option<Phone> {
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

    pub(super) fn id_card(&mut self) -> Option<IdCardNumber> {
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

    pub(super) fn yes_no(&mut self, column: Column) -> bool {
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

    pub(super) fn disability_level(&mut self, disability: bool) -> Option<u8> {
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

    pub(super) fn skills(&mut self) -> Vec<String> {
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
                Column::IdCardNumber.english(),
                format!("the same ID number is already on line {first}"),
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
pub(super) fn check_text(value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain line breaks, tabs or other control characters".to_owned());
    }
    Ok(())
}

/// Strictly `YYYY-MM-DD`: spreadsheets also write `2020/1/5`, which is ambiguous across locales.
pub(super) fn parse_iso_date(value: &str) -> Option<NaiveDate> {
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
