"""The `circleback` command line."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from circleback.domain.countries import is_country_code
from circleback.domain.model import Owner
from circleback.domain.planner import DEFAULT_LOOKAHEAD_DAYS, DEFAULT_MAX_DUE, DEFAULT_MONTHLY_GOAL
from circleback.services.importing import ImportReport, import_contacts, import_events, import_touches
from circleback.services.preview import plan_as_dict, plan_as_text, preview
from circleback.store.repository import Repository

EXIT_REJECTED = 1  # some rows were refused
EXIT_USAGE = 2  # the command itself was wrong
LOCAL_OWNER = "local"
DEFAULT_OWNER = "owner"  # the deployment's owner (the template's OWNER_ID)
NAME_LIMIT = 80


class UsageError(Exception):
    pass


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an IANA time zone (such as Europe/London)") from None
    return text


def _country(text: str) -> str:
    if not is_country_code(text.upper()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 3166 two-letter country code (such as US)")
    return text.upper()


def _bounded(low: int, high: int) -> argparse._ActionType:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low} to {high}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circleback", description="Keep in touch with the people who know your work best."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = commands.add_parser(
        "preview",
        help="preview the digest for a day from CSV files, on the embedded emulator",
        description=(
            "Import the files (as of --as-of) into an in-process emulated table through the real importer "
            "and store, plan that day's digest, and print it. Rejected rows are listed on standard error "
            "and make the exit status 1."
        ),
    )
    p.add_argument("--contacts", type=Path, required=True, metavar="FILE", help="contacts CSV")
    p.add_argument("--touches", type=Path, metavar="FILE", help="touches CSV: contact,date,direction,channel,note")
    p.add_argument("--events", type=Path, metavar="FILE", help="life events CSV: contact,date,kind,note")
    p.add_argument(
        "--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="the digest's day (default: today in --timezone)"
    )
    p.add_argument("--country", type=_country, default="US", help="your country, for contacts without one (default US)")
    p.add_argument("--timezone", type=_zone, default="UTC", help="your IANA time zone (default UTC)")
    p.add_argument("--max-due", type=_bounded(0, 100), default=DEFAULT_MAX_DUE, help="due contacts to list (default 5)")
    p.add_argument(
        "--lookahead", type=_bounded(0, 60), default=DEFAULT_LOOKAHEAD_DAYS, help="days of occasions ahead (default 7)"
    )
    p.add_argument(
        "--goal", type=_bounded(0, 1000), default=DEFAULT_MONTHLY_GOAL, help="touches a month to aim for (default 4)"
    )
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--strict", action="store_true", help="import nothing from a file unless every row is valid")
    p.set_defaults(handler=run_preview)

    d = commands.add_parser(
        "demo",
        help="run the morning job locally: the real handlers on the embedded emulator, with the samples",
        description=(
            "Create the emulated table, queue, SES identity and signing secret; run the dispatch and digest "
            "handlers with events shaped as the schedule and the queue deliver them; write the email SES "
            "received to OUT/digest.eml, digest.html and digest.txt."
        ),
    )
    d.add_argument("--out", type=Path, default=Path("out"), help="folder for the digest files (default out)")
    d.add_argument("--email", default="you@example.com", help="the owner's address (default you@example.com)")
    d.add_argument("--timezone", type=_zone, default="Europe/London", help="the owner's time zone")
    d.add_argument("--country", type=_country, default="GB", help="the owner's country")
    d.add_argument(
        "--no-serve", dest="serve", action="store_false", help="write the digest and exit instead of serving its links"
    )
    d.add_argument(
        "--port", type=_bounded(1, 65535), default=8000, help="port on 127.0.0.1 for the links (default 8000)"
    )
    d.set_defaults(handler=run_demo)
    _add_token_commands(commands)
    return parser


def _add_token_commands(commands: Any) -> None:
    t = commands.add_parser(
        "token",
        help="create, list and revoke personal access tokens for the JSON touch API (POST /touches)",
        description=(
            "Personal access tokens authorise `POST /touches` (Authorization: Bearer cbk_...). A token is shown "
            "once, when it is created; only a hash of it is stored. Works against the deployed stack's table."
        ),
    )
    t.add_argument("--stack", default=None, help="the deployed stack's name (default circleback, as samconfig.toml)")
    t.add_argument("--table", default=None, help="the table's name, instead of looking it up from the stack")
    t.add_argument("--owner", default=DEFAULT_OWNER, help=f"the owner id (default {DEFAULT_OWNER})")
    actions = t.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a token and print it once")
    create.add_argument("name", help="what the token is for, such as 'phone shortcut'")
    create.set_defaults(handler=run_token_create)
    listing = actions.add_parser("list", help="list tokens (ids, names, creation times; never the secrets)")
    listing.set_defaults(handler=run_token_list)
    revoke = actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id", metavar="ID", help="the id `token list` shows (the part after cbk_)")
    revoke.set_defaults(handler=run_token_revoke)


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save the file as CSV UTF-8 and try again") from None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None


def run_preview(args: argparse.Namespace) -> int:
    from circleback.local import embedded_repository

    contacts = _read(args.contacts) or ""
    touches, events = _read(args.touches), _read(args.events)
    as_of = args.as_of or datetime.now(ZoneInfo(args.timezone)).date()
    owner = Owner(
        id=LOCAL_OWNER,
        timezone=args.timezone,
        country=args.country,
        max_due=args.max_due,
        lookahead_days=args.lookahead,
        monthly_goal=args.goal,
    )
    reports: list[ImportReport] = []
    with embedded_repository() as repo:
        repo.put_owner(owner)
        reports.append(import_contacts(repo, owner.id, contacts, as_of, strict=args.strict))
        if touches is not None:
            reports.append(import_touches(repo, owner.id, touches, as_of, strict=args.strict))
        if events is not None:
            reports.append(import_events(repo, owner.id, events, as_of, strict=args.strict))
        plan = preview(repo, owner.id, as_of)
    _report_rejections(reports, {"contacts": args.contacts, "touches": args.touches, "events": args.events})
    print(json.dumps(plan_as_dict(plan), indent=2, ensure_ascii=False) if args.json else plan_as_text(plan))
    return EXIT_REJECTED if any(r.rejected for r in reports) else 0


def run_demo(args: argparse.Namespace) -> int:
    from circleback import demo
    from circleback.local_api import wait_for_interrupt

    try:
        with demo.running(
            args.out, args.email, args.timezone, args.country, port=args.port, serve=args.serve
        ) as session:
            result = session.result
            print(f"Sent: {result.subject}")
            for path in (result.eml, result.html, result.txt):
                print(f"  {path}")
            if not args.serve:
                print("Open the .html file in a browser to see the digest as it arrives.")
                return 0
            print(f"\nOpen {result.html} in a browser and click a link: the actions API answers on {session.base_url}")
            print(f"Your next digest, planned from what you have recorded so far: {session.base_url}/")
            print("Press Ctrl-C to stop.", flush=True)
            wait_for_interrupt()
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise UsageError(f"port {args.port} on 127.0.0.1 is taken; choose another with --port") from None
        raise
    return 0


def _token_repository(args: argparse.Namespace) -> Repository:
    from circleback.store.stack import DEFAULT_STACK, StackNotFound, table_name_of

    table = args.table or os.environ.get("CIRCLEBACK_TABLE")
    if table is None:
        try:
            table = table_name_of(args.stack or DEFAULT_STACK)
        except StackNotFound as error:
            raise UsageError(f"{error} (or pass --table)") from None
    return Repository(table)


def run_token_create(args: argparse.Namespace) -> int:
    from circleback.links import access_tokens

    name = " ".join(args.name.split())
    if not 1 <= len(name) <= NAME_LIMIT:
        raise UsageError(f"a token's name is 1 to {NAME_LIMIT} characters")
    text, record = access_tokens.issue(name, datetime.now(UTC))
    if not _token_repository(args).add_access_token(args.owner, record):
        raise UsageError("a token with that id already exists; run the command again")
    print(text)
    print(
        f"Token {record.id} ({name}) created. This is the only time it is shown: keep it somewhere safe.",
        file=sys.stderr,
    )
    return 0


def run_token_list(args: argparse.Namespace) -> int:
    tokens = _token_repository(args).list_access_tokens(args.owner)
    for token in sorted(tokens, key=lambda t: t.created_at):
        print(f"{token.id}\t{token.created_at:%Y-%m-%d %H:%M} UTC\t{token.name}")
    if not tokens:
        print("No tokens. Create one with `circleback token create NAME`.", file=sys.stderr)
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    if not _token_repository(args).revoke_access_token(args.owner, args.token_id):
        raise UsageError(f"no token with id {args.token_id!r}; `circleback token list` shows them")
    print(f"Token {args.token_id} revoked: requests carrying it are refused from now on.", file=sys.stderr)
    return 0


def _report_rejections(reports: Sequence[ImportReport], paths: dict[str, Path | None]) -> None:
    for report in reports:
        if report.rejected:
            for error in report.errors:
                print(f"{paths[report.kind]}: {error}", file=sys.stderr)
            print(report.summary(), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        print(f"circleback: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader (`| head`) has what it wanted
        sys.stderr.close()
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
