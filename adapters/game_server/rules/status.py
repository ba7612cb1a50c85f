"""GET /: the server's status, stats and leaderboards."""
from __future__ import annotations

from adapters.game_server.rules.codes import DAY_SECONDS, VERSION
from adapters.game_server.rules.core import WorldCore
from adapters.game_server.views import iso, to_datetime
from adapters.wire import models as wire


class StatusRules(WorldCore):
    """GET /: the server's status, stats and leaderboards."""

    # --- GET / ------------------------------------------------------------------------------------------------------------

    def server_status(self) -> wire.ServerStatus:
        with self._lock:
            now = self._now()
            leaders = sorted(self._agents.values(), key=lambda a: (-a.credits, a.symbol))[:10]
            reset = to_datetime(self.created_at)
            return wire.ServerStatus(
                status="SpaceTraders is currently online and available to play",
                version=VERSION, reset_date=reset.date().isoformat(),
                description="SpaceTraders is a headless API and fleet-management game where players can work "
                            "together or against each other to trade, explore, expand, and conquer in a dynamic "
                            "and growing universe. (Embedded offline server.)",
                stats=wire.ServerStats(agents=len(self._agents), ships=len(self._ships), systems=len(self._systems),
                                       waypoints=len(self.universe.waypoints), accounts=len(self._agents)),
                leaderboards=wire.Leaderboards(
                    most_credits=[wire.CreditsLeader(agent_symbol=a.symbol, credits=a.credits) for a in leaders],
                    most_submitted_charts=[]),
                server_resets=wire.ServerResets(next=iso(self.created_at + 7 * DAY_SECONDS), frequency="weekly"),
                announcements=[], links=[],
                health=wire.ServerHealth(last_market_update=iso(now)))

