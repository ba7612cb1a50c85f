"""`bootstrap.py` is the only place that builds adapters: an AST scan of the bot's code for calls that construct one.

What counts as constructing an adapter, precisely:
- a call of an adapter class (`ProcessWorkerPool(...)`) or of one of its class methods (`RateLimiter.shared(...)`),
  whether the class is named directly or through its module (`process_pool.ProcessWorkerPool(...)`);
- the adapter classes are the port implementations and the resources under adapters/ listed in ADAPTER_CLASSES
  (API clients and gateways, rate limiters and their stores, repositories and the database, money gates, worker
  pools, metrics and their endpoint, clocks); values, settings, errors and CLI/daemon helpers are not adapters;
- so does a call of a function that opens an adapter's resource (ADAPTER_FACTORIES: the storage's `connect` and
  `open_database`), through whatever name its module or the function was imported as;
- opening a database or an HTTP client from a library (peewee, playhouse.db_url, httpx) counts as well.

Where it is allowed: bootstrap.py, tests, and the module that defines the class (an adapter may build its own
private helper values, e.g. a limiter its store; a module that defines its own class of the same name builds
that one), the API client its own httpx session, and the named EXEMPT sites with their reasons. The embedded game server
(adapters/game_server/) is another program, which the bot reaches only over HTTP: it is not scanned.
"""
from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("adapters", "application", "plugins", "domain")
NOT_THE_BOT = ("adapters/game_server",)

# Adapter class -> the module that defines it (the only module besides bootstrap.py that may call it).
ADAPTER_CLASSES = {
    "GameApiClient": "adapters/game_api/client.py",
    "TranslatedClient": "adapters/game_api/gateway.py",
    "GameGateway": "adapters/game_api/gateway.py",
    "RateLimiter": "adapters/game_api/rate_limiter.py",
    "MemoryStore": "adapters/game_api/rate_limiter.py",
    "FileStore": "adapters/game_api/rate_limiter.py",
    "SqlMarketRepository": "adapters/storage/market_repository.py",
    "SqlLedgerRepository": "adapters/storage/ledger_repository.py",
    "SqlShipAssignmentRepository": "adapters/storage/assignment_repository.py",
    "SqlRunRepository": "adapters/storage/run_repository.py",
    "SqlSupplyChainRepository": "adapters/storage/supply_chain_repository.py",
    "SqlDumpedMarketRepository": "adapters/storage/dumped_market_repository.py",
    "Database": "adapters/storage/database.py",
    "FileMoneyGate": "adapters/storage/money_gate_file.py",
    "ProcessWorkerPool": "adapters/workers/process_pool.py",
    "InlineWorkerPool": "adapters/workers/inline_pool.py",
    "PrometheusMetrics": "adapters/metrics/metrics.py",
    "MetricsEndpoint": "adapters/metrics/exporter.py",
    "SystemClock": "adapters/clock.py",
    "ServerClock": "adapters/clock.py",
}
# Functions that open an adapter's resource, by module: a call of one through any import of its module counts.
ADAPTER_FACTORIES = {"adapters.storage.database": {"connect", "open_database"}}
# Library constructors of the resources adapters wrap: (qualifier, name); qualifier None means any.
LIBRARY_RESOURCES = {
    ("httpx", "Client"), ("httpx", "AsyncClient"), ("db_url", "connect"),
    ("peewee", "SqliteDatabase"), ("peewee", "PostgresqlDatabase"), (None, "SqliteDatabase"),
    (None, "PostgresqlDatabase"),
}
# The modules that wrap those resources (the API client opens its own httpx session when given none).
LIBRARY_RESOURCE_HOMES = {"adapters/storage/database.py", "adapters/game_api/client.py"}
# Named exceptions, each with its reason.
EXEMPT = {
    ("adapters/cli/embedded_server.py", "httpx.Client"):
        "start-up probe: waits until the server process it just started answers `/`; not a game API client",
}


