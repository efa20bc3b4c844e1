"""Test settings: fast hashing, in-memory e-mail, eager tasks unless a test starts a worker."""

import tempfile

from vpr_portal.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
MEDIA_ROOT = tempfile.mkdtemp(prefix="vpr-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run task bodies in-process; the worker integration test overrides this in the worker.
CELERY_TASK_ALWAYS_EAGER = True
