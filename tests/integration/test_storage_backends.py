"""The storage adapter's database: both backends, and the fixtures every test_storage_* module imports.

`db` (parametrised) is a `Database` on a fresh SQLite file or to a throw-away PostgreSQL cluster
(started once per session with the machine's initdb/pg_ctl, as the `postgres` user when we run as root) and
drops every table afterwards. The PostgreSQL variants are skipped only when no PostgreSQL binaries exist.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import peewee
import pytest

from adapters.storage import database as storage
from adapters.storage.ledger_repository import SqlLedgerRepository
from adapters.storage.rows import tables
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType

BACKENDS = ("sqlite", "postgresql")
EXPECTED_TABLES = {"market", "market_good", "supply_chain_recipe", "ledger_transaction", "ledger_intent",
                   "ship_assignment", "coordinator_run", "run_opportunity", "worker_result", "dumped_market",
                   "usual_bid", "run_route"}
NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


# --- a throw-away PostgreSQL cluster ------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/*/bin; None when absent."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in Path(path).parent.name.split(".") if part.isdigit())

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(candidate) / "pg_ctl").exists() and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresCluster:
    """A PostgreSQL server in a temporary directory, on 127.0.0.1:`port`, trusting local connections."""

    bin_dir: Path
    root: Path
    port: int
    as_postgres_user: bool

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres_user else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                               f"{log.read_text() if log.exists() else ''}")

    @classmethod
    def start(cls, bin_dir: Path) -> PostgresCluster:
        as_postgres_user = os.geteuid() == 0  # postgres refuses to run as root
        # Not under pytest's tmp dir: that one is private to root and the postgres user could not enter it.
        root = Path(tempfile.mkdtemp(prefix="st-storage-pg-"))
        if as_postgres_user:
            shutil.chown(root, "postgres", "postgres")
        cluster = cls(bin_dir=bin_dir, root=root, port=free_port(), as_postgres_user=as_postgres_user)
        try:
            cluster._run(str(bin_dir / "initdb"), "-D", str(cluster.data_dir), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--no-sync", "--no-instructions")
            options = (f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            cluster._run(str(bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-o", options, "-l",
                         str(root / "server.log"), "-w", "-t", "60", "start")
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cluster

    def create_database(self, name: str) -> str:
        admin = peewee.PostgresqlDatabase("postgres", user="postgres", host="127.0.0.1", port=self.port)
        with admin.connection_context():
            admin.execute_sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# The modules that import the fixtures below each get their own copy of a session fixture: they share this one
# cluster, started on first use and stopped by whichever copy is torn down first (all at the end of the session).
_cluster: PostgresCluster | None = None
_cluster_url = ""


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database in a PostgreSQL cluster started for this session and stopped at its end."""
    global _cluster, _cluster_url
    if _cluster is None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: install PostgreSQL to run these variants")
        _cluster = PostgresCluster.start(bin_dir)
        _cluster_url = _cluster.create_database("spacetraders_test")
    yield _cluster_url
    if _cluster is not None:
        cluster, _cluster = _cluster, None
        cluster.stop()


# --- the database under test --------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each backend; whatever a test created there is dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'storage.sqlite3'}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    leftover = storage.open_database(url)
    with leftover.connection_context():
        leftover.drop_tables(tables(leftover).all, safe=True)  # the next test starts with an empty database again


@pytest.fixture
def db(database_url: str) -> Iterator[storage.Database]:
    """The Database of `database_url` (schema created), closed afterwards."""
    connected = storage.connect(database_url)
    yield connected
    connected.close()


# --- tests of database.py -----------------------------------------------------------------------


def ledger_row(amount: int) -> LedgerTransaction:
    return LedgerTransaction(type=TransactionType.CREDIT, category=TransactionCategory.CARGO_TRADE, amount=amount,
                             occurred_at=NOW)


def test_schema_is_created_on_first_use_of_an_empty_database(database_url: str) -> None:
    empty = storage.open_database(database_url)
    with empty.connection_context():
        assert set(empty.get_tables()) & EXPECTED_TABLES == set()

    db = storage.connect(database_url)
    again = None
    try:
        SqlLedgerRepository(db).record(ledger_row(10))
        assert EXPECTED_TABLES <= set(db.peewee.get_tables())
        assert SqlLedgerRepository(db).net_since(NOW) == 10
        again = storage.connect(database_url)  # a second process (or a restart) finds the schema and keeps the data
        assert SqlLedgerRepository(again).net_since(NOW) == 10
    finally:
        db.close()
        if again is not None:
            again.close()


def test_sqlite_is_set_up_for_several_processes(tmp_path: Path) -> None:
    connected = storage.connect(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'bot.sqlite3'}")
    db = connected.peewee
    try:
        assert (tmp_path / "nested" / "dir" / "bot.sqlite3").exists()
        assert db.journal_mode == "wal"
        assert db.foreign_keys == 1
        assert db.synchronous == 1  # NORMAL
        assert db.pragma("busy_timeout") == storage.SQLITE_BUSY_TIMEOUT_SECONDS * 1000
    finally:
        connected.close()


def test_default_sqlite_url_is_an_absolute_file_in_the_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = storage.default_sqlite_url("data")
    assert url == f"sqlite:///{tmp_path.resolve() / 'data' / storage.DATABASE_FILE}"
    db = storage.connect(url)
    try:
        assert Path(db.peewee.database).is_absolute() and Path(db.peewee.database).exists()
    finally:
        db.close()


def test_other_urls_are_refused_without_echoing_the_password() -> None:
    with pytest.raises(storage.UnsupportedDatabaseUrl) as refused:
        storage.open_database("mysql://user:secret@db.example/bot")
    assert "secret" not in str(refused.value)


def test_two_databases_in_one_process_never_see_each_other_s_rows(db: storage.Database, tmp_path: Path) -> None:
    ledger = SqlLedgerRepository(db)
    ledger.record(ledger_row(5))
    other = storage.connect(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        beside = SqlLedgerRepository(other)
        assert beside.net_since(NOW) == 0  # a new, empty database with the schema in place
        beside.record(ledger_row(7))
        assert beside.net_since(NOW) == 7
        assert ledger.net_since(NOW) == 5
    finally:
        other.close()
    assert db.rows.LedgerRow is not other.rows.LedgerRow  # each Database has its own row models


def test_the_tables_are_the_schema() -> None:
    assert {model._meta.table_name for model in tables(peewee.SqliteDatabase(":memory:")).all} == EXPECTED_TABLES
