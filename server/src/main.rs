//! `yorisoi`: serve the console, migrate, create the first owner, seed the
//! demo, verify the audit log.

use anyhow::{bail, Context};
use app::ssr::ServerContext;
use engine::audit::ChainReport;
use engine::{Engine, SystemClock};
use server::config::Config;
use std::sync::Arc;

const USAGE: &str = "\
usage: yorisoi [command]

  serve                      run the console (default)
  migrate                    apply database migrations and exit
  seed-demo                  add the demo clinic if the database is empty
  admin create-owner --org NAME --clinic NAME --email EMAIL --name NAME
                             create the first owner of a real installation
                             (password from YORISOI_OWNER_PASSWORD or stdin)
  audit verify               check the audit log's hash chain
  sandbox                    run the LINE sandbox alone on YORISOI_SANDBOX_ADDR
";

// glibc's allocator took a quarter of a page render's time on two cores,
// much of it threads waiting on its arena locks (measured with perf under
// `make bench`'s 50 users); mimalloc keeps a heap per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenv_file();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("YORISOI_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let config = Config::from_env()?;
    match words.as_slice() {
        [] | ["serve"] => serve(config).await,
        ["migrate"] => {
            open_engine(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        ["seed-demo"] => {
            let engine = open_engine(&config).await?;
            let seeded = engine.seed_demo_if_empty().await?;
            let demo = engine.has_demo_accounts().await?;
            if seeded {
                println!("Demo clinic 「{}」 seeded.", engine::demo::seed::DEMO_CLINIC);
            }
            if demo {
                println!("Demo logins (e-mail / password):");
                for a in &engine::demo::seed::DEMO_ACCOUNTS {
                    println!("  {:<9} {:<26} {}", a.role.as_str(), a.email, a.password);
                }
            } else {
                println!("This database holds a real installation: no demo logins.");
            }
            Ok(())
        }
        ["admin", "create-owner", rest @ ..] => create_owner(&config, rest).await,
        ["audit", "verify"] => {
            let engine = open_engine(&config).await?;
            match engine.verify_audit().await? {
                ChainReport::Intact { entries } => {
                    println!("audit log intact: {entries} entries");
                    Ok(())
                }
                ChainReport::Broken { seq, reason } => bail!("audit log broken at entry {seq}: {reason}"),
            }
        }
        ["sandbox"] => {
            let addr = config
                .sandbox_addr
                .clone()
                .unwrap_or_else(|| server::config::DEMO_SANDBOX_ADDR.into());
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            let token = config.sandbox_token.clone().unwrap_or_else(engine::crypto::random_token);
            let sb = sandbox::Sandbox::new().with_control_token(&token);
            for p in sandbox::demo::patients(300).into_iter().chain(sandbox::demo::staff()) {
                sb.add_person_with_id(&p.user_id, &p.display_name, p.kind);
            }
            println!("LINE sandbox listening on http://{addr} (register channels with POST /_sandbox/channels)");
            if config.sandbox_token.is_none() {
                // Printed, never logged: give it to the product as YORISOI_SANDBOX_TOKEN.
                println!("its controls need the header X-Sandbox-Token: {token}");
            }
            axum::serve(listener, sb.router()).await?;
            Ok(())
        }
        ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => bail!("unknown command\n\n{USAGE}"),
    }
}

/// Loads `.env` from the working directory, without overriding variables
/// that are already set.
fn dotenv_file() -> std::io::Result<()> {
    let text = std::fs::read_to_string(".env")?;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let (k, v) = (k.trim(), v.trim().trim_matches('"'));
            if std::env::var_os(k).is_none() {
                std::env::set_var(k, v);
            }
        }
    }
    Ok(())
}

async fn open_engine(config: &Config) -> anyhow::Result<Engine> {
    config.prepare_data_dir()?;
    let db = store::Db::connect(&config.database_url)
        .await
        .context("connecting to the database")?;
    db.migrate().await.context("applying migrations")?;
    let engine = Engine::new(db, Arc::new(SystemClock), config.secret_box()?);
    // Once after an upgrade: secrets bound to their place, the audit chain keyed.
    let resealed = engine.reseal_secrets().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if resealed > 0 {
        tracing::info!(resealed, "stored secrets are now bound to where they live");
    }
    engine.key_audit_chain().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(engine)
}

