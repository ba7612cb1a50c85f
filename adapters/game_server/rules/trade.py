"""Market trade: purchase, sale and refuel at a docked ship's market."""
from __future__ import annotations

import math
from dataclasses import dataclass

from adapters.game_server import catalog
from adapters.game_server.economy import apply_sale, quote
from adapters.game_server.errors import GameError
from adapters.game_server.market_dynamics import answer_purchase, refresh_feeds
from adapters.game_server.rules.codes import (
    CARGO_EXCEEDS, CARGO_MISSING, CARGO_UNITS, MARKET_CREDITS, NO_MARKET, NOT_BOUGHT_HERE, NOT_SOLD_HERE,
    TRADE_VOLUME,
)
from adapters.game_server.rules.core import WorldCore
from adapters.game_server.state import AgentState, MarketGood, MarketState, ShipState, TransactionRecord
from adapters.wire import models as wire


@dataclass(frozen=True)
class _Side:
    """What tells a purchase from a sale where they refuse alike: the record's kind and the error for a good the
    market does not trade that way (`missing` takes {symbol} and {waypoint})."""
    kind: str
    missing_code: int
    missing: str


_PURCHASE = _Side("PURCHASE", NOT_SOLD_HERE,
                  "Market purchase failed. Trade good {symbol} is not available at {waypoint}.")
_SALE = _Side("SELL", NOT_BOUGHT_HERE, "Market sell failed. Trade good {symbol} is not listed at {waypoint}.")


