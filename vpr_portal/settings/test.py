"""Test settings: fast hashing, in-memory e-mail, eager tasks unless a test starts a worker."""

import tempfile

from vpr_portal import env
from vpr_portal.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
# DJANGO_MEDIA_ROOT lets a worker started by a test share the test process's media directory.
MEDIA_ROOT = env.MEDIA_ROOT or tempfile.mkdtemp(prefix="vpr-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run task bodies in-process; VPR_CELERY_EAGER=0 (the worker integration test) sends
# them through the broker instead.
CELERY_TASK_ALWAYS_EAGER = env.CELERY_EAGER

# The demo app (`seed_demo`): local and test settings only, never production.
INSTALLED_APPS = [*INSTALLED_APPS, "apps.demo"]
