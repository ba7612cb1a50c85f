"""RunRepository on the database: coordinator runs, their ranked opportunities and trade routes, and their workers'
results."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import peewee

from adapters.storage.database import Database, exclusive_write
from application.repositories import RunInfo
from application.worker_jobs import WorkerResult
from domain.geometry import Position
from domain.goods import SupplyLevel, TradeSymbol
from domain.opportunity import ManufacturingOpportunity
from domain.supply_chain import AcquisitionMethod, SupplyChainNode
from domain.symbols import ShipSymbol, SystemSymbol, WaypointSymbol
from domain.trade_route import TradeRoute

FINAL_STATES = frozenset({"STOPPED", "CRASHED"})
"""States that end a run: `set_state` to one of them also sets the run's finished_at."""
# Old SQLite builds take at most 999 parameters per statement: 11 columns (18 for a route) x 50 rows stays below.
_ROWS_PER_INSERT = 50


class SqlRunRepository:
    """Implements application.repositories.RunRepository."""

    def __init__(self, database: Database) -> None:
        tables = database.rows  # this database's own row models
        self._runs = tables.RunRow
        self._opportunities = tables.RunOpportunityRow
        self._routes = tables.RunRouteRow
        self._results = tables.WorkerResultRow

    def start_run(self, run: RunInfo) -> None:
        """Store `run`; starting a run id again replaces what was stored under it."""
        runs = self._runs
        fields = [runs.player, runs.system, runs.state, runs.started_at, runs.pid, runs.finished_at, runs.strategies]
        (runs.insert(run_id=run.run_id, player=run.player, system=run.system, state=run.state,
                     started_at=run.started_at, pid=run.pid, finished_at=run.finished_at, strategies=run.strategies)
         .on_conflict(conflict_target=[runs.run_id], preserve=fields)
         .execute())

    def set_state(self, run_id: str, state: str, at: datetime) -> None:
        """Change the run's state (no-op for an unknown run): finished_at becomes `at` for a final state, else
        empty again."""
        finished_at = at if state in FINAL_STATES else None
        self._runs.update(state=state, finished_at=finished_at).where(self._runs.run_id == run_id).execute()

    def latest_run(self, player: str) -> RunInfo | None:
        row = (self._runs.select().where(self._runs.player == player)
               .order_by(self._runs.started_at.desc(), self._runs.run_id.desc()).first())
        return None if row is None else _run(row)

    def save_opportunities(self, run_id: str, opportunities: Sequence[ManufacturingOpportunity]) -> None:
        """Replace the run's opportunities, best first. The run must have been started (foreign key)."""
        self._replace_ranked(self._opportunities, run_id, [_opportunity_row(run_id, rank, opportunity)
                                                           for rank, opportunity in enumerate(opportunities)])

    def opportunities(self, run_id: str) -> Sequence[ManufacturingOpportunity]:
        query = self._opportunities.select().where(self._opportunities.run == run_id).order_by(self._opportunities.rank)
        return [_opportunity(row) for row in query]

    def save_routes(self, run_id: str, routes: Sequence[TradeRoute]) -> None:
        """Replace the run's ranked trade routes, best first. The run must have been started (foreign key)."""
        self._replace_ranked(self._routes, run_id,
                             [_route_row(run_id, rank, route) for rank, route in enumerate(routes)])

    @staticmethod
    def _replace_ranked(table: Any, run_id: str, rows: list[dict]) -> None:
        """One run's ranked list in `table` replaced by `rows`, in one write (readers never see half a list)."""
        with exclusive_write(table):
            table.delete().where(table.run == run_id).execute()
            for batch in peewee.chunked(rows, _ROWS_PER_INSERT):
                table.insert_many(batch).execute()

    def routes(self, run_id: str) -> Sequence[TradeRoute]:
        query = self._routes.select().where(self._routes.run == run_id).order_by(self._routes.rank)
        return [_route(row) for row in query]

    def record_result(self, run_id: str, result: WorkerResult) -> None:
        """Store `result`; a second result for the same operation id is ignored (the first is kept)."""
        (self._results.insert(
            operation_id=result.operation_id, run_id=run_id, ship=result.ship, good=result.good.value,
            started_at=result.started_at, finished_at=result.finished_at, quantity_sold=result.quantity_sold,
            revenue=result.revenue, cost=result.cost, success=result.success, cancelled=result.cancelled,
            error=result.error)
         .on_conflict_ignore()
         .execute())

    def run_state(self, run_id: str) -> str | None:
        row = self._runs.select(self._runs.state).where(self._runs.run_id == run_id).first()
        return None if row is None else row.state

    def results(self, run_id: str | None = None, limit: int = 50) -> Sequence[WorkerResult]:
        query = self._results.select()
        if run_id is not None:
            query = query.where(self._results.run_id == run_id)
        query = query.order_by(self._results.finished_at.desc(), self._results.id.desc()).limit(limit)
        return [_result(row) for row in query]


