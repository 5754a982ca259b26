"""The mock's folders are its layers: each imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MOCK = Path(__file__).resolve().parents[2] / "mockserver"
# A layer may import itself and anything listed after it, never what is listed before it.
LAYERS = ("serving", "api", "data")
PACKAGE = "course_users.mockserver"  # the name the mock's modules import each other by


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_no_layer_above_it(layer: str) -> None:
    above = LAYERS[: LAYERS.index(layer)]
    found = [
        f"{path.relative_to(MOCK.parent)} imports {name}"
        for path in sorted((MOCK / layer).glob("*.py"))
        for name in sorted(imported_modules(path))
        if any(name == f"{PACKAGE}.{up}" or name.startswith(f"{PACKAGE}.{up}.") for up in above)
    ]
    assert not found, "\n".join(found)


def test_the_layer_check_reads_the_imports_the_modules_really_make() -> None:
    """Guards the check above against passing on a renamed package: it must see data/ imported."""
    assert any(
        name.startswith(f"{PACKAGE}.data.")
        for name in imported_modules(MOCK / "api" / "handlers.py")
    )


def test_every_module_of_the_mock_is_in_a_layer_or_named_beside_them() -> None:
    beside = {"__init__.py", "__main__.py", "settings.py", "errors.py"}
    loose = sorted(p.name for p in MOCK.glob("*.py") if p.name not in beside)
    assert not loose, f"modules outside the layers: {loose}"
