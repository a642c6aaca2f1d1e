//! Workbooks as spreadsheet programs write them, made with rust_xlsxwriter (a spreadsheet writer
//! that is not our reader): Excel dates, dates typed as text, ID numbers that became numbers,
//! full-width digits, a title above the header, a named sheet.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

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

/// Writes the Chinese header at `row` and returns the column of each name.
fn header(sheet: &mut Worksheet, row: u32, names: &[&str]) {
    for (c, name) in names.iter().enumerate() {
        sheet.write_string(row, c as u16, *name).unwrap();
    }
}

const NAMES: [&str; 9] = [
    "居委会",
    "居民组",
    "楼栋",
    "户号",
    "与户主关系",
    "姓名",
    "性别",
    "出生日期",
    "身份证号码",
];

/// One resident's text cells in `NAMES` order, the birth date and ID left to the caller.
fn person(sheet: &mut Worksheet, row: u32, n: u16) {
    for (c, v) in [
        "第一居委会",
        "第1组",
        "1号楼",
        &format!("1-{n}"),
        "其他",
        &format!("张{n}"),
        "男",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(row, c as u16, *v).unwrap();
    }
}

fn bytes(mut workbook: Workbook) -> Vec<u8> {
    workbook.save_to_buffer().unwrap()
}

#[test]
fn excel_dates_text_dates_and_numbers_all_read_as_the_same_day() {
    let birth = date(1980, 1, 5);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册").unwrap();
    header(sheet, 0, &NAMES);
    let date_format = Format::new().set_num_format("yyyy/m/d");
    for (i, write) in (0..7u16).enumerate() {
        let row = i as u32 + 1;
        person(sheet, row, write);
        sheet
            .write_string(row, 8, id(birth, write * 2, true))
            .unwrap();
        match write {
            // A real date cell, as Excel stores what is typed into a date-formatted cell.
            0 => {
                sheet
                    .write_datetime_with_format(
                        row,
                        7,
                        ExcelDateTime::from_ymd(1980, 1, 5).unwrap(),
                        &date_format,
                    )
                    .unwrap();
            }
            // The serial number of a date cell whose format was cleared.
            1 => {
                sheet.write_number(row, 7, 29_225).unwrap();
            }
            2 => {
                sheet.write_string(row, 7, "1980/1/5").unwrap();
            }
            3 => {
                sheet.write_string(row, 7, "1980年1月5日").unwrap();
            }
            4 => {
                sheet.write_string(row, 7, "19800105").unwrap();
            }
            5 => {
                sheet.write_number(row, 7, 19_800_105).unwrap();
            }
            _ => {
                sheet.write_string(row, 7, "1980-01-05").unwrap();
            }
        }
    }
    let file = parse_sheet(&bytes(workbook), None, today()).unwrap();
    assert_eq!(file.sheet.as_deref(), Some("花名册"));
    assert_eq!(file.rows.len(), 7);
    assert!(
        file.rows.iter().all(|r| r.birth_date == birth),
        "{:?}",
        file.rows.iter().map(|r| r.birth_date).collect::<Vec<_>>()
    );
    assert_eq!(file.rows[0].line, 2);
}

#[test]
fn an_id_number_excel_made_a_number_is_reported_with_the_fix() {
    let birth = date(1980, 1, 5);
    let real = id(birth, 1, true);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    header(sheet, 0, &NAMES);
    // Typed into a General cell: Excel keeps 15 significant digits.
    person(sheet, 1, 1);
    sheet.write_string(1, 7, "1980-01-05").unwrap();
    sheet
        .write_number(1, 8, real.parse::<f64>().unwrap())
        .unwrap();
    // The same column saved as CSV and opened again: the scientific form as text.
    person(sheet, 2, 2);
    sheet.write_string(2, 7, "1980-01-05").unwrap();
    sheet.write_string(2, 8, "4.11224E+17").unwrap();
    // Or the digits as shown, the last three zeros.
    person(sheet, 3, 3);
    sheet.write_string(3, 7, "1980-01-05").unwrap();
    sheet
        .write_string(3, 8, format!("{}000", &real[..15]))
        .unwrap();
    let errors = parse_sheet(&bytes(workbook), None, today())
        .unwrap_err()
        .errors;
    let codes: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.line, e.header.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            (2, "身份证号码", "id_number_as_number"),
            (3, "身份证号码", "id_number_as_number"),
            (4, "身份证号码", "id_number_as_number"),
        ],
        "{errors:?}"
    );
    assert!(errors[0].message.contains("文本"), "{}", errors[0].message);
    assert!(errors[0].reason.contains("format the column as text"));
    // The report never quotes an ID number, even a broken one.
    assert!(errors.iter().all(|e| e.value.is_none()));
    assert!(errors.iter().all(|e| e.sheet.as_deref() == Some("Sheet1")));
}