def _run(row: peewee.Model) -> RunInfo:
    return RunInfo(run_id=row.run_id, player=row.player, system=SystemSymbol(row.system), state=row.state,
                   started_at=row.started_at, pid=row.pid, finished_at=row.finished_at, strategies=row.strategies)


def _result(row: peewee.Model) -> WorkerResult:
    return WorkerResult(
        operation_id=row.operation_id, ship=ShipSymbol(row.ship), good=TradeSymbol.parse(row.good),
        started_at=row.started_at, finished_at=row.finished_at, quantity_sold=row.quantity_sold,
        revenue=int(row.revenue), cost=int(row.cost), success=bool(row.success), cancelled=bool(row.cancelled),
        error=row.error)


def _opportunity_row(run_id: str, rank: int, opportunity: ManufacturingOpportunity) -> dict:
    position = opportunity.sell_position
    return {
        "run": run_id, "rank": rank, "good": opportunity.good.value, "sell_market": opportunity.sell_market,
        "bid": opportunity.bid, "discovered_at": opportunity.discovered_at,
        "sell_x": None if position is None else position.x, "sell_y": None if position is None else position.y,
        "trade_volume": opportunity.trade_volume,
        "dependency_tree": json.dumps(node_to_json(opportunity.dependency_tree), separators=(",", ":")),
    }


def _opportunity(row: peewee.Model) -> ManufacturingOpportunity:
    return ManufacturingOpportunity(
        good=TradeSymbol.parse(row.good), sell_market=WaypointSymbol(row.sell_market), bid=int(row.bid),
        dependency_tree=node_from_json(json.loads(row.dependency_tree)), discovered_at=row.discovered_at,
        sell_position=None if row.sell_x is None else Position(row.sell_x, row.sell_y),
        trade_volume=row.trade_volume)


def _route_row(run_id: str, rank: int, route: TradeRoute) -> dict:
    return {
        "run": run_id, "rank": rank, "good": route.good.value, "buy_market": route.buy_market,
        "sell_market": route.sell_market, "ask": route.ask, "bid": route.bid, "trade_volume": route.trade_volume,
        "buy_supply": route.buy_supply.value,
        "sell_supply": None if route.sell_supply is None else route.sell_supply.value,
        "observed_at": route.observed_at, "discovered_at": route.discovered_at, "distance": route.distance,
        "alternatives": json.dumps([str(market) for market in route.alternatives]),
        "feeds": json.dumps([good.value for good in route.feeds]),
        "recorded_profit_per_hour": route.recorded_profit_per_hour, "recorded_share": route.recorded_share,
        "price_half_life": route.price_half_life,
    }


def _route(row: peewee.Model) -> TradeRoute:
    return TradeRoute(
        good=TradeSymbol.parse(row.good), buy_market=WaypointSymbol(row.buy_market),
        sell_market=WaypointSymbol(row.sell_market), ask=int(row.ask), bid=int(row.bid),
        trade_volume=row.trade_volume, buy_supply=SupplyLevel(row.buy_supply),
        sell_supply=None if row.sell_supply is None else SupplyLevel(row.sell_supply), observed_at=row.observed_at,
        discovered_at=row.discovered_at, distance=row.distance, alternatives=tuple(json.loads(row.alternatives)),
        feeds=tuple(json.loads(row.feeds)), recorded_profit_per_hour=row.recorded_profit_per_hour,
        recorded_share=row.recorded_share, price_half_life=row.price_half_life)


def node_to_json(node: SupplyChainNode) -> dict:
    """A dependency tree as JSON-ready dicts: {good, method, market, ask, position: [x, y] | null, children}."""
    return {
        "good": node.good.value,
        "method": node.method.value,
        "market": str(node.market),
        "ask": node.ask,
        "position": None if node.position is None else [node.position.x, node.position.y],
        "children": [node_to_json(child) for child in node.children],
    }


def node_from_json(data: dict) -> SupplyChainNode:
    """The tree `node_to_json` wrote."""
    position = data.get("position")
    return SupplyChainNode(
        good=TradeSymbol.parse(data["good"]),
        method=AcquisitionMethod(data["method"]),
        market=WaypointSymbol(data["market"]),
        children=tuple(node_from_json(child) for child in data.get("children", ())),
        ask=data.get("ask"),
        position=None if position is None else Position(*position),
    )
