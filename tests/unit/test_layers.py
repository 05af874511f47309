"""The handlers keep to the layers (docs/design.md, "Layers") like the package does.

import-linter (`lint-imports`, in `make test`) holds the package to its contracts; the four handlers are single
modules outside it, which it cannot take as roots, so this reads their imports (at the top and inside functions)
and holds them to the same rules: they talk to services, the runtime wiring, the web helpers and the boundary
models; from an adapter they may catch an exception, nothing more; never AWS, the domain, the CLI or local tools.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.paths import ROOT

HANDLERS = sorted((ROOT / "functions").glob("*/*_handler.py"))
ALLOWED = (
    "circleback.runtime",
    "circleback.web",
    "circleback.services",
    "circleback.payloads",
    "circleback.ses_events",
    "circleback.auth",
)
FORBIDDEN_ROOTS = ("boto3", "botocore", "moto")


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for every import statement of the file, wherever it sits."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_every_function_has_its_handler() -> None:
    assert [p.parent.name for p in HANDLERS] == ["actions", "calendar", "digest", "dispatch", "inbound"]


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda p: p.parent.name)
def test_a_handler_imports_only_what_its_layer_may(handler: Path) -> None:
    for module, names in imports_of(handler):
        assert module.split(".")[0] not in FORBIDDEN_ROOTS, f"{handler.name} imports {module}: AWS is the adapters'"
        if module == "circleback":
            assert names == ["runtime"], f"{handler.name} imports {names} from circleback"
        elif module.startswith("circleback.adapters."):
            imported = importlib.import_module(module)
            for name in names:
                kind = getattr(imported, name)
                assert isinstance(kind, type) and issubclass(kind, Exception), (
                    f"{handler.name} imports {module}.{name}: from an adapter, a handler only catches exceptions"
                )
        elif module.startswith("circleback"):
            assert module.startswith(ALLOWED), f"{handler.name} imports {module}, outside the layers it may use"


def test_the_rules_catch_what_they_are_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad_handler.py"
    bad.write_text("def f():\n    import boto3\n    from circleback.adapters.store.repository import Repository\n")
    assert ("boto3", []) in imports_of(bad)
    assert ("circleback.adapters.store.repository", ["Repository"]) in imports_of(bad)
