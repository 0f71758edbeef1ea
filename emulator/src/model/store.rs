//! The data directory: the state that survives a restart, in an SQLite database
//! (`<dir>/emulator.sqlite3`), committed before the answer that acknowledges it goes out.
//!
//! What is kept: every pool (its own fields in one row), app client, user, device, refresh and
//! access token (with its revocation), outbox message, and the token sequence that GlobalSignOut
//! compares against. One row per record, as JSON: a sign-up writes one user and one message, not
//! the whole state. What is not kept: sign-in sessions (they live three minutes), OAuth codes,
//! the clock's offset, and the Rust callbacks of custom auth.
//!
//! How it is written: handlers change the state through [`crate::model::table::Table`] and
//! [`crate::model::table::Log`], which mark what they touch; when the state lock is released
//! (`auth::shared::Guard`'s drop) [`Store::commit`] writes the marked records in one transaction.
//! The answer is built after that, so an acknowledged write is on disk. The database is in WAL
//! mode with `synchronous = NORMAL`: a commit returns once its frames are written to the WAL
//! file, i.e. handed to the kernel, which keeps them whatever happens to the process (SIGKILL, a
//! panic, an abort); only an OS crash or a power cut before the next checkpoint can lose the last
//! commits, which does not matter for a local test service and saves an fsync per request. The
//! file is opened in exclusive locking mode, so a second emulator on the same directory is
//! refused rather than silently diverging.
//!
//! The schema is versioned (`PRAGMA user_version`, with an `application_id` naming the file as
//! this emulator's): an older file is migrated forward, a newer one is refused with a clear
//! error. A new field of a record needs no migration: records are JSON and every stored type is
//! `#[serde(default)]`, so a field missing from an older file takes its default.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::state::{AccessToken, Inner, Message, Pool, RefreshToken};
use crate::model::table::{Index, Log, Table};

/// The database's file name in the data directory.
pub(crate) const FILE: &str = "emulator.sqlite3";
/// `PRAGMA application_id`: "COGE".
const APPLICATION_ID: i32 = 0x434f_4745;
/// The schema version this emulator writes.
pub(crate) const VERSION: i32 = 1;
/// `MIGRATIONS[v]` takes a file of version `v` to `v + 1`. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: one row per record (kind, scope, key -> JSON), and the counters.
    "CREATE TABLE records (
         kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
         PRIMARY KEY (kind, scope, key)
     ) WITHOUT ROWID;
     CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;",
];

/// A stored table: rows of one kind, written when marked.
trait Rows {
    /// The marked rows as (key, JSON or `None` for removed).
    fn changed(&self) -> Result<Vec<(String, Option<String>)>, serde_json::Error>;
    /// Forgets the marks.
    fn clean(&mut self);
    /// Puts back a stored row.
    fn restore(&mut self, key: String, json: &str) -> Result<(), serde_json::Error>;
}

impl<V: Serialize + DeserializeOwned, X: Index<V>> Rows for Table<V, X> {
    fn changed(&self) -> Result<Vec<(String, Option<String>)>, serde_json::Error> {
        self.changes()
            .map(|(k, v, _)| Ok((k.to_owned(), v.map(serde_json::to_string).transpose()?)))
            .collect()
    }

    fn clean(&mut self) {
        Table::clean(self);
    }

    fn restore(&mut self, key: String, json: &str) -> Result<(), serde_json::Error> {
        Table::restore(self, key, serde_json::from_str(json)?);
        Ok(())
    }
}

/// A pool's tables stored one row per record, by kind (their scope is the pool id). A new
/// `Table` field of `Pool` goes here.
fn pool_tables(pool: &mut Pool) -> [(&'static str, &mut dyn Rows); 3] {
    [
        ("client", &mut pool.clients),
        ("user", &mut pool.users),
        ("device", &mut pool.devices),
    ]
}

/// The state's tables stored one row per record, by kind (scope `""`). A new `Table` field of
/// `Inner` goes here.
fn global_tables<'a>(
    refresh_tokens: &'a mut Table<RefreshToken>,
    access_tokens: &'a mut Table<AccessToken>,
) -> [(&'static str, &'a mut dyn Rows); 2] {
    [
        ("refresh_token", refresh_tokens),
        ("access_token", access_tokens),
    ]
}

/// What a data directory held.
#[derive(Default)]
pub(crate) struct Loaded {
    pub pools: Table<Pool>,
    pub refresh_tokens: Table<RefreshToken>,
    pub access_tokens: Table<AccessToken>,
    pub outbox: Log<Message>,
    pub seq: u64,
    /// Earlier starts on this directory (0: a new one).
    pub boots: u64,
    /// Whether any record was there.
    pub restored: bool,
}

