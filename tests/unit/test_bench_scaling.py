"""Issue 22's figures (bench.scaling and the bench's assembly of them): ratios, the import's own summary, the
throwaway store's command lines, and pass or fail against each budget."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from bench import scaling
from bench.__main__ import CLI_RATIO_BUDGET, SCALE_BUDGETS, scale_figures


def test_per_row_ratio_is_one_when_time_grows_with_the_rows() -> None:
    assert scaling.per_row_ratio(3.0, 3000, 30.0, 30000) == pytest.approx(1.0)
    assert scaling.per_row_ratio(3.0, 3000, 60.0, 30000) == pytest.approx(2.0)
    assert scaling.per_row_ratio(3.0, 3000, 15.0, 30000) == pytest.approx(0.5)


def test_median() -> None:
    assert scaling.median([3.0, 1.0, 2.0]) == 2.0
    assert scaling.median([1.0, 2.0, 3.0, 10.0]) == 2.5


@pytest.mark.parametrize(
    ("output", "count"),
    [
        (
            "Read as LinkedIn connections.\ncontacts: 3000 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected\n",
            3000,
        ),
        ("contacts: 1 imported, 2 updated", 1),
        ("nothing said", None),
    ],
)
def test_imported_count_reads_the_summary(output: str, count: int | None) -> None:
    assert scaling.imported_count(output) == count


def test_a_store_keeps_everything_in_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRCLEBACK_TABLE", "someone-elses")
    monkeypatch.setenv("AWS_PROFILE", "prod")
    store = scaling.Store(tmp_path)
    circleback = str(Path(sys.executable).with_name("circleback"))  # the bench's own virtualenv's
    data = str(tmp_path / "data")
    assert store.argv("touch", "Ana Souza") == [circleback, "--local", "--data-dir", data, "touch", "Ana Souza"]
    env = store.environment()
    assert env["CIRCLEBACK_CONFIG"] == str(tmp_path / "config.toml")
    assert "CIRCLEBACK_TABLE" not in env and "AWS_PROFILE" not in env


def test_the_commands_name_the_contact_given() -> None:
    assert scaling.commands("Mei Wang") == {
        "contacts_list": ("contacts", "list"),
        "touch": ("touch", "Mei Wang"),
        "preview": ("preview",),
    }


def _digest(ratio: float) -> dict[str, Any]:
    return {
        "ratio": ratio,
        "pipeline": {"min_ms": 3000.0},
        "json_loads": {"min_ms": 900.0, "bytes": 44_000_000},
        "as_of": "2026-10-19",
        "due": 10,
        "occasions": 5,
        "stages": {},
        "mime_bytes": 1,
        "query_pages": 28,
        "ratio_with_lean_load_estimate": ratio - 0.5,
        "memory": {"rss_after_import_mb": 53.0, "invocation_peak_alloc_mb": 76.0},
    }


def _figures(
    ratio: float = 3.6, peak: float = 220.0, scaling_ratio: float = 0.9, large_s: float = 25.0, command: float = 2.0
) -> dict[str, Any]:
    memory = {"peak_rss_mb": peak, "rss_after_import_mb": 52.0}
    imports = {
        "small_rows": 3000,
        "large_rows": 30000,
        "small_median_s": 3.0,
        "large_s": large_s,
        "small_rows_per_s": 1000.0,
        "large_rows_per_s": 30000 / large_s,
        "ratio": scaling_ratio,
    }
    commands = {
        "contacts": 1500,
        "runs": 7,
        "boto3_median_s": 0.5,
        "commands": {
            name: {"argv": [], "median_s": command * 0.5, "min_s": command * 0.4, "ratio": command}
            for name in ("contacts_list", "touch", "preview")
        },
    }
    return scale_figures(_digest(ratio), memory, imports, commands, d5000=_digest(3.5), memory_mb=256)


def test_every_scale_figure_has_a_value_a_budget_a_baseline_and_a_verdict() -> None:
    figures = _figures()
    assert sorted(figures) == sorted(SCALE_BUDGETS)
    for name, figure in figures.items():
        assert {"value", "budget", "baseline", "pass"} <= set(figure), name
        assert figure["pass"] is True, name
    assert figures["digest_ratio_30000"]["ratio_at_5000_same_run"] == 3.5
    assert figures["digest_memory_30000"]["tracemalloc_estimate_mb"] == 129.0
    assert figures["import_scaling_30000"]["baseline"]["ms_per_row"] == 1.0


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"ratio": 4.1}, "digest_ratio_30000"),
        ({"peak": 256.0}, "digest_memory_30000"),  # the peak must stay under MemorySize
        ({"scaling_ratio": 1.21}, "import_scaling_30000"),
        ({"large_s": 30.0}, "import_scaling_30000"),  # linear, but not under 30 s
    ],
)
def test_each_budget_fails_on_its_own(change: dict[str, float], failing: str) -> None:
    figures = _figures(**change)
    assert [name for name, figure in figures.items() if not figure["pass"]] == [failing]


def test_a_command_over_its_ratio_fails() -> None:
    figures = _figures(command=CLI_RATIO_BUDGET + 0.01)
    assert [name for name, f in figures.items() if not f["pass"]] == [
        "cli_ratio_contacts_list",
        "cli_ratio_touch",
        "cli_ratio_preview",
    ]
    assert _figures(command=CLI_RATIO_BUDGET)["cli_ratio_touch"]["pass"] is True
