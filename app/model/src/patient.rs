//! A friend's patient fields (診察券番号, フリガナ, 生年月日, 性別) and memo:
//! their rules, and the CSV the front desk exchanges with its other
//! systems. The browser checks with this code as staff type; the server
//! checks again with the same code.

use serde::{Deserialize, Serialize};

pub const PATIENT_NUMBER_MAX: usize = 20;
pub const NAME_KANA_MAX: usize = 60;
pub const MEMO_MAX: usize = 2000;
/// Rows one CSV import may hold.
pub const CSV_MAX_ROWS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }
    }

    /// What staff write in a spreadsheet: 女性/女/F/female, 男性/男/M/male,
    /// その他/other.
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_lowercase().as_str() {
            "female" | "f" | "女性" | "女" => Some(Sex::Female),
            "male" | "m" | "男性" | "男" => Some(Sex::Male),
            "other" | "その他" => Some(Sex::Other),
            _ => None,
        }
    }

    /// The CSV's word for it.
    pub fn japanese(self) -> &'static str {
        match self {
            Sex::Female => "女性",
            Sex::Male => "男性",
            Sex::Other => "その他",
        }
    }
}

/// The patient fields of one friend, as stored (empty = not known).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientFields {
    pub patient_number: String,
    pub name_kana: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `female`, `male`, `other` or empty.
    pub sex: String,
}

/// What is wrong with one value; the code names the message in the
/// catalogue (`patient.<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatientProblem {
    NumberInvalid,
    KanaInvalid,
    DateInvalid,
    DateInFuture,
    SexInvalid,
    MemoTooLong,
}

impl PatientProblem {
    pub fn code(self) -> &'static str {
        match self {
            PatientProblem::NumberInvalid => "number_invalid",
            PatientProblem::KanaInvalid => "kana_invalid",
            PatientProblem::DateInvalid => "date_invalid",
            PatientProblem::DateInFuture => "date_in_future",
            PatientProblem::SexInvalid => "sex_invalid",
            PatientProblem::MemoTooLong => "memo_too_long",
        }
    }
}

/// 診察券番号: letters, digits and hyphens, up to 20 (full-width digits are
/// made half-width first, as staff often type them).
pub fn normalize_patient_number(s: &str) -> Result<String, PatientProblem> {
    let n: String = s.trim().chars().map(to_half_width).collect();
    let ok = n.chars().count() <= PATIENT_NUMBER_MAX && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(n)
    } else {
        Err(PatientProblem::NumberInvalid)
    }
}

fn to_half_width(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        'ー' | '－' | '−' => '-',
        _ => c,
    }
}

/// フリガナ: katakana (hiragana is turned into katakana), spaces and ー.
pub fn normalize_kana(s: &str) -> Result<String, PatientProblem> {
    let k: String = s
        .trim()
        .chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            '　' => ' ',
            _ => c,
        })
        .collect();
    let ok = k.chars().count() <= NAME_KANA_MAX && k.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー' | '・' | ' '));
    if ok {
        Ok(k)
    } else {
        Err(PatientProblem::KanaInvalid)
    }
}

/// 生年月日 as `YYYY-MM-DD`, from `YYYY-MM-DD`, `YYYY/MM/DD` or
/// `YYYY/M/D` (Excel's Japanese format); not after `today` (`YYYY-MM-DD`),
/// not before 1900.
pub fn normalize_birth_date(s: &str, today: &str) -> Result<String, PatientProblem> {
    let parts: Vec<&str> = s.trim().split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(PatientProblem::DateInvalid);
    };
    let num = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(y, 4).filter(|_| y.len() == 4), num(m, 2), num(d, 2)) else {
        return Err(PatientProblem::DateInvalid);
    };
    if !(1900..=9999).contains(&y) || crate::segment::Date::new(y as i32, m, d).is_none() {
        return Err(PatientProblem::DateInvalid);
    }
    let date = format!("{y:04}-{m:02}-{d:02}");
    if date.as_str() > today {
        return Err(PatientProblem::DateInFuture);
    }
    Ok(date)
}