def _dotted(node: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return parts[::-1]


def constructions(source: str, module: str) -> list[str]:
    """The adapter constructions in `source` (the file `module`, relative to the repository) that break the rule,
    as "module:line: name"."""
    found = []
    tree = ast.parse(source)
    defined_here = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    factory_modules: dict[str, set[str]] = {}   # local name of a factory module -> its factories
    factory_names: set[str] = set()              # factories imported by name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ADAPTER_FACTORIES:
                    factory_modules[alias.asname or alias.name] = ADAPTER_FACTORIES[alias.name]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in ADAPTER_FACTORIES:
                    factory_modules[alias.asname or alias.name] = ADAPTER_FACTORIES[f"{node.module}.{alias.name}"]
                elif alias.name in ADAPTER_FACTORIES.get(node.module, ()):
                    factory_names.add(alias.asname or alias.name)
    home_module = module.removesuffix(".py").replace("/", ".")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = _dotted(node.func)
        if not parts:
            continue
        # `Class(...)`, `mod.Class(...)`, `Class.factory(...)`: the adapter class is the last or the one before.
        shown = ".".join(parts)
        if (module, shown) in EXEMPT:
            continue
        qualified = ".".join(parts[:-1])
        if home_module not in ADAPTER_FACTORIES and (
                (len(parts) == 1 and parts[0] in factory_names)
                or parts[-1] in factory_modules.get(qualified, ())):
            found.append(f"{module}:{node.lineno}: {shown}")
            continue
        candidates = [parts[-1]] + ([parts[-2]] if len(parts) >= 2 else [])
        for name in candidates:
            # A module that defines a class of that name builds its own (e.g. the limiter's private clock).
            if name in ADAPTER_CLASSES and module != ADAPTER_CLASSES[name] and name not in defined_here:
                found.append(f"{module}:{node.lineno}: {shown}")
                break
        else:
            qualifier = parts[-2] if len(parts) >= 2 else None
            library = (qualifier, parts[-1]) in LIBRARY_RESOURCES or (None, parts[-1]) in LIBRARY_RESOURCES
            if library and module not in LIBRARY_RESOURCE_HOMES:
                found.append(f"{module}:{node.lineno}: {shown}")
    return found


def _bot_modules() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((REPO_ROOT / top).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if not relative.startswith(NOT_THE_BOT):
                files.append(path)
    return files


def test_no_adapter_is_constructed_outside_the_composition_root() -> None:
    wrong = [hit for path in _bot_modules()
             for hit in constructions(path.read_text(encoding="utf-8"), path.relative_to(REPO_ROOT).as_posix())]
    assert wrong == [], "adapters built outside bootstrap.py:\n" + "\n".join(wrong)


def test_every_listed_adapter_class_is_defined_where_the_list_says() -> None:
    """A renamed or moved class would silently leave the scan: the list must name real classes."""
    for name, home in ADAPTER_CLASSES.items():
        tree = ast.parse((REPO_ROOT / home).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body), f"{name} not in {home}"


def test_the_scan_sees_each_way_of_building_an_adapter() -> None:
    source = "\n".join([
        "from adapters.workers.process_pool import ProcessWorkerPool",
        "from adapters.workers import process_pool",
        "import httpx",
        "pool = ProcessWorkerPool(run, 2)",
        "other = process_pool.ProcessWorkerPool(run, 2)",
        "limiter = RateLimiter.shared(run_dir, 'A', policy)",
        "http = httpx.Client()",
        "repo = SqlLedgerRepository(db)",
        "from adapters.storage import database as storage",
        "from adapters.storage.database import connect",
        "db = storage.connect(url)",
        "db = connect(url)",
        "client.connect()",
    ])
    hits = constructions(source, "adapters/daemon/runner.py")
    assert [hit.split(": ", 1)[1] for hit in hits] == [
        "ProcessWorkerPool", "process_pool.ProcessWorkerPool", "RateLimiter.shared", "httpx.Client",
        "SqlLedgerRepository", "storage.connect", "connect"]


def test_an_adapter_may_build_its_own_helpers_and_others_may_use_what_they_are_given() -> None:
    own = "limiter = RateLimiter(MemoryStore(policy), policy, clock)"
    assert constructions(own, "adapters/game_api/rate_limiter.py") == []
    given = "def run(pool):\n    pool.submit(job)\n    return container.pool()"
    assert constructions(given, "adapters/daemon/runner.py") == []


def test_a_worker_process_builds_no_pool_and_no_coordinator() -> None:
    """Each kind of process has its container: a worker's (bootstrap.run_worker_job) cannot start workers."""
    import bootstrap

    worker_providers = set(bootstrap.WorkerContainer.providers)
    assert {"pool", "fleet", "coordinator"}.isdisjoint(worker_providers)
    assert {"pool", "fleet", "coordinator"} <= set(bootstrap.Container.providers)
    assert worker_providers <= set(bootstrap.Container.providers)
    container = bootstrap.Container(runtime=None)
    assert container.coordinator.kwargs["ledger"] is container.ledger  # one ledger per process, not two


def test_every_seller_judges_saturated_imports_by_the_one_rule() -> None:
    """The manufacturing worker, the trade worker and the stranded-cargo seller pass over the same dumped imports
    the route and demand finders leave out."""
    import bootstrap

    container = bootstrap.WorkerContainer(runtime=None)
    for seller in (container.worker, container.arbitrage_worker, container.stranded_seller):
        assert seller.kwargs["saturated"] is container.saturated
