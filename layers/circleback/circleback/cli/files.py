"""`circleback import`, `export` and `preview`: getting your network in and out, and seeing tomorrow's digest."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from circleback.cli.common import (
    EXIT_REJECTED,
    Args,
    UsageError,
    bounded,
    country,
    finish,
    iso_date,
    note,
    on_terminal,
    read_text,
    report_rejections,
    today_of,
    write_output,
    zone,
)
from circleback.cli.output import confirmed, progress
from circleback.cli.targets import LOCAL, chosen_target, invocation, opened, owner_of
from circleback.domain.model import Owner, Tier
from circleback.domain.planner import DEFAULT_LOOKAHEAD_DAYS, DEFAULT_MAX_DUE, DEFAULT_MONTHLY_GOAL

if TYPE_CHECKING:
    from circleback.adapters.store.repository import Repository
    from circleback.domain.changes import FieldChange
    from circleback.services.import_report import ImportReport

LOCAL_OWNER = "local"  # the owner of a preview made from files


# The formats' names, as formats/detect.py and services/exporting.py have them (a test holds them equal):
# importing either module to build the command line would cost every command the importer's start-up.
class Format(StrEnum):
    CSV = "csv"
    LINKEDIN = "linkedin"
    GOOGLE = "google"
    OUTLOOK = "outlook"
    THUNDERBIRD = "thunderbird"
    VCARD = "vcard"
    JSON = "json"
    TOUCHES = "touches"
    EVENTS = "events"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    VCARD = "vcard"


FILES_PANEL = "From files instead of your data"
_EXTENSIONS = {".json": ExportFormat.JSON, ".csv": ExportFormat.CSV, ".vcf": ExportFormat.VCARD}


def add_commands(app: typer.Typer) -> None:
    app.command(
        "import",
        help=(
            "Import a file of contacts (the format is told from its content, else its extension) or a JSON "
            "backup. People already known (by email, LinkedIn address or exact name) are updated, never "
            "duplicated, and a field you changed by hand is never overwritten. A backup brings back the state it "
            "holds: when that puts back older values than yours, it lists them and asks first (--yes does not "
            "ask). --dry-run writes nothing and lists what would change. Every rejected row is listed with the "
            "reason; the exit status is then 1."
        ),
        short_help="import contacts: LinkedIn, Google, Outlook or Thunderbird CSV, vCards, circleback CSV or a backup",
    )(import_command)
    app.command(
        "export",
        help=(
            "json: a full backup (settings, contacts, touches, life events) that `circleback import` brings "
            "back to the same state. csv: the contacts file's columns (UTF-8 with a byte order mark, for "
            "Excel), with each contact's last touch from their history. vcard: vCard 4.0, for address books."
        ),
        short_help="export everything as a JSON backup, or your contacts as CSV or vCard",
    )(export_command)
    app.command(
        "preview",
        help=(
            "Print the digest planned for a day: by default today in your time zone, the digest that goes out "
            "(or went out) this morning at your send hour; --as-of plans another day. From your data, or with "
            "--contacts from CSV files, imported into an in-process table through the real importer and store; "
            "rejected rows are listed on standard error and make the exit status 1."
        ),
        short_help="print the digest planned for today (or --as-of a day), from your data or from CSV files",
    )(preview_command)


def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False)],
    format: Annotated[Format | None, typer.Option("--format", help="the file's format, when it cannot be told")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="import nothing unless every row is valid")] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", metavar="NAME", help="the file's encoding (default: told from it)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="write nothing; list what would change")] = False,
    tier: Annotated[
        Tier | None,
        typer.Option(
            "--tier",
            case_sensitive=False,
            help="sort the file's new (and still unsorted) contacts into this tier; without it, a LinkedIn, "
            "Google, Outlook, Thunderbird or vCard file's people come in unsorted, for the digest to ask about",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="restore a backup's older values without asking")] = False,
) -> None:
    finish(
        ctx, run_import, file=file, format=format.value if format else None, strict=strict, encoding=encoding,
        dry_run=dry_run, yes=yes, tier=tier,
    )  # fmt: skip


def export_command(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option(metavar="FILE", help="where to write (- for standard output)", show_default=False)
    ],
    format: Annotated[ExportFormat | None, typer.Option("--format", help="default: from --out's extension")] = None,
) -> None:
    finish(ctx, run_export, out=out, format=format)


def _from_files(help: str) -> Any:
    return typer.Option(metavar="FILE", help=help, rich_help_panel=FILES_PANEL)


def preview_command(
    ctx: typer.Context,
    as_of: Annotated[
        date | None,
        typer.Option(parser=iso_date, metavar="YYYY-MM-DD", help="the digest's day (default: today, your time zone)"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    contacts: Annotated[Path | None, _from_files("contacts CSV")] = None,
    touches: Annotated[Path | None, _from_files("touches CSV: contact,date,direction,channel,note")] = None,
    events: Annotated[Path | None, _from_files("life events CSV: contact,date,kind,note")] = None,
    country_code: Annotated[
        str, typer.Option("--country", parser=country, help="your country", rich_help_panel=FILES_PANEL)
    ] = "US",
    timezone: Annotated[
        str, typer.Option(parser=zone, help="your IANA time zone", rich_help_panel=FILES_PANEL)
    ] = "UTC",
    max_due: Annotated[
        int, typer.Option(parser=bounded(0, 100), help="due contacts to list", rich_help_panel=FILES_PANEL)
    ] = DEFAULT_MAX_DUE,
    lookahead: Annotated[
        int, typer.Option(parser=bounded(0, 60), help="days of occasions", rich_help_panel=FILES_PANEL)
    ] = DEFAULT_LOOKAHEAD_DAYS,
    goal: Annotated[
        int, typer.Option(parser=bounded(0, 1000), help="touches a month", rich_help_panel=FILES_PANEL)
    ] = DEFAULT_MONTHLY_GOAL,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="import nothing from a file unless every row is valid", rich_help_panel=FILES_PANEL
        ),
    ] = False,
) -> None:
    finish(
        ctx, run_preview, as_of=as_of, json=json_out, contacts=contacts, touches=touches, events=events,
        country=country_code, timezone=timezone, max_due=max_due, lookahead=lookahead, goal=goal, strict=strict,
    )  # fmt: skip


# --- import --------------------------------------------------------------------------------------------------


def run_import(args: Args) -> int:
    from circleback.services.importing import UnknownFormat, import_file

    text = read_text(args.file, args.encoding) or ""
    target = chosen_target(args)
    restore = _RestoreQuestion(args.file)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target) if target.kind == LOCAL else repo.get_owner(args.owner)
        today = today_of(owner) if owner else datetime.now(UTC).date()
        with progress(f"Importing {args.file.name}") as bar:
            try:
                result = import_file(
                    repo, args.owner, text, today, format=args.format, filename=args.file.name, strict=args.strict,
                    progress=bar, now=datetime.now(UTC), dry_run=args.dry_run, confirm=None if args.yes else restore,
                    tier=args.tier,
                )  # fmt: skip
            except UnknownFormat as error:
                hint = "" if args.format else " (say which with --format)"
                raise UsageError(f"{args.file}: {error}{hint}") from None
    for report in result.reports:
        for line in report.notes():
            note(f"{args.file}: {line}")
    if args.dry_run and result.changes:
        note(f"{args.file}: the import would change these values:")
        for change in result.changes:
            note(f"  {change}")
    note(result.summary())
    if restore.declined:
        raise UsageError("nothing was restored")
    if not args.dry_run and not result.rejected and any(r.imported or r.updated for r in result.reports):
        note(f"Next: `{invocation(target)} preview` shows your next digest.")
    return EXIT_REJECTED if result.rejected else 0


class _RestoreQuestion:
    """Asked by a restore that would put back older values than the account's: at a terminal, the person says;
    elsewhere (a script, a pipe), the restore is refused, naming the values and `--yes`."""

    SHOWN = 20  # values listed before asking; --dry-run lists them all

    def __init__(self, file: Path) -> None:
        self.file = file
        self.declined = False

    def __call__(self, changes: Sequence[FieldChange]) -> bool:
        values = f"{len(changes)} value" + ("" if len(changes) == 1 else "s")
        intro = f"{self.file}: restoring this backup puts back {values} that differ from yours now:"
        listed = [f"  {change}" for change in changes[: self.SHOWN]]
        if len(changes) > self.SHOWN:
            listed.append(f"  and {len(changes) - self.SHOWN} more (`import --dry-run` lists them all)")
        if not on_terminal():
            raise UsageError("\n".join([intro, *listed, "Nothing was restored; add --yes to restore them."]))
        note("\n".join([intro, *listed]))
        self.declined = not confirmed("Restore the backup's values?")
        return not self.declined


# --- export --------------------------------------------------------------------------------------------------


def run_export(args: Args) -> int:
    from circleback.adapters.store.repository import NotFoundError
    from circleback.services.exporting import export

    chosen = args.format or _EXTENSIONS.get(args.out.suffix.lower())
    if chosen is None:
        raise UsageError("say which format with --format json, csv or vcard (or end --out with .json, .csv, .vcf)")
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        if target.kind == LOCAL:
            owner_of(repo, args, target)  # the local store's owner is made on first use, even to export nothing
        try:
            text = export(repo, args.owner, chosen.value)
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


def run_preview(args: Args) -> int:
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
def imported_files(args: Args, owner: Owner, today: date) -> Iterator[tuple[Repository, bool]]:
    """The CSV files imported (as of `today`) into an in-memory table (local/engine.py), through the real
    importer and store,
    and whether any row was rejected (rejected rows are reported on standard error).
    """
    from circleback.local.emulator import engine_repository
    from circleback.services.importing import import_contacts, import_events, import_touches

    contacts = read_text(args.contacts) or ""
    touches, events = read_text(args.touches), read_text(args.events)
    reports: list[ImportReport] = []
    with engine_repository() as repo:
        repo.put_owner(owner)
        reports.append(import_contacts(repo, owner.id, contacts, today, strict=args.strict))
        if touches is not None:
            reports.append(import_touches(repo, owner.id, touches, today, strict=args.strict))
        if events is not None:
            reports.append(import_events(repo, owner.id, events, today, strict=args.strict))
        report_rejections(reports, {"contacts": args.contacts, "touches": args.touches, "events": args.events})
        yield repo, any(r.rejected for r in reports)
