"""The docs-drift check: compare what the docs say with what the committed spec says.

Both are reduced to facts (``facts.from_docs``, ``spec_facts.from_spec``). A difference is
*declared* when a decision's override names exactly that fact with exactly these two values;
every other difference is drift, described in docs terms (parameter removed, enum value added,
property renamed, role text changed, error code added, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from course_users.openapi import facts as docs_facts
from course_users.openapi import spec_facts
from course_users.openapi.bundle import SPEC_PATH
from course_users.openapi.decisions import DECISIONS_PATH, Override, load_decisions
from course_users.openapi.docs_parser import parse_docs
from course_users.openapi.errors import SpecShapeError

_MISSING = object()
# Collections whose items are compared one by one, with how an item is named in messages.
_COLLECTIONS = {"parameters": "parameter", "responses": "response", "errors": "error code"}


@dataclass(frozen=True)
class Difference:
    """One difference between the docs and the spec; ``decision`` is set when it is declared."""

    key: str
    message: str
    decision: str | None = None

    def __str__(self) -> str:
        if self.decision:
            return f"declared ({self.decision}): {self.message}"
        return f"DRIFT: {self.message}"


def check_docs(
    docs_dir: Path, spec_path: Path = SPEC_PATH, decisions_path: Path = DECISIONS_PATH
) -> list[Difference]:
    """Compare the docs under ``docs_dir`` with the spec at ``spec_path``."""
    decisions = load_decisions(decisions_path)
    docs = docs_facts.from_docs(parse_docs(docs_dir))
    try:
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecShapeError(f"{spec_path}: cannot read the spec: {exc}") from None
    if not isinstance(spec, dict):
        raise SpecShapeError(f"{spec_path}: not an OpenAPI document")
    return compare(docs, spec_facts.from_spec(spec, decisions.settings), decisions.overrides)


def compare(
    docs: dict[str, Any], spec: dict[str, Any], overrides: dict[str, Override]
) -> list[Difference]:
    """Every difference between the two fact sets, declared ones marked with their decision."""
    differences: list[Difference] = []
    for key in _keys(docs, spec):
        if not (_live(key, docs) and _live(key, spec)):
            continue
        said, has = docs.get(key, _MISSING), spec.get(key, _MISSING)
        override = overrides.get(key)
        if override is None:
            if said != has:
                differences += _drift(key, has, said, docs, spec)
        elif said == override.docs and has == override.spec:
            message = f"{_subject(key)}: docs {_show(said)}, spec {_show(has)}"
            differences.append(Difference(key, message, override.decision))
        else:
            if said != override.docs:
                differences += _drift(key, override.docs, said, docs, spec)
            if has != override.spec:
                message = (
                    f"{_subject(key)}: spec says {_show(has)} but decision "
                    f"{override.decision} says {_show(override.spec)}"
                )
                differences.append(Difference(key, message))
    return differences


def _keys(docs: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    return list(docs) + [key for key in spec if key not in docs]


def _parent(key: str) -> tuple[str, str] | None:
    """The collection fact listing the item a key belongs to, and the item's name."""
    parts = key.split(".")
    if parts[0] == "parameter" and len(parts) == 3:
        return "parameters", parts[1]
    if parts[0] == "error" and len(parts) == 3:
        return "errors", parts[1]
    if parts[0] == "response" and len(parts) == 3:
        return "responses", parts[1]
    if parts[0] in ("response", "schema") and len(parts) == 5 and parts[2] == "property":
        return f"{parts[0]}.{parts[1]}.properties", parts[3]
    return None


def _live(key: str, facts: dict[str, Any]) -> bool:
    """True when every collection above ``key`` lists its item (or ``key`` has no parent)."""
    parent = _parent(key)
    if parent is None:
        return True
    collection, item = parent
    return _live(collection, facts) and item in (facts.get(collection) or [])


def _subject(key: str) -> str:
    parts = key.split(".")
    if parts[0] in ("response", "schema") and len(parts) == 5:
        return f"{parts[0]} {parts[1]} property {parts[3]}: {parts[4]}"
    if parts[0] in ("parameter", "error", "response", "schema") and len(parts) == 3:
        return f"{parts[0]} {parts[1]}: {parts[2]}"
    return key


def _show(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    return json.dumps(value, ensure_ascii=False)


def _drift(key: str, old: Any, new: Any, docs: dict, spec: dict) -> list[Difference]:
    """Describe a change from ``old`` (what the spec was made from) to ``new`` (the docs now)."""
    if key in _COLLECTIONS or key.endswith(".properties"):
        return _collection_drift(key, old, new, docs, spec)
    if key.endswith(".enum"):
        return _enum_drift(key, old, new)
    if key == "role":
        return [Difference(key, f"role text changed: {_show(old)} -> {_show(new)}")]
    return [Difference(key, f"{_subject(key)} changed: {_show(old)} -> {_show(new)}")]


def _enum_drift(key: str, old: Any, new: Any) -> list[Difference]:
    subject = _subject(key).removesuffix(": enum")
    old, new = old or [], new or []
    lines = [Difference(key, f"{subject}: enum value added: {v}") for v in new if v not in old]
    lines += [Difference(key, f"{subject}: enum value removed: {v}") for v in old if v not in new]
    if not lines:
        lines.append(
            Difference(key, f"{subject}: enum order changed: {_show(old)} -> {_show(new)}")
        )
    return lines


def _collection_drift(key: str, old: Any, new: Any, docs: dict, spec: dict) -> list[Difference]:
    what = _COLLECTIONS.get(key) or _subject(key).removesuffix(": properties") + " property"
    old, new = list(old or []), list(new or [])
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    lines = []
    for before, after in _renames(key, removed, added, docs, spec):
        lines.append(Difference(key, f"{what} renamed: {before} -> {after}"))
        removed.remove(before)
        added.remove(after)
    lines += [Difference(key, f"{what} added: {item}") for item in added]
    lines += [Difference(key, f"{what} removed: {item}") for item in removed]
    if not lines:
        lines.append(Difference(key, f"{what} order changed: {_show(old)} -> {_show(new)}"))
    return lines


def _renames(
    key: str, removed: list[str], added: list[str], docs: dict, spec: dict
) -> list[tuple[str, str]]:
    """Pairs (removed, added) of properties that are the same field under a new name.

    Same description, or (one removed, one added) with the same type: a rename in the docs
    otherwise shows up as one field removed and one added.
    """
    if not key.endswith(".properties"):
        return []
    prefix = key.removesuffix("properties") + "property."

    def same(before: str, after: str, attr: str) -> bool:
        return spec.get(f"{prefix}{before}.{attr}") == docs.get(f"{prefix}{after}.{attr}")

    pairs = []
    for before in removed:
        matches = [a for a in added if same(before, a, "description")]
        if not matches and len(removed) == len(added) == 1 and same(before, added[0], "type"):
            matches = added
        if len(matches) == 1 and matches[0] not in [a for _, a in pairs]:
            pairs.append((before, matches[0]))
    return pairs
