"""The tables, as peewee models made for one database: `tables(db)` returns a set bound to `db`. Rows stay inside
adapters/storage/.

No model is bound to a module-level database: each `adapters.storage.database.Database` makes its own set, so two
databases in one process never see each other's rows and nothing global needs resetting in a new process.

Conventions, so that SQLite and PostgreSQL behave the same:
- times are whole microseconds since the Unix epoch in a BIGINT (`UtcTimestampField`): exact, ordered, and free of
  each backend's time-zone rules; they come back as UTC-aware datetimes;
- money and prices are BIGINT credits;
- columns that take part in a uniqueness rule never hold NULL (NULLs never collide in a unique index, so two
  identical rows with a NULL would both be kept): "" and 0 stand for "none" there;
- structured values (a recipe's inputs, an opportunity's dependency tree) are JSON text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import peewee

from domain.timestamps import ensure_aware

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """`value` (timezone-aware) as whole microseconds since the epoch."""
    return (ensure_aware(value, "stored time") - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """The UTC datetime of `value` microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


class UtcTimestampField(peewee.BigIntegerField):
    """A timezone-aware datetime stored as microseconds since the epoch (also in query parameters)."""

    def db_value(self, value: datetime | int | None) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return to_micros(value)

    def python_value(self, value: int | None) -> datetime | None:
        return None if value is None else from_micros(int(value))


@dataclass(frozen=True)
class Tables:
    """The bot's tables, bound to one database (see `tables`)."""

    MarketRow: type[peewee.Model]
    MarketGoodRow: type[peewee.Model]
    SupplyChainRecipeRow: type[peewee.Model]
    LedgerRow: type[peewee.Model]
    LedgerIntentRow: type[peewee.Model]
    ShipAssignmentRow: type[peewee.Model]
    RunRow: type[peewee.Model]
    RunOpportunityRow: type[peewee.Model]
    WorkerResultRow: type[peewee.Model]
    DumpedMarketRow: type[peewee.Model]
    UsualBidRow: type[peewee.Model]
    RunRouteRow: type[peewee.Model]

    @property
    def all(self) -> list[type[peewee.Model]]:
        """Every table, in creation order (for schema creation: a database made by an older version gains the tables
        it lacks when it is next opened)."""
        return [self.MarketRow, self.MarketGoodRow, self.SupplyChainRecipeRow, self.LedgerRow, self.LedgerIntentRow,
                self.ShipAssignmentRow, self.RunRow, self.RunOpportunityRow, self.WorkerResultRow, self.DumpedMarketRow,
                self.UsualBidRow, self.RunRouteRow]


