//! The database schema: migrations kept in the repository (`crates/store/migrations/`),
//! applied in order at open under a session advisory lock (so that nodes starting together
//! apply each once), each in its own transaction with its row in `lt_schema`. A database
//! whose schema is newer than this build knows is refused, never written.

use super::{PgEngine, db_error};
use crate::error::{Result, StoreError};

/// The migrations, in order: version, name, SQL.
pub(crate) const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "kv", include_str!("../../migrations/0001_kv.sql")),
    (2, "flush", include_str!("../../migrations/0002_flush.sql")),
    (
        3,
        "generation",
        include_str!("../../migrations/0003_generation.sql"),
    ),
];

/// The schema version this build writes.
pub(crate) fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Held while migrating ("lienmigr").
const MIGRATE_LOCK: i64 = 0x6c69_656e_6d69_6772;

/// What [`migrate`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Migrated {
    pub(crate) found: i32,
    pub(crate) applied: Vec<i32>,
}

/// Bring the schema to [`latest`], or refuse a newer one.
pub(crate) fn migrate(engine: &PgEngine) -> Result<Migrated> {
    let (config, tls) = engine.connect_args();
    engine.run("migrating the schema", async move {
        let client = PgEngine::connect_owned(config, tls).await?;
        client
            .batch_execute(&format!(
                "SELECT pg_advisory_lock({MIGRATE_LOCK});
                 CREATE TABLE IF NOT EXISTS lt_schema (
                     version integer PRIMARY KEY,
                     name text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now()
                 );"
            ))
            .await
            .map_err(|e| db_error("preparing the schema table", &e))?;
        let row = client
            .query_one("SELECT coalesce(max(version), 0) FROM lt_schema", &[])
            .await
            .map_err(|e| db_error("reading the schema version", &e))?;
        let found: i32 = row.get(0);
        if found > latest() {
            return Err(StoreError::UnsupportedFormat {
                found: u8::try_from(found).unwrap_or(u8::MAX),
                supported: u8::try_from(latest()).unwrap_or(u8::MAX),
            });
        }
        let mut applied = Vec::new();
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
            let step = format!(
                "BEGIN;\n{sql}\nINSERT INTO lt_schema (version, name) VALUES ({version}, '{name}');\nCOMMIT;"
            );
            if let Err(e) = client.batch_execute(&step).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(db_error("applying migration", &e));
            }
            tracing::info!(version, name, "store schema migrated");
            applied.push(*version);
        }
        client
            .batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})"))
            .await
            .map_err(|e| db_error("migrating", &e))?;
        Ok(Migrated { found, applied })
    })
}

/// The server's `synchronous_commit`: anything but `off` keeps "durable before acknowledged"
/// on the primary; `remote_write`, `on` with synchronous standbys, or `remote_apply` add the
/// replicas.
pub(crate) fn synchronous_commit(engine: &PgEngine) -> Result<String> {
    let pool = engine.pool();
    engine.run("reading synchronous_commit", async move {
        let c = pool.get().await.map_err(super::kv::pool_error)?;
        let row = c
            .query_one("SHOW synchronous_commit", &[])
            .await
            .map_err(|e| db_error("reading synchronous_commit", &e))?;
        Ok(row.get::<_, String>(0))
    })
}
