"""Which channels are live: the credentials.yml sections whose `${VAR}`s are all set.

Rasa refuses a credentials file with an unset `${VAR}`, so the launcher hands Rasa an effective
copy with only the enabled sections. The copy keeps the `${VAR}` references (Rasa expands them
when it reads the file): no secret is ever written to disk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_VAR = re.compile(r"\$\{([^}]+)\}")
# Channels that need no secret and are always on.
ALWAYS_ON = ("rest", "socketio")


@dataclass(frozen=True)
class ChannelStatus:
    section: str  # the credentials.yml key, e.g. channels.twilio.TwilioChannel
    name: str  # the short name in its webhook URL, e.g. twilio
    missing: tuple[str, ...]  # the variables still to set; empty when the channel is live

    @property
    def live(self) -> bool:
        return not self.missing

    @property
    def webhook(self) -> str:
        return f"/webhooks/{self.name}/webhook"


def _variables(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_VAR.findall(value))
    if isinstance(value, dict):
        return set().union(*(_variables(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_variables(v) for v in value)) if value else set()
    return set()


def _short_name(section: str) -> str:
    """'channels.twilio.TwilioChannel' → 'twilio': the module names the webhook path."""
    parts = section.split(".")
    return parts[-2] if len(parts) >= 2 else section


def read_sections(path: Path) -> dict[str, Any]:
    # BaseLoader: leave `${VAR}` as text; this reader must never expand or need a secret.
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader) or {}


def channel_statuses(path: Path, env: Mapping[str, str] | None = None) -> list[ChannelStatus]:
    env = os.environ if env is None else env
    statuses = []
    for section, settings in read_sections(path).items():
        needed = sorted(_variables(settings))
        missing = tuple(v for v in needed if not env.get(v, "").strip())
        name = section if section in ALWAYS_ON else _short_name(section)
        statuses.append(ChannelStatus(section, name, missing))
    return statuses


def write_effective(source: Path, target: Path, env: Mapping[str, str] | None = None) -> list[
    ChannelStatus
]:
    """Copies the live sections of `source` to `target`, text unchanged; returns every status."""
    statuses = channel_statuses(source, env)
    live = {s.section for s in statuses if s.live}
    kept = [f"# Written by the launcher from {source.name}: only the live channels. Do not edit."]
    keep = False
    # Line-based so `${VAR}` text survives exactly; sections are top-level keys.
    for line in source.read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        top = re.match(r"^([^\s#][^:]*):", line)
        if top:
            keep = top.group(1).strip() in live
        if keep:
            kept.append(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(kept) + "\n")
    return statuses


def describe(statuses: list[ChannelStatus]) -> str:
    """One line for people: what is live and what would switch the rest on."""
    live = [s.name for s in statuses if s.live]
    off = [f"{s.name} (set {', '.join(s.missing)})" for s in statuses if not s.live]
    text = f"channels live: {', '.join(live)}"
    return text + (f"; not configured: {'; '.join(off)}" if off else "")
