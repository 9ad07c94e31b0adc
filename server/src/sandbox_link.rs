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
    for sc in engine.sandbox_clinics().await? {
        let clinic = sc.clinic;
        sb.add_channel(ChannelConfig {
            channel_id: clinic.public_id.clone(),
            channel_secret: sc.channel_secret,
            access_token: sc.access_token,
            webhook_url: format!("{product_base}/line/webhook/{}", clinic.public_id),
            bot_name: clinic.name.clone(),
            plan: Plan::Light,
        });
        for f in sc.friends {
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
    let Some(clinic) = engine.demo_clinic().await? else { return Ok(()) };
    if !engine.demo_friends(clinic.id).await?.is_empty() {
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
        let c = sandbox::demo::chart(i, this_year);
        let fields = model::patient::PatientFields {
            patient_number: c.patient_number,
            name_kana: c.name_kana,
            birth_date: c.birth_date,
            sex: c.sex,
        };
        engine.set_demo_chart(clinic.id, &p.user_id, &fields).await?;
    }
    engine.seed_demo_marketing(clinic.id).await?;
    // The clinic's flu vaccine notice went to a few patients, so the demo's
    // automation can be tried from the phone (希望する).
    let client = engine.line_client(clinic.id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let notice = [engine::demo::seed::demo_vaccine_notice()];
    for f in engine
        .demo_friends(clinic.id)
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
