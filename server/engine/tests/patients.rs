//! Patient fields, memo and the CSV import/export, on the backend the run
//! selects.

mod common;

use common::{user, world};
use engine::EngineError;
use model::patient::PatientFields;

fn fields(number: &str, kana: &str, birth: &str, sex: &str) -> PatientFields {
    PatientFields {
        patient_number: number.into(),
        name_kana: kana.into(),
        birth_date: birth.into(),
        sex: sex.into(),
    }
}

#[tokio::test]
async fn patient_fields_are_checked_normalised_and_unique_per_clinic() {
    let w = world(2).await;
    let e = &w.engine;
    let saved = e
        .update_patient_fields(&w.owner, &w.friends[0], &fields("００１２", "やまだ はなこ", "1985/4/1", "女"))
        .await
        .unwrap();
    assert_eq!(saved, fields("0012", "ヤマダ ハナコ", "1985-04-01", "female"));
    let stored = e
        .db_for_tests()
        .friend_by_public_id(w.owner.clinic_id, &w.friends[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.patient_number.as_str(), stored.birth_date.as_str()), ("0012", "1985-04-01"));

    // The same number for another friend: refused, nothing changed.
    let err = e
        .update_patient_fields(&w.owner, &w.friends[1], &fields("0012", "", "", ""))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::PatientNumberTaken), "{err:?}");
    assert_eq!(
        e.db_for_tests()
            .friend_by_public_id(w.owner.clinic_id, &w.friends[1])
            .await
            .unwrap()
            .unwrap()
            .patient_number,
        ""
    );
    // Tomorrow is not a birth date.
    let err = e
        .update_patient_fields(&w.owner, &w.friends[1], &fields("", "", "2026-11-23", ""))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "patient_date_in_future");
    // Viewers may not; a friend of another clinic is not found.
    assert!(matches!(
        e.update_patient_fields(&w.viewer, &w.friends[1], &fields("1", "", "", "")).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        e.update_patient_fields(&w.owner, "f-not-ours", &fields("1", "", "", "")).await,
        Err(EngineError::NotFound)
    ));
    // The audit log says which fields changed, not their values.
    let audit = e.list_audit(&w.owner, Some("friend.".into()), None, 10).await.unwrap();
    assert_eq!(audit[0].detail, "patient_number,name_kana,birth_date,sex");
    assert!(audit.iter().all(|a| !a.detail.contains("0012") && !a.detail.contains("ヤマダ")));

    // Memo, and search by patient number and フリガナ.
    e.update_memo(&w.owner, &w.friends[1], "アレルギー: ペニシリン").await.unwrap();
    assert!(e.update_memo(&w.owner, &w.friends[1], &"あ".repeat(2001)).await.is_err());
    let memo = e
        .db_for_tests()
        .friend_by_public_id(w.owner.clinic_id, &w.friends[1])
        .await
        .unwrap()
        .unwrap()
        .memo;
    assert_eq!(memo, "アレルギー: ペニシリン");
    // A memo edit is audited: that it changed, never what it says.
    let memo_rows = e.list_audit(&w.owner, Some("friend.memo".into()), None, 10).await.unwrap();
    assert_eq!(memo_rows.len(), 1);
    assert_eq!(
        (memo_rows[0].target.as_str(), memo_rows[0].detail.as_str()),
        (w.friends[1].as_str(), "memo")
    );
    let all = e.db_for_tests().audit_chain_page(0, 10_000).await.unwrap();
    assert!(all
        .iter()
        .all(|r| !r.detail.contains("ペニシリン") && !r.target.contains("ペニシリン")));
    let search = |s: &str| engine::friends::FriendQuery {
        search: Some(s.into()),
        ..Default::default()
    };
    let by_number = e.list_friends(&w.owner, search("0012")).await.unwrap();
    assert_eq!(by_number.items.len(), 1);
    assert_eq!(by_number.items[0].public_id, w.friends[0]);
    assert_eq!(e.list_friends(&w.owner, search("ハナコ")).await.unwrap().items.len(), 1);
    assert_eq!(
        e.list_friends(&w.owner, search("001")).await.unwrap().items.len(),
        0,
        "numbers match whole"
    );
}