async fn serve(mut config: Config) -> anyhow::Result<()> {
    config.warn_about_generated_key();
    // The in-process sandbox's controls get a token only this process
    // knows, unless one was given (the browser tests give theirs).
    if config.sandbox_url.is_none() && config.sandbox_addr.is_some() && config.sandbox_token.is_none() {
        config.sandbox_token = Some(engine::crypto::random_token());
    }
    let engine = open_engine(&config)
        .await?
        .with_line_endpoints(engine::LineEndpoints {
            api_base: config.line_api_base.clone(),
            data_base: config.line_data_base.clone(),
            sandbox_base: config
                .sandbox_url
                .clone()
                .or_else(|| config.sandbox_addr.as_ref().map(|a| format!("http://{a}"))),
            sandbox_token: config.sandbox_token.clone(),
            webhook_base: Some(format!("http://{}", config.addr)),
        })
        .with_delivery_config(config.delivery.clone())
        .with_public_url(&config.public_url);
    if config.seed_demo && engine.seed_demo_if_empty().await? {
        tracing::info!("demo clinic seeded");
    }
    let sandbox = match &config.sandbox_addr {
        Some(addr) if config.sandbox_url.is_none() => {
            let mut sb = sandbox::Sandbox::new();
            if let Some(token) = &config.sandbox_token {
                sb = sb.with_control_token(token);
            }
            if !config.secure_cookies() {
                sb.accept_plain_http_images_from(Some(config.public_url.clone()));
            }
            server::sandbox_link::link(&engine, &sb, &format!("http://{}", config.addr)).await?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("starting the LINE sandbox on {addr}"))?;
            let router = sb.router();
            tokio::spawn(async move { axum::serve(listener, router).await });
            tracing::info!(addr = %addr, "LINE sandbox running in-process");
            Some(sb)
        }
        _ => None,
    };
    let addr = config
        .addr
        .parse()
        .with_context(|| format!("YORISOI_ADDR {:?} is not host:port", config.addr))?;
    let leptos = server::leptos_options(&config.site_root, addr);
    tokio::spawn(server::run_webhook_worker(engine.clone()));
    tokio::spawn(server::run_automation_worker(engine.clone()));
    tokio::spawn(server::run_sequence_worker(engine.clone()));
    tokio::spawn(server::run_rich_menu_worker(engine.clone()));
    tokio::spawn(server::run_staff_post_worker(engine.clone()));
    tokio::spawn(server::run_housekeeping(engine.clone()));
    tokio::spawn(server::run_delivery_worker(engine.clone()));
    let engine_for_demo = engine.clone();
    let ctx = ServerContext {
        engine,
        secure_cookies: config.secure_cookies(),
        trusted_proxies: config.trusted_proxies,
        public_url: config.public_url.clone(),
    };
    let app = server::router(ctx, leptos.clone()).layer(axum::Extension(config.metrics.clone()));
    let listener = tokio::net::TcpListener::bind(&leptos.site_addr)
        .await
        .with_context(|| format!("listening on {}", leptos.site_addr))?;
    tracing::info!(url = %config.public_url, "Yorisoi is listening");
    if let (true, Some(sb)) = (config.seed_demo, sandbox) {
        let engine = engine_for_demo.clone();
        tokio::spawn(async move {
            if let Err(e) = server::sandbox_link::populate_demo(&engine, &sb).await {
                tracing::warn!(error = %e, "could not add the demo patients");
            }
            // Then their departments, sequences and upcoming appointments
            // (the demo only: tests build their own).
            if let Ok(Some(clinic)) = engine.demo_clinic().await {
                if let Err(e) = engine.seed_demo_journey(clinic.id).await {
                    tracing::warn!(reason = e.code(), "could not add the demo appointments and sequences");
                }
                if let Err(e) = engine.seed_demo_rich_menus(clinic.id).await {
                    tracing::warn!(reason = e.code(), "could not add the demo rich menus");
                }
                if let Err(e) = engine.seed_demo_staff_channels(clinic.id).await {
                    tracing::warn!(reason = e.code(), "could not add the demo staff channels");
                }
            }
        });
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn create_owner(config: &Config, args: &[&str]) -> anyhow::Result<()> {
    let mut opts = std::collections::HashMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        opts.insert(flag.trim_start_matches("--").to_string(), value.to_string());
    }
    let get = |k: &str| opts.get(k).cloned().with_context(|| format!("--{k} is required\n\n{USAGE}"));
    let (org, clinic, email, name) = (get("org")?, get("clinic")?, get("email")?, get("name")?);
    let password = match std::env::var("YORISOI_OWNER_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Password for {email} (at least 10 characters):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let engine = open_engine(config).await?;
    engine
        .create_owner(&org, &clinic, &email, &name, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("owner {email} created for {clinic}");
    Ok(())
}
