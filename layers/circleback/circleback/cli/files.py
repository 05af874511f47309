"""`circleback import`, `export` and `preview`: getting your network in and out, and seeing tomorrow's digest."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from circleback.adapters.store.repository import Repository
from circleback.cli.common import (
    EXIT_REJECTED,
    UsageError,
    bounded,
    country,
    iso_date,
    note,
    read_text,
    report_rejections,
    today_of,
    write_output,
    zone,
)
from circleback.cli.targets import LOCAL, chosen_target, command_parser, invocation, opened, owner_of
from circleback.domain.model import Owner
from circleback.domain.planner import DEFAULT_LOOKAHEAD_DAYS, DEFAULT_MAX_DUE, DEFAULT_MONTHLY_GOAL
from circleback.formats.detect import Format
from circleback.services.exporting import ExportFormat
from circleback.services.importing import ImportReport, import_contacts, import_events, import_touches

LOCAL_OWNER = "local"  # the owner of a preview made from files
PROGRESS_FROM = 200  # rows: a smaller file is done before a bar would be worth drawing
_EXTENSIONS = {".json": ExportFormat.JSON, ".csv": ExportFormat.CSV, ".vcf": ExportFormat.VCARD}


def add_commands(commands: Any) -> None:
    i = command_parser(
        commands,
        "import",
        help="import contacts: LinkedIn's Connections.csv, Google Contacts CSV, vCards, circleback CSV or a backup",
        description=(
            "Import a file of contacts (the format is told from its content, else its extension) or a JSON "
            "backup. People already known (by email, LinkedIn address or exact name) are updated, never "
            "duplicated, and a field you changed by hand is never overwritten. Every rejected row is listed "
            "with the reason; the exit status is then 1."
        ),
    )
    i.add_argument("file", type=Path, metavar="FILE")
    i.add_argument("--format", choices=[f.value for f in Format], help="the file's format, when it cannot be told")
    i.add_argument("--strict", action="store_true", help="import nothing unless every row is valid")
    i.set_defaults(handler=run_import)

    e = command_parser(
        commands,
        "export",
        help="export everything as a JSON backup, or your contacts as CSV or vCard",
        description=(
            "json: a full backup (settings, contacts, touches, life events) that `circleback import` brings "
            "back to the same state. csv: the contacts file's columns (UTF-8 with a byte order mark, for "
            "Excel). vcard: vCard 4.0, for address books."
        ),
    )
    e.add_argument("--format", choices=[f.value for f in ExportFormat], help="default: from --out's extension")
    e.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write (- for standard output)")
    e.set_defaults(handler=run_export)

    p = command_parser(
        commands,
        "preview",
        help="print the digest as it would be planned for a day, from your data or from CSV files",
        description=(
            "Plan a day's digest (default today) from your data, and print it. With --contacts, from CSV files "
            "instead, imported into an in-process emulated table through the real importer and store; "
            "rejected rows are listed on standard error and make the exit status 1."
        ),
    )
    p.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="the digest's day (default: today)")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    files = p.add_argument_group("from files instead of your data")
    files.add_argument("--contacts", type=Path, metavar="FILE", help="contacts CSV")
    files.add_argument("--touches", type=Path, metavar="FILE", help="touches CSV: contact,date,direction,channel,note")
    files.add_argument("--events", type=Path, metavar="FILE", help="life events CSV: contact,date,kind,note")
    files.add_argument("--country", type=country, default="US", help="your country (default US)")
    files.add_argument("--timezone", type=zone, default="UTC", help="your IANA time zone (default UTC)")
    files.add_argument("--max-due", type=bounded(0, 100), default=DEFAULT_MAX_DUE, help="due contacts to list (5)")
    files.add_argument("--lookahead", type=bounded(0, 60), default=DEFAULT_LOOKAHEAD_DAYS, help="occasion days (7)")
    files.add_argument("--goal", type=bounded(0, 1000), default=DEFAULT_MONTHLY_GOAL, help="touches a month (4)")
    files.add_argument("--strict", action="store_true", help="import nothing from a file unless every row is valid")
    p.set_defaults(handler=run_preview)


# --- import --------------------------------------------------------------------------------------------------


class ProgressBar:
    """A bar on a terminal while rows are written; nothing at all when the output is not a terminal."""

    WIDTH = 30

    def __init__(self, stream: IO[str], label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM or not self.stream.isatty():
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:  # redraw at most ten times a second
            return
        self._last = now
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def run_import(args: argparse.Namespace) -> int:
    from circleback.services.importing import UnknownFormat, import_file

    text = read_text(args.file) or ""
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target) if target.kind == LOCAL else repo.get_owner(args.owner)
        today = today_of(owner) if owner else datetime.now(UTC).date()
        bar = ProgressBar(sys.stderr, f"Importing {args.file.name}")
        try:
            result = import_file(
                repo, args.owner, text, today, format=args.format, filename=args.file.name, strict=args.strict,
                progress=bar, now=datetime.now(UTC),
            )  # fmt: skip
        except UnknownFormat as error:
            raise UsageError(f"{args.file}: {error} (say which with --format)") from None
        finally:
            bar.close()
    for report in result.reports:
        for problem in report.errors:
            note(f"{args.file}: {problem}")
        for kept in report.kept:
            note(f"{args.file}: {kept}")
    note(result.summary())
    if not result.rejected and any(r.imported or r.updated for r in result.reports):
        note(f"Next: `{invocation(target)} preview` shows your next digest.")
    return EXIT_REJECTED if result.rejected else 0


# --- export --------------------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    from circleback.adapters.store.repository import NotFoundError
    from circleback.services.exporting import export

    chosen = args.format or _EXTENSIONS.get(args.out.suffix.lower())
    if chosen is None:
        raise UsageError("say which format with --format json, csv or vcard (or end --out with .json, .csv, .vcf)")
    chosen = ExportFormat(chosen)
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        if target.kind == LOCAL:
            owner_of(repo, args, target)  # the local store's owner is made on first use, even to export nothing
        try:
            text = export(repo, args.owner, chosen)
        except NotFoundError as error:
            raise UsageError(f"{error}; is this the right --owner and target?") from None
    # A byte order mark tells Excel the CSV is UTF-8 (every reader of circleback's skips it).
    encoding = "utf-8-sig" if chosen is ExportFormat.CSV and str(args.out) != "-" else "utf-8"
    write_output(args.out, text.encode(encoding))
    if str(args.out) != "-":
        note(f"Wrote {_export_summary(chosen, text)} to {args.out}.")
    return 0


def _export_summary(chosen: ExportFormat, text: str) -> str:
    if chosen is ExportFormat.JSON:
        backup = json.loads(text)
        parts = (f"{len(backup[key])} {key}" for key in ("contacts", "touches", "events"))
        return "a backup of your settings, " + ", ".join(parts)
    if chosen is ExportFormat.CSV:
        return f"{max(text.count(chr(10)) - 1, 0)} contacts as CSV"  # rows, less the header (a note may span lines)
    return f"{text.count('BEGIN:VCARD')} contacts as vCards"


# --- preview -------------------------------------------------------------------------------------------------


def run_preview(args: argparse.Namespace) -> int:
    from circleback.services.preview import preview_view, view_as_dict, view_as_text

    if args.contacts is None:
        for option in ("touches", "events"):
            if getattr(args, option) is not None:
                raise UsageError(f"--{option} goes with --contacts (without it, your own data is previewed)")
        target = chosen_target(args)
        with opened(target, args.owner) as repo:
            owner = owner_of(repo, args, target)
            view = preview_view(repo, owner.id, args.as_of or today_of(owner))
        rejected = False
    else:
        owner = Owner(
            id=LOCAL_OWNER,
            timezone=args.timezone,
            country=args.country,
            max_due=args.max_due,
            lookahead_days=args.lookahead,
            monthly_goal=args.goal,
        )
        as_of = args.as_of or today_of(owner)
        with imported_files(args, owner, as_of) as (repo, rejected):
            view = preview_view(repo, owner.id, as_of)
    print(json.dumps(view_as_dict(view), indent=2, ensure_ascii=False) if args.json else view_as_text(view))
    return EXIT_REJECTED if rejected else 0


@contextmanager
def imported_files(args: argparse.Namespace, owner: Owner, today: date) -> Iterator[tuple[Repository, bool]]:
    """The CSV files imported (as of `today`) into an embedded table, through the real importer and store,
    and whether any row was rejected (rejected rows are reported on standard error).
    """
    from circleback.local.emulator import embedded_repository

    contacts = read_text(args.contacts) or ""
    touches, events = read_text(args.touches), read_text(args.events)
    reports: list[ImportReport] = []
    with embedded_repository() as repo:
        repo.put_owner(owner)
        reports.append(import_contacts(repo, owner.id, contacts, today, strict=args.strict))
        if touches is not None:
            reports.append(import_touches(repo, owner.id, touches, today, strict=args.strict))
        if events is not None:
            reports.append(import_events(repo, owner.id, events, today, strict=args.strict))
        report_rejections(reports, {"contacts": args.contacts, "touches": args.touches, "events": args.events})
        yield repo, any(r.rejected for r in reports)
