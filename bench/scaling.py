"""Issue 22's scale budgets for the command line: a 30,000-connection import, and the everyday commands on a local
store of 1,500 contacts, each timed the way a person meets it.

Every figure is the wall clock of a fresh `circleback` process (the virtualenv's console script) started as a
user starts it: `circleback --local --data-dir DIR ...`, with CIRCLEBACK_CONFIG pointing at a config file in the
same throwaway folder, so nothing is read from or remembered in the user's own config or data. Interpreter
start-up, imports, loading and saving the local store all count: that is what the person waits for.

- Import scaling: a generated LinkedIn Connections.csv (bench.connections) imported into a fresh store, at 3,000
  rows (median of a few runs) and at 30,000 (once); the figure is the per-row time at 30,000 over the per-row
  time at 3,000 (1.0 is linear). The fixed cost of a run (a one-row import) is reported alongside.
- Command ratios: on one store of 1,500 imported contacts, each command's median wall time over the median of
  `python -c "import boto3"` (the floor any command that talks to DynamoDB pays), runs interleaved so the
  machine's drift hits all alike, after one warm-up each (the OS's file cache, .pyc files written).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench import connections

IMPORT_ROWS_SMALL = 3_000
IMPORT_ROWS_LARGE = 30_000
COMMAND_CONTACTS = 1_500
BASELINE = ("-c", "import boto3")
_IMPORTED = re.compile(r"(\d+) imported")


def commands(name: str) -> dict[str, tuple[str, ...]]:
    """The commands timed, after `circleback --local --data-dir DIR`; `name` is a contact the store has once."""
    return {
        "contacts_list": ("contacts", "list"),
        "touch": ("touch", name),
        "preview": ("preview",),
    }


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def per_row_ratio(small_seconds: float, small_rows: int, large_seconds: float, large_rows: int) -> float:
    """Per-row time of the large run over that of the small one: 1.0 when the import scales linearly."""
    return (large_seconds / large_rows) / (small_seconds / small_rows)


def imported_count(output: str) -> int | None:
    """How many contacts the import's summary says it imported (None when it says nothing of it)."""
    found = _IMPORTED.search(output)
    return int(found.group(1)) if found else None


def circleback() -> Path:
    """The `circleback` console script of the interpreter running the bench (the dev virtualenv's)."""
    return Path(sys.executable).with_name("circleback")


class Store:
    """A throwaway local store and config file in a folder of their own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data_dir = folder / "data"
        self.config = folder / "config.toml"

    def argv(self, *command: str) -> list[str]:
        return [str(circleback()), "--local", "--data-dir", str(self.data_dir), *command]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CIRCLEBACK_", "AWS_", "PYTHON"))}
        env["CIRCLEBACK_CONFIG"] = str(self.config)
        return env


def timed(argv: Sequence[str], env: Mapping[str, str], timeout: float = 1800) -> tuple[float, str]:
    """Wall seconds of the process, and what it printed (stdout then stderr); an error if it failed."""
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and console script
        list(argv),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return seconds, done.stdout + done.stderr


def _import(root: Path, file: Path, rows: int) -> float:
    """Import `file` into a fresh store; its wall seconds."""
    store = Store(Path(tempfile.mkdtemp(prefix="import-", dir=root)))
    try:
        seconds, output = timed(store.argv("import", str(file)), store.environment())
    finally:
        shutil.rmtree(store.folder, ignore_errors=True)
    said = imported_count(output)
    if said is not None and said != rows:
        raise RuntimeError(f"importing {rows} rows imported {said}:\n{output[-4000:]}")
    return seconds


def measure_imports(
    small: int = IMPORT_ROWS_SMALL, large: int = IMPORT_ROWS_LARGE, small_runs: int = 3
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="circleback-bench-") as folder:
        root = Path(folder)
        files = {}
        for rows in (1, small, large):
            files[rows] = root / f"Connections-{rows}.csv"
            files[rows].write_text(connections.connections_csv(rows), encoding="utf-8")
        fixed = [_import(root, files[1], 1) for _ in range(small_runs)]
        small_times = [_import(root, files[small], small) for _ in range(small_runs)]
        large_time = _import(root, files[large], large)
        sizes = {"small": files[small].stat().st_size, "large": files[large].stat().st_size}
    small_s, fixed_s = median(small_times), median(fixed)
    return {
        "small_rows": small,
        "large_rows": large,
        "small_seconds": [round(t, 2) for t in small_times],
        "small_median_s": round(small_s, 2),
        "large_s": round(large_time, 2),
        "one_row_median_s": round(fixed_s, 2),
        "small_rows_per_s": round(small / small_s, 1),
        "large_rows_per_s": round(large / large_time, 1),
        "ratio": round(per_row_ratio(small_s, small, large_time, large), 3),
        "ratio_net_of_one_row_run": round(per_row_ratio(small_s - fixed_s, small, large_time - fixed_s, large), 3),
        "file_bytes": sizes,
    }


def measure_commands(contacts: int = COMMAND_CONTACTS, runs: int = 7) -> dict[str, Any]:
    text = connections.connections_csv(contacts)
    name = connections.unique_name(text)
    with tempfile.TemporaryDirectory(prefix="circleback-bench-") as folder:
        store = Store(Path(folder))
        file = store.folder / f"Connections-{contacts}.csv"
        file.write_text(text, encoding="utf-8")
        env = store.environment()
        made, output = timed(store.argv("import", str(file)), env)
        if imported_count(output) not in (None, contacts):
            raise RuntimeError(f"the store was not made:\n{output[-4000:]}")
        argvs = {"boto3": [sys.executable, *BASELINE]} | {
            command: store.argv(*words) for command, words in commands(name).items()
        }
        times: dict[str, list[float]] = {command: [] for command in argvs}
        for argv in argvs.values():  # warm-up, not counted
            timed(argv, env)
        for _ in range(runs):  # interleaved: the machine's drift hits all alike
            for command, argv in argvs.items():
                times[command].append(timed(argv, env)[0])
        store_bytes = (store.data_dir / "table.json").stat().st_size if (store.data_dir / "table.json").exists() else 0
    baseline = median(times["boto3"])
    return {
        "contacts": contacts,
        "runs": runs,
        "touched": name,
        "store_made_s": round(made, 2),
        "store_bytes": store_bytes,
        "boto3_median_s": round(baseline, 3),
        "commands": {
            command: {
                "argv": ["circleback", "--local", "--data-dir", "DIR", *commands(name)[command]],
                "median_s": round(median(times[command]), 3),
                "min_s": round(min(times[command]), 3),
                "ratio": round(median(times[command]) / baseline, 2),
            }
            for command in argvs
            if command != "boto3"
        },
        "boto3_seconds": [round(t, 3) for t in times["boto3"]],
    }
