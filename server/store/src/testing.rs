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

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `t<unix seconds>_<pid>_<n>`: unique, and its age can be read back.
fn unique_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("t{}_{}_{}", unix_secs(), std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Test pools stay small so parallel tests fit PostgreSQL's connection limit.
const TEST_POOL_SIZE: u32 = 4;

/// A migrated, empty database private to the caller. On PostgreSQL it is a
/// schema of its own in the test database; on SQLite a file in the temp dir.
pub async fn fresh_db() -> Result<Db, StoreError> {
    Ok(fresh_db_pair().await?.0)
}

/// Two handles on one fresh database (two instances of the product), and
/// a URL a separate process can open it with.
pub async fn fresh_db_pair() -> Result<(Db, Db, String), StoreError> {
    fresh_db_pair_sized(TEST_POOL_SIZE).await
}

/// Like `fresh_db_pair`, with pools of `pool_size` connections (benchmarks).
pub async fn fresh_db_pair_sized(pool_size: u32) -> Result<(Db, Db, String), StoreError> {
    let name = unique_name();
    if backend() == "postgres" {
        let url = std::env::var("YORISOI_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES.into());
        let admin = Db::connect_with(&url, None, 1).await?;
        static SWEPT: std::sync::Once = std::sync::Once::new();
        let mut sweep = false;
        SWEPT.call_once(|| sweep = true);
        if sweep {
            drop_old_schemas(&admin).await?;
        }
        let schema = format!("yorisoi_{name}");
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(&admin.pool).await?;
        admin.close().await;
        let db = Db::connect_with(&url, Some(schema.clone()), pool_size).await?;
        db.migrate().await?;
        let other = Db::connect_with(&url, Some(schema.clone()), pool_size).await?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let process_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        Ok((db, other, process_url))
    } else {
        let path = std::env::temp_dir().join(format!("yorisoi_{name}.db"));
        let url = format!("sqlite:{}", path.display());
        let db = Db::connect_with(&url, None, pool_size).await?;
        db.migrate().await?;
        let other = Db::connect_with(&url, None, pool_size).await?;
        Ok((db, other, url))
    }
}

/// Drops the schemas of test runs that ended over an hour ago (a test that
/// panics cannot clean up after itself), once per test process.
async fn drop_old_schemas(admin: &Db) -> Result<(), StoreError> {
    let names: Vec<(String,)> = sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'yorisoi_t%'")
        .fetch_all(&admin.pool)
        .await?;
    let cutoff = unix_secs().saturating_sub(3600);
    for (name,) in names {
        let born: Option<u64> = name.trim_start_matches("yorisoi_t").split('_').next().and_then(|s| s.parse().ok());
        if born.is_some_and(|b| b < cutoff) {
            sqlx::query(&format!("DROP SCHEMA \"{name}\" CASCADE")).execute(&admin.pool).await?;
        }
    }
    Ok(())
}

impl Db {
    /// Active friends of `clinic_id` with these LINE user IDs, written
    /// directly (public IDs `{prefix}{n}`, patient numbers `P000000`…), for
    /// tests and benchmarks that need thousands.
    pub async fn insert_friends_for_tests(&self, clinic_id: i64, prefix: &str, users: &[String]) -> Result<(), StoreError> {
        for (n, chunk) in users.chunks(1000).enumerate() {
            let rows: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let k = n * 1000 + i;
                    format!("({clinic_id}, '{prefix}{k}', '{u}', '患者 {k}', 'active', 1700000000000, 1700000000000, 'P{k:06}')")
                })
                .collect();
            self.execute_for_tests(&format!(
                "INSERT INTO friends (clinic_id, public_id, line_user_id, display_name, status, first_followed_at, created_at, patient_number) VALUES {}",
                rows.join(",")
            ))
            .await?;
        }
        Ok(())
    }

    /// Every row of every table, each as its table's name and its columns
    /// as text joined by `|`: for tests that must prove something is
    /// stored nowhere.
    pub async fn every_row_for_tests(&self) -> Result<Vec<(String, String)>, StoreError> {
        let (tables_sql, columns_sql) = match self.dialect() {
            crate::Dialect::Sqlite => (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                "SELECT name FROM pragma_table_info($1)",
            ),
            crate::Dialect::Postgres => (
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            ),
        };
        let tables: Vec<(String,)> = sqlx::query_as(tables_sql).fetch_all(&self.pool).await?;
        let mut out = Vec::new();
        for (table,) in tables {
            let columns: Vec<(String,)> = sqlx::query_as(columns_sql).bind(&table).fetch_all(&self.pool).await?;
            if columns.is_empty() {
                continue;
            }
            // Pictures are stored as bytes: read as hex, never as text.
            let joined: Vec<String> = columns
                .iter()
                .map(|(c,)| match self.dialect() {
                    crate::Dialect::Sqlite => {
                        format!("COALESCE(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END, '')")
                    }
                    crate::Dialect::Postgres => format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"),
                })
                .collect();
            let sql = format!("SELECT {} FROM \"{table}\"", joined.join(" || '|' || "));
            let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
            out.extend(rows.into_iter().map(|(r,)| (table.clone(), r)));
        }
        Ok(out)
    }

    /// Runs raw SQL, for tests that simulate someone editing the database
    /// behind the product's back.
    pub async fn execute_for_tests(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }
}
