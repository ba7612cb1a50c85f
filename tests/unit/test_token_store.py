"""The token file: owner-only from the first byte, read back per player, never shown."""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from adapters.cli.token_store import NoAgent, StoredAgent, TokenStore, TokenStoreError
from adapters.daemon.paths import InvalidPlayerName

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJBTFBIQSJ9.c2VjcmV0LXNpZ25hdHVyZQ"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_token_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "data")

    path = store.save("alpha", TOKEN, base_url="http://127.0.0.1:1/v2")

    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(tmp_path / "data" / "players") == 0o700


def test_the_file_is_owner_only_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = TokenStore(tmp_path / "data").save("alpha", TOKEN)
    finally:
        os.umask(previous)

    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_a_saved_token_is_read_back_per_player(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save("alpha", TOKEN, base_url="http://a/v2")
    store.save("BETA", "other-token", base_url="http://b/v2")

    alpha = store.load("ALPHA")
    beta = store.load("beta")

    assert alpha is not None and alpha.token == TOKEN and alpha.base_url == "http://a/v2"
    assert beta is not None and beta.token == "other-token"
    assert store.players() == ["ALPHA", "BETA"]
    assert store.load("gamma") is None


def test_saving_again_replaces_the_token(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save("alpha", "old-token")

    store.save("alpha", TOKEN)

    loaded = store.load("alpha")
    assert loaded is not None and loaded.token == TOKEN
    assert mode(store.path_for("alpha")) == 0o600


def test_the_token_never_shows_in_a_repr_or_a_log(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    store = TokenStore(tmp_path)
    store.save("alpha", TOKEN)
    os.chmod(store.path_for("alpha"), 0o644)  # widened by hand: reading warns and closes it again

    loaded = store.load("alpha")

    assert loaded is not None
    assert TOKEN not in repr(loaded) and TOKEN not in str(loaded)
    assert TOKEN not in caplog.text
    assert "readable by others" in caplog.text
    assert mode(store.path_for("alpha")) == 0o600
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err


def test_a_damaged_file_is_an_error_that_does_not_quote_it(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    path = store.save("alpha", TOKEN)
    path.write_text(TOKEN + " not json")

    with pytest.raises(TokenStoreError) as damaged:
        store.load("alpha")

    assert TOKEN not in str(damaged.value)
    assert "register again" in str(damaged.value)


def test_choosing_a_player(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    with pytest.raises(NoAgent):
        store.choose_player()
    store.save("alpha", TOKEN)
    assert store.choose_player() == "ALPHA"
    store.save("beta", TOKEN)
    with pytest.raises(NoAgent, match="--player"):
        store.choose_player()
    assert store.choose_player("beta") == "BETA"
    with pytest.raises(NoAgent):
        store.require("gamma")


def test_a_player_name_cannot_escape_the_data_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidPlayerName):
        TokenStore(tmp_path).save("../evil", TOKEN)
    assert not (tmp_path.parent / "evil").exists()


def test_stored_agent_repr_hides_the_token() -> None:
    assert "s3cret" not in repr(StoredAgent(player="A", token="s3cret"))
