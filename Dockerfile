# Production image: gunicorn serving the portal, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=vpr_portal.settings.production \
    DJANGO_MEDIA_ROOT=/app/media \
    DJANGO_STATIC_ROOT=/app/staticfiles

# Cyrillic fonts for the PDFs; nothing else is needed at run time (all wheels are binary).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time with production settings; the secret and database
# URL are build-time dummies (nothing connects to a database during collectstatic).
RUN DJANGO_SECRET_KEY=build-only-dummy-secret-not-used-at-runtime \
    DATABASE_URL=postgres://build@localhost:5432/build \
    python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin vpr \
    && mkdir -p /app/media \
    && chown -R vpr:vpr /app/media
USER vpr

EXPOSE 8000
# Workers, threads, keep-alive, backlog: vpr_portal/gunicorn_conf.py (docs/capacity.md).
CMD ["gunicorn", "vpr_portal.wsgi:application", "--config", "vpr_portal/gunicorn_conf.py"]
