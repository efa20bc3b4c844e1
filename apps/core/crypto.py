"""Secrets at rest: Fernet encryption with the keys of ``settings.VPR_FERNET_KEYS``.

Keys are listed newest first; MultiFernet encrypts with the first and decrypts with any, so keys
can be rotated by prepending a new one. Without configured keys (development, tests) one key is
derived from SECRET_KEY; production settings refuse to start without VPR_FERNET_KEYS.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"vpr-portal fernet v1:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    material = [k.encode() for k in keys] or [_derived_key()]
    return MultiFernet([Fernet(k) for k in material])


def _current() -> MultiFernet:
    return _box(tuple(getattr(settings, "VPR_FERNET_KEYS", []) or []), settings.SECRET_KEY)


def encrypt(data: bytes) -> str:
    """A Fernet token (ASCII) of ``data``."""
    return _current().encrypt(data).decode("ascii")


def decrypt(token: str) -> bytes:
    """The plaintext of a token made by :func:`encrypt`; raises InvalidToken if tampered."""
    return _current().decrypt(token.encode("ascii"))
