"""Resolve the root spec document into one self-contained dict (prance) and write it out."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from course_users.openapi.yamlio import dump_yaml

SPEC_PATH: Path = Path(__file__).resolve().parent / "course_users.yaml"


@functools.cache
def _resolved(path: Path) -> dict[str, Any]:
    # Imported lazily: prance pulls in a validator stack that `python -m openapi check-docs`
    # does not need.
    from prance import ResolvingParser
    from prance.util.resolver import RESOLVE_FILES, RESOLVE_INTERNAL

    parser = ResolvingParser(
        str(path),
        backend="openapi-spec-validator",
        strict=True,
        resolve_types=RESOLVE_INTERNAL | RESOLVE_FILES,
    )
    return parser.specification


def load_spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """Return the spec at ``path`` with every ``$ref`` inlined, validated by prance.

    The parse is cached per path; each call returns a deep copy so callers may mutate it.
    """
    return copy.deepcopy(_resolved(Path(path).resolve()))


def write_bundle(out: Path | str, path: Path | str = SPEC_PATH) -> Path:
    """Write the resolved spec as one document; JSON for ``.json``, YAML otherwise."""
    out = Path(out)
    spec = load_spec(path)
    if out.suffix == ".json":
        text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
    else:
        text = dump_yaml(spec)
    out.write_text(text, encoding="utf-8")
    return out
