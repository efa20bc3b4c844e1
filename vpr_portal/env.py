"""The environment, read once. Settings modules import from here and nowhere else."""

from __future__ import annotations

import os


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _count(name: str) -> int | None:
    """A non-negative whole number, or None when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


SECRET_KEY: str = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG: bool = _bool("DJANGO_DEBUG")
ALLOWED_HOSTS: list[str] = _list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS: list[str] = _list("DJANGO_CSRF_TRUSTED_ORIGINS")
DATABASE_URL: str = os.environ.get("DATABASE_URL", "")
REDIS_URL: str = os.environ.get("REDIS_URL", "")
MEDIA_ROOT: str = os.environ.get("DJANGO_MEDIA_ROOT", "")
STATIC_ROOT: str = os.environ.get("DJANGO_STATIC_ROOT", "")
SECURE_SSL_REDIRECT: bool = _bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
BEHIND_TLS_PROXY: bool = _bool("DJANGO_BEHIND_TLS_PROXY", default=True)
# How many reverse proxies in front of Django each append the address they saw to
# DJANGO_TRUSTED_PROXY_HEADER; the client address (lockouts, audit) is the one the outermost of them
# saw. Unset: production trusts one proxy while DJANGO_BEHIND_TLS_PROXY is on, elsewhere none.
TRUSTED_PROXY_COUNT: int | None = _count("DJANGO_TRUSTED_PROXY_COUNT")
TRUSTED_PROXY_HEADER: str = os.environ.get("DJANGO_TRUSTED_PROXY_HEADER", "") or "X-Forwarded-For"
CI: bool = _bool("CI")
# Fernet keys (comma-separated, newest first) for secrets at rest: TOTP secrets, credentials files.
FERNET_KEYS: list[str] = _list("VPR_FERNET_KEYS")
# Ed25519 private key (base64 of the 32 raw bytes, or PEM) that signs materials manifests.
MANIFEST_SIGNING_KEY: str = os.environ.get("VPR_MANIFEST_SIGNING_KEY", "")
# The federal operator's contacts, shown to regional coordinators in every cabinet (notices app).
FEDERAL_CONTACT_NAME: str = os.environ.get("VPR_FEDERAL_CONTACT_NAME", "")
FEDERAL_CONTACT_PHONE: str = os.environ.get("VPR_FEDERAL_CONTACT_PHONE", "")
FEDERAL_CONTACT_EMAIL: str = os.environ.get("VPR_FEDERAL_CONTACT_EMAIL", "")
# Works a full analytics rebuild computes at once on PostgreSQL, each on its own connection.
ANALYTICS_REBUILD_CONNECTIONS: int | None = _count("VPR_ANALYTICS_REBUILD_CONNECTIONS")
# Test settings only: VPR_CELERY_EAGER=0 sends tasks through the broker to a real worker.
CELERY_EAGER: bool = _bool("VPR_CELERY_EAGER", default=True)

# S3-compatible object storage (e.g. MinIO). Unset: files on local disk under MEDIA_ROOT.
S3_BUCKET: str = os.environ.get("VPR_S3_BUCKET", "")
S3_ENDPOINT_URL: str = os.environ.get("VPR_S3_ENDPOINT_URL", "")
S3_ACCESS_KEY: str = os.environ.get("VPR_S3_ACCESS_KEY", "")
S3_SECRET_KEY: str = os.environ.get("VPR_S3_SECRET_KEY", "")
S3_REGION: str = os.environ.get("VPR_S3_REGION", "us-east-1")
