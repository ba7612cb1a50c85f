"""Why manufacturing a good stopped short. Raised by the ProductionExecutor, reported by the worker."""
from __future__ import annotations

from application.errors import ApplicationError
from domain.goods import TradeSymbol
from domain.symbols import WaypointSymbol


class ProductionError(ApplicationError):
    """Base of the executor's failures; `good` and `market` say where it stopped."""

    def __init__(self, good: TradeSymbol, market: WaypointSymbol, detail: str) -> None:
        self.good = good
        self.market = market
        self.detail = detail
        super().__init__(f"{good} at {market}: {detail}")


class ProductionTimeout(ProductionError):
    """The factory did not offer the output (supply above SCARCE at a sane price) within the timeout."""

    def __init__(self, good: TradeSymbol, market: WaypointSymbol, waited: float) -> None:
        self.waited = waited
        super().__init__(good, market, f"no output after waiting {waited:.0f} s")


class InputUnavailable(ProductionError):
    """Not one unit of an input could be bought (guards, credits, or the market does not sell it)."""


class OutputUnavailable(ProductionError):
    """The factory made the good but not one unit could be bought within the guards."""


class FactoryRefusesInput(ProductionError):
    """The factory market does not trade an input it is supposed to consume (the tree is out of date)."""
