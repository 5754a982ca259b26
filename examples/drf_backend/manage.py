#!/usr/bin/env python
"""Django's command-line utility for the course users example backend."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command; a bad setting is one line on stderr, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"manage.py: bad configuration: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
