"""Ed25519 signatures of archive manifests.

The private key comes from ``settings.VPR_MANIFEST_SIGNING_KEY`` (the environment variable of
the same name): 32 raw bytes in base64, or a PEM private key. Without it (development, tests)
a key is derived from SECRET_KEY (still secret, but set the variable in production so the key
can be kept and rotated apart from SECRET_KEY).

The signature covers the exact bytes of ``manifest.json``; ``manifest.sig`` holds it in base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def parse_private_key(configured: str) -> Ed25519PrivateKey:
    """The Ed25519 key of a configured value (PEM, or base64 of 32 raw bytes); ValueError if it
    is not one (the message never contains the value)."""
    try:
        if configured.strip().startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(configured.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError(
            "VPR_MANIFEST_SIGNING_KEY is not an Ed25519 private key (PEM, or base64 of 32 bytes)"
        ) from exc


@lru_cache(maxsize=4)
def _key(configured: str, secret_key: str) -> Ed25519PrivateKey:
    if configured:
        return parse_private_key(configured)
    seed = hashlib.sha256(b"vpr-portal manifest v1:" + secret_key.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    return _key(getattr(settings, "VPR_MANIFEST_SIGNING_KEY", "") or "", settings.SECRET_KEY)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def sign(data: bytes) -> str:
    """The base64 Ed25519 signature of ``data``."""
    return base64.b64encode(private_key().sign(data)).decode("ascii")


def verify(data: bytes, signature: str | bytes, key: Ed25519PublicKey | None = None) -> bool:
    """True if ``signature`` (base64) signs exactly ``data``; any changed byte gives False."""
    try:
        raw = base64.b64decode(signature, validate=True)
        (key or public_key()).verify(raw, data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
