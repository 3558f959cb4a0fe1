//! The store: SQLite (rusqlite, SQLite built in) by default, PostgreSQL for
//! several `serve` processes behind a load balancer (they share nothing
//! but the database). Versioned migrations run at start. Writes are durable
//! before they are acknowledged (SQLite: WAL, `synchronous=FULL`;
//! PostgreSQL: a committed transaction): a report answered `201` survives
//! `kill -9`.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Each migration, in order; its index + 1 is its version.
const MIGRATIONS: &[&str] = &[
    // 1: groups and their reports.
    "CREATE TABLE groups (
        id INTEGER PRIMARY KEY,
        signature TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        location TEXT,
        count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0,
        regressed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES groups(id),
        received_at TEXT NOT NULL,
        service TEXT,
        version TEXT,
        host TEXT,
        kind TEXT NOT NULL,
        raw_gz BLOB NOT NULL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX reports_by_group ON reports(group_id, id);",
];

/// What a report came with.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub service: Option<String>,
    pub version: Option<String>,
    pub host: Option<String>,
}

/// A report to keep.
pub struct NewReport<'a> {
    pub meta: Meta,
    pub raw: &'a [u8],
    pub report_json: String,
    pub signature: &'a crate::signature::Signature,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub group_id: i64,
    pub kind: String,
    pub new_group: bool,
    /// This report reopened a group marked resolved.
    pub regression: bool,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub location: Option<String>,
    pub count: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub resolved: bool,
    pub regressed: bool,
    pub versions: Vec<String>,
    pub services: Vec<String>,
}

pub struct Store {
    backend: Backend,
}

enum Backend {
    Sqlite(Mutex<Connection>),
    Postgres(Pool),
}

/// PostgreSQL connections shared by the handlers' blocking threads: a few,
/// so that one report's commit (an fsync on the server) does not hold up
/// the others.
struct Pool {
    url: String,
    clients: Vec<Mutex<postgres::Client>>,
    next: std::sync::atomic::AtomicUsize,
}

/// Connections per `serve` process.
const POOL_SIZE: usize = 4;

impl Pool {
    /// A free connection, else the next one in turn once it is free.
    fn get(&self) -> std::sync::MutexGuard<'_, postgres::Client> {
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.clients.len();
        for k in 0..n {
            if let Ok(c) = self.clients[(start + k) % n].try_lock() {
                return c;
            }
        }
        lock(&self.clients[start % n])
    }

    fn connect(&self) -> Result<postgres::Client> {
        postgres::Client::connect(&self.url, postgres::NoTls)
            .with_context(|| format!("connecting to {}", redact(&self.url)))
    }

    /// Runs `f` on a connection. A connection the server closed (a restart,
    /// a failover) is opened again, and `f` run once more on it: what `f`
    /// did in a transaction that did not commit is gone. (A connection lost
    /// during the commit itself cannot tell whether it committed; run again,
    /// the report may then be stored twice, never lost.)
    fn run<T>(
        &self,
        mut f: impl FnMut(&mut postgres::Client) -> Result<T, postgres::Error>,
    ) -> Result<T> {
        let mut client = self.get();
        if client.is_closed() {
            *client = self.connect()?;
        }
        match f(&mut client) {
            Err(e) if e.is_closed() || client.is_closed() => {
                tracing::warn!(error = %e, "the PostgreSQL connection was closed: connecting again");
                *client = self.connect()?;
                Ok(f(&mut client)?)
            }
            done => Ok(done?),
        }
    }
}

/// A fixed-width UTC time, so that text order is time order.
fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
        .to_string()
}

