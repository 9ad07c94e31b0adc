//! A fresh, migrated database for each test, on the backend the test run
//! asks for: `YORISOI_TEST_BACKEND=sqlite` (default) or `postgres`, the
//! latter at `YORISOI_TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`).

use crate::{Db, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};

pub const DEFAULT_TEST_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which backend this test run uses.
pub fn backend() -> String {
    std::env::var("YORISOI_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("t{}_{}_{}", std::process::id(), nanos % 1_000_000_000, N.fetch_add(1, Ordering::Relaxed))
}

/// A migrated, empty database private to the caller. On PostgreSQL it is a
/// schema of its own in the test database; on SQLite a file in the temp dir.
pub async fn fresh_db() -> Result<Db, StoreError> {
    let name = unique_name();
    if backend() == "postgres" {
        let url = std::env::var("YORISOI_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES.into());
        let admin = Db::connect(&url).await?;
        sqlx::query(&format!("CREATE SCHEMA \"yorisoi_{name}\"")).execute(&admin.pool).await?;
        admin.close().await;
        let db = Db::connect_with(&url, Some(format!("yorisoi_{name}"))).await?;
        db.migrate().await?;
        Ok(db)
    } else {
        let path = std::env::temp_dir().join(format!("yorisoi_{name}.db"));
        let db = Db::connect(&format!("sqlite:{}", path.display())).await?;
        db.migrate().await?;
        Ok(db)
    }
}

/// Drops the PostgreSQL schemas earlier test runs left behind (a test that
/// panics cannot clean up after itself). Called once by the test command.
pub async fn drop_leftover_schemas(url: &str) -> Result<u64, StoreError> {
    let admin = Db::connect(url).await?;
    let names: Vec<(String,)> = sqlx::query_as("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'yorisoi_t%'")
        .fetch_all(&admin.pool)
        .await?;
    for (name,) in &names {
        sqlx::query(&format!("DROP SCHEMA \"{name}\" CASCADE")).execute(&admin.pool).await?;
    }
    admin.close().await;
    Ok(names.len() as u64)
}

impl Db {
    /// Runs raw SQL, for tests that simulate someone editing the database
    /// behind the product's back.
    pub async fn execute_for_tests(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }
}
