"""Where things live and which ports the stack uses, from the environment with local defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "build"
MODELS_DIR = ROOT / "models"
RUN_DIR = ROOT / ".run"  # runtime state: token file, tracker store
LOCATOR_DB = BUILD_DIR / "locator.sqlite"


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        port = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a port number, not {value!r}") from None
    if not 0 < port < 65536:
        raise SystemExit(f"{name} must be between 1 and 65535, not {port}")
    return port


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    actions_port: int
    locator_port: int
    web_port: int
    run_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            host=os.environ.get("BIND_HOST", "127.0.0.1"),
            rasa_port=_port("RASA_PORT", 5005),
            actions_port=_port("ACTIONS_PORT", 5055),
            locator_port=_port("LOCATOR_PORT", 8001),
            web_port=_port("WEB_PORT", 8000),
            run_dir=Path(os.environ.get("RUN_DIR", RUN_DIR)),
        )

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    @property
    def token_file(self) -> Path:
        return self.run_dir / "rasa_token"

    @property
    def tracker_db(self) -> Path:
        return self.run_dir / "tracker.sqlite"


def rasa_token(settings: Settings) -> tuple[str, Path | None]:
    """The Rasa API token: RASA_AUTH_TOKEN, else one generated and kept in a user-only file.

    Returns the token and the file it was stored in (None when it came from the environment).
    """
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if token:
        return token, None
    path = settings.token_file
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            path.chmod(0o600)
            return stored, path
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    # Create with 0600 from the start so the token is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token, path
