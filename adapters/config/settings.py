"""Every setting the bot and its embedded server take, with its default.

Plain frozen dataclasses, one per section. The loader (loader.py) fills them from, in rising precedence:
these defaults, a TOML file (`[section] key = value`), and environment variables `ST_<SECTION>_<KEY>`.
Field metadata marks durations (given as "30s", "2m", "1h" or seconds) and bounds.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def duration(default: float, *, minimum: float = 0.001) -> float:
    """A duration in seconds; config may write it as `90`, `"90s"`, `"2m"` or `"1h"`."""
    return field(default=default, metadata={"duration": True, "minimum": minimum})


def at_least(default: int | float, minimum: int | float) -> int | float:
    return field(default=default, metadata={"minimum": minimum})


def choice(default: str, *others: str) -> str:
    """One of a few words (`default` or one of `others`), read case-insensitively."""
    return field(default=default, metadata={"choices": (default, *others)})


def share(default: float, minimum: float) -> float:
    """A share of something, at least `minimum` and below 1."""
    return field(default=default, metadata={"minimum": minimum, "below": 1.0})


@dataclass(frozen=True)
class ApiSettings:
    """Where the game is. An empty base_url means: start the embedded game server."""
    base_url: str = ""
    token: str = ""
    timeout: float = duration(15.0)
    max_attempts: int = at_least(6, 1)
    # Seconds our rate limiter adds to each pool window, because the server counts a request a little after we
    # do: larger wastes budget, smaller risks a 429 when the machine or the network is slow.
    rate_limit_margin: float = duration(0.2, minimum=0.0)


@dataclass(frozen=True)
class DatabaseSettings:
    """`url` is a peewee db_url (sqlite:///path or postgresql://...); empty = SQLite in the data directory.
    The conventional DATABASE_URL environment variable is honoured too."""
    url: str = ""
    # Ledger intents closed longer ago than this are deleted when a daemon starts (open ones never are): the
    # ledger rows keep the money, an old intent only how its call was settled.
    closed_intent_retention: float = duration(30 * 86400.0)


@dataclass(frozen=True)
class ManufacturingSettings:
    """The plan's ST_MANUFACTURING_* settings plus the guards that keep manufacturing from losing money."""
    arbitrage_enabled: bool = True
    max_workers: int = at_least(5, 1)
    min_price: int = at_least(1000, 0)
    max_opportunities: int = at_least(10, 1)
    max_tree_depth: int = at_least(4, 1)
    discovery_interval: float = duration(120.0)
    # One assignment cycle gives each idle ship to the better work of either kind (the two lists merged), so this
    # interval is the daemon's, for trade runs too: a kind with its own cycle could not be weighed against the other.
    assignment_interval: float = duration(30.0)
    # Guards: refuse an input whose ask rose past this factor of the first price seen in the run.
    max_input_price_rise: float = at_least(1.3, 1.0)
    # Stop selling into an import once its bid falls below this share of the units' cost.
    min_sell_to_cost: float = at_least(1.0, 0.0)
    # Pause making a good after this many losing runs in a row, or after one run that lost more than
    # pause_after_loss_over credits, for pause_after_losses_for (twice as long each pause before the good earns
    # again). Trade runs count their losses apart, by the [arbitrage] keys of the same names.
    pause_after_losses: int = at_least(2, 1)
    pause_after_losses_for: float = duration(3600.0)
    pause_after_loss_over: int = at_least(20_000, 0)
    production_poll_interval: float = duration(30.0)
    # The longest any wait for a factory's output lasts: a fed export rises one supply level in 18-34 game minutes
    # on average (facts universe §5), 37 when its line's activity is RESTRICTED; a bench run that waited 2.8 game
    # hours earned 62,730.
    production_timeout: float = duration(40 * 60.0)
    # How long a ship waits at the final factory for its output once its deliveries have paid for themselves.
    max_output_wait: float = duration(300.0)
    # An output lot is bought, and an opportunity taken, only when the buyer's bid beats the ask by this share.
    min_margin: float = at_least(0.1, 0.0)
    # An input the factory does not need (its output is on offer) is carried only when the leg earns this much.
    min_input_profit: int = at_least(2000, 0)
    # No single run may have more than this share of the account's free credits (at its start) committed at once.
    run_budget_share: float = at_least(0.5, 0.01)
    # A graceful stop lets workers sell what they hold for this long (game time) before abandoning; `stop --now`
    # abandons at once. One bound for the whole daemon, so trade workers drain as long (the stop waits for all).
    stop_drain: float = duration(1800.0)


@dataclass(frozen=True)
class ArbitrageSettings:
    """Trade arbitrage (buy at an export, sell at an import) on the same idle ships as manufacturing, which takes
    at most `manufacturing.max_workers` of them. Durations are game time, like the manufacturing ones.

    A key meaning what a manufacturing key means has its name (ST_ARBITRAGE_X mirrors ST_MANUFACTURING_X), with
    the same default, but counts for trade runs only. `max_routes` and `max_ask_rise` are the counterparts of
    `max_opportunities` and `max_input_price_rise`, named after what a trade run has (routes, the ask it buys at)."""
    enabled: bool = True
    # A safety cap, not the fleet's size: a trade route beyond it does not count as work waiting for a ship, so the
    # fleet manager buys no hauler for it (at 3, the fleet stopped at 3 cargo ships whatever they earned).
    max_workers: int = at_least(10, 1)
    # The import's bid must beat the export's ask by this share, and one lot must earn min_lot_profit.
    min_margin: float = at_least(0.15, 0.0)
    min_lot_profit: int = at_least(500, 0)
    max_routes: int = at_least(10, 1)
    discovery_interval: float = duration(120.0)
    ranking: str = "default_trade_ranking"
    # Buy only at supply MODERATE or better, and not once the ask rose past this factor of what was seen before.
    min_buy_supply: str = "MODERATE"
    max_ask_rise: float = at_least(1.3, 1.0)
    # Stop selling into an import once its bid falls below this share of the units' cost.
    min_sell_to_cost: float = at_least(1.0, 0.0)
    # Stop selling at a market once its bid fell this share below the bid found on arrival (then try the next).
    max_bid_drop: float = at_least(0.3, 0.01)
    # A market whose bid our sales cut by this share is avoided for dump_recovery (or until seen recovered).
    dump_drop: float = at_least(0.25, 0.01)
    dump_recovery: float = duration(12 * 3600.0)
    # An import whose bid is below this share of its usual bid was dumped into (by anyone): no route, trade or
    # manufacturing sale goes there until it recovers. The usual bid is the centre the bid keeps around (background
    # traffic alone swings it to about 0.67-1.5 of that, hence 0.6); a bid this far down moves it only over
    # usual_bid_memory, and nothing is judged before usual_bid_warmup of observations.
    saturated_bid_share: float = share(0.6, 0.05)
    # An import at this supply or above is saturated by its supply alone (it pays little and each lot cuts its bid
    # further): no route sells there.
    saturated_supply: str = "HIGH"
    usual_bid_memory: float = duration(48 * 3600.0)
    usual_bid_warmup: float = duration(2 * 3600.0, minimum=0.0)
    # Prices older than this are not traded on; younger ones count half as much every price_half_life (ranking).
    max_price_age: float = duration(3600.0)
    price_half_life: float = duration(1800.0)
    # Pause trading a good after this many losing trade runs in a row, or after one that lost more than
    # pause_after_loss_over credits, for pause_after_losses_for (twice as long each pause before the good earns
    # again). Counted apart from manufacturing's losses.
    pause_after_losses: int = at_least(2, 1)
    pause_after_losses_for: float = duration(3600.0)
    pause_after_loss_over: int = at_least(20_000, 0)
    # No single trade run may be allotted more than this share of the account's free credits at its start.
    run_budget_share: float = at_least(0.5, 0.01)


@dataclass(frozen=True)
class FleetSettings:
    """Buying ships: a hauler when work waits for one and it pays its price back, a probe per market worth
    watching; never spending below the reserve kept for trading. Durations are game time."""
    credit_reserve: int = at_least(60_000, 0)
    # Safety caps: the measured return decides how many haulers, the markets worth watching how many probes.
    max_haulers: int = at_least(30, 0)
    max_probes: int = at_least(40, 0)
    # A hauler is bought only if the profit per ship-hour of the runs finished in the last return_window pays its
    # price back within payback (an agent with no run measured buys its first on the waiting work's lot margin).
    payback: float = duration(3 * 3600.0)
    return_window: float = duration(3 * 3600.0)
    # Each hauler bought is a trial this long: no other is bought meanwhile, and the next only if the fleet's
    # profit per hour over the last trial_period rose over the trial_period before the purchase by enough to pay
    # the next price back within payback. 0 turns the trial off (the average return decides every purchase).
    trial_period: float = duration(3600.0, minimum=0.0)
    # A probe is bought only if at least this many credits are left after it (trading money comes first).
    probe_min_credits: int = at_least(100_000, 0)
    # While a hauler that would pay is wanted but cannot be paid yet, probes are bought only up to this many per
    # cargo ship (the first ones are cheap and inform every run; more would keep delaying the hauler).
    saving_probes_per_ship: int = at_least(2, 0)
    # Credits no worker may commit to cargo, whatever the kind of work (fuel money; the one account budget's floor).
    trading_reserve: int = at_least(2_000, 0)
    # Credits a unit of every fuel-burning ship's tank kept in cash beyond that: no run is allotted them and no ship
    # purchase spends them, so a ship can always refuel to sell what it holds (above the dearest real fuel price).
    fuel_unit_allowance: int = at_least(90, 0)


@dataclass(frozen=True)
class StrategySettings:
    """Plugin names (as registered in the `spacetraders.plugins` entry-point group)."""
    ranking: str = "default_ranking"
    ship_selection: str = "default_ship_selection"


@dataclass(frozen=True)
class MetricsSettings:
    host: str = "127.0.0.1"
    port: int = at_least(9464, 0)
    enabled: bool = True


@dataclass(frozen=True)
class EmbeddedServerSettings:
    """The embedded game server started when no API base URL is set."""
    host: str = "127.0.0.1"
    port: int = at_least(0, 0)  # 0 = pick a free port
    seed: int = 1
    speed: float = at_least(60.0, 0.001)
    # `scaled`: the real limit times `speed`, so a game hour holds the real game's 9,000 requests and the bot works
    # at the real game's proportions (the unscaled real limit would give it `speed` times fewer per game hour);
    # `on`: the real limit in wall-clock time; `off`: no limit.
    rate_limit: str = choice("scaled", "on", "off")


@dataclass(frozen=True)
class Settings:
    """The whole configuration. `data_dir` empty = the user's data directory."""
    data_dir: str = ""
    player: str = ""
    system: str = ""
    api: ApiSettings = field(default_factory=ApiSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    manufacturing: ManufacturingSettings = field(default_factory=ManufacturingSettings)
    arbitrage: ArbitrageSettings = field(default_factory=ArbitrageSettings)
    fleet: FleetSettings = field(default_factory=FleetSettings)
    strategy: StrategySettings = field(default_factory=StrategySettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    server: EmbeddedServerSettings = field(default_factory=EmbeddedServerSettings)
