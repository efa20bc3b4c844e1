"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), standard library only.

Parameters are those every authenticator app assumes: HMAC-SHA1, 6 digits, 30-second steps.
A code is accepted within ±1 step (``WINDOW``) to absorb clock drift, and never twice:
the caller stores the last accepted counter and passes it back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now: a code lives at most ~90 seconds


def generate_secret() -> str:
    """A new random secret, base32 without padding (160 bits, as RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def counter_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def hotp(secret: str, counter: int) -> str:
    """RFC 4226: HMAC-SHA1 of the big-endian counter, dynamically truncated to DIGITS digits."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, at: datetime) -> str:
    return hotp(secret, counter_at(at))


def verify(secret: str, code: str, *, at: datetime, last_counter: int | None = None) -> int | None:
    """The counter ``code`` matches within the window (and after ``last_counter``), else None."""
    code = "".join(ch for ch in code if not ch.isspace())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = counter_at(at)
    for counter in range(now - WINDOW, now + WINDOW + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(hotp(secret, counter), code):
            return counter
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app imports (also typed in by hand as the secret)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four for typing by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