#[test]
fn full_width_digits_and_letters_are_read_as_ascii() {
    let birth = date(1975, 3, 9);
    let real = id(birth, 41, false);
    let wide = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' | 'A'..='Z' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
                '-' => '－',
                _ => c,
            })
            .collect()
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    header(sheet, 0, &[NAMES.as_slice(), &["手机号"]].concat());
    for (c, v) in [
        "第二居委会",
        "第12组",
        "17号楼",
        &wide("3-201"),
        "配偶",
        "李秀英",
        "女",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    sheet.write_string(1, 7, wide("1975-03-09")).unwrap();
    sheet
        .write_string(1, 8, format!("\u{3000}{}", wide(&real)))
        .unwrap();
    sheet.write_string(1, 9, wide("13912345678")).unwrap();
    let rows = parse_sheet(&bytes(workbook), None, today()).unwrap().rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id_card.expose(), real);
    assert_eq!(rows[0].household, "3-201");
    assert_eq!(rows[0].birth_date, birth);
    assert_eq!(
        rows[0].phone.as_ref().map(|p| p.as_str()),
        Some("13912345678")
    );
}

#[test]
fn a_title_above_the_header_is_skipped_and_rows_keep_their_sheet_numbers() {
    let birth = date(1980, 1, 5);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "兴贤里社区居民花名册").unwrap();
    sheet.write_string(1, 0, "填表日期：2025年5月").unwrap();
    header(sheet, 3, &NAMES);
    person(sheet, 4, 1);
    sheet.write_string(4, 7, "1980-01-05").unwrap();
    sheet.write_string(4, 8, id(birth, 1, true)).unwrap();
    person(sheet, 5, 2);
    sheet.write_string(5, 7, "1980-13-05").unwrap();
    sheet.write_string(5, 8, id(birth, 3, true)).unwrap();
    let errors = parse_sheet(&bytes(workbook), None, today())
        .unwrap_err()
        .errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(
        (e.line, e.column.as_str(), e.header.as_str()),
        (6, "birth_date", "出生日期")
    );
    assert_eq!(e.code, "date_invalid");
    assert_eq!(e.value.as_deref(), Some("1980-13-05"));
    assert!(e.message.contains("不是日期"), "{}", e.message);
}

#[test]
fn a_named_sheet_is_read_and_an_unknown_one_is_named_in_the_report() {
    let birth = date(1980, 1, 5);
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("说明").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("二组").unwrap();
    header(sheet, 0, &NAMES);
    person(sheet, 1, 1);
    sheet.write_string(1, 7, "1980-01-05").unwrap();
    sheet.write_string(1, 8, id(birth, 1, true)).unwrap();
    let file = bytes(workbook);
    let read = parse_sheet(&file, Some("二组"), today()).unwrap();
    assert_eq!((read.sheet.as_deref(), read.rows.len()), (Some("二组"), 1));
    // The first sheet holds no header.
    let first = parse_sheet(&file, None, today()).unwrap_err().errors;
    assert_eq!(first[0].code, "file_empty");
    let missing = parse_sheet(&file, Some("三组"), today())
        .unwrap_err()
        .errors;
    assert_eq!(missing[0].code, "sheet_not_found");
    assert!(
        missing[0].message.contains("说明、二组"),
        "{}",
        missing[0].message
    );
}

#[test]
fn a_label_excel_turned_into_a_date_is_reported_and_the_example_row_is_skipped() {
    let birth = date(1980, 1, 5);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    header(sheet, 0, &NAMES);
    person(sheet, 1, 1);
    sheet.write_string(1, 5, "示例张三").unwrap();
    sheet.write_string(1, 7, "1980-01-05").unwrap();
    sheet.write_string(1, 8, id(birth, 1, true)).unwrap();
    person(sheet, 2, 2);
    let date_format = Format::new().set_num_format("m月d日");
    // "1-2" typed into a General cell.
    sheet
        .write_datetime_with_format(
            2,
            3,
            ExcelDateTime::from_ymd(2025, 1, 2).unwrap(),
            &date_format,
        )
        .unwrap();
    sheet.write_string(2, 7, "1980-01-05").unwrap();
    sheet.write_string(2, 8, id(birth, 3, true)).unwrap();
    let errors = parse_sheet(&bytes(workbook), None, today())
        .unwrap_err()
        .errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].line, errors[0].code.as_str()),
        (3, "became_date")
    );
    assert_eq!(errors[0].header, "户号");
}

#[test]
fn garbage_that_looks_like_a_workbook_is_refused_plainly() {
    let errors = parse_sheet(b"PK\x03\x04 not really a zip", None, today())
        .unwrap_err()
        .errors;
    assert_eq!(errors[0].code, "workbook_unreadable");
    assert!(errors[0].message.contains(".xlsx"));
}

#[test]
fn a_hidden_first_sheet_is_passed_over() {
    let birth = date(1980, 1, 5);
    let mut workbook = Workbook::new();
    let lists = workbook.add_worksheet();
    lists.set_name("选项").unwrap();
    lists.write_string(0, 0, "居委会").unwrap();
    lists.set_hidden(true);
    let sheet = workbook.add_worksheet();
    sheet.set_name("居民花名册").unwrap();
    sheet.set_active(true);
    header(sheet, 0, &NAMES);
    person(sheet, 1, 1);
    sheet.write_string(1, 7, "1980-01-05").unwrap();
    sheet.write_string(1, 8, id(birth, 1, true)).unwrap();
    let file = parse_sheet(&bytes(workbook), None, today()).unwrap();
    assert_eq!(
        (file.sheet.as_deref(), file.rows.len()),
        (Some("居民花名册"), 1)
    );
}