/// Checks and normalises what staff typed (empty strings clear a field).
/// Returns every problem, by field name.
pub fn normalize_patient(input: &PatientFields, today: &str) -> Result<PatientFields, Vec<(&'static str, PatientProblem)>> {
    let mut problems = Vec::new();
    let mut out = PatientFields::default();
    match normalize_patient_number(&input.patient_number) {
        Ok(n) => out.patient_number = n,
        Err(p) => problems.push(("patient_number", p)),
    }
    match normalize_kana(&input.name_kana) {
        Ok(k) => out.name_kana = k,
        Err(p) => problems.push(("name_kana", p)),
    }
    if !input.birth_date.trim().is_empty() {
        match normalize_birth_date(&input.birth_date, today) {
            Ok(d) => out.birth_date = d,
            Err(p) => problems.push(("birth_date", p)),
        }
    }
    if !input.sex.trim().is_empty() {
        match Sex::parse(&input.sex) {
            Some(s) => out.sex = s.as_str().to_string(),
            None => problems.push(("sex", PatientProblem::SexInvalid)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

pub fn check_memo(memo: &str) -> Result<(), PatientProblem> {
    if memo.chars().count() > MEMO_MAX {
        Err(PatientProblem::MemoTooLong)
    } else {
        Ok(())
    }
}

/// Age in whole years on `today` (both `YYYY-MM-DD`).
pub fn age(birth_date: &str, today: &str) -> Option<u32> {
    use crate::segment::Date;
    let years = Date::parse(birth_date)?.whole_years_until(Date::parse(today)?);
    u32::try_from(years).ok()
}

// ------------------------------------------------------------------ CSV

/// The CSV's columns, with the Japanese header the export writes and the
/// English one an import also accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    FriendId,
    LineUserId,
    DisplayName,
    PatientNumber,
    NameKana,
    BirthDate,
    Sex,
    Status,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::FriendId,
        Column::LineUserId,
        Column::DisplayName,
        Column::PatientNumber,
        Column::NameKana,
        Column::BirthDate,
        Column::Sex,
        Column::Status,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Column::FriendId => "友だちID",
            Column::LineUserId => "LINEユーザーID",
            Column::DisplayName => "LINE表示名",
            Column::PatientNumber => "診察券番号",
            Column::NameKana => "フリガナ",
            Column::BirthDate => "生年月日",
            Column::Sex => "性別",
            Column::Status => "状態",
        }
    }

    fn english(self) -> &'static str {
        match self {
            Column::FriendId => "friend_id",
            Column::LineUserId => "line_user_id",
            Column::DisplayName => "display_name",
            Column::PatientNumber => "patient_number",
            Column::NameKana => "name_kana",
            Column::BirthDate => "birth_date",
            Column::Sex => "sex",
            Column::Status => "status",
        }
    }

    fn from_header(h: &str) -> Option<Column> {
        let h = h.trim();
        Column::ALL
            .into_iter()
            .find(|c| c.header() == h || c.english().eq_ignore_ascii_case(h))
    }

    /// Only these are written by an import; the rest are for reading.
    pub fn is_patient_field(self) -> bool {
        matches!(self, Column::PatientNumber | Column::NameKana | Column::BirthDate | Column::Sex)
    }
}

/// Splits CSV text (RFC 4180: quotes, doubled quotes, line breaks inside
/// quotes; CRLF or LF) into records. A BOM is ignored.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => return Err(CsvError::StrayQuote { line }),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote { line });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    // Blank lines (a trailing newline, spreadsheet padding) carry nothing.
    records.retain(|r| r.iter().any(|f| !f.trim().is_empty()));
    // A cell this product neutralised on export reads back as it was.
    for f in records.iter_mut().flatten() {
        if f.starts_with('\'') && f[1..].starts_with(FORMULA_STARTS) {
            f.remove(0);
        }
    }
    Ok(records)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CsvError {
    StrayQuote {
        line: usize,
    },
    UnclosedQuote {
        line: usize,
    },
    Empty,
    /// No column says which friend a row is: 友だちID, LINEユーザーID or 診察券番号.
    NoKeyColumn,
    NothingToImport,
    TooManyRows,
    /// An appointment file lacks 予約番号, 診察券番号, 診療科 or 日時.
    AppointmentColumns,
}

