"""The command line works from an installed package, away from any checkout of circleback.

An installed package has no template.yaml beside it: `--local` and `preview --contacts` build their table from
the definition the package carries (local/table.json), which must be the template's own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from circleback.local.emulator import checkout_root, load_template, table_definition
from tests.paths import ROOT

PACKAGE = ROOT / "layers" / "circleback" / "circleback"


def test_the_packaged_table_definition_is_the_templates() -> None:
    assert table_definition() == table_definition(load_template()), (
        "local/table.json differs from template.yaml's table: run `make table-definition`"
    )


def test_the_checkout_is_found_from_inside_it_and_not_from_elsewhere(tmp_path: Path) -> None:
    assert checkout_root(ROOT / "tests" / "unit") == ROOT
    assert checkout_root(tmp_path) == ROOT  # from the package's own folder: an editable install lives in its checkout


def test_local_commands_run_from_a_copy_of_the_package_far_from_any_checkout(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "circleback", ignore=shutil.ignore_patterns("__pycache__"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CIRCLEBACK_TEMPLATE", None)

    def circleback(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "circleback.cli.app", "--local", "--data-dir", str(tmp_path / "store"), *args]
        return subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603

    where = subprocess.run(
        [sys.executable, "-c", "import circleback.local.emulator as e; print(e.__file__, e.checkout_root())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert where == [str(site / "circleback" / "local" / "emulator.py"), "None"]

    added = circleback("contacts", "add", "Ana Souza", "--email", "ana@example.com", "--tier", "A")
    assert added.returncode == 0, added.stderr
    listed = circleback("contacts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [c["name"] for c in json.loads(listed.stdout)] == ["Ana Souza"]
