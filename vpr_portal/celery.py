"""The Celery application. Tasks are named, take ids only, and are idempotent."""

import os

from celery import Celery

from vpr_portal.celery_schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings.local")

app = Celery("vpr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = BEAT_SCHEDULE
app.autodiscover_tasks()
