"""The command line as a person types it: options before or after the command, completion, "did you mean",
`--json` on every listing, and what a one-off target leaves behind (nothing outside its folder).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circleback.cli import main
from circleback.cli.targets import config_path, hoisted
from tests.format_files import linkedin_file

CONNECTIONS = linkedin_file(
    "Søren,Kierkegaard,https://www.linkedin.com/in/soren,,Acme,Philosopher,05 May 2015",
    "Łukasz,Nowak,https://www.linkedin.com/in/lnowak,,Globex,CTO,01 Jan 2021",
    "Ana,Souza,https://www.linkedin.com/in/anasouza,ana@acme.com,Acme,VP Engineering,12 Mar 2019",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A one-off local store in its own folder, with three connections in it."""
    export = tmp_path / "Connections.csv"
    export.write_text(CONNECTIONS, encoding="utf-8", newline="")
    folder = tmp_path / "store"
    assert run(capsys, "--data-dir", str(folder), "import", str(export))[0] == 0
    return folder


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["contacts", "list", "--local"], ["--local", "contacts", "list"]),
        (
            ["touch", "ana", "--data-dir", "d", "--channel", "call"],
            ["--data-dir", "d", "touch", "ana", "--channel", "call"],
        ),
        (
            ["--stack", "s", "touch", "ana", "--region=eu-west-1"],
            ["--stack", "s", "--region=eu-west-1", "touch", "ana"],
        ),
        (["touch", "ana", "--note", "x", "--", "--local"], ["touch", "ana", "--note", "x", "--", "--local"]),
    ],
)
def test_target_options_after_the_command_move_before_it(argv: list[str], expected: list[str]) -> None:
    assert hoisted(argv) == expected


def test_a_one_off_data_dir_is_not_remembered_and_writes_only_its_folder(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not config_path().exists()
    code, out, _ = run(capsys, "contacts", "list", "--json", "--data-dir", str(store))
    assert code == 0 and len(json.loads(out)) == 3
    assert not config_path().exists()
    assert sorted(path.name for path in store.iterdir()) == ["table.json", "table.lock"]


def test_names_are_found_as_people_type_them(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", str(store), "touch", "soren", "--channel", "coffee")
    assert code == 0 and "with Søren Kierkegaard" in err
    code, _, err = run(capsys, "--data-dir", str(store), "touch", "lukasz nowak")
    assert code == 0 and "with Łukasz Nowak" in err
    code, _, err = run(capsys, "--data-dir", str(store), "touch", "lukas nowac")
    assert code == 2 and "did you mean 'Łukasz Nowak'?" in err


def test_adding_a_name_that_exists_says_how_to_add_a_second_person(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--data-dir", str(store), "contacts", "add", "Soren Kierkegaard")
    assert code == 2 and "Søren Kierkegaard" in err and "--again" in err
    code, _, err = run(capsys, "--data-dir", str(store), "contacts", "add", "Soren Kierkegaard", "--again")
    assert code == 0 and "Added Soren Kierkegaard" in err
    out = run(capsys, "--data-dir", str(store), "contacts", "list", "--json")[1]
    assert {"Soren Kierkegaard", "Søren Kierkegaard"} <= {row["name"] for row in json.loads(out)}


def test_every_listing_prints_json(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--data-dir", str(store)]
    assert run(capsys, *where, "event", "add", "new_job", "--contact", "ana", "--note", "CTO at Initech")[0] == 0
    for argv in (
        ["contacts", "list", "--json"],
        ["contacts", "show", "ana", "--json"],
        ["event", "list", "--json"],
        ["settings", "show", "--json"],
        ["token", "list", "--json"],
        ["preview", "--json"],
    ):
        code, out, _ = run(capsys, *where, *argv)
        assert code == 0, argv
        json.loads(out)
    shown = json.loads(run(capsys, *where, "contacts", "show", "ana", "--json")[1])
    assert shown["name"] == "Ana Souza" and shown["life_events"][0]["kind"] == "new_job"
    [event] = json.loads(run(capsys, *where, "event", "list", "--json")[1])
    assert event["contact"] == "Ana Souza" and event["note"] == "CTO at Initech"


def complete(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], words: str) -> list[str]:
    """What bash completion offers for the last of `words`, as `circleback --install-completion` sets it up."""
    monkeypatch.setenv("_CIRCLEBACK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - 1))
    assert main([]) == 0
    return capsys.readouterr().out.splitlines()


def test_completion_offers_commands_options_channels_and_names(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete(monkeypatch, capsys, "circleback con") == ["contacts"]
    assert "--channel" in complete(monkeypatch, capsys, "circleback touch ana --ch")
    assert complete(monkeypatch, capsys, "circleback touch ana --channel co") == ["coffee", "comment"]
    names = complete(monkeypatch, capsys, f"circleback --data-dir {store} contacts show soren")
    assert names == ["Søren Kierkegaard"]
    assert complete(monkeypatch, capsys, f"circleback --data-dir {store} touch ł") == ["Łukasz Nowak"]
    # Completing never writes: no config remembered, the store as it was.
    assert not config_path().exists()


def test_the_shell_completion_script_names_the_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Typer otherwise guesses the shell from the processes above this one (--show-completion takes no value
    # then), which a test run under xdist, timeout or make may or may not show; named, it is the same anywhere.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    code, out, err = run(capsys, "--show-completion", "bash")
    assert code == 0 and "_CIRCLEBACK_COMPLETE=complete_bash" in out, err


def test_help_is_there_for_every_command_with_h(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["-h"], ["contacts", "-h"], ["contacts", "add", "-h"], ["preview", "-h"], ["calendar", "-h"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "Usage: circleback" in out, argv
    out = run(capsys, "preview", "-h")[1]
    assert "today in your time zone" in " ".join(out.split())


def test_the_demo_says_how_to_choose_another_port_where_it_was_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from circleback.cli.app import _another_port

    monkeypatch.setenv("MAKELEVEL", "1")
    assert _another_port(8000) == "choose another with `make demo PORT=8001`"
    monkeypatch.delenv("MAKELEVEL")
    assert _another_port(8000) == "choose another with --port 8001"


def test_the_command_lines_format_names_are_the_importers_and_the_exporters() -> None:
    from circleback.cli import files
    from circleback.formats.detect import Format
    from circleback.services.exporting import ExportFormat

    assert [f.value for f in files.Format] == [f.value for f in Format]
    assert [f.value for f in files.ExportFormat] == [f.value for f in ExportFormat]


def test_starting_the_command_line_imports_no_service_and_no_aws_library() -> None:
    import subprocess
    import sys

    probe = "import sys; from circleback.cli.app import app; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    loaded = done.stdout.split()
    heavy = ("boto3", "botocore", "moto", "pydantic", "rich", "circleback.services", "circleback.formats")
    assert [name for name in loaded if name.startswith(heavy)] == []


def test_ctrl_c_ends_a_command_with_130_and_says_what_was_kept(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("circleback.services.contacts.statuses", interrupted)
    code, _, err = run(capsys, "--data-dir", str(store), "contacts", "list")
    assert code == 130 and "stopped; what was written before is kept" in err


def test_max_due_is_capped_with_the_reason(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--local", "settings", "set", "--max-due", "21")

    assert code == 2
    assert "at most 20 people a digest, got 21: a longer digest is clipped by mail apps such as Gmail" in err
    assert run(capsys, "--local", "settings", "set", "--max-due", "20")[0] == 0