impl CsvError {
    pub fn code(&self) -> &'static str {
        match self {
            CsvError::StrayQuote { .. } => "csv_stray_quote",
            CsvError::UnclosedQuote { .. } => "csv_unclosed_quote",
            CsvError::Empty => "csv_empty",
            CsvError::AppointmentColumns => "csv_appointment_columns",
            CsvError::NoKeyColumn => "csv_no_key",
            CsvError::NothingToImport => "csv_nothing_to_import",
            CsvError::TooManyRows => "csv_too_many_rows",
        }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (Excel also takes the full-width forms a Japanese IME types).
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// A cell no spreadsheet will run: one that would start a formula (a LINE
/// name such as `=HYPERLINK(…)`) is written after a `'`, which Excel shows
/// as text and `parse_csv` takes off again.
fn neutralise_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Quotes a field when it needs it, after neutralising a formula.
fn csv_field(s: &str) -> String {
    let s = neutralise_formula(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV line (with CRLF, as spreadsheets expect).
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut s = fields.iter().map(|f| csv_field(f.as_ref())).collect::<Vec<_>>().join(",");
    s.push_str("\r\n");
    s
}

/// How a row names its friend: the first of these the row fills in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RowKey {
    FriendId(String),
    LineUserId(String),
    /// An existing patient number; the row then cannot change it.
    PatientNumber(String),
}

impl RowKey {
    pub fn column(&self) -> Column {
        match self {
            RowKey::FriendId(_) => Column::FriendId,
            RowKey::LineUserId(_) => Column::LineUserId,
            RowKey::PatientNumber(_) => Column::PatientNumber,
        }
    }

    pub fn value(&self) -> &str {
        match self {
            RowKey::FriendId(v) | RowKey::LineUserId(v) | RowKey::PatientNumber(v) => v,
        }
    }
}

/// One row of an import, read and checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub key: RowKey,
    /// The friend's public ID, once the key is resolved (at once for a
    /// 友だちID key; by the server for the others).
    pub friend_id: String,
    /// The patient fields this row sets; `None` for columns the file does
    /// not have (left as they are).
    pub patient_number: Option<String>,
    pub name_kana: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
}

/// A problem in one row: line, column header, problem code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: usize,
    pub column: String,
    pub code: String,
    /// The offending value, so staff can find it.
    pub value: String,
}