class TradeRules(WorldCore):
    """Market trade: purchase, sale and refuel at a docked ship's market."""

    # --- trade ------------------------------------------------------------------------------------------------------------

    def _docked_market(self, ship: ShipState, now: float) -> MarketState:
        self._require_docked(ship, now)
        market = self._markets.get(ship.waypoint)
        if market is None:
            raise GameError(NO_MARKET, f"Market not found at {ship.waypoint}.",
                            data={"waypointSymbol": ship.waypoint})
        return market

    def purchase_cargo(self, agent: str, ship: str, symbol: str, units: int) -> wire.TradeData:
        return self._trade(agent, ship, symbol, units, _PURCHASE)

    def sell_cargo(self, agent: str, ship: str, symbol: str, units: int) -> wire.TradeData:
        return self._trade(agent, ship, symbol, units, _SALE)

    def _trade(self, agent: str, ship: str, symbol: str, units: int, side: _Side) -> wire.TradeData:
        """A purchase or a sale: the same checks in the same order, differing only in which way goods and credits
        move, so the two cannot drift apart in what they refuse."""
        units = self._units(units)
        symbol = self._trade_symbol(symbol)
        buying = side is _PURCHASE
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            state = self._own_ship(agent, ship, now)
            market = self._docked_market(state, now)
            good = market.goods.get(symbol)
            if good is None:
                raise GameError(side.missing_code, side.missing.format(symbol=symbol, waypoint=state.waypoint),
                                data={"waypointSymbol": state.waypoint, "tradeSymbol": symbol})
            self._check_volume(good, state.waypoint, units)
            if buying:
                self._check_room(state, symbol, units)
            else:
                self._check_holds(state, symbol, units)
            self._market_now(market, now)
            purchase_price, sell_price = quote(good, self._economy)
            if buying:
                price = purchase_price
                self._check_credits(owner, "Market purchase failed", symbol, units, price)
                owner.credits -= price * units
                state.cargo[symbol] = state.cargo.get(symbol, 0) + units
                answer_purchase(market, good, units, self._economy)
            else:
                price = sell_price
                owner.credits += price * units
                self._remove_cargo(state, symbol, units)
                apply_sale(good, units)
            return self._settle_trade(owner, state, market,
                                      self._record(market, state, symbol, side.kind, units, price, now))

    @staticmethod
    def _check_credits(owner: AgentState, failed: str, symbol: str, units: int, price: int) -> None:
        total = price * units
        if total > owner.credits:
            raise GameError(MARKET_CREDITS, f"{failed}. Agent does not have sufficient credits to purchase {units} "
                                            f"unit(s) of {symbol}",
                            data={"agentCredits": owner.credits, "totalPrice": total, "tradeSymbol": symbol,
                                  "units": units, "purchasePrice": price})

    def _settle_trade(self, owner, state: ShipState, market: MarketState, record) -> wire.TradeData:
        """Commit what a purchase or sale changed, in one transaction, then answer with it."""
        refresh_feeds(market)              # a trade in a line's input changes its activity at once
        with self._store.transaction():
            self._store.save_agent(owner)
            self._store.save_ships(state)
            self._store.save_market(market)
            self._store.add_market_transaction(record)
        return wire.TradeData(agent=self._views.agent(owner), cargo=self._views.cargo(state),
                              transaction=self._views.transaction(record))

    def refuel(self, agent: str, ship: str, units: int | None = None, from_cargo: bool = False) -> wire.RefuelData:
        """Fill the tank (or add `units` ship fuel): 1 market FUEL = 100 ship fuel, paid per started 100 units."""
        if units is not None:
            units = self._units(units)
        with self._lock:
            now = self._now()
            owner = self._agent(agent)
            state = self._own_ship(agent, ship, now)
            self._require_docked(state, now)
            capacity = catalog.SHIP_SPECS[state.ship_type].fuel_capacity
            wanted = capacity - state.fuel if units is None else min(units, capacity - state.fuel)
            wanted = max(0, wanted)
            market_units = math.ceil(wanted / 100)
            if from_cargo:
                if market_units:
                    self._check_holds(state, "FUEL", market_units)
                    self._remove_cargo(state, "FUEL", market_units)
                state.fuel += wanted
                record = TransactionRecord(state.waypoint, state.symbol, "FUEL", "PURCHASE", market_units, 0, 0, now)
                with self._store.transaction():
                    self._store.save_ships(state)
                return wire.RefuelData(agent=self._views.agent(owner), fuel=self._views.fuel(state),
                                       transaction=self._views.transaction(record), cargo=self._views.cargo(state))
            market = self._markets.get(state.waypoint)
            good = market.goods.get("FUEL") if market else None
            if market is None or good is None:
                raise GameError(NOT_SOLD_HERE, _PURCHASE.missing.format(symbol="FUEL", waypoint=state.waypoint),
                                data={"waypointSymbol": state.waypoint, "tradeSymbol": "FUEL"})
            self._market_now(market, now)
            price, _ = quote(good, self._economy)
            total = price * market_units
            self._check_credits(owner, "Refuel failed", "FUEL", market_units, price)
            record = TransactionRecord(state.waypoint, state.symbol, "FUEL", "PURCHASE", market_units, price, total,
                                       now)
            if market_units:
                owner.credits -= total
                state.fuel += wanted
                answer_purchase(market, good, market_units, self._economy)
                market.transactions.append(record)
                with self._store.transaction():
                    self._store.save_agent(owner)
                    self._store.save_ships(state)
                    self._store.save_market(market)
                    self._store.add_market_transaction(record)
            return wire.RefuelData(agent=self._views.agent(owner), fuel=self._views.fuel(state),
                                   transaction=self._views.transaction(record))

    def _check_volume(self, good: MarketGood, waypoint: str, units: int) -> None:
        if units > good.trade_volume:
            raise GameError(TRADE_VOLUME, f"Market transaction failed. Trade good {good.symbol} has a limit of "
                                          f"{good.trade_volume} units per transaction.",
                            data={"waypointSymbol": waypoint, "tradeSymbol": good.symbol, "units": units,
                                  "tradeVolume": good.trade_volume})

    @staticmethod
    def _check_room(ship: ShipState, symbol: str, units: int) -> None:
        capacity = catalog.SHIP_SPECS[ship.ship_type].cargo_capacity
        held = ship.cargo_units
        if held + units > capacity:
            raise GameError(CARGO_EXCEEDS, f"Failed to update ship cargo. Ship {ship.symbol} cannot add {units} "
                                           f"unit(s) of {symbol}. Ship cargo is {held}/{capacity}.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol, "units": units,
                                  "cargoUnits": held, "cargoCapacity": capacity})

    @staticmethod
    def _check_holds(ship: ShipState, symbol: str, units: int) -> None:
        held = ship.cargo.get(symbol, 0)
        if held == 0:
            raise GameError(CARGO_MISSING, f"Failed to update ship cargo. Ship {ship.symbol} does not have any "
                                           f"{symbol} in its cargo.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol})
        if held < units:
            raise GameError(CARGO_UNITS, f"Failed to update ship cargo. Ship {ship.symbol} has {held} unit(s) of "
                                         f"{symbol}, but {units} unit(s) were requested.",
                            data={"shipSymbol": ship.symbol, "tradeSymbol": symbol, "cargoUnits": held,
                                  "unitsToRemove": units})

    @staticmethod
    def _remove_cargo(ship: ShipState, symbol: str, units: int) -> None:
        left = ship.cargo[symbol] - units
        if left:
            ship.cargo[symbol] = left
        else:
            del ship.cargo[symbol]

    @staticmethod
    def _record(market: MarketState, ship: ShipState, symbol: str, kind: str, units: int, price: int,
                now: float) -> TransactionRecord:
        record = TransactionRecord(market.waypoint, ship.symbol, symbol, kind, units, price, price * units, now)
        market.transactions.append(record)
        return record

