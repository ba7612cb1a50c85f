"""Resets: the server's eras, and the tokens of earlier ones (game-api-facts §8.5).

An era starts when the world is created or reset; its reset date (GET / `resetDate`) is the UTC date of that
moment. A reset wipes every agent, ship, contract, market, shipyard and construction site and starts the markets
afresh from the same universe. The tokens of the wiped agents are remembered with their era's reset date, so that
they are refused with 4113 (as the real game refuses a token whose reset_date is not the server's), while a token
the server never issued keeps getting 4104.
"""
from __future__ import annotations

from adapters.game_server.rules.core import WorldCore
from adapters.game_server.views import to_datetime


class ResetRules(WorldCore):
    """The current era's reset date, the retired tokens, and the reset itself."""

    _retired_tokens: dict[str, str]   # token -> reset date of the era that issued it

    @property
    def reset_date(self) -> str:
        """The current era's reset date, `YYYY-MM-DD` (UTC)."""
        return to_datetime(self.created_at).date().isoformat()

    def retired_token_date(self, token: str) -> str | None:
        """The reset date of the earlier era that issued `token`, or None when no earlier era did."""
        return self._retired_tokens.get(token)

    def reset(self) -> str:
        """Start a new era now; returns its reset date. Tokens issued before it are refused with 4113 from now on."""
        with self._lock:
            self._new_era([agent.token for agent in self._agents.values()])
            return self.reset_date

    def _new_era(self, tokens: list[str]) -> None:
        """Retire `tokens` (issued in the era ending now), wipe the store's era and open the new one."""
        now = self._now()
        retired = {token: self.reset_date for token in tokens}
        with self._store.transaction():
            self._store.start_new_era(retired)
            self._store.set_meta("created_at", repr(now))
        self._retired_tokens.update(retired)
        self._open_era(now)

    def _open_era(self, created_at: float) -> None:
        """Load the state of the era born at `created_at` from the store (the World does it)."""
        raise NotImplementedError
