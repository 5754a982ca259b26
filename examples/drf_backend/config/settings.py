"""Settings of the course users example backend, read once from environment variables.

Every value has a default for a local PostgreSQL; a bad value fails by name
(`POSTGRES_PORT='x' is not an integer`). The POSTGRES_* names are the ones the official
postgres image and GitHub Actions services use.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


SECRET_KEY = _env("DJANGO_SECRET_KEY", "insecure-example-key-set-DJANGO_SECRET_KEY-in-production")
DEBUG = False
ALLOWED_HOSTS = _env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
# Behind a reverse proxy (nginx, the mock's --proxy mode) `next`/`previous` are built on the
# proxy's host when this is true: Django then reads X-Forwarded-Host.
USE_X_FORWARDED_HOST = _env("DJANGO_USE_X_FORWARDED_HOST", "false").lower() == "true"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "courses",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": _env("POSTGRES_HOST", "127.0.0.1"),
        "PORT": _env_int("POSTGRES_PORT", 5432),
        "NAME": _env("POSTGRES_DB", "course_users"),
        "USER": _env("POSTGRES_USER", "postgres"),
        "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
        "CONN_MAX_AGE": 60,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_USER_MODEL = "courses.User"

# datetimes-utc: with USE_TZ and UTC, DRF's DateTimeField writes `2023-04-05T10:20:30Z`.
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = False

# avatar-url: avatars are files in the media storage; DRF's ImageField answers `MEDIA_URL + name`
# (made absolute with the request's host when MEDIA_URL is a path), or null without an avatar.
MEDIA_URL = _env("MEDIA_URL", "https://cdn.example.com/")
MEDIA_ROOT = _env("MEDIA_ROOT", str(BASE_DIR / "media"))

REST_FRAMEWORK = {
    # media-type: JSON only, so an Accept that excludes application/json is a 406.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["courses.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("DJANGO_LOG_LEVEL", "WARNING")},
}

# TEST-ONLY: the name of one deliberate bug from faults.py, for the conformance suite's own tests.
# Empty in every real deployment; config/urls.py is the only place that reads it.
DRF_EXAMPLE_FAULT = _env("DRF_EXAMPLE_FAULT", "") or None
