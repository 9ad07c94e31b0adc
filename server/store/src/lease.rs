//! The one way work is claimed from a durable queue: a row is taken by
//! writing `lease_until` on it, in a single statement that also checks no
//! live lease holds it, so two workers (on one instance or several) never
//! both take a row, and a worker that dies leaves its rows to be taken again
//! once the lease runs out.
//!
//! The queues that claim this way: the delivery batches (`batches.rs`), the
//! sequence scheduler's enrolments (`sequences.rs`), the automation queue
//! (`automations.rs`), the rich menu worker's clinics (`rich_menus.rs`) and
//! the staff posts' pushes (`staff_channels.rs`).
//! The webhook inbox (`inbox.rs`) does not, on purpose:
//! an event is claimed by writing `processed_at` in the same transaction that
//! applies it, so a crash rolls the claim back with the work and there is no
//! lease to wait out; applying an event sends nothing to LINE, which is what
//! the leases above guard against doing twice.
//!
//! Binding order in every claim: `$1` the lease's end, `$2` now, `$3` how
//! many rows at most.

use crate::Dialect;

/// A queue's claim, written once per queue and turned into SQL here, where
/// the one difference between the databases lives.
pub(crate) struct Claim<'a> {
    /// The queue's table.
    pub table: &'static str,
    /// The alias `due` gives the table, when it joins others ("" if none).
    pub alias: &'static str,
    /// `FROM … WHERE …` choosing the rows ready to be taken (`$2` is now),
    /// the lease check excepted.
    pub due: &'a str,
    pub order: &'static str,
    /// What makes a row still worth taking when the claim writes it (it may
    /// have been finished since it was chosen).
    pub still: &'static str,
    /// Further assignments made when a row is taken (", attempts = …").
    pub also_set: &'static str,
    pub returning: &'a str,
}

/// No live lease holds the row (`$2` is now).
const FREE: &str = "(lease_until IS NULL OR lease_until < $2)";

impl Claim<'_> {
    /// The rows ready and not held, as the sub-select names them.
    fn ready(&self) -> String {
        let Claim { alias, due, .. } = self;
        if alias.is_empty() {
            format!("SELECT id {due} AND {FREE}")
        } else {
            let free = FREE.replace("lease_until", &format!("{alias}.lease_until"));
            format!("SELECT {alias}.id {due} AND {free}")
        }
    }

    /// A read that says whether anything is ready, bound like the claim:
    /// for a worker that polls often on SQLite, where even a claim that
    /// finds nothing takes the database's one write lock.
    pub(crate) fn any_ready_sql(&self) -> String {
        format!("{} LIMIT 1", self.ready())
    }

    pub(crate) fn sql(&self, dialect: Dialect) -> String {
        let Claim {
            table,
            alias,
            order,
            still,
            also_set,
            returning,
            ..
        } = self;
        let chosen = format!("{} ORDER BY {order} LIMIT $3", self.ready());
        // PostgreSQL: a row another claimant has locked is passed by rather
        // than waited for, and the choice is made once (`ARRAY(…)` is an
        // init plan): under `IN (…)` the planner may run the sub-select
        // again per row, and with the lock each run chooses the next rows,
        // leasing more than `LIMIT` and returning only some of them (seen:
        // three happenings leased by a claim of one). SQLite has one writer
        // at a time, so the statement alone is enough.
        let taken = match (dialect, alias.is_empty()) {
            (Dialect::Postgres, true) => format!("id = ANY(ARRAY({chosen} FOR UPDATE SKIP LOCKED))"),
            (Dialect::Postgres, false) => format!("id = ANY(ARRAY({chosen} FOR UPDATE OF {alias} SKIP LOCKED))"),
            (Dialect::Sqlite, _) => format!("id IN ({chosen})"),
        };
        format!("UPDATE {table} SET lease_until = $1{also_set} WHERE {taken} AND {still} AND {FREE} RETURNING {returning}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(alias: &'static str, due: &'static str) -> Claim<'static> {
        Claim {
            table: "jobs",
            alias,
            due,
            order: "id",
            still: "done_at IS NULL",
            also_set: ", tries = tries + 1",
            returning: "id",
        }
    }

    #[test]
    fn postgres_chooses_once_and_passes_locked_rows_by() {
        let plain = claim("", "FROM jobs WHERE done_at IS NULL");
        let pg = plain.sql(Dialect::Postgres);
        assert!(pg.contains("WHERE id = ANY(ARRAY(SELECT id FROM jobs"), "{pg}");
        assert!(pg.contains("LIMIT $3 FOR UPDATE SKIP LOCKED))"), "{pg}");
        let lite = plain.sql(Dialect::Sqlite);
        assert!(
            lite.contains("WHERE id IN (SELECT id FROM jobs") && !lite.contains("FOR UPDATE"),
            "{lite}"
        );
        let joined = claim("j", "FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.done_at IS NULL");
        let pg = joined.sql(Dialect::Postgres);
        assert!(pg.contains("SELECT j.id FROM jobs j"), "{pg}");
        assert!(pg.contains("(j.lease_until IS NULL OR j.lease_until < $2)"), "{pg}");
        assert!(pg.contains("FOR UPDATE OF j SKIP LOCKED"), "{pg}");
    }

    #[test]
    fn the_lease_is_checked_again_when_the_row_is_written() {
        let sql = claim("", "FROM jobs WHERE done_at IS NULL").sql(Dialect::Sqlite);
        let outer = sql.split(") AND ").nth(1).expect("an outer condition");
        assert!(
            outer.starts_with("done_at IS NULL AND (lease_until IS NULL OR lease_until < $2)"),
            "{sql}"
        );
        assert!(
            sql.starts_with("UPDATE jobs SET lease_until = $1, tries = tries + 1 WHERE id IN"),
            "{sql}"
        );
    }
}
