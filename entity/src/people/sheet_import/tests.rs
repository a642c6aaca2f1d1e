//! Tests of the import format, one per rule; long because every rule of the format has one.

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
    let headers: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.line, e.header.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            (1, "备注", "header_unknown"),
            (1, "Email", "header_unknown")
        ]
    );
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
            "一,1组,1号楼,1-3,,丙,男,01/01/1980,,{},,,,,",
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
    // Day-first dates are ambiguous across locales: only year-first forms are read.
    assert!(errors[2].reason.contains("is not a date"));
    assert_eq!(errors[2].code, "date_invalid");
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
    for level in ["1", "4", "一级"] {
        let rows = parse_import(file(&[with_level("1", level)]).as_bytes(), today()).unwrap();
        assert!(rows[0].disability_level.is_some());
    }
    let errors = errors_of(&file(&[with_level("否", "2")]));
    assert_eq!(where_(&errors), [(2, "disability_level")]);
    for level in ["0", "5", "五级", "1.0"] {
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
