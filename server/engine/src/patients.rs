//! Patient fields and memo of friends, and the CSV that carries them to
//! and from the clinic's other systems. Every check is `model::patient`'s,
//! the browser's own; what only the database knows (unknown friends,
//! numbers already in use) is checked here.

use crate::audit::Event;
use crate::{Actor, Engine, EngineError};
use model::patient::{self, Column, CsvError, ImportRow, PatientFields, RowKey, RowProblem};
use model::Permission;
use std::collections::HashMap;

/// What an import found (and, when applied, did).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows that can be (or were) applied.
    pub rows_ok: usize,
    pub problems: Vec<RowProblem>,
    pub applied: bool,
}

impl Engine {
    /// Today in Japan, `YYYY-MM-DD` (birth dates may not be after it).
    pub fn today_jst(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.now_ms())
            .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    pub async fn update_patient_fields(&self, actor: &Actor, public_id: &str, input: &PatientFields) -> Result<PatientFields, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let fields = patient::normalize_patient(input, &self.today_jst()).map_err(|p| EngineError::PatientField(p[0].1))?;
        let friend = self.friend_of(actor, public_id).await?;
        // Which fields changed, never their values: the log holds no patient data.
        let changed: Vec<&str> = [
            ("patient_number", friend.patient_number != fields.patient_number),
            ("name_kana", friend.name_kana != fields.name_kana),
            ("birth_date", friend.birth_date != fields.birth_date),
            ("sex", friend.sex != fields.sex),
        ]
        .into_iter()
        .filter_map(|(k, c)| c.then_some(k))
        .collect();
        if changed.is_empty() {
            return Ok(fields);
        }
        let audit = self.audit(Event::by(
            actor,
            "friend.patient_fields",
            friend.public_id.clone(),
            changed.join(","),
        ));
        match self
            .db
            .set_patient_fields(actor.clinic_id, friend.id, &fields, self.now_ms(), Some(&audit))
            .await
        {
            Err(store::StoreError::Conflict) => return Err(EngineError::PatientNumberTaken),
            other => other?,
        }
        Ok(fields)
    }

    pub async fn update_memo(&self, actor: &Actor, public_id: &str, memo: &str) -> Result<(), EngineError> {
        actor.require(Permission::HandlePatients)?;
        patient::check_memo(memo).map_err(EngineError::PatientField)?;
        let friend = self.friend_of(actor, public_id).await?;
        let memo = memo.trim_end();
        if memo == friend.memo {
            return Ok(());
        }
        // That the memo changed, never what it says.
        let audit = self.audit(Event::by(actor, "friend.memo", friend.public_id.clone(), "memo".into()));
        self.db.set_memo(actor.clinic_id, friend.id, memo, &audit).await?;
        Ok(())
    }

    /// Every friend's patient fields as CSV (UTF-8 with a BOM, so Excel
    /// reads the Japanese correctly).
    pub async fn export_patients_csv(&self, actor: &Actor) -> Result<String, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let friends = self.db.all_friends(actor.clinic_id).await?;
        let mut out = String::from("\u{feff}");
        out.push_str(&patient::csv_line(&Column::ALL.map(Column::header)));
        for f in &friends {
            let sex = patient::Sex::parse(&f.sex).map(patient::Sex::japanese).unwrap_or("");
            let status = if f.status == "blocked" { "ブロック" } else { "友だち" };
            out.push_str(&patient::csv_line(&[
                f.public_id.as_str(),
                f.line_user_id.as_str(),
                f.display_name.as_str(),
                f.patient_number.as_str(),
                f.name_kana.as_str(),
                f.birth_date.as_str(),
                sex,
                status,
            ]));
        }
        self.record(Event::by(actor, "friend.export", String::new(), format!("{} rows", friends.len())))
            .await?;
        Ok(out)
    }

    /// Reads an import and reports on every row; applies nothing.
    pub async fn check_patient_import(&self, actor: &Actor, csv: &str) -> Result<ImportReport, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let (rows, problems) = self.read_import(actor, csv).await?;
        Ok(ImportReport {
            rows_ok: rows.len(),
            problems,
            applied: false,
        })
    }

    /// Applies the rows without problems, all in one transaction; rows with
    /// problems change nothing.
    pub async fn apply_patient_import(&self, actor: &Actor, csv: &str) -> Result<ImportReport, EngineError> {
        actor.require(Permission::HandlePatients)?;
        let (rows, problems) = self.read_import(actor, csv).await?;
        if rows.is_empty() {
            return Err(EngineError::Csv(CsvError::NothingToImport));
        }
        let audit = self.audit(Event::by(
            actor,
            "friend.import",
            String::new(),
            format!("{} rows applied, {} refused", rows.len(), problems.len()),
        ));
        match self.db.apply_patient_import(actor.clinic_id, &rows, self.now_ms(), &audit).await {
            // Another member changed a number between the check and now.
            Err(store::StoreError::Conflict) => return Err(EngineError::PatientNumberTaken),
            other => other?,
        };
        Ok(ImportReport {
            rows_ok: rows.len(),
            problems,
            applied: true,
        })
    }

    /// The file's rows that pass every check, and the problems of the rest.
    async fn read_import(&self, actor: &Actor, csv: &str) -> Result<(Vec<ImportRow>, Vec<RowProblem>), EngineError> {
        let (rows, mut problems) = patient::read_import(csv, &self.today_jst()).map_err(EngineError::Csv)?;
        let friends = self.db.friends_by_public_id(actor.clinic_id).await?;
        let owners = self.db.patient_numbers(actor.clinic_id).await?;
        let problem = |row: &ImportRow, column: Column, code: &str, value: String| RowProblem {
            line: row.line,
            column: column.header().to_string(),
            code: code.to_string(),
            value,
        };
        let by_line_user: HashMap<&str, &str> = friends.values().map(|f| (f.line_user_id.as_str(), f.public_id.as_str())).collect();
        // Each row's key to the friend it names; unknown keys and two rows
        // naming one friend are refused.
        let mut good = Vec::new();
        let mut claimed: HashMap<String, usize> = HashMap::new();
        for mut row in rows {
            let resolved = match &row.key {
                RowKey::FriendId(id) => friends.contains_key(id).then(|| id.clone()),
                RowKey::LineUserId(u) => by_line_user.get(u.as_str()).map(|s| s.to_string()),
                RowKey::PatientNumber(n) => owners.get(n).cloned(),
            };
            match resolved {
                None => problems.push(problem(&row, row.key.column(), "friend_unknown", row.key.value().to_string())),
                Some(id) => match claimed.get(&id) {
                    Some(first) => {
                        let value = format!("{} ({first})", row.key.value());
                        problems.push(problem(&row, row.key.column(), "friend_repeated", value));
                    }
                    None => {
                        claimed.insert(id.clone(), row.line);
                        row.friend_id = id;
                        good.push(row);
                    }
                },
            }
        }
        let name_of = |friend: &str| friends.get(friend).map(|f| f.display_name.clone()).unwrap_or_default();
        let (good, refused) = refuse_taken_numbers(good, &owners, name_of);
        for (row, value) in refused {
            problems.push(problem(&row, Column::PatientNumber, "number_taken", value));
        }
        problems.sort_by_key(|p| p.line);
        Ok((good, problems))
    }
}

