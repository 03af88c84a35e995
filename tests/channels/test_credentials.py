"""Only channels whose variables are all set are handed to Rasa; no secret reaches the disk."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import ROOT
from channels.credentials import channel_statuses, describe, write_effective

SOURCE = ROOT / "credentials.yml"


def test_without_variables_only_rest_and_socketio(tmp_path: Path) -> None:
    statuses = write_effective(SOURCE, tmp_path / "c.yml", env={})
    assert set(yaml.safe_load((tmp_path / "c.yml").read_text())) == {"rest", "socketio"}
    assert [s.name for s in statuses if s.live] == ["rest", "socketio"]
    assert "not configured: twilio (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)" in describe(
        statuses)


def test_a_channel_is_live_only_when_all_its_variables_are_set(tmp_path: Path) -> None:
    env = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "very-secret",
           "TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_SECRET_TOKEN": " ",
           "MESSENGER_VERIFY_TOKEN": "v", "MESSENGER_APP_SECRET": "s",
           "MESSENGER_PAGE_ACCESS_TOKEN": "p"}
    write_effective(SOURCE, tmp_path / "c.yml", env=env)
    text = (tmp_path / "c.yml").read_text()
    assert set(yaml.safe_load(text)) == {"rest", "socketio", "channels.twilio.TwilioChannel",
                                         "channels.facebook.MessengerChannel"}
    assert "${TWILIO_AUTH_TOKEN}" in text and "very-secret" not in text


def test_webhook_paths_are_the_channel_names() -> None:
    paths = {s.name: s.webhook for s in channel_statuses(SOURCE, env={})}
    assert paths["twilio"] == "/webhooks/twilio/webhook"
    assert paths["telegram"] == "/webhooks/telegram/webhook"
    assert paths["facebook"] == "/webhooks/facebook/webhook"
