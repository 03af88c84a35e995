"""Webhook signatures: only the provider's own signature over exactly this request passes."""

from __future__ import annotations

import base64
import hashlib
import hmac

from channels.signatures import messenger_valid, telegram_valid, twilio_valid

URL = "https://met.example/webhooks/twilio/webhook"
PARAMS = {"From": "+447700900123", "To": "+447700900000", "Body": "hello", "MessageSid": "SM1"}


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's documented scheme, written out: URL + each sorted key and value, HMAC-SHA1."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_twilio_accepts_its_signature() -> None:
    assert twilio_valid("secret", URL, PARAMS, twilio_signature("secret", URL, PARAMS))


def test_twilio_accepts_form_lists_as_sanic_gives_them() -> None:
    form = {k: [v] for k, v in PARAMS.items()}
    assert twilio_valid("secret", URL, form, twilio_signature("secret", URL, PARAMS))


def test_twilio_rejects_tampering_and_absence() -> None:
    good = twilio_signature("secret", URL, PARAMS)
    assert not twilio_valid("secret", URL, {**PARAMS, "Body": "hellO"}, good)
    assert not twilio_valid("secret", URL + "?x=1", PARAMS, good)
    assert not twilio_valid("other", URL, PARAMS, good)
    assert not twilio_valid("secret", URL, PARAMS, None)
    assert not twilio_valid("secret", URL, PARAMS, "")
    assert not twilio_valid("", URL, PARAMS, twilio_signature("", URL, PARAMS))


def test_telegram_secret_header() -> None:
    assert telegram_valid("s3cret_token", "s3cret_token")
    assert not telegram_valid("s3cret_token", "s3cret_tokem")
    assert not telegram_valid("s3cret_token", None)
    assert not telegram_valid("", "")


def test_messenger_sha256_over_the_raw_body() -> None:
    body = b'{"object":"page","entry":[]}'
    good = "sha256=" + hmac.new(b"app", body, hashlib.sha256).hexdigest()
    assert messenger_valid("app", body, good)
    assert not messenger_valid("app", body + b" ", good)
    assert not messenger_valid("app", body, good.replace("sha256=", "sha1="))
    assert not messenger_valid("app", body, None)
    unkeyed = "sha256=" + hmac.new(b"", body, hashlib.sha256).hexdigest()
    assert not messenger_valid("", body, unkeyed)
