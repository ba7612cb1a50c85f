"""Kill the real server (SIGKILL) mid-session and start it again from --data: nothing a client was told is lost."""
from __future__ import annotations

from pathlib import Path

import httpx
import msgspec

from adapters.game_server.http_server_process import GameServerProcess
from adapters.wire import models as wire
from adapters.wire.models import Envelope, Page


def decode(answer: httpx.Response, kind: type, status: int = 200):
    assert answer.status_code == status, answer.text
    return msgspec.json.decode(answer.content, type=kind)


def test_sigkill_then_restart_from_the_same_data_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with GameServerProcess(data_dir=data, seed=3) as server:
        port = server.port
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            registered = decode(client.post("/register", json={"symbol": "SURVIVOR", "faction": "COSMIC"}),
                                Envelope[wire.RegisterData], 201).data
            client.headers["Authorization"] = f"Bearer {registered.token}"
            frigate = registered.ships[0].symbol
            probe = registered.ships[1]
            system = registered.agent.headquarters.rsplit("-", 1)[0]
            market = decode(client.get(f"/systems/{system}/waypoints/{registered.agent.headquarters}/market"),
                            Envelope[wire.Market]).data
            good = min((g for g in market.trade_goods or [] if g.symbol != "FUEL"), key=lambda g: g.purchase_price)
            for _ in range(3):
                trade = decode(client.post(f"/my/ships/{frigate}/purchase",
                                           json={"symbol": good.symbol, "units": 1}), Envelope[wire.TradeData], 201)
            sold = decode(client.post(f"/my/ships/{frigate}/sell", json={"symbol": good.symbol, "units": 1}),
                          Envelope[wire.TradeData], 201).data
            yard = decode(client.get(f"/systems/{system}/waypoints/{probe.nav.waypoint_symbol}/shipyard"),
                          Envelope[wire.Shipyard]).data
            bought = decode(client.post("/my/ships", json={"shipType": yard.ship_types[0].type,
                                                           "waypointSymbol": probe.nav.waypoint_symbol}),
                            Envelope[wire.PurchaseShipData], 201).data
            orbit = decode(client.post(f"/my/ships/{probe.symbol}/orbit"), Envelope[wire.NavData]).data
            told_fleet = decode(client.get("/my/ships?limit=20"), Page[wire.Ship])
            told_agent = decode(client.get("/my/agent"), Envelope[wire.Agent]).data

        # The kill comes right after the last answers: whatever they said must already be on disk.
        assert server.kill(), "a server process outlived the SIGKILLed supervisor (orphan holding the port)"

    with GameServerProcess(data_dir=data, seed=3, port=port) as again, \
            httpx.Client(base_url=again.base_url, timeout=10,
                         headers={"Authorization": f"Bearer {registered.token}"}) as client:
        agent = decode(client.get("/my/agent"), Envelope[wire.Agent]).data
        fleet = decode(client.get("/my/ships?limit=20"), Page[wire.Ship])
        cargo = decode(client.get(f"/my/ships/{frigate}/cargo"), Envelope[wire.ShipCargo]).data
        market_after = decode(client.get(f"/systems/{system}/waypoints/{registered.agent.headquarters}/market"),
                              Envelope[wire.Market]).data

    assert agent == told_agent
    assert agent.credits == bought.agent.credits
    assert agent.ship_count == 3
    assert fleet == told_fleet
    assert cargo == sold.cargo
    assert cargo.units == 2 and trade.data.cargo.units == 3
    assert next(s for s in fleet.data if s.symbol == probe.symbol).nav.status == orbit.nav.status == "IN_ORBIT"
    assert bought.ship.symbol in {s.symbol for s in fleet.data}
    told_transactions = {(t.type, t.units, t.total_price) for t in [sold.transaction]}
    assert told_transactions <= {(t.type, t.units, t.total_price) for t in market_after.transactions or []}