/// One write of a commit.
enum Write {
    Put(&'static str, String, String, String),
    Delete(&'static str, String, String),
    /// A pool removed or replaced: its records go too.
    DropPool(String),
    /// Every record of a kind (the outbox emptied by a reset).
    DropKind(&'static str),
}

/// The open database of a data directory.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    /// The token sequence as committed.
    seq: u64,
    /// Each pool's row as committed: every change of a user passes through its pool, whose own
    /// row seldom changes, so it is written only when it did.
    pool_rows: BTreeMap<String, String>,
}

fn other(message: String) -> io::Error {
    io::Error::other(message)
}

/// An SQLite error as a start-up error that says what to do.
fn open_error(dir: &Path, path: &Path, e: &rusqlite::Error) -> io::Error {
    let (kind, why) = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => (
            io::ErrorKind::InvalidData,
            format!(
                "{} is not an SQLite database, so not a data file of cognito-emulator: move it away or use another data directory",
                path.display()
            ),
        ),
        Some(ErrorCode::DatabaseCorrupt) => (
            io::ErrorKind::InvalidData,
            format!(
                "{} is corrupt ({e}): move it away or use another data directory",
                path.display()
            ),
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            io::ErrorKind::WouldBlock,
            format!(
                "another cognito-emulator is using the data directory {}",
                dir.display()
            ),
        ),
        Some(
            ErrorCode::ReadOnly
            | ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::SystemIoFailure,
        ) => (
            io::ErrorKind::PermissionDenied,
            format!(
                "cannot write {} or its write-ahead log beside it in {}: {e}",
                path.display(),
                dir.display()
            ),
        ),
        _ => (io::ErrorKind::Other, format!("{}: {e}", path.display())),
    };
    io::Error::new(kind, why)
}

/// Creates the data directory (owner-only) unless it is there.
fn make_dir(dir: &Path) -> io::Result<()> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("the data directory {} is not a directory", dir.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot create the data directory {}: {e}", dir.display()),
                )
            })
        }
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot read the data directory {}: {e}", dir.display()),
        )),
    }
}

/// Creates the database file owner-only (it holds verifiers, codes and tokens) unless it is
/// there; SQLite gives its WAL file the same mode.
fn make_file(dir: &Path, path: &Path) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match fs::metadata(path) {
            // SQLite would open a file it cannot write read-only, and fail at the first write.
            Ok(m) if m.is_file() => fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(drop)
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
                }),
            _ => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is not a file", path.display()),
            )),
        },
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot write in the data directory {}: {e}", dir.display()),
        )),
    }
}

