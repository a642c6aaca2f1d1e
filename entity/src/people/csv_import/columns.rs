//! Column mapping: the columns of the format, matched by English or Chinese header names.

use super::{ENGLISH_COLUMNS, RowError, rows::shorten};

/// The columns the file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
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

    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub(super) fn english(self) -> &'static str {
        ENGLISH_COLUMNS[self.index()]
    }

    pub(super) fn chinese(self) -> &'static str {
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

    pub(super) fn required(self) -> bool {
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

    pub(super) fn from_header(cell: &str) -> Option<Column> {
        let cell = cell.trim();
        Column::ALL
            .into_iter()
            .find(|c| cell.eq_ignore_ascii_case(c.english()) || cell == c.chinese())
    }
}

/// Where each known column sits in the file's rows.
pub(super) struct Layout {
    pub(super) positions: [Option<usize>; 15],
    pub(super) width: usize,
}

impl Layout {
    /// The known column at a cell position.
    pub(super) fn column_at(&self, position: usize) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| self.positions[c.index()] == Some(position))
    }

    pub(super) fn from_header(
        record: &csv::StringRecord,
        line: usize,
    ) -> Result<Layout, Vec<RowError>> {
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