/// A row may take a patient number from another friend only when this
/// import renumbers that friend too, by a row that is itself kept; refusing
/// one row can therefore refuse the rows that counted on it, and so on.
/// Each refusal is followed once through the rows that depend on it, so a
/// chain of 20,000 rows costs 20,000 steps, not 20,000 passes over them.
fn refuse_taken_numbers(
    rows: Vec<ImportRow>,
    owners: &HashMap<String, String>,
    name_of: impl Fn(&str) -> String,
) -> (Vec<ImportRow>, Vec<(ImportRow, String)>) {
    // The row that renumbers each friend.
    let renumbering: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.patient_number.is_some())
        .map(|(i, r)| (r.friend_id.as_str(), i))
        .collect();
    // For each row taking a number held by another friend: that friend.
    let holder = |r: &ImportRow| -> Option<&str> {
        let n = r.patient_number.as_deref().filter(|n| !n.is_empty())?;
        let owner = owners.get(n)?;
        (*owner != r.friend_id).then_some(owner.as_str())
    };
    let mut waiting_on: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut refused = vec![false; rows.len()];
    let mut queue = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(owner) = holder(r) {
            match renumbering.get(owner) {
                Some(&j) => waiting_on.entry(j).or_default().push(i),
                None => {
                    refused[i] = true;
                    queue.push(i);
                }
            }
        }
    }
    while let Some(j) = queue.pop() {
        for &i in waiting_on.get(&j).map(Vec::as_slice).unwrap_or_default() {
            if !refused[i] {
                refused[i] = true;
                queue.push(i);
            }
        }
    }
    let mut kept = Vec::new();
    let mut out = Vec::new();
    for (r, no) in rows.into_iter().zip(refused) {
        if no {
            let n = r.patient_number.clone().unwrap_or_default();
            let value = format!("{n} ({})", owners.get(&n).map(|o| name_of(o)).unwrap_or_default());
            out.push((r, value));
        } else {
            kept.push(r);
        }
    }
    (kept, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::patient::RowKey;

    fn row(line: usize, friend: usize, number: usize) -> ImportRow {
        ImportRow {
            line,
            key: RowKey::FriendId(format!("f{friend}")),
            friend_id: format!("f{friend}"),
            patient_number: Some(number.to_string()),
            name_kana: None,
            birth_date: None,
            sex: None,
        }
    }

    #[test]
    fn a_refusal_cascades_down_a_long_chain_in_one_pass() {
        // Friend k holds number k; row k gives friend k the number k+1.
        // Nobody renumbers friend N, so row N-1 is refused, which refuses
        // row N-2, and so on back to the first row.
        const N: usize = 20_000;
        let owners: HashMap<String, String> = (0..=N).map(|k| (k.to_string(), format!("f{k}"))).collect();
        let rows: Vec<ImportRow> = (0..N).map(|k| row(k + 2, k, k + 1)).collect();
        let (kept, refused) = refuse_taken_numbers(rows, &owners, |f| format!("name of {f}"));
        assert!(kept.is_empty());
        assert_eq!(refused.len(), N);
        assert_eq!(refused[0].1, "1 (name of f1)");

        // A swap keeps both rows; a third row taking a number nobody gives up is refused.
        let rows = vec![row(2, 0, 1), row(3, 1, 0), row(4, 2, 5)];
        let (kept, refused) = refuse_taken_numbers(rows, &owners, |_| String::new());
        assert_eq!(kept.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(refused.iter().map(|(r, _)| r.line).collect::<Vec<_>>(), vec![4]);
    }
}