fn count(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// The state and the data directory it is kept in (`None`: in memory only), as the server's
/// lock holds them.
pub(crate) struct Stored {
    /// The state.
    pub inner: Inner,
    /// Where it is kept.
    pub store: Option<Store>,
}

impl std::ops::Deref for Stored {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl std::ops::DerefMut for Stored {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.inner
    }
}

impl Store {
    /// Opens (or creates) the database of `dir`, migrates it to [`VERSION`], takes its lock and
    /// reads it back.
    pub(crate) fn open(dir: &Path) -> io::Result<(Self, Loaded)> {
        make_dir(dir)?;
        let path = dir.join(FILE);
        make_file(dir, &path)?;
        let sql = |e: rusqlite::Error| open_error(dir, &path, &e);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        conn.busy_timeout(Duration::ZERO).map_err(sql)?;
        // Set before the first access: the file stays locked while this emulator runs, and WAL
        // needs no shared-memory file.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(sql)?;
        let application: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(sql)?;
        let version: i32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let tables = count(&conn, "SELECT count(*) FROM sqlite_schema").map_err(sql)?;
        let fresh = application == 0 && version == 0 && tables == 0;
        if !fresh && application != APPLICATION_ID {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is an SQLite database of something else, not a data file of cognito-emulator: move it away or use another data directory",
                    path.display()
                ),
            ));
        }
        if version > VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} was written by a newer cognito-emulator (data version {version}; this one reads versions up to {VERSION}): run that version, or use another data directory",
                    path.display()
                ),
            ));
        }
        if version < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} has an invalid data version {version}", path.display()),
            ));
        }
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(other(format!(
                "{}: cannot use a write-ahead log (journal mode {mode})",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        if !fresh {
            let check: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(sql)?;
            if check != "ok" {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{} is corrupt ({check}): move it away or use another data directory",
                        path.display()
                    ),
                ));
            }
        }
        let mut conn = conn;
        let tx = conn.transaction().map_err(sql)?;
        // `version` is 0..=VERSION here.
        for migration in MIGRATIONS
            .iter()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(migration).map_err(sql)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql)?;
        tx.pragma_update(None, "user_version", VERSION)
            .map_err(sql)?;
        let counter = |name: &str| -> rusqlite::Result<u64> {
            let value: Option<i64> = tx
                .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            Ok(value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
        };
        let boots = counter("boots").map_err(sql)?;
        let seq = counter("seq").map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO counters (name, value) VALUES ('boots', ?1)",
            [i64::try_from(boots.saturating_add(1)).unwrap_or(i64::MAX)],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        let mut store = Self {
            conn,
            path,
            seq,
            pool_rows: BTreeMap::new(),
        };
        let mut loaded = store.load().map_err(|why| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {why}", store.path.display()),
            )
        })?;
        // A user signed out at a point of the token sequence not reached yet would have every
        // token issued to them revoked at birth: the record is corrupt.
        for (id, pool) in loaded.pools.iter() {
            if pool.users.values().any(|u| u.signed_out_seq > seq) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: a user record of {id} is signed out ahead of the token sequence (corrupt)",
                        store.path.display()
                    ),
                ));
            }
        }
        loaded.boots = boots;
        loaded.seq = seq;
        store.seq = seq;
        Ok((store, loaded))
    }

    /// Reads every record back.
    fn load(&mut self) -> Result<Loaded, String> {
        let mut loaded = Loaded::default();
        let rows: Vec<(String, String, String, String)> = {
            let mut statement = self
                .conn
                .prepare("SELECT kind, scope, key, value FROM records ORDER BY kind = 'pool' DESC, kind, scope, key")
                .map_err(|e| e.to_string())?;
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .and_then(Iterator::collect)
                .map_err(|e| e.to_string())?
        };
        loaded.restored = !rows.is_empty();
        let mut messages = BTreeMap::new();
        // Never the value in an error: records hold secrets. The key only where it is no secret.
        let bad = |kind: &str, scope: &str, e: &serde_json::Error| {
            format!(
                "a {kind} record{} is unreadable ({:?} at line {}, column {})",
                if scope.is_empty() {
                    String::new()
                } else {
                    format!(" of {scope}")
                },
                e.classify(),
                e.line(),
                e.column()
            )
        };
        for (kind, scope, key, value) in rows {
            match kind.as_str() {
                "pool" => {
                    let pool: Pool =
                        serde_json::from_str(&value).map_err(|e| bad(&kind, &scope, &e))?;
                    self.pool_rows.insert(key.clone(), value);
                    loaded.pools.restore(key, pool);
                }
                "message" => {
                    let message: Message =
                        serde_json::from_str(&value).map_err(|e| bad(&kind, &scope, &e))?;
                    messages.insert(key, message);
                }
                _ if scope.is_empty() => {
                    let mut tables =
                        global_tables(&mut loaded.refresh_tokens, &mut loaded.access_tokens);
                    if let Some((_, table)) = tables.iter_mut().find(|(k, _)| *k == kind) {
                        table
                            .restore(key, &value)
                            .map_err(|e| bad(&kind, &scope, &e))?;
                    }
                    // A kind this version does not know (written by a newer emulator of the
                    // same data version) is left alone.
                }
                _ => {
                    let Some(pool) = loaded.pools.get_mut(&scope) else {
                        return Err(format!(
                            "a {kind} record of {scope}, a pool that is not there"
                        ));
                    };
                    let mut tables = pool_tables(pool);
                    if let Some((_, table)) = tables.iter_mut().find(|(k, _)| *k == kind) {
                        table
                            .restore(key, &value)
                            .map_err(|e| bad(&kind, &scope, &e))?;
                    }
                }
            }
        }
        // A record under another key than its own id (an edited key) is corrupt too: the state
        // would then find it by one name and not by the other.
        for (id, pool) in loaded.pools.iter() {
            let misfiled = if pool.id != *id {
                Some("pool")
            } else if pool.users.iter().any(|(k, u)| *k != u.username) {
                Some("user")
            } else if pool.clients.iter().any(|(k, c)| *k != c.info.id) {
                Some("client")
            } else if pool.devices.iter().any(|(k, d)| *k != d.key) {
                Some("device")
            } else {
                None
            };
            if let Some(kind) = misfiled {
                return Err(format!(
                    "a {kind} record of {id} is stored under another key than its own"
                ));
            }
        }
        loaded.pools.clean();
        loaded.outbox = Log::loaded(messages.into_values().collect());
        Ok(loaded)
    }

    /// Writes what changed since the last commit, in one transaction; the marks are cleared
    /// only once it is committed, so a failed commit is tried again by the next one. Without a
    /// store the marks are simply cleared.
    ///
    /// Every field of [`Inner`] is named here: a new one must be placed, kept or not.
    pub(crate) fn commit(stored: &mut Stored) -> Result<(), String> {
        let Stored { inner, store } = stored;
        let Inner {
            pools,
            refresh_tokens,
            access_tokens,
            outbox,
            seq,
            // Not kept: sessions live three minutes, grants (OAuth codes) five; the rest is
            // configuration or bookkeeping of this run.
            grants: _,
            sessions: _,
            rng: _,
            clock: _,
            region: _,
            account_id: _,
            since_prune: _,
            log_codes: _,
            // The hosted UI's browser sessions and MFA steps are of this run, as sessions are.
            login: _,
            // The code-send throttle counts within the hour: of this run too.
            code_sends: _,
            // The account's provisioned API rates: of this run too.
            provisioned_limits: _,
        } = inner;
        let Some(store) = store else {
            clean(pools, refresh_tokens, access_tokens, outbox);
            return Ok(());
        };
        if !pools.is_dirty()
            && !refresh_tokens.is_dirty()
            && !access_tokens.is_dirty()
            && !outbox.is_dirty()
            && *seq == store.seq
        {
            return Ok(());
        }
        let json = |e: serde_json::Error| format!("cannot encode a record: {e}");
        let mut writes = Vec::new();
        let mut pool_rows = Vec::new();
        for (id, pool, replaced) in pools.changes() {
            if replaced {
                writes.push(Write::DropPool(id.to_owned()));
            }
            let row = pool.map(serde_json::to_string).transpose().map_err(json)?;
            if let Some(row) = &row
                && (replaced || store.pool_rows.get(id) != Some(row))
            {
                writes.push(Write::Put(
                    "pool",
                    String::new(),
                    id.to_owned(),
                    row.clone(),
                ));
            }
            pool_rows.push((id.to_owned(), row));
        }
        for (id, pool) in pools.changed_mut() {
            for (kind, table) in pool_tables(pool) {
                for (key, value) in table.changed().map_err(json)? {
                    writes.push(match value {
                        Some(v) => Write::Put(kind, id.clone(), key, v),
                        None => Write::Delete(kind, id.clone(), key),
                    });
                }
            }
        }
        for (kind, table) in global_tables(refresh_tokens, access_tokens) {
            for (key, value) in table.changed().map_err(json)? {
                writes.push(match value {
                    Some(v) => Write::Put(kind, String::new(), key, v),
                    None => Write::Delete(kind, String::new(), key),
                });
            }
        }
        if outbox.was_cleared() {
            writes.push(Write::DropKind("message"));
        }
        for (i, message) in outbox.uncommitted() {
            writes.push(Write::Put(
                "message",
                String::new(),
                format!("{i:012}"),
                serde_json::to_string(message).map_err(json)?,
            ));
        }
        if !writes.is_empty() || *seq != store.seq {
            store
                .write(&writes, *seq)
                .map_err(|e| format!("cannot write {}: {e}", store.path.display()))?;
        }
        store.seq = *seq;
        for (id, row) in pool_rows {
            match row {
                Some(row) => store.pool_rows.insert(id, row),
                None => store.pool_rows.remove(&id),
            };
        }
        clean(pools, refresh_tokens, access_tokens, outbox);
        Ok(())
    }

    fn write(&mut self, writes: &[Write], seq: u64) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO records (kind, scope, key, value) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut delete = tx.prepare_cached(
                "DELETE FROM records WHERE kind = ?1 AND scope = ?2 AND key = ?3",
            )?;
            let mut drop_pool = tx.prepare_cached(
                "DELETE FROM records WHERE (kind = 'pool' AND scope = '' AND key = ?1) OR scope = ?1",
            )?;
            for write in writes {
                match write {
                    Write::Put(kind, scope, key, value) => {
                        put.execute(params![kind, scope, key, value])?;
                    }
                    Write::Delete(kind, scope, key) => {
                        delete.execute(params![kind, scope, key])?;
                    }
                    Write::DropPool(id) => {
                        drop_pool.execute([id])?;
                    }
                    Write::DropKind(kind) => {
                        tx.execute("DELETE FROM records WHERE kind = ?1", [kind])?;
                    }
                }
            }
            if seq != self.seq {
                tx.execute(
                    "INSERT OR REPLACE INTO counters (name, value) VALUES ('seq', ?1)",
                    [i64::try_from(seq).unwrap_or(i64::MAX)],
                )?;
            }
        }
        tx.commit()
    }
}

