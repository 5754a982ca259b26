#!/usr/bin/env python
"""Django's command-line utility for the course users example backend."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command; a bad setting or an unreachable database is one line on stderr."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        _fail(f"bad configuration: {exc}")
    except OperationalError as exc:
        _fail(f"database unavailable: {' '.join(str(exc).split())}")


def _fail(message: str) -> None:
    sys.stderr.write(f"manage.py: {message}\n")
    raise SystemExit(2)


if __name__ == "__main__":
    main()
