"""The World's database: peewee over SQLite in `<data_dir>/world.sqlite3` (WAL, synchronous=NORMAL).

Only what changes is stored: agents, ships, contracts, market stocks, shipyard markups, the recent
transactions, construction sites once supplied, and the tokens of earlier eras (after resets). The universe itself (systems, waypoints, which market trades what) is regenerated from the stored
seed. Every World operation writes the rows it changed inside one transaction, committed before the World
answers; with WAL and synchronous=NORMAL a committed transaction survives the process being killed (only a power
cut may lose the last ones).

One connection is shared by all threads; the World serialises its calls with a lock, so the connection is never
used by two threads at once.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import peewee

from adapters.game_server.state import (
    AgentState, ConstructionMaterial, ConstructionState, ContractState, MarketState, ShipState, ShipyardState,
    ShipyardTransactionRecord, TransactionRecord,
)

DB_FILE = "world.sqlite3"
# The version of what a stored world depends on: its tables and the universe its seed generates. The universe is not
# stored, so a world stored by a server whose generator differs has ships and market rows at waypoints that no
# longer exist; such a world opens only as a new era (Store.start_new_era). 2: the starter system follows the real
# role templates (issue 13).
SCHEMA_VERSION = "2"
_KEEP_TRANSACTIONS = 20


def _models(db: peewee.Database) -> SimpleNamespace:
    """The tables, bound to this store's database only (so several stores can live in one process)."""

    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class MetaRow(Base):
        class Meta:
            table_name = "meta"

        key = peewee.TextField(primary_key=True)
        value = peewee.TextField()

    class AgentRow(Base):
        class Meta:
            table_name = "agent"

        symbol = peewee.TextField(primary_key=True)
        token = peewee.TextField(unique=True)
        account_id = peewee.TextField()
        faction = peewee.TextField()
        headquarters = peewee.TextField()
        credits = peewee.BigIntegerField()
        created_at = peewee.DoubleField()
        ship_seq = peewee.IntegerField()

    class ShipRow(Base):
        class Meta:
            table_name = "ship"

        symbol = peewee.TextField(primary_key=True)
        agent = peewee.TextField(index=True)
        seq = peewee.IntegerField()
        ship_type = peewee.TextField()
        system = peewee.TextField()
        waypoint = peewee.TextField()
        status = peewee.TextField()
        flight_mode = peewee.TextField()
        origin = peewee.TextField()
        destination = peewee.TextField()
        departure_time = peewee.DoubleField()
        arrival = peewee.DoubleField()
        fuel = peewee.IntegerField()
        fuel_consumed = peewee.IntegerField()
        fuel_consumed_at = peewee.DoubleField(null=True)
        cargo = peewee.TextField()        # JSON [[good, units], ...] in load order

    class ContractRow(Base):
        class Meta:
            table_name = "contract"

        id = peewee.TextField(primary_key=True)
        agent = peewee.TextField(index=True)
        body = peewee.TextField()         # JSON of ContractState

    class MarketGoodRow(Base):
        waypoint = peewee.TextField()
        symbol = peewee.TextField()
        stock = peewee.DoubleField()
        trade_volume = peewee.IntegerField()
        updated_at = peewee.DoubleField()

        class Meta:
            table_name = "market_good"
            primary_key = peewee.CompositeKey("waypoint", "symbol")

    class MarketGrowthRow(Base):
        """A good's unrounded tradeVolume and its recent-trade pressure (trade_volume.py)."""
        waypoint = peewee.TextField()
        symbol = peewee.TextField()
        volume = peewee.DoubleField()
        pressure = peewee.DoubleField()

        class Meta:
            table_name = "market_growth"
            primary_key = peewee.CompositeKey("waypoint", "symbol")

    class MarketTransactionRow(Base):
        class Meta:
            table_name = "market_transaction"

        waypoint = peewee.TextField(index=True)
        ship = peewee.TextField()
        good = peewee.TextField()
        type = peewee.TextField()
        units = peewee.IntegerField()
        price_per_unit = peewee.IntegerField()
        total_price = peewee.BigIntegerField()
        timestamp = peewee.DoubleField()

    class ShipyardOfferRow(Base):
        waypoint = peewee.TextField()
        ship_type = peewee.TextField()
        factor = peewee.DoubleField()
        updated_at = peewee.DoubleField()

        class Meta:
            table_name = "shipyard_offer"
            primary_key = peewee.CompositeKey("waypoint", "ship_type")

    class ShipyardTransactionRow(Base):
        class Meta:
            table_name = "shipyard_transaction"

        waypoint = peewee.TextField(index=True)
        ship_type = peewee.TextField()
        price = peewee.BigIntegerField()
        agent = peewee.TextField()
        timestamp = peewee.DoubleField()

    return SimpleNamespace(
        Meta=MetaRow, Agent=AgentRow, Ship=ShipRow, Contract=ContractRow, MarketGood=MarketGoodRow,
        MarketTransaction=MarketTransactionRow, ShipyardOffer=ShipyardOfferRow, MarketGrowth=MarketGrowthRow,
        ShipyardTransaction=ShipyardTransactionRow,
        all=[MetaRow, AgentRow, ShipRow, ContractRow, MarketGoodRow, MarketTransactionRow, ShipyardOfferRow,
             ShipyardTransactionRow, MarketGrowthRow])