/// The PostgreSQL schema, migration by migration.
const PG_MIGRATIONS: &[&str] = &["CREATE TABLE groups (
        id BIGSERIAL PRIMARY KEY,
        signature TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        location TEXT,
        count BIGINT NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved BOOLEAN NOT NULL DEFAULT FALSE,
        regressed BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE reports (
        id BIGSERIAL PRIMARY KEY,
        group_id BIGINT NOT NULL REFERENCES groups(id),
        received_at TEXT NOT NULL,
        service TEXT,
        version TEXT,
        host TEXT,
        kind TEXT NOT NULL,
        raw_gz BYTEA NOT NULL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX reports_by_group ON reports(group_id, id);"];

/// Lock id that serialises migrations between `serve` processes.
const MIGRATION_LOCK: i64 = 0x676f_6469_6167;

/// The raw report gzipped; one that already is (a packed bundle of
/// hundreds of MB) is stored as it came, not copied.
fn gzip(raw: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(raw)?;
    Ok(std::borrow::Cow::Owned(gz.finish()?))
}

impl Store {
    /// Opens (or creates) the database at `path` and brings its schema up
    /// to date.
    pub fn open_sqlite(path: &Path) -> Result<Store> {
        let mut conn =
            Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn)?;
        Ok(Store {
            backend: Backend::Sqlite(Mutex::new(conn)),
        })
    }

    /// Connects to PostgreSQL (`postgres://…`) and brings the schema up to
    /// date, one process at a time.
    pub fn open_postgres(url: &str) -> Result<Store> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)
            .with_context(|| format!("connecting to {}", redact(url)))?;
        client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let migrated = migrate_postgres(&mut client);
        client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
        migrated?;
        let mut clients = vec![Mutex::new(client)];
        for _ in 1..POOL_SIZE {
            clients.push(Mutex::new(
                postgres::Client::connect(url, postgres::NoTls)
                    .with_context(|| format!("connecting to {}", redact(url)))?,
            ));
        }
        Ok(Store {
            backend: Backend::Postgres(Pool {
                url: url.to_string(),
                clients,
                next: Default::default(),
            }),
        })
    }

    /// Stores a report in its group (created on first sight; a resolved
    /// group that comes back is flagged regressed). Committed when it returns.
    pub fn insert(&self, r: NewReport<'_>) -> Result<Stored> {
        let at = now();
        let raw_gz = gzip(r.raw)?;
        let sig = r.signature;
        let (id, group_id, new_group, regression) = match &self.backend {
            Backend::Sqlite(c) => {
                let mut conn = lock(c);
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let existing: Option<(i64, bool)> = tx
                    .query_row(
                        "SELECT id, resolved FROM groups WHERE signature = ?1",
                        [&sig.key],
                        |row| Ok((row.get(0)?, row.get::<_, i64>(1)? != 0)),
                    )
                    .optional()?;
                let group_id = match existing {
                    Some((id, _)) => {
                        tx.execute(
                            "UPDATE groups SET count = count + 1, last_seen = ?2,
                                regressed = CASE WHEN resolved = 1 THEN 1 ELSE regressed END, resolved = 0
                             WHERE id = ?1",
                            params![id, at],
                        )?;
                        id
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO groups (signature, kind, title, location, count, first_seen, last_seen)
                             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
                            params![sig.key, sig.kind, sig.title, sig.location, at],
                        )?;
                        tx.last_insert_rowid()
                    }
                };
                tx.execute(
                    "INSERT INTO reports (group_id, received_at, service, version, host, kind, raw_gz, report_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![group_id, at, r.meta.service, r.meta.version, r.meta.host, sig.kind, raw_gz.as_ref(), r.report_json],
                )?;
                let id = tx.last_insert_rowid();
                tx.commit()?;
                (
                    id,
                    group_id,
                    existing.is_none(),
                    existing.is_some_and(|(_, resolved)| resolved),
                )
            }
            Backend::Postgres(c) => c.run(|client| {
                let mut tx = client.transaction()?;
                // Whether it was resolved before this report: the row is
                // locked until the commit, so no replica resolves or reopens
                // it in between.
                let was_resolved: bool = tx
                    .query_opt(
                        "SELECT resolved FROM groups WHERE signature = $1 FOR UPDATE",
                        &[&sig.key],
                    )?
                    .is_some_and(|row| row.get(0));
                // One statement, so that replicas racing on a new signature
                // make one group; `xmax = 0` tells an insert from an update.
                let row = tx.query_one(
                    "INSERT INTO groups (signature, kind, title, location, count, first_seen, last_seen)
                     VALUES ($1, $2, $3, $4, 1, $5, $5)
                     ON CONFLICT (signature) DO UPDATE SET count = groups.count + 1,
                        last_seen = EXCLUDED.last_seen,
                        regressed = groups.regressed OR groups.resolved, resolved = FALSE
                     RETURNING id, (xmax = 0) AS inserted",
                    &[&sig.key, &sig.kind, &sig.title, &sig.location, &at],
                )?;
                let group_id: i64 = row.get(0);
                let inserted: bool = row.get(1);
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO reports (group_id, received_at, service, version, host, kind, raw_gz, report_json)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        &[&group_id, &at, &r.meta.service, &r.meta.version, &r.meta.host, &sig.kind, &raw_gz.as_ref(), &r.report_json],
                    )?
                    .get(0);
                tx.commit()?;
                Ok((id, group_id, inserted, was_resolved && !inserted))
            })?,
        };
        Ok(Stored {
            id,
            group_id,
            kind: sig.kind.clone(),
            new_group,
            regression,
        })
    }

    /// Groups, filtered by service and kind, by last seen (newest first) or
    /// by count.
    pub fn groups(
        &self,
        service: Option<&str>,
        kind: Option<&str>,
        by_count: bool,
    ) -> Result<Vec<Group>> {
        self.select_groups(None, service, kind, by_count)
    }

    /// Groups, all or the one with id `only`, filtered and ordered.
    fn select_groups(
        &self,
        only: Option<i64>,
        service: Option<&str>,
        kind: Option<&str>,
        by_count: bool,
    ) -> Result<Vec<Group>> {
        let order = if by_count {
            "count DESC, last_seen DESC, id DESC"
        } else {
            "last_seen DESC, id DESC"
        };
        let select = "SELECT id, kind, title, location, count, first_seen, last_seen, resolved, regressed FROM groups";
        let distinct = |column: &str, p: &str| {
            format!("SELECT DISTINCT {column} FROM reports WHERE group_id = {p} AND {column} IS NOT NULL ORDER BY {column}")
        };
        match &self.backend {
            Backend::Sqlite(c) => {
                let conn = lock(c);
                let mut st = conn.prepare(&format!(
                    "{select} WHERE (?1 IS NULL OR kind = ?1)
                       AND (?2 IS NULL OR EXISTS (SELECT 1 FROM reports r WHERE r.group_id = groups.id AND r.service = ?2))
                       AND (?3 IS NULL OR id = ?3)
                     ORDER BY {order}"
                ))?;
                let rows = st.query_map(params![kind, service, only], |row| {
                    Ok(Group {
                        id: row.get(0)?,
                        kind: row.get(1)?,
                        title: row.get(2)?,
                        location: row.get(3)?,
                        count: row.get(4)?,
                        first_seen: row.get(5)?,
                        last_seen: row.get(6)?,
                        resolved: row.get::<_, i64>(7)? != 0,
                        regressed: row.get::<_, i64>(8)? != 0,
                        versions: Vec::new(),
                        services: Vec::new(),
                    })
                })?;
                let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
                for g in &mut out {
                    for (column, into) in
                        [("version", &mut g.versions), ("service", &mut g.services)]
                    {
                        let mut st = conn.prepare(&distinct(column, "?1"))?;
                        *into = st
                            .query_map([g.id], |row| row.get::<_, String>(0))?
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                    }
                }
                Ok(out)
            }
            Backend::Postgres(c) => c.run(|client| {
                let rows = client.query(
                    &format!(
                        "{select} WHERE ($1::TEXT IS NULL OR kind = $1)
                           AND ($2::TEXT IS NULL OR EXISTS (SELECT 1 FROM reports r WHERE r.group_id = groups.id AND r.service = $2))
                           AND ($3::BIGINT IS NULL OR id = $3)
                         ORDER BY {order}"
                    ),
                    &[&kind, &service, &only],
                )?;
                let mut out: Vec<Group> = rows
                    .iter()
                    .map(|row| Group {
                        id: row.get(0),
                        kind: row.get(1),
                        title: row.get(2),
                        location: row.get(3),
                        count: row.get(4),
                        first_seen: row.get(5),
                        last_seen: row.get(6),
                        resolved: row.get(7),
                        regressed: row.get(8),
                        versions: Vec::new(),
                        services: Vec::new(),
                    })
                    .collect();
                for g in &mut out {
                    for (column, into) in
                        [("version", &mut g.versions), ("service", &mut g.services)]
                    {
                        *into = client
                            .query(&distinct(column, "$1"), &[&g.id])?
                            .iter()
                            .map(|row| row.get::<_, String>(0))
                            .collect();
                    }
                }
                Ok(out)
            }),
        }
    }

    /// One group and the JSON report of its latest occurrence.
    pub fn group(&self, id: i64) -> Result<Option<(Group, serde_json::Value)>> {
        let Some(g) = self
            .select_groups(Some(id), None, None, false)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let latest: String = match &self.backend {
            Backend::Sqlite(c) => lock(c).query_row(
                "SELECT report_json FROM reports WHERE group_id = ?1 ORDER BY id DESC LIMIT 1",
                [id],
                |row| row.get(0),
            )?,
            Backend::Postgres(c) => c.run(|client| {
                Ok(client
                    .query_one(
                        "SELECT report_json FROM reports WHERE group_id = $1 ORDER BY id DESC LIMIT 1",
                        &[&id],
                    )?
                    .get(0))
            })?,
        };
        Ok(Some((
            g,
            serde_json::from_str(&latest).unwrap_or(serde_json::Value::Null),
        )))
    }

    /// When each occurrence of a group was received, oldest first.
    pub fn occurrences(&self, id: i64) -> Result<Vec<String>> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let conn = lock(c);
                let mut st = conn
                    .prepare("SELECT received_at FROM reports WHERE group_id = ?1 ORDER BY id")?;
                let rows = st.query_map([id], |row| row.get::<_, String>(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }
            Backend::Postgres(c) => c.run(|client| {
                Ok(client
                    .query(
                        "SELECT received_at FROM reports WHERE group_id = $1 ORDER BY id",
                        &[&id],
                    )?
                    .iter()
                    .map(|row| row.get(0))
                    .collect())
            }),
        }
    }

    /// A group's latest occurrence: its report id and raw input (gzipped).
    pub fn latest_raw(&self, id: i64) -> Result<Option<(i64, Vec<u8>)>> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(lock(c)
                .query_row(
                    "SELECT id, raw_gz FROM reports WHERE group_id = ?1 ORDER BY id DESC LIMIT 1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?),
            Backend::Postgres(c) => c.run(|client| {
                Ok(client
                    .query_opt(
                        "SELECT id, raw_gz FROM reports WHERE group_id = $1 ORDER BY id DESC LIMIT 1",
                        &[&id],
                    )?
                    .map(|row| (row.get(0), row.get(1))))
            }),
        }
    }

    /// The number of groups of each kind.
    pub fn groups_by_kind(&self) -> Result<Vec<(String, i64)>> {
        const Q: &str = "SELECT kind, COUNT(*) FROM groups GROUP BY kind ORDER BY kind";
        match &self.backend {
            Backend::Sqlite(c) => {
                let conn = lock(c);
                let mut st = conn.prepare(Q)?;
                let rows = st.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }
            Backend::Postgres(c) => c.run(|client| {
                Ok(client
                    .query(Q, &[])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect())
            }),
        }
    }

    /// Marks a group resolved; `false` when there is no such group.
    pub fn resolve(&self, id: i64) -> Result<bool> {
        Ok(match &self.backend {
            Backend::Sqlite(c) => {
                lock(c).execute(
                    "UPDATE groups SET resolved = 1, regressed = 0 WHERE id = ?1",
                    [id],
                )? == 1
            }
            Backend::Postgres(c) => {
                c.run(|client| {
                    client.execute(
                        "UPDATE groups SET resolved = TRUE, regressed = FALSE WHERE id = $1",
                        &[&id],
                    )
                })? == 1
            }
        })
    }
}

/// The connection, also after a panic elsewhere while it was held: the
/// database rolled back what was not committed.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

fn migrate_postgres(client: &mut postgres::Client) -> Result<()> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    let done: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?
        .get(0);
    for (i, sql) in PG_MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= done {
            continue;
        }
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)
            .with_context(|| format!("migration {version}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[&version, &now()],
        )?;
        tx.commit()?;
        tracing::info!(version, "migration applied");
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        [],
    )?;
    let done: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= done {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("migration {version}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, now()],
        )?;
        tx.commit()?;
        tracing::info!(version, "migration applied");
    }
    Ok(())
}
