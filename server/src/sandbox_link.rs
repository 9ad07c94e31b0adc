//! Connecting the in-process LINE sandbox to the clinics in sandbox mode.

use engine::Engine;
use sandbox::{ChannelConfig, Plan, Sandbox};

/// Registers every sandbox-mode clinic as a sandbox channel whose webhook
/// points at this server, adds the demo's simulated people, and restores
/// who follows whom from the product's own records (the sandbox keeps its
/// state in memory only).
pub async fn link(engine: &Engine, sb: &Sandbox, product_base: &str) -> anyhow::Result<()> {
    let people: Vec<sandbox::Person> = sandbox::demo::patients(300).into_iter().chain(sandbox::demo::staff()).collect();
    for p in &people {
        sb.add_person_with_id(&p.user_id, &p.display_name, p.kind);
    }
    for row in engine.db.sandbox_channels().await? {
        let Some(clinic) = engine.db.clinic(row.clinic_id).await? else {
            continue;
        };
        let sandbox_key = row.key();
        let (secret, token) = engine.channel_credentials(clinic.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        sb.add_channel(ChannelConfig {
            channel_id: clinic.public_id.clone(),
            channel_secret: secret,
            access_token: token,
            webhook_url: format!("{product_base}/line/webhook/{}", clinic.public_id),
            bot_name: clinic.name.clone(),
            plan: Plan::Light,
        });
        // Only friends who came through the sandbox: a clinic that once had
        // a real channel keeps its real patients' LINE IDs and names, and
        // they must never become simulated people.
        for f in engine
            .db
            .all_friends(clinic.id)
            .await?
            .into_iter()
            .filter(|f| f.channel_key == sandbox_key)
        {
            // People made in an earlier run's phone page are gone; re-create
            // them under their old ID, for this channel only, so the
            // clinic's friends stay consistent.
            if sb.people(&clinic.public_id).iter().all(|p| p.person.user_id != f.line_user_id) {
                sb.add_person_for(&clinic.public_id, &f.line_user_id, &f.display_name, sandbox::PersonKind::Patient);
            }
            sb.restore_relation(&clinic.public_id, &f.line_user_id, f.status == "blocked")?;
        }
    }
    Ok(())
}

/// Gives the demo clinic its patients: 300 simulated people follow it
/// through the sandbox (real signed webhooks), a few block it again, and
/// some write; then the clinic's records (patient number, kana, birth
/// date, sex) are filled in. Only when the demo clinic has no friends yet.
pub async fn populate_demo(engine: &Engine, sb: &Sandbox) -> anyhow::Result<()> {
    let Some(clinic) = demo_clinic(engine).await? else { return Ok(()) };
    if !engine.db.all_friends(clinic.id).await?.is_empty() {
        return Ok(());
    }
    let channel = clinic.public_id;
    let lines = [
        "予約の変更をお願いできますか？",
        "駐車場はありますか",
        "インフルエンザの予防接種はいつからですか",
        "ありがとうございました！",
        "発熱外来は何時までですか",
    ];
    for (i, p) in sandbox::demo::patients(300).iter().enumerate() {
        sb.follow(&channel, &p.user_id).await?;
        if i % 9 == 4 {
            sb.write(&channel, &p.user_id, lines[i % lines.len()]).await?;
        }
        if i % 37 == 5 {
            sb.block(&channel, &p.user_id).await?;
        }
    }
    // The follows become friends once processed (the worker may be doing
    // the same: each event is claimed once).
    while engine.process_webhooks(500).await? > 0 {}
    let this_year: i32 = engine.today_jst().get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    for (i, p) in sandbox::demo::patients(300).iter().enumerate() {
        if let Some(friend) = engine.db.friend_by_line_user(clinic.id, &p.user_id).await? {
            let c = sandbox::demo::chart(i, this_year);
            let fields = model::patient::PatientFields {
                patient_number: c.patient_number,
                name_kana: c.name_kana,
                birth_date: c.birth_date,
                sex: c.sex,
            };
            engine
                .db
                .set_patient_fields(clinic.id, friend.id, &fields, engine.now_ms(), None)
                .await?;
        }
    }
    engine.seed_demo_marketing(clinic.id).await?;
    // The clinic's flu vaccine notice went to a few patients, so the demo's
    // automation can be tried from the phone (希望する).
    let client = engine.line_client(clinic.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let notice = [engine::seed::demo_vaccine_notice()];
    for f in engine
        .db
        .all_friends(clinic.id)
        .await?
        .iter()
        .filter(|f| f.status == "active")
        .take(10)
    {
        client.push(&f.line_user_id, &notice, &line::SendOptions::default()).await?;
    }
    tracing::info!("demo patients have followed the demo clinic through the sandbox and been tagged");
    Ok(())
}

async fn demo_clinic(engine: &Engine) -> anyhow::Result<Option<store::ClinicRow>> {
    let Some(owner) = engine.db.user_by_email(engine::seed::DEMO_ACCOUNTS[0].email).await? else {
        return Ok(None);
    };
    for m in engine.db.memberships_of(owner.id).await? {
        if m.clinic_name == engine::seed::DEMO_CLINIC {
            return Ok(engine.db.clinic(m.clinic_id).await?);
        }
    }
    Ok(None)
}