#[tokio::test]
async fn a_csv_import_applies_good_rows_and_a_bad_row_changes_nothing() {
    let w = world(4).await;
    let e = &w.engine;
    let [a, b, c, d] = [0, 1, 2, 3].map(|i| w.friends[i].clone());
    e.update_patient_fields(&w.owner, &d, &fields("9000", "", "", "")).await.unwrap();
    e.update_patient_fields(&w.owner, &c, &fields("", "", "1950-05-05", "male"))
        .await
        .unwrap();

    let csv = format!(
        "友だちID,診察券番号,フリガナ,生年月日,性別\r\n\
         {a},1001,サトウ,2015/6/7,男\r\n\
         {b},9000,スズキ,,\r\n\
         {c},1003,,2031-01-01,\r\n\
         f-unknown,1004,,,\r\n"
    );
    let report = e.check_patient_import(&w.owner, &csv).await.unwrap();
    assert_eq!(report.rows_ok, 1);
    let codes: Vec<(usize, &str)> = report.problems.iter().map(|p| (p.line, p.code.as_str())).collect();
    assert_eq!(codes, vec![(3, "number_taken"), (4, "date_in_future"), (5, "friend_unknown")]);
    assert!(report.problems[0].value.starts_with("9000"));
    let untouched = e.db_for_tests().friend_by_public_id(w.owner.clinic_id, &a).await.unwrap().unwrap();
    assert_eq!(untouched.patient_number, "", "checking applies nothing");

    let applied = e.apply_patient_import(&w.owner, &csv).await.unwrap();
    assert!(applied.applied);
    let get = |id: String| {
        let e = e.clone();
        let clinic = w.owner.clinic_id;
        async move { e.db_for_tests().friend_by_public_id(clinic, &id).await.unwrap().unwrap() }
    };
    let fa = get(a.clone()).await;
    assert_eq!(
        (
            fa.patient_number.as_str(),
            fa.name_kana.as_str(),
            fa.birth_date.as_str(),
            fa.sex.as_str()
        ),
        ("1001", "サトウ", "2015-06-07", "male")
    );
    assert_eq!(get(b.clone()).await.patient_number, "", "the bad row changed nothing");
    let fc = get(c.clone()).await;
    assert_eq!(
        (fc.birth_date.as_str(), fc.sex.as_str()),
        ("1950-05-05", "male"),
        "the bad row changed nothing"
    );

    // Numbers may swap within one file; a missing column is left alone.
    let swap = format!("friend_id,patient_number\n{a},9000\n{d},1001\n");
    e.apply_patient_import(&w.owner, &swap).await.unwrap();
    assert_eq!(get(a.clone()).await.patient_number, "9000");
    assert_eq!(get(d.clone()).await.patient_number, "1001");
    assert_eq!(get(a.clone()).await.name_kana, "サトウ");

    // Export: a BOM, the Japanese header, every friend, values readable back.
    let out = e.export_patients_csv(&w.owner).await.unwrap();
    assert!(out.starts_with("\u{feff}友だちID,LINEユーザーID,LINE表示名,診察券番号,フリガナ,生年月日,性別,状態\r\n"));
    assert_eq!(out.lines().count(), 5);
    assert!(out.contains(&format!("{a},{},,9000,サトウ,2015-06-07,男性,友だち", user(0))));
    // A LINE name that a spreadsheet would run as a formula is written as text.
    e.db_for_tests()
        .set_friend_profile(w.owner.clinic_id, &user(1), "=HYPERLINK(\"https://evil.example\",\"x\")", "", 0)
        .await
        .unwrap();
    let out = e.export_patients_csv(&w.owner).await.unwrap();
    assert!(out.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\""), "{out}");
    assert!(!out.contains(",=HYPERLINK"), "{out}");
    let round_trip = e.check_patient_import(&w.owner, &out).await.unwrap();
    assert_eq!((round_trip.rows_ok, round_trip.problems.len()), (4, 0), "{:?}", round_trip.problems);

    // Rows may name their friend by LINE user ID or by patient number.
    let by_other_keys = format!(
        "LINEユーザーID,診察券番号,フリガナ\n{},,イトウ\n,1001,ヤマダ\n,7777,ダレ\n{},1001,ニジュウ\n",
        user(1),
        user(3)
    );
    let report = e.apply_patient_import(&w.owner, &by_other_keys).await.unwrap();
    let codes: Vec<(usize, &str)> = report.problems.iter().map(|p| (p.line, p.code.as_str())).collect();
    assert_eq!(
        codes,
        vec![(4, "friend_unknown"), (5, "friend_repeated")],
        "d holds 1001 and is named twice"
    );
    assert_eq!(get(b.clone()).await.name_kana, "イトウ");
    let fd = get(d.clone()).await;
    assert_eq!((fd.patient_number.as_str(), fd.name_kana.as_str()), ("1001", "ヤマダ"));

    // A broken file is refused whole, with the reason.
    assert_eq!(
        e.check_patient_import(&w.owner, "a,\"b").await.unwrap_err().code(),
        "csv_unclosed_quote"
    );
    assert!(matches!(e.export_patients_csv(&w.viewer).await, Err(EngineError::Forbidden)));
    assert!(matches!(
        e.apply_patient_import(&w.viewer, &swap).await,
        Err(EngineError::Forbidden)
    ));
}