/// Forgets every mark: the changes are committed.
fn clean(
    pools: &mut Table<Pool>,
    refresh_tokens: &mut Table<RefreshToken>,
    access_tokens: &mut Table<AccessToken>,
    outbox: &mut Log<Message>,
) {
    for (_, pool) in pools.changed_mut() {
        for (_, table) in pool_tables(pool) {
            table.clean();
        }
    }
    pools.clean();
    for (_, table) in global_tables(refresh_tokens, access_tokens) {
        table.clean();
    }
    outbox.clean();
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use num_bigint::BigUint;
    use rand_core::SeedableRng as _;
    use serde_json::Value;

    use super::*;
    use crate::model::settings::{
        ClientSettings, GroupConfig, PoolSettings, TimeUnit, TokenValidity,
    };
    use crate::model::state::{
        Client, ClientInfo, Clock, Code, Credential, Device, DeviceTracking, Group, Mfa,
        PasswordPolicy, PoolConfig, Status, User,
    };

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("emulator-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn code(value: &str) -> Code {
        Code {
            value: value.into(),
            failures: 2,
        }
    }

    // Every record is written as a struct literal without `..Default::default()`: a field added
    // to a stored type does not compile here until it is given a value, and `differs` checks
    // that the value is not the default, which is what a field lost on the way would come back as.

    fn user() -> User {
        User {
            username: "alice".into(),
            sub: "sub-1".into(),
            credential: Credential {
                identity: "alice".into(),
                salt: [7; 16],
                verifier: BigUint::from(123_456_789_u64) << 100_u32,
                check: [9; 32],
            },
            status: Status::ForceChangePassword,
            attributes: map(&[("email", "a@example.com")]),
            totp_secret: Some("TOTPSECRET".into()),
            totp_pending: Some("PENDING".into()),
            totp_name: Some("phone".into()),
            sms_mfa: true,
            email_mfa: true,
            preferred_mfa: Some("SMS_MFA".into()),
            signup_code: Some(code("111111")),
            reset_code: Some(code("222222")),
            attribute_codes: [("email".to_owned(), code("333333"))].into(),
            signed_out_seq: 4,
            failed_passwords: 3,
            locked_until: 1_800_000_000,
            disabled: true,
            groups: ["admins".to_owned()].into(),
            linked: crate::model::provider_links::LinkedIdentities(vec![
                crate::model::provider_links::LinkedIdentity {
                    provider_name: "Google".into(),
                    provider_type: "Google".into(),
                    attribute_name: "Cognito_Subject".into(),
                    user_id: "1234".into(),
                    created: 1_700_000_005,
                },
            ]),
            password_disabled: true,
            created: 1_700_000_001,
            modified: 1_700_000_002,
            temporary_since: 1_700_000_003,
        }
    }

    fn client() -> Client {
        Client {
            info: ClientInfo {
                id: "client-1".into(),
                secret: Some("s3cret".into()),
            },
            callback_urls: vec!["http://localhost/cb".into()],
            prevent_user_existence_errors: true,
            settings: ClientSettings {
                name: "web".into(),
                explicit_auth_flows: Some(vec!["ALLOW_USER_SRP_AUTH".into()]),
                logout_urls: vec!["http://localhost/".into()],
                default_redirect_uri: Some("http://localhost/cb".into()),
                allowed_oauth_flows: vec!["code".into()],
                allowed_oauth_scopes: vec!["openid".into()],
                allowed_oauth_flows_user_pool_client: true,
                supported_identity_providers: vec!["COGNITO".into()],
                read_attributes: vec!["email".into()],
                write_attributes: vec!["name".into()],
                token_validity: TokenValidity {
                    access: Duration::from_secs(1800),
                    id: Duration::from_secs(900),
                    refresh: Duration::from_secs(86_400),
                },
                token_validity_units: [TimeUnit::Minutes, TimeUnit::Seconds, TimeUnit::Hours],
                enable_token_revocation: false,
                auth_session_validity: 5,
            },
            created: 1_700_000_003,
            modified: 1_700_000_004,
            refresh_rotation: Some(crate::model::state::RefreshRotation {
                retry_grace_seconds: 30,
            }),
            secrets: crate::model::client_secrets::ClientSecrets(vec![
                crate::model::client_secrets::ClientSecret {
                    id: "client-1--1700000003000".into(),
                    value: "s3cret".into(),
                    created: 1_700_000_003,
                },
            ]),
        }
    }

    fn device() -> Device {
        Device {
            key: "us-east-1_device".into(),
            group_key: "group".into(),
            username: "alice".into(),
            name: Some("laptop".into()),
            salt: vec![1, 2, 3],
            verifier: BigUint::from(42_u32),
            remembered: Some(true),
            created: 1_700_000_000,
            last_authenticated: 1_700_000_500,
        }
    }

    fn pool() -> Pool {
        let mut pool = Pool {
            id: "us-east-1_Pool".into(),
            config: PoolConfig {
                // Rust callbacks cannot be stored: the one field left out, on purpose.
                custom_auth: None,
                name: "pool".into(),
                mfa: Mfa::Optional,
                device_tracking: DeviceTracking::UserOptIn,
                password_policy: PasswordPolicy {
                    minimum_length: 12,
                    require_uppercase: false,
                    require_lowercase: false,
                    require_numbers: false,
                    require_symbols: false,
                },
                custom_attributes: vec!["tenant".into()],
                fixed_code: Some("123456".into()),
                settings: PoolSettings {
                    sms_mfa: false,
                    software_token_mfa: false,
                    auto_verified_attributes: vec!["email".into()],
                    username_attributes: vec!["email".into()],
                    alias_attributes: vec!["phone_number".into()],
                    deletion_protection: true,
                    admin_create_user_only: true,
                    temporary_password_validity_days: 3,
                    tags: map(&[("team", "auth")]),
                    custom_attribute_types: map(&[("level", "Number")]),
                    immutable_attributes: vec!["tenant".into()],
                    lambda_config: serde_json::json!({"PreSignUp": "arn:aws:lambda:f"})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    verification_message_template: serde_json::json!({"EmailMessage": "{####}"})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    allowed_first_auth_factors: Some(vec!["PASSWORD".into(), "EMAIL_OTP".into()]),
                    email_mfa: true,
                    developer_only_attributes: vec!["secret".into()],
                    account_recovery: serde_json::json!({"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    attribute_constraints: [("email".to_owned(), map(&[("MinLength", "5")]))]
                        .into_iter()
                        .collect(),
                },
                web_authn: crate::model::passkeys::WebAuthnConfig {
                    relying_party_id: "example.com".into(),
                    require_user_verification: true,
                },
                webhooks: crate::model::settings::Webhooks {
                    define_auth_challenge: Some("http://127.0.0.1:8000/define".into()),
                    create_auth_challenge: Some("http://127.0.0.1:8000/create".into()),
                    verify_auth_challenge_response: Some("http://127.0.0.1:8000/verify".into()),
                    pre_sign_up: Some("http://127.0.0.1:8000/pre-sign-up".into()),
                    post_confirmation: Some("http://127.0.0.1:8000/post".into()),
                    pre_token_generation: Some("http://127.0.0.1:8000/pre-token".into()),
                    pre_authentication: Some("http://127.0.0.1:8000/pre-auth".into()),
                    post_authentication: Some("http://127.0.0.1:8000/post-auth".into()),
                    custom_message: Some("http://127.0.0.1:8000/custom-message".into()),
                    timeout: Some(Duration::from_millis(1500)),
                },
            },
            clients: Table::default(),
            users: Table::default(),
            devices: Table::default(),
            passkeys: crate::model::passkeys::Passkeys::default(),
            phantom_key: [5; 32],
            groups: [(
                "admins".to_owned(),
                Group {
                    config: GroupConfig {
                        name: "admins".into(),
                        description: Some("the admins".into()),
                        precedence: Some(1),
                        role_arn: Some("arn:aws:iam::000000000000:role/admins".into()),
                    },
                    created: 1_700_000_005,
                    modified: 1_700_000_006,
                },
            )]
            .into(),
            resources: crate::model::resources::PoolResources {
                domain: Some(crate::model::resources::Domain {
                    name: "auth-example".into(),
                    certificate_arn: Some(
                        "arn:aws:acm:us-east-1:000000000000:certificate/x".into(),
                    ),
                    managed_login_version: 2,
                }),
                resource_servers: [(
                    "https://api.example.com".to_owned(),
                    crate::model::resources::ResourceServer {
                        name: "api".into(),
                        scopes: vec![crate::model::resources::Scope {
                            name: "read".into(),
                            description: "reads".into(),
                        }],
                    },
                )]
                .into(),
                identity_providers: [(
                    "Okta".to_owned(),
                    crate::model::resources::IdentityProvider {
                        provider_type: "OIDC".into(),
                        details: map(&[("client_id", "abc")]),
                        attribute_mapping: map(&[("email", "email")]),
                        idp_identifiers: vec!["example.com".into()],
                        created: 1_700_000_010,
                        modified: 1_700_000_011,
                    },
                )]
                .into(),
                ui: [(
                    "ALL".to_owned(),
                    crate::model::resources::UiCustomization {
                        css: Some(".banner-customizable {}".into()),
                        image: Some("iVBORw0K".into()),
                        created: 1_700_000_012,
                        modified: 1_700_000_013,
                    },
                )]
                .into(),
                configuration: configuration(),
            },
            imports: crate::model::imports::ImportJobs {
                jobs: [(
                    "import-Job1".to_owned(),
                    crate::model::imports::ImportJob {
                        name: "first".into(),
                        role_arn: "arn:aws:iam::000000000000:role/import".into(),
                        hashing: Some("BCRYPT".into()),
                        status: "Succeeded".into(),
                        upload_token: "token".into(),
                        csv: Some("cognito:username\nerin\n".into()),
                        imported: 1,
                        skipped: 2,
                        failed: 3,
                        refused: true,
                        message: Some("done".into()),
                        failures: vec!["row 2: bad".into()],
                        created: 1_700_000_014,
                        started: Some(1_700_000_015),
                        completed: Some(1_700_000_016),
                    },
                )]
                .into(),
            },
            risk: crate::model::risk::RiskConfigs {
                pool: Some(crate::model::risk::RiskConfig {
                    compromised: Some(serde_json::json!({"Actions": {"EventAction": "BLOCK"}})),
                    takeover: None,
                    blocked: vec!["192.0.2.0/24".into()],
                    skipped: vec!["198.51.100.7/32".into()],
                    exceptions: true,
                    modified: 1_700_000_017,
                }),
                clients: [(
                    "client-1".to_owned(),
                    crate::model::risk::RiskConfig {
                        takeover: Some(serde_json::json!({"Actions": {}})),
                        modified: 1_700_000_018,
                        ..Default::default()
                    },
                )]
                .into(),
            },
            created: 1_700_000_007,
            modified: 1_700_000_008,
        };
        pool.clients.insert("client-1".into(), client());
        pool.users.insert("alice".into(), user());
        pool.devices.insert("us-east-1_device".into(), device());
        pool
    }

    fn configuration() -> crate::model::configuration::PoolConfiguration {
        use crate::model::configuration as c;
        c::PoolConfiguration {
            log_delivery: Some(vec![c::LogConfiguration {
                source: "userAuthEvents".into(),
                level: "INFO".into(),
                log_group_arn: Some("arn:aws:logs:us-east-1:000000000000:log-group:g".into()),
                bucket_arn: Some("arn:aws:s3:::bucket".into()),
                stream_arn: Some("arn:aws:firehose:us-east-1:000000000000:deliverystream/s".into()),
            }]),
            sessions: Some(c::SessionConfiguration {
                tracking: true,
                max_per_user: 7,
            }),
            sso_minutes: [("client-1".to_owned(), 480)].into(),
            replicas: [(
                "eu-west-1".to_owned(),
                c::Replica {
                    status: "INACTIVE".into(),
                    tags: map(&[("team", "auth")]),
                },
            )]
            .into(),
            restorations: [(
                "restore-1".to_owned(),
                c::Restoration {
                    id: "restore-1".into(),
                    status: "PREVIEW_CANCELLED".into(),
                    restore_to: 1_700_000_020,
                    triggered: 1_700_000_021,
                },
            )]
            .into(),
            cimd_policies: [(
                "policy1".to_owned(),
                c::CimdPolicy {
                    client_id: "client-1".into(),
                    name: "partners".into(),
                    cache_duration: Some(86_400),
                    url_patterns: vec!["https://apps.example.com/*".into()],
                    created: 1_700_000_022,
                    modified: 1_700_000_023,
                    cached: [(
                        "https://apps.example.com/c.json".to_owned(),
                        c::CachedDocument {
                            document: "{\"client_id\":\"https://apps.example.com/c.json\"}".into(),
                            cached: 1_700_000_024,
                            expires: 1_700_086_424,
                        },
                    )]
                    .into(),
                },
            )]
            .into(),
            terms: [(
                "terms-1".to_owned(),
                c::Terms {
                    client_id: "client-1".into(),
                    name: "privacy-policy".into(),
                    source: "LINK".into(),
                    enforcement: "NONE".into(),
                    links: map(&[("cognito:default", "https://example.com/p")]),
                    created: 1_700_000_024,
                    modified: 1_700_000_025,
                },
            )]
            .into(),
            brandings: [(
                "branding-1".to_owned(),
                c::Branding {
                    client_id: "client-1".into(),
                    use_cognito_provided_values: true,
                    settings: Some(serde_json::json!({"a": 1})),
                    assets: vec![c::Asset {
                        category: "FORM_LOGO".into(),
                        color_mode: "DARK".into(),
                        extension: "PNG".into(),
                        bytes: Some("iVBORw0K".into()),
                        resource_id: Some("logo".into()),
                    }],
                    created: 1_700_000_026,
                    modified: 1_700_000_027,
                },
            )]
            .into(),
        }
    }

    fn refresh_token() -> RefreshToken {
        RefreshToken {
            pool_id: "us-east-1_Pool".into(),
            client_id: "client-1".into(),
            sub: "sub-1".into(),
            seq: 2,
            revoked: true,
            rotated_at: Some(1_700_000_100),
            origin_jti: "origin-1".into(),
            scope: Some("openid email".into()),
            created: 1_700_000_090,
            last_active: 1_700_000_095,
            sso: Some("sso0123456789abcdef012345678".into()),
        }
    }

    fn access_token() -> AccessToken {
        AccessToken {
            pool_id: "us-east-1_Pool".into(),
            sub: "sub-1".into(),
            seq: 3,
            expires: 1_900_000_000,
            revoked: true,
            refresh: Some("refresh-1".into()),
        }
    }

    fn message() -> Message {
        Message {
            pool_id: "us-east-1_Pool".into(),
            username: "alice".into(),
            medium: "SMS".into(),
            destination: "+15550100".into(),
            purpose: "SignUp".into(),
            code: "111111".into(),
            message: "Your code is 111111".into(),
            subject: "Your code".into(),
        }
    }

    /// Every field of `value` differs from the same field of `default` (nested objects field
    /// by field).
    fn differs(path: &str, value: &Value, default: &Value) {
        match (value, default) {
            (Value::Object(v), Value::Object(d)) => {
                for (key, field) in v {
                    // A key only in the fixture is an entry of a map: it differs.
                    if let Some(default) = d.get(key) {
                        differs(&format!("{path}.{key}"), field, default);
                    }
                }
            }
            _ => assert_ne!(
                value, default,
                "{path} has its default value in the fixture: give it another"
            ),
        }
    }

    fn check_fixture<T: Serialize + Default>(name: &str, value: &T) {
        differs(
            name,
            &serde_json::to_value(value).unwrap(),
            &serde_json::to_value(T::default()).unwrap(),
        );
    }

    fn inner(store: Option<Store>, loaded: Loaded) -> Stored {
        let inner = Inner {
            pools: loaded.pools,
            grants: BTreeMap::new(),
            sessions: BTreeMap::new(),
            refresh_tokens: loaded.refresh_tokens,
            access_tokens: loaded.access_tokens,
            outbox: loaded.outbox,
            rng: rand_chacha::ChaCha20Rng::from_seed([0; 32]),
            clock: Clock::System(Duration::ZERO),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            seq: loaded.seq,
            since_prune: 0,
            log_codes: false,
            login: crate::model::hosted_ui::Logins::default(),
            code_sends: BTreeMap::new(),
            provisioned_limits: BTreeMap::new(),
        };
        Stored { inner, store }
    }

    /// What the data directory keeps of a state, as text (`Debug` shows every field, stored or
    /// skipped).
    fn kept(inner: &Inner) -> String {
        format!(
            "{:?} {:?} {:?} {:?} {}",
            *inner.pools, *inner.refresh_tokens, *inner.access_tokens, *inner.outbox, inner.seq
        )
    }

    /// The two texts are equal; else the place where they part.
    fn same(before: &str, after: &str) {
        let at = before
            .bytes()
            .zip(after.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(before.len().min(after.len()));
        let around = |s: &str| {
            s.get(at.saturating_sub(60)..(at + 60).min(s.len()))
                .unwrap_or("")
                .to_owned()
        };
        assert!(
            before == after,
            "not kept as it was:\n before: ...{}...\n  after: ...{}...",
            around(before),
            around(after)
        );
    }

    #[test]
    fn every_field_of_every_record_survives_a_restart() {
        check_fixture("user", &user());
        check_fixture("client", &client());
        check_fixture("device", &device());
        check_fixture("pool", &pool());
        check_fixture("refresh_token", &refresh_token());
        check_fixture("access_token", &access_token());
        check_fixture("message", &message());

        let dir = temp_dir("round-trip");
        let (store, loaded) = Store::open(&dir).unwrap();
        assert!(!loaded.restored);
        let mut state = inner(Some(store), loaded);
        state.pools.insert("us-east-1_Pool".into(), pool());
        state
            .refresh_tokens
            .insert("refresh-1".into(), refresh_token());
        state.access_tokens.insert("jti-1".into(), access_token());
        state.outbox.push(message());
        state.seq = 4;
        Store::commit(&mut state).unwrap();
        let before = kept(&state);
        drop(state);

        let (store, loaded) = Store::open(&dir).unwrap();
        assert!(loaded.restored);
        assert_eq!(loaded.boots, 1);
        let state = inner(Some(store), loaded);
        same(&before, &kept(&state));
        let stored = &state.pools["us-east-1_Pool"];
        assert_eq!(format!("{:?}", stored), format!("{:?}", pool()));
        drop(state);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn changes_and_removals_are_written_and_nothing_else() {
        let dir = temp_dir("changes");
        let (store, loaded) = Store::open(&dir).unwrap();
        let mut state = inner(Some(store), loaded);
        state.pools.insert("us-east-1_Pool".into(), pool());
        Store::commit(&mut state).unwrap();
        let rows = |state: &Stored| -> i64 {
            count(
                &state.store.as_ref().unwrap().conn,
                "SELECT count(*) FROM records",
            )
            .unwrap()
        };
        assert_eq!(rows(&state), 4, "the pool, its client, user and device");

        let stored = state.pools.get_mut("us-east-1_Pool").unwrap();
        stored.users.get_mut("alice").unwrap().failed_passwords = 0;
        stored.devices.remove("us-east-1_device");
        Store::commit(&mut state).unwrap();
        assert_eq!(rows(&state), 3);

        // A user's change writes the user's row only; the pool's row when the pool changed.
        let written = |state: &Stored| state.store.as_ref().unwrap().conn.total_changes();
        let before = written(&state);
        let stored = state.pools.get_mut("us-east-1_Pool").unwrap();
        stored.users.get_mut("alice").unwrap().failed_passwords = 1;
        Store::commit(&mut state).unwrap();
        assert_eq!(written(&state) - before, 1);
        state.pools.get_mut("us-east-1_Pool").unwrap().config.name = "renamed".into();
        Store::commit(&mut state).unwrap();
        assert_eq!(written(&state) - before, 2);
        let row: String = state
            .store
            .as_ref()
            .unwrap()
            .conn
            .query_row("SELECT value FROM records WHERE kind = 'pool'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(row.contains("renamed"), "{row}");

        // A pool replaced as a whole takes its old records with it.
        let mut fresh = pool();
        fresh.users = Table::default();
        fresh.devices = Table::default();
        state.pools.insert("us-east-1_Pool".into(), fresh);
        Store::commit(&mut state).unwrap();
        assert_eq!(rows(&state), 2, "the pool and its client");
        state.pools.remove("us-east-1_Pool");
        Store::commit(&mut state).unwrap();
        assert_eq!(rows(&state), 0);
        drop(state);

        let (_, loaded) = Store::open(&dir).unwrap();
        assert!(loaded.pools.is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    /// Renames the records table of a running emulator's store, so commits fail or work again.
    fn rename(emulator: &crate::Emulator, from: &str, to: &str) {
        let guard = emulator.shared.lock();
        guard
            .stored()
            .store
            .as_ref()
            .unwrap()
            .conn
            .execute_batch(&format!("ALTER TABLE {from} RENAME TO {to}"))
            .unwrap();
    }

    fn sign_up(endpoint: &str, client: &str, name: &str) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut answer = agent
            .post(endpoint)
            .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
            .send(
                serde_json::json!({"ClientId": client, "Username": name, "Password": "Passw0rd!"})
                    .to_string(),
            )
            .unwrap();
        let status = answer.status().as_u16();
        (
            status,
            serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap(),
        )
    }

    #[test]
    fn a_change_that_is_not_committed_is_not_acknowledged() {
        let dir = temp_dir("unacknowledged");
        let config = crate::EmulatorConfig {
            data: Some(dir.clone()),
            ..crate::EmulatorConfig::default()
        };
        let emulator = crate::Emulator::start(config.clone()).unwrap();
        let pool = emulator.create_user_pool(PoolConfig::default());
        let client = emulator
            .create_client(&pool, crate::ClientConfig::default())
            .unwrap()
            .id;
        rename(&emulator, "records", "hidden");
        let (status, answer) = sign_up(emulator.endpoint(), &client, "ann");
        assert_eq!(
            (status, answer["__type"].as_str()),
            (500, Some("InternalErrorException")),
            "{answer}"
        );
        rename(&emulator, "hidden", "records");
        let (status, answer) = sign_up(emulator.endpoint(), &client, "ben");
        assert_eq!(status, 200, "{answer}");
        drop(emulator);
        // The next commit wrote what the failed one could not.
        let emulator = crate::Emulator::start(config).unwrap();
        let users: Vec<String> = emulator.shared.lock().pools[&pool]
            .users
            .keys()
            .cloned()
            .collect();
        assert_eq!(users, ["ann", "ben"]);
        drop(emulator);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_commit_is_tried_again_by_the_next() {
        let dir = temp_dir("retry");
        let (store, loaded) = Store::open(&dir).unwrap();
        let mut state = inner(Some(store), loaded);
        state.outbox.push(message());
        let conn = &state.store.as_ref().unwrap().conn;
        conn.execute_batch("ALTER TABLE records RENAME TO hidden")
            .unwrap();
        let why = Store::commit(&mut state).unwrap_err();
        assert!(why.contains("emulator.sqlite3"), "{why}");
        assert!(!why.contains("111111"), "the code is in the error: {why}");
        let conn = &state.store.as_ref().unwrap().conn;
        conn.execute_batch("ALTER TABLE hidden RENAME TO records")
            .unwrap();
        Store::commit(&mut state).unwrap();
        drop(state);
        let (_, loaded) = Store::open(&dir).unwrap();
        assert_eq!(*loaded.outbox, [message()]);
        fs::remove_dir_all(dir).unwrap();
    }
}
