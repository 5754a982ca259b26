"""Benchmarks: the mock against Stoplight Prism and a bare Starlette ceiling, side by side.

Run everything with ``python -m benchmarks`` (or ``tox -e bench``); ``--quick`` for a smoke run,
``--only SECTION`` for one section. See ``benchmarks/cli.py`` for the sections.
"""