def _site_and_era_models(db: peewee.Database) -> SimpleNamespace:
    """Construction sites, and the tokens of earlier eras (so that they get 4113, not 4104, after a reset)."""

    class ConstructionRow(peewee.Model):
        class Meta:
            database = db
            table_name = "construction"

        waypoint = peewee.TextField(primary_key=True)
        materials = peewee.TextField()    # JSON [[trade symbol, required, fulfilled], ...] in the site's order

    class RetiredTokenRow(peewee.Model):
        class Meta:
            database = db
            table_name = "retired_token"

        token = peewee.TextField(primary_key=True)
        reset_date = peewee.TextField()   # the reset date of the era that issued it

    return SimpleNamespace(Construction=ConstructionRow, RetiredToken=RetiredTokenRow,
                           all=[ConstructionRow, RetiredTokenRow])


class OutdatedWorld(Exception):
    """The stored world was made by another version of the server; the message says what to do, in one line."""


def outdated_world(data_dir: Path) -> str | None:
    """The version of the world stored in `data_dir` when another version of the server made it; None when it is
    this version's, when there is none, or when it cannot be read (opening it will say why)."""
    path = Path(data_dir) / DB_FILE
    if not path.is_file():
        return None
    try:
        store = Store(path)
    except peewee.DatabaseError:
        return None
    try:
        return store.outdated()
    except peewee.DatabaseError:
        return None
    finally:
        store.close()


