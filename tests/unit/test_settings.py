import stat

import pytest

from bot.settings import Settings, rasa_token


def _settings(tmp_path) -> Settings:
    return Settings("127.0.0.1", 5005, 5055, 8001, 8000, tmp_path)


def test_generated_token_is_private_and_stable(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    token, path = rasa_token(_settings(tmp_path))
    assert path is not None and len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert rasa_token(_settings(tmp_path)) == (token, path)


def test_token_from_environment_is_not_written(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", "from-env")
    assert rasa_token(_settings(tmp_path)) == ("from-env", None)
    assert not (tmp_path / "rasa_token").exists()


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_port_stops_with_a_message(monkeypatch, value) -> None:
    monkeypatch.setenv("RASA_PORT", value)
    with pytest.raises(SystemExit, match="RASA_PORT"):
        Settings.from_env()


def test_rasa_wrapper_passes_a_dash_token_as_one_argument(monkeypatch) -> None:
    """A generated token may start with '-'; argparse must not take it for an option."""
    import rasa.__main__

    from bot import rasa_server

    seen: list[str] = []
    monkeypatch.setenv("RASA_AUTH_TOKEN", "-starts-with-dash")
    monkeypatch.setattr("sys.argv", ["bot.rasa_server", "--port", "5005"])
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.extend(__import__("sys").argv))
    rasa_server.main()
    assert seen[-1] == "--auth-token=-starts-with-dash"
    assert "--enable-api" in seen
