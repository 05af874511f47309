"""What every command shares: the exit statuses, argument types, reading and writing files, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from circleback.domain.countries import is_country_code
from circleback.domain.model import Owner
from circleback.services.importing import ImportReport

EXIT_REJECTED = 1  # some rows were refused
EXIT_USAGE = 2  # the command itself was wrong, or what it names is not there


class UsageError(Exception):
    """A mistake the person can fix; the message says how. Printed as one line, exit status 2."""


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an IANA time zone (such as Europe/London)") from None
    return text


def country(text: str) -> str:
    if not is_country_code(text.upper()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 3166 two-letter country code (such as US)")
    return text.upper()


def bounded(low: int, high: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low} to {high}, got {value}")
        return value

    return parse


def today_of(owner: Owner) -> date:
    """Today where the owner lives: the day a command dates what it records."""
    return datetime.now(ZoneInfo(owner.timezone)).date()


def read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel) and try again") from None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None


def write_output(path: Path, content: bytes) -> None:
    """Write to the file, or to standard output for `-`."""
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        path.write_bytes(content)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None


def first_problem(error: Any) -> str:
    """A pydantic error as one line naming the field: "kind: Input should be 'new_job', ..."."""
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def report_rejections(reports: Sequence[ImportReport], paths: dict[str, Path | None]) -> None:
    for report in reports:
        if report.rejected:
            for error in report.errors:
                print(f"{paths[report.kind]}: {error}", file=sys.stderr)
            print(report.summary(), file=sys.stderr)


def note(text: str) -> None:
    """A message for the person, not for a pipe: standard error."""
    print(text, file=sys.stderr)
