"""docs/architecture.md is the map of the code: it must stay true as things move.

Every path it names must exist, and every ``path:name`` must be defined at the top level of
that module. Services keep typed results (no ``-> Any``), which mypy alone would allow.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
REFERENCE = re.compile(r"`((?:api|alembic|tests|docs)/[\w/.]*)(?::(\w+))?`")


def _references() -> list[tuple[str, str | None]]:
    found = {(path, name or None) for path, name in REFERENCE.findall(DOC.read_text())}
    return sorted(found, key=lambda ref: (ref[0], ref[1] or ""))


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_the_map_names_the_ten_things_a_newcomer_looks_for_first() -> None:
    assert len([ref for ref in _references() if ref[1]]) >= 10


@pytest.mark.parametrize(("path", "name"), _references(), ids=lambda v: v or "")
def test_every_path_and_name_in_the_map_exists(path: str, name: str | None) -> None:
    target = ROOT / path
    assert target.exists(), f"docs/architecture.md names {path}, which does not exist"
    if name is not None:
        assert name in _top_level_names(target), f"{path} defines no {name}"


def _service_modules() -> list[Path]:
    api = ROOT / "api"
    return sorted(
        [*api.glob("*/service.py"), *api.glob("*/service/*.py"), api / "curation/revisions.py"]
    )


@pytest.mark.parametrize("module", _service_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_services_return_typed_results(module: Path) -> None:
    untyped = [
        node.name
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and isinstance(node.returns, ast.Name)
        and node.returns.id == "Any"
    ]
    assert not untyped, f"{module.name}: {', '.join(untyped)} return Any"


def test_no_module_grows_past_five_hundred_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "api").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert not long, f"split these along their seams: {long}"


def test_no_private_name_is_imported_across_modules() -> None:
    """A leading underscore means "this module only": import the public name instead."""
    reached = []
    for path in [*(ROOT / "api").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("api"):
                reached += [
                    f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert not reached, reached