class Store:
    """Rows in, state out. `path` None keeps the database in memory (tests)."""

    def __init__(self, path: Path | None) -> None:
        target = ":memory:" if path is None else str(path)
        self.path = path
        self.db = peewee.SqliteDatabase(
            target, thread_safe=False, check_same_thread=False, autoconnect=False,
            pragmas={"journal_mode": "wal", "synchronous": "normal", "busy_timeout": 5000})
        self.db.connect()
        self.m = _models(self.db)
        self._sql: dict[type[peewee.Model], str] = {}
        self._inserts: dict[tuple[type[peewee.Model], str], int] = {}
        self.db.create_tables(self.m.all, safe=True)
        self.sites = _site_and_era_models(self.db)
        self.db.create_tables(self.sites.all, safe=True)

    @classmethod
    def in_dir(cls, data_dir: Path | None) -> Store:
        """The store of a data directory (created if missing); None for an in-memory store."""
        if data_dir is None:
            return cls(None)
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        return cls(data_dir / DB_FILE)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write; committed when the block ends."""
        with self.db.atomic():
            yield

    # --- meta ----------------------------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.m.Meta.get_or_none(self.m.Meta.key == key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.m.Meta.replace(key=key, value=value).execute()

    def outdated(self) -> str | None:
        """The version of the world stored here when another version of the server made it (None when it is this
        version's, or the store holds no world yet). A store of before versions were recorded reads as "1"."""
        if self.meta("seed") is None:
            return None
        version = self.meta("schema") or "1"
        return None if version == SCHEMA_VERSION else version

    def require_current(self) -> None:
        """Raise OutdatedWorld unless the stored world is this version's (or there is none yet)."""
        version = self.outdated()
        if version is not None:
            where = f" in {self.path.parent}" if self.path is not None else ""
            raise OutdatedWorld(f"the game world{where} was made by an older server version (world version "
                                f"{version}, this server's {SCHEMA_VERSION}); `spacetraders server --reset` starts a "
                                f"new era of it (agents register again)")

    def stored_tokens(self) -> list[str]:
        """The tokens of every stored agent (read alone, so that even an outdated store yields them)."""
        return [row.token for row in self.m.Agent.select(self.m.Agent.token)]

    # --- writes ----------------------------------------------------------------------------------------------------

    def save_agent(self, agent: AgentState) -> None:
        self._write(self.m.Agent, [(
            agent.symbol, agent.token, agent.account_id, agent.faction, agent.headquarters, agent.credits,
            agent.created_at, agent.ship_seq)])

    def save_ships(self, *ships: ShipState) -> None:
        self._write(self.m.Ship, [(
            s.symbol, s.agent, s.seq, s.ship_type, s.system, s.waypoint, s.status, s.flight_mode, s.origin,
            s.destination, s.departure_time, s.arrival, s.fuel, s.fuel_consumed, s.fuel_consumed_at,
            json.dumps(list(s.cargo.items()))) for s in ships])

    def save_contract(self, contract: ContractState) -> None:
        body = {name: getattr(contract, name) for name in ContractState.__slots__}
        self._write(self.m.Contract, [(contract.id, contract.agent, json.dumps(body))])

    def save_market(self, market: MarketState) -> None:
        """Write every good of the market (they all moved when the market was advanced)."""
        self._write(self.m.MarketGood, [(market.waypoint, g.symbol, g.stock, g.trade_volume, market.updated_at)
                                        for g in market.goods.values()])
        self._write(self.m.MarketGrowth, [(market.waypoint, g.symbol, g.volume, g.pressure)
                                          for g in market.goods.values()])

    def add_market_transaction(self, record: TransactionRecord) -> None:
        self._append(self.m.MarketTransaction, (
            record.waypoint, record.ship, record.good, record.type, record.units, record.price_per_unit,
            record.total_price, record.timestamp))
        self._trim(self.m.MarketTransaction, record.waypoint)

    def save_shipyard(self, shipyard: ShipyardState) -> None:
        self._write(self.m.ShipyardOffer, [(shipyard.waypoint, o.ship_type, o.factor, shipyard.updated_at)
                                           for o in shipyard.offers.values()])

    def add_shipyard_transaction(self, record: ShipyardTransactionRecord) -> None:
        self._append(self.m.ShipyardTransaction, (
            record.waypoint, record.ship_type, record.price, record.agent, record.timestamp))
        self._trim(self.m.ShipyardTransaction, record.waypoint)

    def save_construction(self, site: ConstructionState) -> None:
        self._write(self.sites.Construction, [(site.waypoint, json.dumps(
            [[m.trade_symbol, m.required, m.fulfilled] for m in site.materials]))])

    def start_new_era(self, tokens: dict[str, str]) -> None:
        """A reset: every agent, ship, contract, market, shipyard and construction row goes; `tokens` (token ->
        reset date of the era that issued it) are remembered as retired. The meta rows (seed, birth) stay, and the
        world is this version's from now on (nothing left depends on an older universe)."""
        for model in (*self.m.all, *self.sites.all):
            if model is not self.m.Meta and model is not self.sites.RetiredToken:
                model.delete().execute()
        self._inserts.clear()
        self.set_meta("schema", SCHEMA_VERSION)
        rows = list(tokens.items())
        for start in range(0, len(rows), 400):   # SQLite caps the parameters of one statement
            self.sites.RetiredToken.insert_many(rows[start:start + 400]).on_conflict_replace().execute()

    def _trim(self, model: type[peewee.Model], waypoint: str) -> None:
        """Every 20th insert at a waypoint, drop its rows beyond the newest 20, so history tables stay small."""
        key = (model, waypoint)
        count = self._inserts.get(key, 0) + 1
        self._inserts[key] = count
        if count % _KEEP_TRANSACTIONS:
            return
        table = model._meta.table_name
        self.db.cursor().execute(
            f'DELETE FROM "{table}" WHERE waypoint = ? AND id <= (SELECT id FROM "{table}" WHERE waypoint = ? '
            f'ORDER BY id DESC LIMIT 1 OFFSET {_KEEP_TRANSACTIONS})', (waypoint, waypoint))

    # Hot-path writes skip peewee's per-call query building (about 0.1 ms a statement): the SQL text is derived
    # once per table from the model, in the model's field order, and the rows are handed to sqlite3 directly.

    def _write(self, model: type[peewee.Model], rows: list[tuple]) -> None:
        sql = self._sql.get(model)
        if sql is None:
            fields = model._meta.sorted_fields
            sql = (f'INSERT OR REPLACE INTO "{model._meta.table_name}" ('
                   + ", ".join(f'"{f.column_name}"' for f in fields)
                   + ") VALUES (" + ", ".join("?" for _ in fields) + ")")
            self._sql[model] = sql
        self.db.cursor().executemany(sql, rows)

    def _append(self, model: type[peewee.Model], row: tuple) -> None:
        """Insert one row into a table whose first field is an auto-increment id."""
        sql = self._sql.get(model)
        if sql is None:
            fields = model._meta.sorted_fields[1:]
            sql = (f'INSERT INTO "{model._meta.table_name}" ('
                   + ", ".join(f'"{f.column_name}"' for f in fields)
                   + ") VALUES (" + ", ".join("?" for _ in fields) + ")")
            self._sql[model] = sql
        self.db.cursor().execute(sql, row)

    # --- reads (at open) ---------------------------------------------------------------------------------------------

    def load_agents(self) -> list[AgentState]:
        return [AgentState(symbol=r.symbol, token=r.token, account_id=r.account_id, faction=r.faction,
                           headquarters=r.headquarters, credits=r.credits, created_at=r.created_at,
                           ship_seq=r.ship_seq)
                for r in self.m.Agent.select().order_by(self.m.Agent.created_at, self.m.Agent.symbol)]

    def load_ships(self) -> list[ShipState]:
        """Every ship, per agent in acquisition order."""
        out = []
        for r in self.m.Ship.select().order_by(self.m.Ship.agent, self.m.Ship.seq):
            ship = ShipState(
                symbol=r.symbol, agent=r.agent, ship_type=r.ship_type, system=r.system, waypoint=r.waypoint,
                status=r.status, flight_mode=r.flight_mode, origin=r.origin, destination=r.destination,
                departure_time=r.departure_time, arrival=r.arrival, fuel=r.fuel, fuel_consumed=r.fuel_consumed,
                fuel_consumed_at=r.fuel_consumed_at, cargo={good: units for good, units in json.loads(r.cargo)},
                seq=r.seq)
            out.append(ship)
        return out

    def load_contracts(self) -> list[ContractState]:
        return [ContractState(**json.loads(r.body)) for r in self.m.Contract.select().order_by(self.m.Contract.id)]

    def load_constructions(self) -> dict[str, ConstructionState]:
        return {r.waypoint: ConstructionState(r.waypoint, [ConstructionMaterial(symbol, required, fulfilled)
                                                          for symbol, required, fulfilled in json.loads(r.materials)])
                for r in self.sites.Construction.select()}

    def load_retired_tokens(self) -> dict[str, str]:
        """token -> the reset date of the era that issued it."""
        return {r.token: r.reset_date for r in self.sites.RetiredToken.select()}

    def load_market_goods(self) -> dict[str, tuple[float, dict[str, tuple[float, int]]]]:
        """waypoint -> (updated_at, {good: (stock, trade_volume)})."""
        out: dict[str, tuple[float, dict[str, tuple[float, int]]]] = {}
        for r in self.m.MarketGood.select():
            updated, goods = out.setdefault(r.waypoint, (r.updated_at, {}))
            goods[r.symbol] = (r.stock, r.trade_volume)
            if r.updated_at != updated:   # rows of one market are always written together
                out[r.waypoint] = (min(updated, r.updated_at), goods)
        return out

    def load_market_growth(self) -> dict[str, dict[str, tuple[float, float]]]:
        """waypoint -> {good: (unrounded tradeVolume, recent-trade pressure)}."""
        out: dict[str, dict[str, tuple[float, float]]] = {}
        for r in self.m.MarketGrowth.select():
            out.setdefault(r.waypoint, {})[r.symbol] = (r.volume, r.pressure)
        return out

    def load_market_transactions(self) -> dict[str, list[TransactionRecord]]:
        """The last 20 transactions per market, oldest first; older rows are deleted."""
        table = self.m.MarketTransaction
        by_market: dict[str, list[TransactionRecord]] = {}
        stale: list[int] = []
        for r in table.select().order_by(table.id.desc()):
            kept = by_market.setdefault(r.waypoint, [])
            if len(kept) >= _KEEP_TRANSACTIONS:
                stale.append(r.id)
                continue
            kept.append(TransactionRecord(r.waypoint, r.ship, r.good, r.type, r.units, r.price_per_unit,
                                          r.total_price, r.timestamp))
        self._delete(table, stale)
        return {wp: list(reversed(records)) for wp, records in by_market.items()}

    def load_shipyard_offers(self) -> dict[str, tuple[float, dict[str, float]]]:
        """waypoint -> (updated_at, {ship type: price factor})."""
        out: dict[str, tuple[float, dict[str, float]]] = {}
        for r in self.m.ShipyardOffer.select():
            _, factors = out.setdefault(r.waypoint, (r.updated_at, {}))
            factors[r.ship_type] = r.factor
        return out

    def load_shipyard_transactions(self) -> dict[str, list[ShipyardTransactionRecord]]:
        table = self.m.ShipyardTransaction
        by_yard: dict[str, list[ShipyardTransactionRecord]] = {}
        stale: list[int] = []
        for r in table.select().order_by(table.id.desc()):
            kept = by_yard.setdefault(r.waypoint, [])
            if len(kept) >= _KEEP_TRANSACTIONS:
                stale.append(r.id)
                continue
            kept.append(ShipyardTransactionRecord(r.waypoint, r.ship_type, r.price, r.agent, r.timestamp))
        self._delete(table, stale)
        return {wp: list(reversed(records)) for wp, records in by_yard.items()}

    def _delete(self, table: type[peewee.Model], ids: list[int]) -> None:
        with self.db.atomic():
            for start in range(0, len(ids), 500):
                table.delete().where(table.id.in_(ids[start:start + 500])).execute()
