"""Retries and lost answers: what is retried, how long the client waits, and that a call whose answer was lost
after the server applied it is never carried out twice."""
from __future__ import annotations

import pytest

from adapters.game_api import errors
from adapters.game_api.client import GameApiClient
from adapters.game_api.rate_limiter import RateLimiter, RateLimitPolicy
from adapters.game_api.settings import GameApiSettings
from game_api_fake import AGENT, HQ, OTHER, FakeClock, FakeGame, _ship

SHIP = f"{AGENT}-1"
LOST = ["drop-after", "timeout-after", "500-after"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def game(clock: FakeClock) -> FakeGame:
    return FakeGame(clock)


def make_client(game: FakeGame, clock: FakeClock, **settings: object) -> GameApiClient:
    config = GameApiSettings(base_url="https://fake.test/v2", token="token-1", **settings)  # type: ignore[arg-type]
    return GameApiClient(config, RateLimiter.in_memory(RateLimitPolicy(margin=0.0), clock),
                         transport=game.transport())


@pytest.fixture
def client(game: FakeGame, clock: FakeClock) -> GameApiClient:
    with make_client(game, clock) as api:
        yield api


# --- lost answers are reconciled, not repeated ------------------------------------------------------------------------

@pytest.mark.parametrize("fault", LOST)
def test_a_purchase_whose_answer_was_lost_happens_once(client: GameApiClient, game: FakeGame, fault: str) -> None:
    game.fail_next(fault, "POST", r"/my/ships/.*/purchase")

    result = client.purchase(SHIP, "IRON", 10)

    assert len(game.trades()) == 1  # the server carried out exactly one trade
    assert result.transaction == game.trades()[0]  # and the client returns that real transaction
    assert result.agent.credits == game.credits == 175_000 - 1000
    assert result.cargo.units == game.cargo_units(SHIP, "IRON") == 10
    assert client.reconciliations == 1
    assert game.log.count(("POST", f"/my/ships/{SHIP}/purchase")) == 1


@pytest.mark.parametrize("fault", LOST)
def test_a_sale_whose_answer_was_lost_happens_once(client: GameApiClient, game: FakeGame, fault: str) -> None:
    client.purchase(SHIP, "IRON", 10)
    game.fail_next(fault, "POST", r"/my/ships/.*/sell")

    result = client.sell(SHIP, "IRON", 10)

    sells = [t for t in game.trades() if t.type == "SELL"]
    assert len(sells) == 1 and result.transaction == sells[0]
    assert result.cargo.units == 0 and result.agent.credits == game.credits


def test_a_lost_lot_is_not_mistaken_for_the_previous_identical_lot(client: GameApiClient, game: FakeGame) -> None:
    client.purchase(SHIP, "IRON", 10)
    client.purchase(SHIP, "IRON", 10)
    first = client.sell(SHIP, "IRON", 5)  # same ship, good, type and units, at the same second
    game.fail_next("drop-after", "POST", r"/my/ships/.*/sell")

    second = client.sell(SHIP, "IRON", 5)

    sells = [t for t in game.trades() if t.type == "SELL"]
    assert len(sells) == 2
    assert second.transaction == sells[1] != first.transaction
    assert game.cargo_units(SHIP, "IRON") == 10


def test_a_trade_refused_by_a_5xx_before_applying_is_sent_again(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("500", "POST", r"/my/ships/.*/purchase")

    result = client.purchase(SHIP, "IRON", 10)

    assert len(game.trades()) == 1 and result.transaction == game.trades()[0]
    assert client.reconciliations == 1  # it looked first, found nothing, then sent again
    assert game.log.count(("POST", f"/my/ships/{SHIP}/purchase")) == 2


def test_a_refused_connection_is_retried_without_looking(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("connect-refused", "POST", r"/my/ships/.*/purchase")

    client.purchase(SHIP, "IRON", 10)

    assert len(game.trades()) == 1 and client.reconciliations == 0


@pytest.mark.parametrize("skew", [-45.0, 45.0])
def test_lost_first_call_with_the_server_clock_far_off(game: FakeGame, clock: FakeClock, skew: float) -> None:
    game.skew = skew  # the lost purchase is the client's first call: it has not seen the server's time yet
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
    with make_client(game, clock) as api:
        result = api.purchase(SHIP, "IRON", 10)
    assert len(game.trades()) == 1 and result.transaction == game.trades()[0]


def test_when_attempts_run_out_the_outcome_is_still_read_back(game: FakeGame, clock: FakeClock) -> None:
    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
    with make_client(game, clock, max_attempts=1) as api:
        result = api.purchase(SHIP, "IRON", 10)
    assert len(game.trades()) == 1 and result.transaction == game.trades()[0]


def test_a_reconciliation_interrupted_by_a_failure_finds_the_trade_again(game: FakeGame, clock: FakeClock) -> None:
    with make_client(game, clock, max_attempts=2) as api:
        api.cargo(SHIP)
        game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")
        game.fail_next("500", "GET", r"/my/ships/.*/cargo")  # the read-back fails after the transaction was found
        game.fail_next("500", "GET", r"/my/ships/.*/cargo")
        result = api.purchase(SHIP, "IRON", 10)
    assert len(game.trades()) == 1 and result.transaction == game.trades()[0]
    assert result.cargo.units == 10


def test_without_a_visible_transaction_the_cargo_decides(client: GameApiClient, game: FakeGame) -> None:
    game.hide_transactions = True
    game.fail_next("500", "POST", r"/my/ships/.*/purchase")  # refused before applying: the cargo is unchanged

    client.purchase(SHIP, "IRON", 10)  # so it is sent again
    assert len(game.trades()) == 1

    game.fail_next("drop-after", "POST", r"/my/ships/.*/purchase")  # applied, but no transaction to prove it
    with pytest.raises(errors.OutcomeUnknown) as unknown:
        client.purchase(SHIP, "IRON", 10)
    assert unknown.value.data == {"applied": True, "before": 10, "after": 20}
    assert len(game.trades()) == 2  # never a third


def test_a_lost_navigation_is_not_sent_twice(client: GameApiClient, game: FakeGame) -> None:
    client.orbit(SHIP)
    game.fail_next("drop-after", "POST", r"/my/ships/.*/navigate")

    result = client.navigate(SHIP, OTHER)

    assert result.nav.status == "IN_TRANSIT" and result.nav.route.destination.symbol == OTHER
    assert result.fuel.current == 390
    assert game.applied.count(("navigate", SHIP)) == 1
    assert game.log.count(("POST", f"/my/ships/{SHIP}/navigate")) == 1


def test_a_lost_refuel_is_not_bought_twice(client: GameApiClient, game: FakeGame) -> None:
    game.ships[SHIP].fuel.current = 100
    game.fail_next("500-after", "POST", r"/my/ships/.*/refuel")

    result = client.refuel(SHIP)

    fuel_buys = [t for t in game.transactions[HQ] if t.trade_symbol == "FUEL"]
    assert len(fuel_buys) == 1 and result.transaction == fuel_buys[0]
    assert result.fuel.current == 400 and result.agent.credits == game.credits


def test_a_lost_ship_purchase_buys_one_ship(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("timeout-after", "POST", r"/my/ships")

    result = client.purchase_ship("SHIP_LIGHT_HAULER", HQ)

    assert len(game.ships) == 3 and game.credits == 125_000
    assert result.ship.symbol == f"{AGENT}-3" and result.transaction == game.shipyard_transactions[0]
    assert result.agent.credits == 125_000


@pytest.mark.parametrize("action", ["transfer", "jettison"])
def test_a_lost_cargo_move_happens_once(client: GameApiClient, game: FakeGame, action: str) -> None:
    game.ships[f"{AGENT}-3"] = _ship(f"{AGENT}-3", HQ)
    client.purchase(SHIP, "IRON", 10)
    game.fail_next("drop-after", "POST", rf"/my/ships/.*/{action}")

    if action == "transfer":
        result = client.transfer(SHIP, "IRON", 4, f"{AGENT}-3")
        assert game.cargo_units(f"{AGENT}-3", "IRON") == 4
    else:
        result = client.jettison(SHIP, "IRON", 4)

    assert result.cargo.units == game.cargo_units(SHIP, "IRON") == 6


def test_registration_is_not_repeated_after_a_lost_answer(game: FakeGame, clock: FakeClock) -> None:
    game.fail_next("drop-after", "POST", "/register")
    with make_client(game, clock) as api:
        with pytest.raises(errors.TransportFailure) as lost:
            api.register("TESTER", "COSMIC")
    assert lost.value.maybe_applied
    assert game.log.count(("POST", "/register")) == 1


def test_idempotent_actions_are_simply_repeated(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("drop-after", "POST", r"/my/ships/.*/orbit")
    assert client.orbit(SHIP).nav.status == "IN_ORBIT"
    assert game.log.count(("POST", f"/my/ships/{SHIP}/orbit")) == 2 and client.reconciliations == 0


# --- what is retried, and how long the client waits -------------------------------------------------------------------

def test_game_rule_errors_are_not_retried(client: GameApiClient, game: FakeGame, clock: FakeClock) -> None:
    with pytest.raises(errors.TradeVolumeExceeded):
        client.purchase(SHIP, "IRON", 11)
    assert game.log == [("GET", f"/my/ships/{SHIP}/cargo"),  # the cargo, read once before a ship's first trade
                        ("POST", f"/my/ships/{SHIP}/purchase")]
    assert clock.sleeps == [] and client.retries == 0


def test_retry_after_of_a_429_is_honoured_and_pauses_everyone(client: GameApiClient, game: FakeGame,
                                                               clock: FakeClock) -> None:
    start = clock.now()
    game.fail_next("429", "GET", "/my/agent", retry_after=3)
    other = RateLimiter(client.limiter.store, client.limiter.policy, clock)  # another process's view

    assert client.agent().symbol == AGENT

    assert clock.sleeps == [3.0] and clock.now() - start == 3.0
    assert client.rate_limited == 1 and client.retries == 1
    assert client.limiter.stats().pauses == 1
    assert game.log.count(("GET", "/my/agent")) == 2
    clock.t = start + 1  # had another process asked during the pause, it would have waited until its end, and
    # past it: the retry took the one static point not left to the unknown client behind the 429, so the next one
    # comes a window after the retry's answer.
    assert other.acquire().at == pytest.approx(start + 3 + 1 + other.policy.settle_margin)


def test_5xx_is_retried_with_growing_jittered_backoff(game: FakeGame, clock: FakeClock) -> None:
    for _ in range(3):
        game.fail_next("500", "GET", "/my/agent")
    waits: list[float] = []
    settings = GameApiSettings(base_url="https://fake.test/v2", token="token-1", backoff_initial=1.0,
                               backoff_cap=3.0)
    with GameApiClient(settings, RateLimiter.in_memory(RateLimitPolicy(margin=0.0), clock),
                       transport=game.transport(), on_retry=lambda error, wait: waits.append(wait)) as api:
        assert api.agent().symbol == AGENT

    assert len(waits) == 3 and waits == clock.sleeps
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and 1.5 <= waits[2] <= 3.0  # capped at 3


def test_the_ddos_page_is_retried(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("502-html", "GET", "/my/agent")
    assert client.agent().symbol == AGENT
    assert client.retries == 1


def test_retries_stop_after_max_attempts(game: FakeGame, clock: FakeClock) -> None:
    for _ in range(5):
        game.fail_next("500", "GET", "/my/agent")
    with make_client(game, clock, max_attempts=3) as api:
        with pytest.raises(errors.ServerUnavailable) as failed:
            api.agent()
    assert failed.value.code == 3000
    assert game.log.count(("GET", "/my/agent")) == 3


def test_dropped_connections_on_reads_are_retried(client: GameApiClient, game: FakeGame) -> None:
    game.fail_next("drop-after", "GET", "/my/agent")
    game.fail_next("timeout-after", "GET", "/my/agent")
    assert client.agent().symbol == AGENT
    assert game.log.count(("GET", "/my/agent")) == 3
