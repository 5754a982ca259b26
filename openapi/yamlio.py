"""Deterministic YAML text for specs: insertion key order, fixed width, no aliases."""

from __future__ import annotations

from typing import Any

import yaml

WIDTH = 100


class _NoAliasDumper(yaml.SafeDumper):
    """A SafeDumper that never writes anchors/aliases (shared sub-objects are written out)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal blocks are never folded: multi-line descriptions keep their paragraphs and a long
    # regex stays on one line exactly as written (a folded one is valid YAML but misleading).
    style = "|" if "\n" in value or len(value) > WIDTH else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_NoAliasDumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """Return ``data`` as YAML text; the same data always gives the same bytes."""
    return yaml.dump(
        data,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        width=WIDTH,
        default_flow_style=False,
    )
