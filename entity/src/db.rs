//! The database handle both processes share: one pool for reads, and a write path that is safe
//! under concurrency on both backends.
//!
//! PostgreSQL serves reads and writes from one pool and relies on row locks and constraints.
//! SQLite allows a single writer: write transactions go through a dedicated one-connection pool and
//! start with `BEGIN IMMEDIATE`, so concurrent writers queue fairly in the pool instead of failing
//! with `SQLITE_BUSY` when a deferred transaction tries to upgrade. Readers use WAL snapshots and
//! never wait for the writer.

use std::{path::Path, time::Duration};

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Most connections in the read pool (PostgreSQL: the only pool).
    pub max_connections: u32,
    /// How long a request may wait for a pooled connection.
    pub acquire_timeout: Duration,
    /// SQLite only: how long a statement waits for another process's lock.
    pub busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            busy_timeout: Duration::from_secs(10),
        }
    }
}

/// A connected database: a read pool and a write path.
#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
}

impl Db {
    /// Opens `url` (`sqlite://path?mode=rwc` or `postgres://…`). For a SQLite file the parent
    /// directory is created when missing.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, DbErr> {
        if let Some(path) = sqlite_file_path(url) {
            if let Some(parent) = Path::new(&path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let mut read =
                Database::connect(sqlite_options(url, options, options.max_connections)).await?;
            let mut write = Database::connect(sqlite_options(url, options, 1)).await?;
            read.set_metric_callback(|_| crate::trace::count_statement());
            write.set_metric_callback(|_| crate::trace::count_statement());
            Ok(Self { read, write })
        } else {
            let mut opts = ConnectOptions::new(url);
            opts.max_connections(options.max_connections)
                .min_connections(1)
                .acquire_timeout(options.acquire_timeout)
                .sqlx_logging(false);
            let mut read = Database::connect(opts).await?;
            read.set_metric_callback(|_| crate::trace::count_statement());
            Ok(Self {
                write: read.clone(),
                read,
            })
        }
    }

    /// The connection for reads and single-statement writes that need no transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.read
    }

    /// The connection that serialises writers on SQLite (the read pool on PostgreSQL).
    pub fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        let sqlite_transaction_mode =
            (self.backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate);
        self.write
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode,
                ..TransactionOptions::default()
            })
            .await
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.read.get_database_backend()
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.read.ping().await
    }

    /// Closes both pools.
    pub async fn close(self) -> Result<(), DbErr> {
        let same = self.backend() != DbBackend::Sqlite;
        self.read.close().await?;
        if !same {
            self.write.close().await?;
        }
        Ok(())
    }
}

/// The file behind a `sqlite:` URL, or `None` for other schemes and in-memory databases.
fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

fn sqlite_options(url: &str, options: &DbOptions, max_connections: u32) -> ConnectOptions {
    let busy_timeout = options.busy_timeout;
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(options.acquire_timeout.max(Duration::from_secs(30)))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
        });
    opts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(
            sqlite_file_path("sqlite://./data/anju.db?mode=rwc").as_deref(),
            Some("./data/anju.db")
        );
        assert_eq!(
            sqlite_file_path("sqlite:/tmp/x.db").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/test"), None);
    }
}
