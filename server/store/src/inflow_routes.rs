//! Inflow routes (流入経路), the visits to their pages, and the friends
//! they brought.

use crate::{Db, StoreError};

/// A route with its friends counted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InflowRouteRow {
    pub id: i64,
    pub clinic_id: i64,
    pub public_id: String,
    pub code: String,
    pub name: String,
    pub automation_public_id: String,
    /// The route's automation is on: it greets instead of the usual one.
    pub automation_enabled: i64,
    /// Friends who came through it, and those of them blocking now.
    pub friends: i64,
    pub blocked: i64,
    pub created_at: i64,
}

const ROUTE_COLUMNS: &str = "r.id, r.clinic_id, r.public_id, r.code, r.name, a.public_id AS automation_public_id, \
     a.enabled AS automation_enabled, \
     (SELECT COUNT(*) FROM friends f WHERE f.inflow_route_id = r.id) AS friends, \
     (SELECT COUNT(*) FROM friends f WHERE f.inflow_route_id = r.id AND f.status = 'blocked') AS blocked, \
     r.created_at FROM inflow_routes r JOIN automations a ON a.id = r.automation_id";

/// A visit waiting for its follow: the route, and whether its own
/// automation answers.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ArrivalRow {
    pub id: i64,
    pub route_public_id: String,
    pub own_greeting: i64,
}

impl Db {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_inflow_route(
        &self,
        clinic_id: i64,
        public_id: &str,
        code: &str,
        name: &str,
        automation_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO inflow_routes (clinic_id, public_id, code, name, automation_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(clinic_id)
        .bind(public_id)
        .bind(code)
        .bind(name)
        .bind(automation_id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(StoreError::from_insert)?;
        Ok(())
    }

    pub async fn route_name_taken(&self, clinic_id: i64, name: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inflow_routes WHERE clinic_id = $1 AND name = $2")
            .bind(clinic_id)
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// The clinic's routes, newest first, with their friends counted.
    pub async fn inflow_routes(&self, clinic_id: i64) -> Result<Vec<InflowRouteRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUTE_COLUMNS} WHERE r.clinic_id = $1 AND r.archived_at IS NULL ORDER BY r.id DESC"
        ))
        .bind(clinic_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn inflow_route_by_code(&self, code: &str) -> Result<Option<InflowRouteRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {ROUTE_COLUMNS} WHERE r.code = $1 AND r.archived_at IS NULL"))
                .bind(code)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn inflow_route(&self, clinic_id: i64, public_id: &str) -> Result<Option<InflowRouteRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ROUTE_COLUMNS} WHERE r.clinic_id = $1 AND r.public_id = $2 AND r.archived_at IS NULL"
        ))
        .bind(clinic_id)
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records that LINE user `line_user_id` opened the route's page.
    pub async fn record_arrival(&self, clinic_id: i64, route_id: i64, line_user_id: &str, now: i64) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        sqlx::query("INSERT INTO route_arrivals (clinic_id, route_id, line_user_id, arrived_at) VALUES ($1, $2, $3, $4)")
            .bind(clinic_id)
            .bind(route_id)
            .bind(line_user_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest unused visit of `line_user_id` since `since`.
    pub async fn pending_arrival(&self, clinic_id: i64, line_user_id: &str, since: i64) -> Result<Option<ArrivalRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT v.id, r.public_id AS route_public_id, a.enabled AS own_greeting FROM route_arrivals v \
             JOIN inflow_routes r ON r.id = v.route_id JOIN automations a ON a.id = r.automation_id \
             WHERE v.clinic_id = $1 AND v.line_user_id = $2 AND v.arrived_at >= $3 AND v.used_at IS NULL \
             ORDER BY v.arrived_at DESC, v.id DESC LIMIT 1",
        )
        .bind(clinic_id)
        .bind(line_user_id)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// Makes `friend_id` the route's (the first route a friend came through
/// stays theirs) and uses the visit up, in the follow's transaction.
pub(crate) async fn attribute(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    clinic_id: i64,
    friend_id: i64,
    arrival_id: i64,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE friends SET inflow_route_id = (SELECT route_id FROM route_arrivals WHERE id = $1 AND clinic_id = $2) \
         WHERE id = $3 AND clinic_id = $2 AND inflow_route_id IS NULL",
    )
    .bind(arrival_id)
    .bind(clinic_id)
    .bind(friend_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE route_arrivals SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(at)
        .bind(arrival_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
