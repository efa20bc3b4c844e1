"""Production: secrets and hosts from the environment, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from vpr_portal import env
from vpr_portal.settings.base import *

if not env.SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
if not env.DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set in production")
if not env.FERNET_KEYS:
    raise ImproperlyConfigured("VPR_FERNET_KEYS must be set in production")
if not env.MANIFEST_SIGNING_KEY:
    raise ImproperlyConfigured(
        "VPR_MANIFEST_SIGNING_KEY must be set in production: an Ed25519 private key, PEM or "
        "base64 of its 32 raw bytes (e.g. `openssl genpkey -algorithm ed25519`)"
    )
try:
    from apps.materials.signing import parse_private_key

    parse_private_key(env.MANIFEST_SIGNING_KEY)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None

DEBUG = False
SECRET_KEY = env.SECRET_KEY
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env.S3_BUCKET:
    # Object storage (MinIO in docker-compose): archives, forms and uploads are private objects;
    # downloads are streamed through the portal, which checks scope and release gates first.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.S3_BUCKET,
            "endpoint_url": env.S3_ENDPOINT_URL or None,
            "access_key": env.S3_ACCESS_KEY,
            "secret_key": env.S3_SECRET_KEY,
            "region_name": env.S3_REGION,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
            "addressing_style": "path",
        },
    }
WHITENOISE_USE_FINDERS = False

SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
if env.BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client address is the one the trusted proxy saw (lockouts per real client, audit rows);
# one proxy by default behind TLS, DJANGO_TRUSTED_PROXY_COUNT when there are more (or none).
if env.TRUSTED_PROXY_COUNT is not None:
    VPR_TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT
elif env.BEHIND_TLS_PROXY:
    VPR_TRUSTED_PROXY_COUNT = 1
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
