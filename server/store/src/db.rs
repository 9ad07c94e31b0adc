use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::sync::Once;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite: or postgres: (got {0:?})")]
    UnsupportedUrl(String),
    #[error("that value is already taken")]
    Conflict,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Turns a unique-constraint violation into `Conflict`; everything else
    /// stays a database error.
    pub(crate) fn from_insert(err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(err),
        }
    }
}

/// The database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    dialect: Dialect,
    /// SQLite has one writer at a time; its busy handler makes a waiting
    /// writer sleep and poll (up to 100 ms a turn). The busiest writers
    /// (webhook intake and the worker applying it) queue here instead,
    /// in order.
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Db {
    /// Connects to `sqlite:…` or `postgres://…`. A SQLite file is created when
    /// missing and switched to WAL so readers never wait for the writer.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let max = if url.starts_with("sqlite:") { 8 } else { 16 };
        Self::connect_with(url, None, max).await
    }

    /// Like `connect`, with a pool of at most `max` connections, and on
    /// PostgreSQL every connection working inside `pg_schema` (the tests give
    /// each test a schema of its own).
    pub async fn connect_with(url: &str, pg_schema: Option<String>, max: u32) -> Result<Db, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.split(':').next().unwrap_or("").to_string()));
        };
        let url = if dialect == Dialect::Sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        } else {
            url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            // A SQLite connection is a file in this process: it cannot drop
            // like a socket, and pinging it before every query doubled the
            // hand-offs to its thread. PostgreSQL's are still checked (a
            // database restart would otherwise fail one query per
            // connection; turning it off there measured within noise).
            .test_before_acquire(dialect == Dialect::Postgres)
            .after_connect(move |conn, _meta| {
                let schema = pg_schema.clone();
                Box::pin(async move {
                    match (dialect, schema) {
                        (Dialect::Sqlite, _) => {
                            conn.execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                                .await?;
                        }
                        (Dialect::Postgres, Some(schema)) => {
                            conn.execute(format!("SET search_path TO \"{schema}\"").as_str()).await?;
                        }
                        (Dialect::Postgres, None) => {}
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if dialect == Dialect::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Db {
            pool,
            dialect,
            sqlite_writer: Default::default(),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A transaction. On SQLite it takes the database's write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that reads first and writes later
    /// would otherwise fail with SQLITE_BUSY_SNAPSHOT (517, "database is
    /// locked") whenever another connection wrote in between — which the
    /// busy timeout cannot wait out — while waiting for the lock at the
    /// start, it can. PostgreSQL begins as usual.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        })
    }

    /// On SQLite, this instance's turn to write (hold it across the
    /// transaction); on PostgreSQL nothing, as writers run side by side.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.dialect {
            Dialect::Sqlite => Some(self.sqlite_writer.lock().await),
            Dialect::Postgres => None,
        }
    }

    /// Applies every migration of this dialect that has not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A cheap query for the readiness probe.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn exec<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<AnyQueryResult, StoreError> {
        Ok(q.execute(&self.pool).await?)
    }

    /// Runs a statement that changes one row or none; with `audit`, its
    /// entry is written in the same transaction, and only when the row
    /// changed. True when it did.
    pub(crate) async fn exec_one<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<bool, StoreError> {
        let Some(audit) = audit else {
            return Ok(q.execute(&self.pool).await.map_err(StoreError::from_insert)?.rows_affected() == 1);
        };
        let mut tx = self.begin().await?;
        if q.execute(&mut *tx).await.map_err(StoreError::from_insert)?.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Runs a statement, with its audit entry in the same transaction when
    /// there is one (a change the product makes by itself has none).
    pub(crate) async fn exec_with<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        audit: Option<&crate::Audit<'_>>,
    ) -> Result<(), StoreError> {
        match audit {
            Some(audit) => self.exec_audited(vec![q], audit).await.map(drop),
            None => self.exec(q).await.map(drop),
        }
    }

    /// Runs the statements and appends the audit entry that records them,
    /// in one transaction.
    pub(crate) async fn exec_audited<'q>(
        &self,
        queries: Vec<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>>,
        audit: &crate::Audit<'_>,
    ) -> Result<Vec<AnyQueryResult>, StoreError> {
        let mut tx = self.begin().await?;
        let mut results = Vec::with_capacity(queries.len());
        for q in queries {
            results.push(q.execute(&mut *tx).await.map_err(StoreError::from_insert)?);
        }
        audit.append(&mut tx).await?;
        tx.commit().await?;
        Ok(results)
    }
}

/// On PostgreSQL, lets this transaction commit without waiting for its
/// WAL flush. Only for writes whose loss in a database crash is repaired
/// by the retry key: a lost settlement is retried, LINE answers 409, and
/// it is settled again; a lost lease or rate count only delays.
pub(crate) async fn relaxed_commit(tx: &mut sqlx::Transaction<'_, sqlx::Any>, dialect: Dialect) -> Result<(), StoreError> {
    if dialect == Dialect::Postgres {
        sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut **tx).await?;
    }
    Ok(())
}

/// `($1, $2, $3), ($4, $5, $6)`: the VALUES of a multi-row INSERT of
/// `rows` rows of `columns` values each, numbered from `$1`.
pub(crate) fn values_rows(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * columns + c + 1));
        }
        out.push(')');
    }
    out
}

/// `(1,2,3)` for an `IN` list of database IDs (integers, never user text).
pub(crate) fn id_list(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("({})", parts.join(","))
}

/// SQLite and PostgreSQL store flags as 0/1 integers.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod tests {
    use sqlx::Executor;

    #[test]
    fn values_rows_numbers_every_value_once() {
        assert_eq!(super::values_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_rows(1, 1), "($1)");
    }

    /// The demo's patients once went missing at start-up: their transaction
    /// read, a worker wrote, and the transaction's own write then failed
    /// with SQLite's 517. Both writers must get through.
    #[tokio::test]
    async fn on_sqlite_a_transaction_that_reads_then_writes_waits_for_another_writer_instead_of_failing() {
        let path = std::env::temp_dir().join(format!("yorisoi-begin-{}.db", std::process::id()));
        let db = super::Db::connect_with(&format!("sqlite:{}", path.display()), None, 4)
            .await
            .unwrap();
        db.pool.execute("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        let mut first = db.begin().await.unwrap();
        let (before,): (i64,) = sqlx::query_as("SELECT count(*) FROM t").fetch_one(&mut *first).await.unwrap();
        let other = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await?;
                sqlx::query("INSERT INTO t (n) VALUES (2)").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok::<(), crate::StoreError>(())
            })
        };
        // Time for the other writer to commit in between, were it allowed to.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        sqlx::query("INSERT INTO t (n) VALUES (1)")
            .execute(&mut *first)
            .await
            .expect("the first writer's own write");
        first.commit().await.unwrap();
        other.await.unwrap().expect("the second writer waited its turn");
        let (after,): (i64,) = sqlx::query_as("SELECT count(*) FROM t").fetch_one(&db.pool).await.unwrap();
        assert_eq!((before, after), (0, 2));
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
