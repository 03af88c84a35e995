"""Proof that a webhook call came from the provider, checked before anything else is read.

Every comparison is constant-time, so a forger learns nothing from how long a rejection takes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from twilio.request_validator import RequestValidator


def twilio_valid(
    auth_token: str, url: str, params: Mapping[str, Sequence[str]], signature: str | None
) -> bool:
    """X-Twilio-Signature: base64 HMAC-SHA1 (auth token) of the URL plus the sorted POST params.

    Twilio signs the URL it called, which is the public one when Rasa sits behind a proxy;
    Twilio's own validator also accepts it with or without the default port.
    """
    if not signature or not auth_token:
        return False
    flat = _MultiDict(params)
    return bool(RequestValidator(auth_token).validate(url, flat, signature))


def secret_matches(expected: str, given: str | None) -> bool:
    """A shared secret sent back as is; never matches when either side is empty."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def telegram_valid(secret_token: str, header: str | None) -> bool:
    """X-Telegram-Bot-Api-Secret-Token: the secret we gave Telegram in setWebhook, echoed back."""
    return secret_matches(secret_token, header)


def messenger_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: 'sha256=' + hex HMAC-SHA256 (app secret) of the raw request body."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256="):].encode(), expected.encode())


class _MultiDict(dict):
    """Twilio's validator reads repeated fields through `getall`; Sanic gives lists."""

    def __init__(self, params: Mapping[str, Sequence[str]]) -> None:
        super().__init__({k: (list(v) if not isinstance(v, str) else [v]) for k, v in
                          params.items()})

    def getall(self, key: str) -> list[str]:
        return self[key]
