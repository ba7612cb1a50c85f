"""The bot's database: one peewee `DatabaseProxy`, opened from a URL (SQLite by default, PostgreSQL on request).

`connect(url)` opens `sqlite:///path` or `postgresql://user:pass@host:port/db` (playhouse.db_url), points the proxy
at it and creates the schema if the database is empty. Every row model in rows.py is bound to the proxy (rows.py
holds it, so that this module imports rows.py and not the other way round), so the
repositories work on whichever database was connected last.

Processes. The coordinator and its worker processes share the database, each through its own connections:

- a process started with `spawn` (or `forkserver`) starts with an unconnected proxy: call `connect(url)` once in it,
  e.g. in the worker pool's initializer, before using a repository;
- a process started with `fork` inherits the parent's proxy; the connection it inherited is set aside (never used,
  never closed, as closing it would end the parent's session) and the child opens its own on first use.

Connections are per thread too (peewee's thread-local state), so threads never share one.

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

from adapters.storage.rows import ALL_ROWS, database

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


class NotConnected(StorageError, RuntimeError):
    """A repository was used before `connect` (in this process) or `using`."""


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


def connect(url: str) -> peewee.Database:
    """Point the proxy at the database of `url` in this process, creating its schema on first use; returns it.

    Call once per process (see the module docstring). Connecting again closes this thread's connection to the
    previous database first.
    """
    db = open_database(url)
    previous = database.obj
    if previous is not None and not previous.is_closed() and not previous.in_transaction():
        previous.close()
    database.initialize(db)
    ensure_schema(db)
    return db


def close() -> None:
    """Close this thread's connection to the connected database, if any (it reopens on next use)."""
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def ensure_schema(db: peewee.Database) -> None:
    """Create the tables and indexes `db` lacks (safe to call from several processes at once)."""
    with db.bind_ctx(ALL_ROWS):
        if isinstance(db, peewee.PostgresqlDatabase):
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog: take turns.
            with db.atomic():
                db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_key("spacetraders-schema"),))
                db.create_tables(ALL_ROWS, safe=True)
        else:
            with db.atomic(lock_type="IMMEDIATE"):
                db.create_tables(ALL_ROWS, safe=True)


@contextmanager
def using(db: peewee.Database) -> Iterator[peewee.Database]:
    """Bind every row model to `db` (instead of the proxy) for the duration, creating its schema if needed.

    For tests and tools that want a database of their own without touching what `connect` set up.
    """
    ensure_schema(db)
    with db.bind_ctx(ALL_ROWS):
        yield db


def database_of(model: type[peewee.Model]) -> peewee.Database:
    """The real database `model` is bound to right now (through the proxy or `using`)."""
    db = model._meta.database
    if isinstance(db, peewee.DatabaseProxy):
        db = db.obj
    if db is None:
        raise NotConnected("storage used before adapters.storage.database.connect(url) in this process")
    return db


@contextmanager
def exclusive_write(model: type[peewee.Model]) -> Iterator[None]:
    """A transaction in which no other process writes `model`'s table: for read-then-write updates.

    SQLite: BEGIN IMMEDIATE takes the database's write lock at once (other writers wait up to the busy timeout).
    PostgreSQL: the table is locked in SHARE ROW EXCLUSIVE mode, which blocks other writers of the table until
    commit but not readers. Must be the first write of its transaction (a later lock could deadlock).
    """
    db = database_of(model)
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


# Connections a forked child inherited: kept referenced so they are never closed (closing a PostgreSQL
# connection sends the server a goodbye on the socket the parent still uses; an SQLite handle belongs to the
# parent's locks). The child opens its own on first use.
_inherited_connections: list[object] = []


def _set_aside_inherited_connection() -> None:
    db = database.obj
    if db is None or db.is_closed():
        return
    _inherited_connections.append(db._state.conn)
    # Not db.dispose(): it takes the database lock, which another thread of the parent may have held at fork.
    db._state.reset()


os.register_at_fork(after_in_child=_set_aside_inherited_connection)