def tables(db: peewee.Database) -> Tables:
    """A fresh set of the bot's row models, bound to `db`."""

    class Row(peewee.Model):
        """Base of every table: bound to `db`, snake_case table names."""

        class Meta:
            database = db
            legacy_table_names = False


    # --- markets ------------------------------------------------------------------------------------


    class MarketRow(Row):
        """The latest observation of one market."""

        waypoint = peewee.TextField(primary_key=True)
        system = peewee.TextField(index=True)
        observed_at = UtcTimestampField()
        x = peewee.IntegerField(null=True)
        y = peewee.IntegerField(null=True)

        class Meta:
            table_name = "market"


    class MarketGoodRow(Row):
        """A good a market imports, exports or exchanges; prices are NULL when it was seen without a ship there.

        `ask` is what we pay to buy there, `bid` what the market pays us (domain/market.py).
        """

        market = peewee.ForeignKeyField(MarketRow, column_name="waypoint", on_delete="CASCADE", backref="goods")
        good = peewee.TextField()
        type = peewee.TextField()
        trade_volume = peewee.IntegerField(null=True)
        supply = peewee.TextField(null=True)
        activity = peewee.TextField(null=True)
        ask = peewee.BigIntegerField(null=True)
        bid = peewee.BigIntegerField(null=True)

        class Meta:
            table_name = "market_good"
            indexes = ((("market", "good"), True),)


    # --- supply chain -------------------------------------------------------------------------------


    class SupplyChainRecipeRow(Row):
        """One entry of the export-to-import map: `inputs` is a JSON list of trade symbols, in the map's order."""

        good = peewee.TextField(primary_key=True)
        inputs = peewee.TextField()
        saved_at = UtcTimestampField()

        class Meta:
            table_name = "supply_chain_recipe"


    # --- ledger -------------------------------------------------------------------------------------


    class LedgerRow(Row):
        """One credit movement. The unique index is what keeps a transaction recorded twice as one row."""

        id = peewee.BigAutoField()
        type = peewee.TextField()
        category = peewee.TextField()
        amount = peewee.BigIntegerField()
        occurred_at = UtcTimestampField(index=True)
        operation_id = peewee.TextField(null=True, index=True)
        good = peewee.TextField(default="")  # "" = no good (part of the unique key: never NULL)
        units = peewee.IntegerField(default=0)  # 0 = no units (idem)
        ship = peewee.TextField(default="")  # "" = no ship (idem)
        waypoint = peewee.TextField(null=True)

        class Meta:
            table_name = "ledger_transaction"
            indexes = ((("ship", "occurred_at", "category", "type", "good", "units", "amount"), True),)


    class LedgerIntentRow(Row):
        """A call that may move money, written before it is sent; `closed_at` NULL = its outcome is not known yet."""

        intent_id = peewee.TextField(primary_key=True)
        account = peewee.TextField(index=True)
        category = peewee.TextField()
        expected = peewee.TextField()
        credits_before = peewee.BigIntegerField()
        opened_at = UtcTimestampField()
        operation_id = peewee.TextField(null=True)
        ship = peewee.TextField(null=True)
        good = peewee.TextField(null=True)
        units = peewee.IntegerField(null=True)
        waypoint = peewee.TextField(null=True)
        closed_at = UtcTimestampField(null=True, index=True)
        outcome = peewee.TextField(default="")

        class Meta:
            table_name = "ledger_intent"


    # --- ship assignments ---------------------------------------------------------------------------


    class ShipAssignmentRow(Row):
        """A ship held by an operation; no row = the ship is idle. The primary key makes holding exclusive."""

        ship = peewee.TextField(primary_key=True)
        operation_id = peewee.TextField()
        holder = peewee.TextField(index=True)
        lease_until = UtcTimestampField(index=True)
        activity = peewee.TextField(default="")
        activity_until = UtcTimestampField(null=True)

        class Meta:
            table_name = "ship_assignment"


    # --- coordinator runs ---------------------------------------------------------------------------


    class RunRow(Row):
        """One coordinator run."""

        run_id = peewee.TextField(primary_key=True)
        player = peewee.TextField(index=True)
        system = peewee.TextField()
        state = peewee.TextField()
        started_at = UtcTimestampField()
        pid = peewee.IntegerField(null=True)
        finished_at = UtcTimestampField(null=True)
        strategies = peewee.TextField(default="")

        class Meta:
            table_name = "coordinator_run"


    class RunOpportunityRow(Row):
        """A ranked opportunity of a run (`rank` 0 is the best); the dependency tree is JSON (see run_repository)."""

        run = peewee.ForeignKeyField(RunRow, column_name="run_id", on_delete="CASCADE", backref="opportunities")
        rank = peewee.IntegerField()
        good = peewee.TextField()
        sell_market = peewee.TextField()
        bid = peewee.BigIntegerField()
        discovered_at = UtcTimestampField()
        sell_x = peewee.IntegerField(null=True)
        sell_y = peewee.IntegerField(null=True)
        trade_volume = peewee.IntegerField(null=True)
        dependency_tree = peewee.TextField()

        class Meta:
            table_name = "run_opportunity"
            indexes = ((("run", "rank"), True),)


    class RunRouteRow(Row):
        """A ranked trade route of a run (`rank` 0 is the best), as the finder and the trade ranking left it: the
        whole domain.trade_route.TradeRoute, its lists (`alternatives`, `feeds`) as JSON text."""

        run = peewee.ForeignKeyField(RunRow, column_name="run_id", on_delete="CASCADE", backref="routes")
        rank = peewee.IntegerField()
        good = peewee.TextField()
        buy_market = peewee.TextField()
        sell_market = peewee.TextField()
        ask = peewee.BigIntegerField()
        bid = peewee.BigIntegerField()
        trade_volume = peewee.IntegerField()
        buy_supply = peewee.TextField()
        sell_supply = peewee.TextField(null=True)
        observed_at = UtcTimestampField()
        discovered_at = UtcTimestampField()
        distance = peewee.DoubleField(null=True)
        alternatives = peewee.TextField()
        feeds = peewee.TextField()
        recorded_profit_per_hour = peewee.DoubleField(null=True)
        recorded_share = peewee.DoubleField(null=True)
        price_half_life = peewee.DoubleField()

        class Meta:
            table_name = "run_route"
            indexes = ((("run", "rank"), True),)


    class WorkerResultRow(Row):
        """How a worker's operation ended; one row per operation id."""

        id = peewee.BigAutoField()
        operation_id = peewee.TextField(unique=True)
        run_id = peewee.TextField(index=True)
        ship = peewee.TextField()
        good = peewee.TextField()
        started_at = UtcTimestampField()
        finished_at = UtcTimestampField(index=True)
        quantity_sold = peewee.IntegerField()
        revenue = peewee.BigIntegerField()
        cost = peewee.BigIntegerField()
        success = peewee.BooleanField()
        cancelled = peewee.BooleanField()
        error = peewee.TextField(null=True)

        class Meta:
            table_name = "worker_result"


    # --- markets the bot dumped goods into ---------------------------------------------------------


    class DumpedMarketRow(Row):
        """Our own sales crushed the bid of `good` at `market`: avoided until `until` (or seen recovered)."""

        market = peewee.TextField()
        good = peewee.TextField()
        at = UtcTimestampField()
        until = UtcTimestampField(index=True)
        bid_before = peewee.BigIntegerField()
        bid_after = peewee.BigIntegerField()

        class Meta:
            table_name = "dumped_market"
            primary_key = peewee.CompositeKey("market", "good")

    # --- what imports usually pay (domain.usual_bid) ---------------------------------------------

    class UsualBidRow(Row):
        """`market` usually pays `bid` for `good`; from observations between `since` and `seen_at`."""

        market = peewee.TextField()
        system = peewee.TextField(index=True)
        good = peewee.TextField()
        bid = peewee.DoubleField()
        seen_at = UtcTimestampField()
        since = UtcTimestampField()

        class Meta:
            table_name = "usual_bid"
            primary_key = peewee.CompositeKey("market", "good")

    return Tables(MarketRow, MarketGoodRow, SupplyChainRecipeRow, LedgerRow, LedgerIntentRow, ShipAssignmentRow, RunRow,
                  RunOpportunityRow, WorkerResultRow, DumpedMarketRow, UsualBidRow, RunRouteRow)
