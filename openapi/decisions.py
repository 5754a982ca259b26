"""The reviewed decisions file: every point the docs leave open, each with a one-line reason.

A decision (an entry of ``decisions:``) has an ``id``, a ``reason`` and any of:

``setting``   named values the generator needs (docs site URL, server URL, schema names, ...);
``override``  facts where the spec deliberately differs from the docs, each as
              ``<fact key>: {docs: <what the docs said>, spec: <what the spec says>}``; the drift
              check accepts exactly these differences and no others;
``add``       fragments merged into the generated spec at a target (``operation``,
              ``parameter <name>``, ``schema <Name>``, ``property <Schema>.<name>``,
              ``response <code>``, a JSON pointer such as ``/info``, or ``document``, the top
              level, for keys that hold a list such as ``tags``). Additions may only add:
              they never replace what the docs say (that is what ``override`` is for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from course_users.openapi.errors import DecisionsError, DriftError

DECISIONS_PATH: Path = Path(__file__).resolve().parent / "decisions.yaml"

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KEYS = {"id", "reason", "setting", "override", "add"}
MISSING = object()


@dataclass(frozen=True)
class Settings:
    """Named values the generator needs that the docs do not state."""

    docs_site_url: str
    server_url: str
    media_type: str
    envelope_schema: str
    security_scheme: str
    error_content: dict[str, Any]


@dataclass(frozen=True)
class Override:
    """A fact where the spec says ``spec`` although the docs say ``docs``."""

    decision: str
    docs: Any
    spec: Any


@dataclass(frozen=True)
class Addition:
    """A fragment merged into the spec at ``target``."""

    decision: str
    target: str
    value: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    """One entry of the decisions file (for listing: id, reason and the kinds it uses)."""

    id: str
    reason: str
    kinds: tuple[str, ...] = ()


@dataclass
class Decisions:
    """The whole decisions file, validated."""

    path: Path
    decisions: list[Decision]
    settings: Settings
    overrides: dict[str, Override] = field(default_factory=dict)
    additions: list[Addition] = field(default_factory=list)


def load_decisions(path: Path = DECISIONS_PATH) -> Decisions:
    """Read and validate the decisions file, raising ``DecisionsError`` naming the bad place."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DecisionsError(path, "file", f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark else "file"
        raise DecisionsError(path, place, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), list):
        raise DecisionsError(path, "file", "expected a mapping with a 'decisions' list")
    return _build(path, data["decisions"])


def _build(path: Path, entries: list[Any]) -> Decisions:
    listed: list[Decision] = []
    settings: dict[str, Any] = {}
    overrides: dict[str, Override] = {}
    additions: list[Addition] = []
    for index, entry in enumerate(entries):
        decision = _decision(path, index, entry)
        place = f"decisions[{index}] ({decision.id})"
        if decision.id in {d.id for d in listed}:
            raise DecisionsError(path, place, "id is used twice")
        listed.append(decision)
        for name, value in _mapping(path, place + ".setting", entry.get("setting", {})).items():
            if name in settings:
                raise DecisionsError(path, f"{place}.setting.{name}", "set twice")
            settings[name] = value
        for key, pair in _mapping(path, place + ".override", entry.get("override", {})).items():
            overrides[key] = _override(
                path, f"{place}.override.{key}", decision.id, pair, overrides
            )
        for target, value in _mapping(path, place + ".add", entry.get("add", {})).items():
            value = _mapping(path, f"{place}.add.{target}", value)
            additions.append(Addition(decision.id, target, value))
    return Decisions(path, listed, _settings(path, settings), overrides, additions)


def _decision(path: Path, index: int, entry: Any) -> Decision:
    place = f"decisions[{index}]"
    if not isinstance(entry, dict):
        raise DecisionsError(path, place, "expected a mapping")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise DecisionsError(path, place, f"unknown keys {unknown}; allowed: {sorted(_KEYS)}")
    ident, reason = entry.get("id"), entry.get("reason")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise DecisionsError(path, place, "'id' must be lower-case words joined by '-'")
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
        raise DecisionsError(path, f"{place} ({ident})", "'reason' must be one non-empty line")
    kinds = tuple(key for key in ("setting", "override", "add") if key in entry)
    if not kinds:
        raise DecisionsError(path, f"{place} ({ident})", "needs a setting, override or add")
    return Decision(ident, reason.strip(), kinds)


def _mapping(path: Path, place: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DecisionsError(path, place, "expected a mapping")
    return value


def _override(
    path: Path, place: str, decision: str, pair: Any, seen: dict[str, Override]
) -> Override:
    if not isinstance(pair, dict) or set(pair) != {"docs", "spec"}:
        raise DecisionsError(path, place, "expected exactly 'docs' and 'spec'")
    if pair["docs"] == pair["spec"]:
        raise DecisionsError(path, place, "'docs' and 'spec' are equal: nothing to override")
    key = place.rsplit(".override.", 1)[1]
    if key in seen:
        raise DecisionsError(path, place, f"already overridden by {seen[key].decision}")
    return Override(decision, pair["docs"], pair["spec"])


def _settings(path: Path, values: dict[str, Any]) -> Settings:
    names = [f.name for f in fields(Settings)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise DecisionsError(path, "setting", f"unknown settings {unknown}; known: {names}")
    missing = [name for name in names if name not in values]
    if missing:
        raise DecisionsError(path, "setting", f"missing settings {missing}")
    for name, value in values.items():
        expected = dict if name == "error_content" else str
        if not isinstance(value, expected):
            message = f"must be a {'mapping' if expected is dict else 'string'}"
            raise DecisionsError(path, f"setting {name}", message)
    return Settings(**values)


def markdown_table(decisions: Decisions) -> str:
    """The decisions as a Markdown table (id, kind, reason) for the README."""
    lines = ["| Decision | Kind | Reason |", "|---|---|---|"]
    for decision in decisions.decisions:
        reason = decision.reason.replace("|", "\\|")
        lines.append(f"| `{decision.id}` | {', '.join(decision.kinds)} | {reason} |")
    return "\n".join(lines) + "\n"


def apply_overrides(facts: dict[str, Any], decisions: Decisions) -> dict[str, Any]:
    """Return ``facts`` with every override applied; the docs must still say what was decided on.

    Raises ``DriftError`` when the docs changed a fact a decision was made against: the decision
    has to be reviewed, not silently applied to something else.
    """
    result = dict(facts)
    for key, override in decisions.overrides.items():
        current = facts.get(key, MISSING)
        if current is MISSING:
            raise DriftError(f"decision {override.decision}: the docs no longer have {key}")
        if current != override.docs:
            raise DriftError(
                f"decision {override.decision}: {key} was decided when the docs said "
                f"{override.docs!r}; they now say {current!r}"
            )
        result[key] = override.spec
    return result