/// Reads an import file: the rows that are valid on their own, and the
/// problems of the others. Checks that need the database (unknown friend,
/// a patient number already used) are the server's.
pub fn read_import(text: &str, today: &str) -> Result<(Vec<ImportRow>, Vec<RowProblem>), CsvError> {
    let mut records = parse_csv(text)?.into_iter();
    let header = records.next().ok_or(CsvError::Empty)?;
    let columns: Vec<Option<Column>> = header.iter().map(|h| Column::from_header(h)).collect();
    let index = |c: Column| columns.iter().position(|x| *x == Some(c));
    let has = |c: Column| index(c).is_some();
    if !has(Column::FriendId) && !has(Column::LineUserId) && !has(Column::PatientNumber) {
        return Err(CsvError::NoKeyColumn);
    }
    let other_fields = has(Column::NameKana) || has(Column::BirthDate) || has(Column::Sex);
    let number_settable = has(Column::FriendId) || has(Column::LineUserId);
    let can_set_number = number_settable && has(Column::PatientNumber);
    if !other_fields && !can_set_number {
        return Err(CsvError::NothingToImport);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen_keys = std::collections::HashMap::new();
    let mut seen_numbers = std::collections::HashMap::new();
    for (i, record) in records.enumerate() {
        if i >= CSV_MAX_ROWS {
            return Err(CsvError::TooManyRows);
        }
        let line = i + 2;
        let cell = |c: Column| index(c).map(|ix| record.get(ix).map(String::as_str).unwrap_or("").trim().to_string());
        let mut row_problems = Vec::new();
        let mut bad = |column: Column, code: &str, value: &str| {
            row_problems.push(RowProblem {
                line,
                column: column.header().to_string(),
                code: code.to_string(),
                value: value.to_string(),
            })
        };
        let filled = |c: Column| cell(c).filter(|v| !v.is_empty());
        let key = if let Some(id) = filled(Column::FriendId) {
            Some(RowKey::FriendId(id))
        } else if let Some(id) = filled(Column::LineUserId) {
            if crate::line_limits::is_user_id(&id) {
                Some(RowKey::LineUserId(id))
            } else {
                bad(Column::LineUserId, "line_user_id_invalid", &id);
                None
            }
        } else if let Some(n) = filled(Column::PatientNumber) {
            match normalize_patient_number(&n) {
                Ok(n) => Some(RowKey::PatientNumber(n)),
                Err(p) => {
                    bad(Column::PatientNumber, p.code(), &n);
                    None
                }
            }
        } else {
            bad(Column::FriendId, "key_missing", "");
            None
        };
        if let Some(k) = &key {
            if let Some(first) = seen_keys.insert(k.clone(), line) {
                bad(k.column(), "friend_repeated", &format!("{} ({first})", k.value()));
            }
        }
        let keyed_by_number = matches!(key, Some(RowKey::PatientNumber(_)));
        let patient_number = match cell(Column::PatientNumber) {
            Some(_) if keyed_by_number => None,
            Some(v) => match normalize_patient_number(&v) {
                Ok(n) => {
                    if !n.is_empty() {
                        if let Some(first) = seen_numbers.insert(n.clone(), line) {
                            bad(Column::PatientNumber, "number_repeated", &format!("{n} ({first})"));
                        }
                    }
                    Some(n)
                }
                Err(p) => {
                    bad(Column::PatientNumber, p.code(), &v);
                    None
                }
            },
            None => None,
        };
        let name_kana = match cell(Column::NameKana) {
            Some(v) => normalize_kana(&v).map_err(|p| bad(Column::NameKana, p.code(), &v)).ok(),
            None => None,
        };
        let birth_date = match cell(Column::BirthDate) {
            Some(v) if v.is_empty() => Some(String::new()),
            Some(v) => normalize_birth_date(&v, today)
                .map_err(|p| bad(Column::BirthDate, p.code(), &v))
                .ok(),
            None => None,
        };
        let sex = match cell(Column::Sex) {
            Some(v) if v.is_empty() => Some(String::new()),
            Some(v) => match Sex::parse(&v) {
                Some(s) => Some(s.as_str().to_string()),
                None => {
                    bad(Column::Sex, PatientProblem::SexInvalid.code(), &v);
                    None
                }
            },
            None => None,
        };
        if let (true, Some(key)) = (row_problems.is_empty(), key) {
            let friend_id = match &key {
                RowKey::FriendId(id) => id.clone(),
                _ => String::new(),
            };
            rows.push(ImportRow {
                line,
                key,
                friend_id,
                patient_number,
                name_kana,
                birth_date,
                sex,
            });
        }
        problems.extend(row_problems);
    }
    Ok((rows, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-22";

    #[test]
    fn fields_are_normalised_the_way_staff_type_them() {
        assert_eq!(normalize_patient_number(" ００１２３ ").unwrap(), "00123");
        assert_eq!(normalize_patient_number("A-12").unwrap(), "A-12");
        assert!(normalize_patient_number("12 34").is_err());
        assert!(normalize_patient_number(&"1".repeat(21)).is_err());
        assert_eq!(normalize_kana("やまだ　はなこ").unwrap(), "ヤマダ ハナコ");
        assert!(normalize_kana("山田").is_err());
        assert_eq!(normalize_birth_date("1985/4/1", TODAY).unwrap(), "1985-04-01");
        assert_eq!(normalize_birth_date("2024-02-29", TODAY).unwrap(), "2024-02-29");
        assert_eq!(normalize_birth_date("2023-02-29", TODAY), Err(PatientProblem::DateInvalid));
        assert_eq!(normalize_birth_date("2026-11-23", TODAY), Err(PatientProblem::DateInFuture));
        assert_eq!(normalize_birth_date("85/4/1", TODAY), Err(PatientProblem::DateInvalid));
        assert_eq!(normalize_birth_date("1899-12-31", TODAY), Err(PatientProblem::DateInvalid));
        assert_eq!(Sex::parse("女"), Some(Sex::Female));
        assert_eq!(Sex::parse("M"), Some(Sex::Male));
        assert_eq!(Sex::parse("不明"), None);
        assert_eq!(age("2016-11-23", TODAY), Some(9));
        assert_eq!(age("2016-11-22", TODAY), Some(10));
        let all_bad = PatientFields {
            patient_number: "#1".into(),
            name_kana: "x".into(),
            birth_date: "2026-13-01".into(),
            sex: "?".into(),
        };
        assert_eq!(normalize_patient(&all_bad, TODAY).unwrap_err().len(), 4);
        assert_eq!(
            normalize_patient(&PatientFields::default(), TODAY).unwrap(),
            PatientFields::default()
        );
    }

    #[test]
    fn csv_round_trips_quotes_commas_and_line_breaks() {
        let line = csv_line(&["a,b", "say \"hi\"", "two\nlines", "プレーン"]);
        let parsed = parse_csv(&format!("\u{feff}{line}x,y\r\n\r\n")).unwrap();
        assert_eq!(parsed[0], vec!["a,b", "say \"hi\"", "two\nlines", "プレーン"]);
        assert_eq!(parsed[1], vec!["x", "y"]);
        assert_eq!(parsed.len(), 2, "blank lines are skipped");
        assert_eq!(parse_csv("a,\"b"), Err(CsvError::UnclosedQuote { line: 1 }));
        assert_eq!(parse_csv("a,b\"c\n"), Err(CsvError::StrayQuote { line: 1 }));
    }

    #[test]
    fn cells_that_would_start_a_formula_are_written_as_text_and_read_back() {
        let cells = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "＝1+1",
            "＋1",
            "－1",
            "＠a",
            "山田=1",
            "a-b",
        ];
        for cell in cells {
            // One cell per line: what a spreadsheet sees once quotes are undone.
            let line = csv_line(&[cell]);
            let raw = line.trim_end_matches("\r\n");
            let raw = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                Some(inner) => inner.replace("\"\"", "\""),
                None => raw.to_string(),
            };
            let risky = cell.starts_with(FORMULA_STARTS);
            assert_eq!(raw.starts_with('\''), risky, "{cell:?} was written as {raw:?}");
            assert_eq!(raw.trim_start_matches('\''), cell);
        }
        let line = csv_line(&cells);
        assert_eq!(parse_csv(&line).unwrap()[0], cells, "the import reads what was exported");
    }

    #[test]
    fn an_import_reports_every_bad_row_and_keeps_the_good_ones() {
        let csv = "友だちID,LINE表示名,診察券番号,生年月日,性別\n\
                   f1,山田,1001,1980/1/2,女性\n\
                   f2,佐藤,10#2,1980-01-02,男\n\
                   f3,鈴木,1001,,\n\
                   f1,山田,1003,2030-01-01,猫\n\
                   ,名無し,,,\n\
                   f5,田中,,,\n";
        let (rows, problems) = read_import(csv, TODAY).unwrap();
        assert_eq!(rows.len(), 2, "{problems:?}");
        assert_eq!(rows[0].patient_number.as_deref(), Some("1001"));
        assert_eq!(rows[0].birth_date.as_deref(), Some("1980-01-02"));
        assert_eq!(rows[0].sex.as_deref(), Some("female"));
        assert_eq!(rows[0].name_kana, None, "no フリガナ column: left as it is");
        assert_eq!(rows[1].friend_id, "f5");
        assert_eq!(rows[1].key, RowKey::FriendId("f5".into()));
        assert_eq!(rows[1].patient_number.as_deref(), Some(""), "an empty cell clears");
        let found: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.code.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (3, "number_invalid"),
                (4, "number_repeated"),
                (5, "friend_repeated"),
                (5, "date_in_future"),
                (5, "sex_invalid"),
                (6, "key_missing"),
            ]
        );
        assert_eq!(read_import("名前,フリガナ\nx,ア\n", TODAY), Err(CsvError::NoKeyColumn));
        assert_eq!(
            read_import("名前,診察券番号\nx,1\n", TODAY),
            Err(CsvError::NothingToImport),
            "a number keyed row sets nothing"
        );
        assert_eq!(read_import("friend_id,display_name\nx,y\n", TODAY), Err(CsvError::NothingToImport));
        assert_eq!(read_import("", TODAY), Err(CsvError::Empty));
    }

    #[test]
    fn rows_may_name_their_friend_by_line_user_id_or_patient_number() {
        let u = format!("U{}", "a".repeat(32));
        let csv = format!("LINEユーザーID,診察券番号,フリガナ\n{u},2001,アオキ\n,2002,イシダ\nU123,2003,ウエダ\n,,エンドウ\n");
        let (rows, problems) = read_import(&csv, TODAY).unwrap();
        assert_eq!(rows[0].key, RowKey::LineUserId(u.clone()));
        assert_eq!(rows[0].patient_number.as_deref(), Some("2001"), "a LINE-keyed row sets the number");
        assert_eq!(rows[1].key, RowKey::PatientNumber("2002".into()));
        assert_eq!(rows[1].patient_number, None, "the number is the key, not a change");
        assert_eq!(rows[1].name_kana.as_deref(), Some("イシダ"));
        let codes: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.code.as_str())).collect();
        assert_eq!(codes, vec![(4, "line_user_id_invalid"), (5, "key_missing")]);
    }
}
