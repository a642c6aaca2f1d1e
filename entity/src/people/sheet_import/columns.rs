//! Column mapping: the columns of the format, matched by English or Chinese header names.

use super::{
    CHINESE_COLUMNS, ENGLISH_COLUMNS,
    report::{Msg, Report},
    rows::shorten,
    source::Cell,
};

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
    pub(super) const ALL: [Column; 15] = [
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
        CHINESE_COLUMNS[self.index()]
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

    /// Other names staff's own rosters use for a column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Relation => &["户主关系", "关系"],
            Column::BirthDate => &["出生年月日", "出生年月"],
            Column::Phone => &["手机号码", "联系电话", "电话"],
            Column::IdCardNumber => &["身份证号码", "公民身份号码", "身份证"],
            Column::Disability => &["是否残疾"],
            Column::PartyMember => &["是否党员"],
            Column::LowIncome => &["是否低保"],
            _ => &[],
        }
    }

    /// The column a header cell names: English or Chinese, a common alias, a required-mark
    /// star ignored.
    pub(super) fn from_header(cell: &str) -> Option<Column> {
        let cell = cell.trim().trim_end_matches(['*', '＊']).trim();
        Column::ALL.into_iter().find(|c| {
            cell.eq_ignore_ascii_case(c.english())
                || cell == c.chinese()
                || c.aliases().contains(&cell)
        })
    }
}

/// Where each known column sits in the file's rows.
pub(super) struct Layout {
    pub(super) positions: [Option<usize>; 15],
    /// Cells up to here belong to the table (trailing empty header cells of a sheet do not).
    pub(super) width: usize,
}

impl Layout {
    /// The known column at a cell position.
    pub(super) fn column_at(&self, position: usize) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| self.positions[c.index()] == Some(position))
    }

    /// How many cells of a row name a known column: the header row is the first row with a few
    /// (a title row such as “兴贤里社区居民花名册” above it has none).
    pub(super) fn known_columns(cells: &[Cell]) -> usize {
        cells
            .iter()
            .filter(|c| Column::from_header(&c.text()).is_some())
            .count()
    }

    /// The layout the header row gives, recording each header as written; every problem of the
    /// header is reported.
    pub(super) fn from_header(
        cells: &[Cell],
        line: usize,
        is_csv: bool,
        report: &mut Report,
    ) -> Option<Layout> {
        let before = report.total();
        let mut positions = [None; 15];
        let mut headers: [String; 15] = Default::default();
        // A sheet's used range can run past the table (a formatted column): ignore empty header
        // cells after the last named one. In CSV every cell counts.
        let width = if is_csv {
            cells.len()
        } else {
            cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |p| p + 1)
        };
        for (position, cell) in cells.iter().take(width).enumerate() {
            let text = cell.text();
            let Some(column) = Column::from_header(&text) else {
                if cell.is_empty() {
                    report.push(
                        line,
                        None,
                        None,
                        Msg::new(
                            "header_empty",
                            format!(
                                "header cell {} is empty; name the column or delete it",
                                position + 1
                            ),
                            format!("表头第 {} 格是空的，请填写列名或删除这一列", position + 1),
                        ),
                    );
                    continue;
                }
                report.push_header(
                    line,
                    &text,
                    Msg::new(
                        "header_unknown",
                        format!(
                            "unknown column \"{}\" (header cell {}); expected the English or \
                             Chinese names: {}",
                            shorten(&text),
                            position + 1,
                            ENGLISH_COLUMNS.join(", ")
                        ),
                        format!(
                            "不认识的列名“{}”（表头第 {} 格）。可用的列名：{}",
                            shorten(&text),
                            position + 1,
                            Column::ALL.map(Column::chinese).join("、")
                        ),
                    ),
                );
                continue;
            };
            match positions[column.index()] {
                Some(first) => report.push(
                    line,
                    Some(column),
                    None,
                    Msg::new(
                        "header_duplicate",
                        format!(
                            "column {} / {} appears more than once (header cells {} and {})",
                            column.english(),
                            column.chinese(),
                            first + 1,
                            position + 1
                        ),
                        format!(
                            "“{}”列出现了不止一次（表头第 {} 格和第 {} 格）",
                            column.chinese(),
                            first + 1,
                            position + 1
                        ),
                    ),
                ),
                None => {
                    positions[column.index()] = Some(position);
                    headers[column.index()] = text.into_owned();
                }
            }
        }
        report.headers = Some(headers);
        for column in Column::ALL {
            if column.required() && positions[column.index()].is_none() {
                report.push(
                    line,
                    Some(column),
                    None,
                    Msg::new(
                        "header_missing",
                        format!(
                            "required column {} / {} is missing",
                            column.english(),
                            column.chinese()
                        ),
                        format!("缺少必填的“{}”列", column.chinese()),
                    ),
                );
            }
        }
        (report.total() == before).then_some(Layout { positions, width })
    }
}
