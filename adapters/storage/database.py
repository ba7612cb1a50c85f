"""The bot's database: a `Database` opened from a URL (SQLite by default, PostgreSQL on request), which the
composition root builds and hands to every repository.

`connect(url)` opens `sqlite:///path` or `postgresql://user:pass@host:port/db` (playhouse.db_url), creates the
schema if the database is empty and returns a `Database`: the peewee database and the bot's tables bound to it
(rows.tables). Nothing is global: two Databases in one process are independent, and a process owns the
Databases it opened.

Processes. The coordinator and its worker processes share the database, each through its own connections: worker
processes are started with `spawn` (adapters/workers/process_pool.py), so a worker inherits no database object and
no connection; it opens its own Database from the URL. Connections are per thread too (peewee's thread-local
state), so threads never share one.

SQLite is tuned for several processes: WAL (readers never block the writer), a 30 s busy timeout (a writer waits
for another instead of failing), synchronous=NORMAL (a commit survives a crash of the process; only a power cut
may lose the last ones) and foreign keys on. Transactions that read before they write use `exclusive_write`, which
takes the write lock up front (BEGIN IMMEDIATE) so two processes can never interleave them.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse import db_url

from adapters.storage.rows import Tables, tables

DATABASE_FILE = "spacetraders.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Order matters: the busy timeout is set first so that switching to WAL waits for another process's lock.
SQLITE_PRAGMAS = (
    ("busy_timeout", SQLITE_BUSY_TIMEOUT_SECONDS * 1000),
    ("journal_mode", "wal"),
    ("synchronous", "normal"),
    ("foreign_keys", 1),
)
_SQLITE_SCHEMES = frozenset({"sqlite"})
_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})

class StorageError(Exception):
    """Base of the errors the storage adapter raises itself (database errors are peewee's)."""


class UnsupportedDatabaseUrl(StorageError, ValueError):
    """A database URL that is neither sqlite:///... nor postgresql://..."""


class DatabaseUnreachable(StorageError):
    """The database of a URL cannot be opened (server down, wrong credentials, unreadable file)."""


def check_reachable(url: str) -> None:
    """Open one connection to `url` and close it; DatabaseUnreachable, on one line and without the password,
    when that fails. For commands that must fail before they start anything."""
    db = open_database(url)
    try:
        db.connect()
    except peewee.PeeweeException as exc:
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise DatabaseUnreachable(f"cannot open the database {_without_password(url)}: {reason}") from exc
    finally:
        if not db.is_closed():
            db.close()


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


def default_sqlite_url(data_dir: str | os.PathLike[str]) -> str:
    """The URL of the SQLite file in `data_dir` (made absolute, so the URL means the same from any directory)."""
    return f"sqlite:///{Path(data_dir).expanduser().resolve() / DATABASE_FILE}"


def open_database(url: str) -> peewee.Database:
    """A peewee database for `url`, not yet connected and without schema (see `connect`).

    SQLite gets the pragmas above and its file's directory is created; PostgreSQL takes the URL as it is
    (user, password, host, port, database, and query options such as `sslmode=require`).
    """
    scheme = urlparse(url).scheme
    if scheme in _SQLITE_SCHEMES:
        path = db_url.parse(url)["database"]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return db_url.connect(url, pragmas=list(SQLITE_PRAGMAS), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if scheme in _POSTGRES_SCHEMES:
        return db_url.connect(url, unquote_password=True, unquote_user=True)
    shown = url.split("@")[-1] if "@" in url else url  # never echo a password
    raise UnsupportedDatabaseUrl(f"database URL {shown!r}: expected sqlite:///path or postgresql://host/db")


class Database:
    """One database of the bot, as the repositories use it: the peewee database (`peewee`) and the bot's tables
    bound to it (`rows`). Build with `connect(url)`; close with `close()` (this thread's connection)."""

    def __init__(self, db: peewee.Database) -> None:
        self.peewee = db
        self.rows: Tables = tables(db)

    def ensure_schema(self) -> None:
        """Create the tables and indexes the database lacks (safe to call from several processes at once)."""
        if isinstance(self.peewee, peewee.PostgresqlDatabase):
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog: take turns.
            with self.peewee.atomic():
                self.peewee.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_key("spacetraders-schema"),))
                self.peewee.create_tables(self.rows.all, safe=True)
        else:
            with self.peewee.atomic(lock_type="IMMEDIATE"):
                self.peewee.create_tables(self.rows.all, safe=True)

    def close(self) -> None:
        """Close this thread's connection, if open (it reopens on next use)."""
        if not self.peewee.is_closed():
            self.peewee.close()


def connect(url: str) -> Database:
    """The Database of `url`, its schema created on first use."""
    database = Database(open_database(url))
    database.ensure_schema()
    return database


@contextmanager
def exclusive_write(model: type[peewee.Model]) -> Iterator[None]:
    """A transaction in which no other process writes `model`'s table: for read-then-write updates.

    SQLite: BEGIN IMMEDIATE takes the database's write lock at once (other writers wait up to the busy timeout).
    PostgreSQL: the table is locked in SHARE ROW EXCLUSIVE mode, which blocks other writers of the table until
    commit but not readers. Must be the first write of its transaction (a later lock could deadlock).
    """
    db = model._meta.database
    if isinstance(db, peewee.PostgresqlDatabase):
        with db.atomic():
            table = model._meta.table_name.replace('"', '""')
            db.execute_sql(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            yield
    else:
        with db.atomic(lock_type="IMMEDIATE"):
            yield


def _lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key for `name`, the same in every process (hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)

