"""The GamePort over HTTP, against the embedded game server in-process: domain values out, typed errors."""
import pytest

from adapters.game_api.client import GameApiClient
from adapters.game_api.gateway import GameGateway
from adapters.game_api.rate_limiter import RateLimiter
from adapters.game_api.settings import GameApiSettings
from adapters.game_server.app import GameApp
from adapters.game_server.inprocess import BASE_URL, InProcessTransport
from adapters.game_server.rate_limit import RateLimiter as ServerLimiter
from adapters.game_server.rate_limit import RateLimitSettings
from adapters.game_server.world import World
from application import game_errors
from domain.fleet import ShipRole
from domain.goods import TradeSymbol
from domain.trade import TradeSide


@pytest.fixture()
def gateway():
    world = World.open(None, seed=3)
    app = GameApp(world, rate_limiter=ServerLimiter(RateLimitSettings.disabled()))
    client = GameApiClient(GameApiSettings(base_url=BASE_URL, backoff_initial=0.01, backoff_cap=0.05),
                           RateLimiter.in_memory(), transport=InProcessTransport(app))
    token = client.register("GATEWAY", "COSMIC").token
    client.use_token(token)
    yield GameGateway(client)
    client.close()
    world.close()


def test_ships_agent_and_waypoints_in_domain_terms(gateway: GameGateway):
    agent = gateway.agent()
    assert agent.symbol == "GATEWAY" and agent.credits == 175_000
    ships = gateway.ships()
    roles = {ship.role for ship in ships}
    assert roles == {ShipRole.COMMAND, ShipRole.SATELLITE}
    frigate = next(s for s in ships if s.role is ShipRole.COMMAND)
    assert frigate.cargo_capacity == 40 and frigate.fuel_capacity == 400 and frigate.position is not None
    waypoints = gateway.waypoints(frigate.system)
    assert sum(w.is_market for w in waypoints) >= 20
    assert any(w.is_shipyard for w in waypoints)


def test_trade_round_trip_maps_prices_and_credits(gateway: GameGateway):
    frigate = next(s for s in gateway.ships() if s.role is ShipRole.COMMAND)
    snapshot = gateway.market(frigate.waypoint)
    assert snapshot.trade_goods, "a ship is present, so prices are visible"
    good = min((g for g in snapshot.trade_goods.values() if g.symbol != TradeSymbol.FUEL), key=lambda g: g.ask)
    assert good.ask >= good.bid  # ask is what we pay, bid what we get: never the other way round
    bought = gateway.purchase(frigate.symbol, good.symbol, 1)
    assert bought.side is TradeSide.PURCHASE and bought.total == bought.price_per_unit
    sold = gateway.sell(frigate.symbol, good.symbol, 1)
    assert sold.side is TradeSide.SELL
    assert gateway.agent().credits == 175_000 - bought.total + sold.total


def test_errors_are_application_errors(gateway: GameGateway):
    frigate = next(s for s in gateway.ships() if s.role is ShipRole.COMMAND)
    with pytest.raises(game_errors.WrongShipState):
        gateway.navigate(frigate.symbol, frigate.waypoint)  # docked: must orbit first
    gateway.orbit(frigate.symbol)
    with pytest.raises(game_errors.GameRuleError):
        gateway.navigate(frigate.symbol, frigate.waypoint)  # same waypoint
    with pytest.raises(game_errors.NotFound):
        gateway.ship("GATEWAY-99")
