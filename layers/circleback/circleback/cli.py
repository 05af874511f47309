"""The `circleback` command line."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from circleback.domain.calendar import DEFAULT_DAYS
from circleback.domain.countries import is_country_code
from circleback.domain.model import OWN_NEWS_KINDS, EventKind, Owner
from circleback.domain.planner import DEFAULT_LOOKAHEAD_DAYS, DEFAULT_MAX_DUE, DEFAULT_MONTHLY_GOAL
from circleback.services.importing import ImportReport, import_contacts, import_events, import_touches
from circleback.services.preview import plan_as_dict, plan_as_text, preview
from circleback.store.repository import Repository

EXIT_REJECTED = 1  # some rows were refused
EXIT_USAGE = 2  # the command itself was wrong
LOCAL_OWNER = "local"
DEFAULT_OWNER = "owner"  # the deployment's owner (the template's OWNER_ID)
NAME_LIMIT = 80
MAX_CALENDAR_DAYS = 731  # two years: the holiday data and a calendar app's patience both run out


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
    _add_event_commands(commands)
    _add_calendar_commands(commands)
    return parser


def _target(*, again: bool = False) -> argparse.ArgumentParser:
    """Where the deployed data lives: the options every command on the deployed stack takes.

    `again`: for the actions of a command that takes them too, so they go before or after the action
    (`calendar --stack S url` and `calendar url --stack S` both keep S).
    """
    target = argparse.ArgumentParser(add_help=False)

    def default(value: str | None) -> str | None:
        return argparse.SUPPRESS if again else value

    stack_help = "the deployed stack's name (default circleback, as samconfig.toml)"
    target.add_argument("--stack", default=default(None), help=stack_help)
    target.add_argument("--table", default=default(None), help="the table's name, instead of the stack's")
    target.add_argument("--owner", default=default(DEFAULT_OWNER), help=f"the owner id (default {DEFAULT_OWNER})")
    return target


def _add_token_commands(commands: Any) -> None:
    t = commands.add_parser(
        "token",
        parents=[_target()],
        help="create, list and revoke personal access tokens for the JSON touch API (POST /touches)",
        description=(
            "Personal access tokens authorise `POST /touches` (Authorization: Bearer cbk_...). A token is shown "
            "once, when it is created; only a hash of it is stored. Works against the deployed stack's table."
        ),
    )
    target = _target(again=True)
    actions = t.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", parents=[target], help="make a token and print it once")
    create.add_argument("name", help="what the token is for, such as 'phone shortcut'")
    create.set_defaults(handler=run_token_create)
    listing = actions.add_parser(
        "list", parents=[target], help="list tokens (ids, names, creation times; never the secrets)"
    )
    listing.set_defaults(handler=run_token_list)
    revoke = actions.add_parser("revoke", parents=[target], help="revoke a token by its id")
    revoke.add_argument("token_id", metavar="ID", help="the id `token list` shows (the part after cbk_)")
    revoke.set_defaults(handler=run_token_revoke)


def _add_event_commands(commands: Any) -> None:
    e = commands.add_parser(
        "event",
        parents=[_target()],
        help="add, list and remove life events: a contact's news, or your own",
        description=(
            "A contact's life event (a new job, a promotion, a move...) in the last 14 days puts a "
            "'congratulate' item in your digest; your own news (no --contact) in the last 30 days suggests "
            "up to five people to tell. Works against the deployed stack's table."
        ),
    )
    target = _target(again=True)
    actions = e.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    kinds = ", ".join(k.value for k in EventKind)
    own = ", ".join(sorted(k.value for k in OWN_NEWS_KINDS))
    add = actions.add_parser(
        "add",
        parents=[target],
        help="record a life event",
        description=f"Record a contact's life event ({kinds}), or your own news without --contact ({own}).",
    )
    add.add_argument("kind", metavar="KIND", help=f"one of {kinds}")
    add.add_argument("--contact", metavar="NAME_OR_EMAIL", help="whose news it is (leave out for your own news)")
    add.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="when it happened (default today)")
    add.add_argument("--note", help="a few words, such as 'VP Engineering at Acme'")
    add.set_defaults(handler=run_event_add)
    listing = actions.add_parser("list", parents=[target], help="list life events, newest first")
    listing.set_defaults(handler=run_event_list)
    remove = actions.add_parser("remove", parents=[target], help="remove a life event by its id")
    remove.add_argument("event_id", metavar="ID", help="the id `event list` shows")
    remove.set_defaults(handler=run_event_remove)


def _add_calendar_commands(commands: Any) -> None:
    c = commands.add_parser(
        "calendar",
        parents=[_target()],
        help="write your calendar feed to a file, or print or revoke its subscription link",
        description=(
            "The next 12 months of birthdays, work anniversaries, holiday greetings and due dates as an "
            "iCalendar file. `calendar --out FILE.ics` writes it from the deployed stack's table, or from CSV "
            "files with --contacts; `calendar url` prints a link a calendar app can subscribe to; "
            "`calendar revoke` turns off every link printed so far."
        ),
    )
    c.add_argument("--out", type=Path, metavar="FILE.ics", help="where to write the feed (- for standard output)")
    c.add_argument("--contacts", type=Path, metavar="FILE", help="contacts CSV, instead of the deployed table")
    c.add_argument("--touches", type=Path, metavar="FILE", help="touches CSV (with --contacts)")
    c.add_argument("--events", type=Path, metavar="FILE", help="life events CSV (with --contacts)")
    c.add_argument("--country", type=_country, default="US", help="with --contacts: your country (default US)")
    c.add_argument("--timezone", type=_zone, default="UTC", help="with --contacts: your time zone (default UTC)")
    c.add_argument("--strict", action="store_true", help="with --contacts: import nothing unless every row is valid")
    c.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD", help="first day (default today)")
    c.add_argument(
        "--days", type=_bounded(1, MAX_CALENDAR_DAYS), default=DEFAULT_DAYS, help="days to cover (default 365)"
    )
    c.set_defaults(handler=run_calendar_file)
    actions = c.add_subparsers(dest="calendar_command", metavar="ACTION")
    url = actions.add_parser("url", parents=[_target(again=True)], help="print a link to subscribe to the feed")
    url.set_defaults(handler=run_calendar_url)
    revoke = actions.add_parser("revoke", parents=[_target()], help="turn off every calendar link printed so far")
    revoke.set_defaults(handler=run_calendar_revoke)


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
    owner = Owner(
        id=LOCAL_OWNER,
        timezone=args.timezone,
        country=args.country,
        max_due=args.max_due,
        lookahead_days=args.lookahead,
        monthly_goal=args.goal,
    )
    as_of = args.as_of or _today(owner)
    with _imported_files(args, owner, as_of) as (repo, rejected):
        plan = preview(repo, owner.id, as_of)
    print(json.dumps(plan_as_dict(plan), indent=2, ensure_ascii=False) if args.json else plan_as_text(plan))
    return EXIT_REJECTED if rejected else 0


@contextmanager
def _imported_files(args: argparse.Namespace, owner: Owner, today: date) -> Iterator[tuple[Repository, bool]]:
    """The CSV files imported (as of `today`) into an embedded table, through the real importer and store,
    and whether any row was rejected (rejected rows are reported on standard error).
    """
    from circleback.local import embedded_repository

    contacts = _read(args.contacts) or ""
    touches, events = _read(args.touches), _read(args.events)
    reports: list[ImportReport] = []
    with embedded_repository() as repo:
        repo.put_owner(owner)
        reports.append(import_contacts(repo, owner.id, contacts, today, strict=args.strict))
        if touches is not None:
            reports.append(import_touches(repo, owner.id, touches, today, strict=args.strict))
        if events is not None:
            reports.append(import_events(repo, owner.id, events, today, strict=args.strict))
        _report_rejections(reports, {"contacts": args.contacts, "touches": args.touches, "events": args.events})
        yield repo, any(r.rejected for r in reports)


def _today(owner: Owner) -> date:
    return datetime.now(ZoneInfo(owner.timezone)).date()


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
            print(f"Your calendar feed (add it to a calendar app, or open it): {session.calendar_url}")
            print("Press Ctrl-C to stop.", flush=True)
            wait_for_interrupt()
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise UsageError(f"port {args.port} on 127.0.0.1 is taken; choose another with --port") from None
        raise
    return 0


def _stack_repository(args: argparse.Namespace) -> Repository:
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
    if not _stack_repository(args).add_access_token(args.owner, record):
        raise UsageError("a token with that id already exists; run the command again")
    print(text)
    print(
        f"Token {record.id} ({name}) created. This is the only time it is shown: keep it somewhere safe.",
        file=sys.stderr,
    )
    return 0


def run_token_list(args: argparse.Namespace) -> int:
    tokens = _stack_repository(args).list_access_tokens(args.owner)
    for token in sorted(tokens, key=lambda t: t.created_at):
        print(f"{token.id}\t{token.created_at:%Y-%m-%d %H:%M} UTC\t{token.name}")
    if not tokens:
        print("No tokens. Create one with `circleback token create NAME`.", file=sys.stderr)
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    if not _stack_repository(args).revoke_access_token(args.owner, args.token_id):
        raise UsageError(f"no token with id {args.token_id!r}; `circleback token list` shows them")
    print(f"Token {args.token_id} revoked: requests carrying it are refused from now on.", file=sys.stderr)
    return 0


def run_event_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from circleback.services.events import UnknownContact, add_event

    repo = _stack_repository(args)
    owner = _deployed_owner(repo, args.owner)
    today = _today(owner)
    try:
        added = add_event(repo, owner.id, args.contact, args.date or today, args.kind, args.note, today)
    except ValidationError as error:
        raise UsageError(_first_problem(error)) from None
    except UnknownContact as error:
        raise UsageError(f"{error} (a contact is named by their exact name or their email)") from None
    event = added.event
    whose = f"{added.contact.name}'s" if added.contact else "your own"
    what = f"{whose} {event.kind.value.replace('_', ' ')} on {event.date.isoformat()}"
    if not added.created:
        print(f"Already recorded: {what} ({event.id}).", file=sys.stderr)
        return 0
    print(event.id)
    hint = "your digests will suggest who to tell" if added.contact is None else "your digest will suggest a note"
    print(f"Recorded {what}: {hint}.", file=sys.stderr)
    return 0


def run_event_list(args: argparse.Namespace) -> int:
    from circleback.services.events import list_events

    events = list_events(_stack_repository(args), args.owner)
    for event, contact in events:
        who = contact.name if contact else ("(your own news)" if event.contact_id is None else "(a removed contact)")
        print("\t".join([event.id, event.date.isoformat(), event.kind.value, who, event.note or ""]))
    if not events:
        print("No life events. Add one with `circleback event add KIND`.", file=sys.stderr)
    return 0


def run_event_remove(args: argparse.Namespace) -> int:
    repo = _stack_repository(args)
    found = [event for event in repo.list_events(args.owner) if event.id == args.event_id]
    if not found or not repo.remove_event(args.owner, found[0]):
        raise UsageError(f"no life event with id {args.event_id!r}; `circleback event list` shows them")
    print(f"Life event {args.event_id} removed.", file=sys.stderr)
    return 0


def run_calendar_file(args: argparse.Namespace) -> int:
    from circleback.services.calendar_feed import owner_calendar

    if args.out is None:
        raise UsageError("say where to write the feed with --out FILE.ics (or use `calendar url` to subscribe)")
    now = datetime.now(UTC)
    rejected = False
    if args.contacts is not None:
        owner = Owner(id=LOCAL_OWNER, timezone=args.timezone, country=args.country)
        start = args.start or _today(owner)
        with _imported_files(args, owner, start) as (repo, rejected):
            data = repo.load_digest_input(owner.id)
    else:
        for option in ("touches", "events"):
            if getattr(args, option) is not None:
                raise UsageError(f"--{option} goes with --contacts (without it, the deployed table is read)")
        data = _stack_repository(args).load_digest_input(args.owner)
    if data is None:
        raise UsageError(f"no owner {args.owner!r} in the table; is the stack deployed and has it run once?")
    start = args.start or _today(data.owner)
    feed = owner_calendar(data, now, start, args.days)
    _write_output(args.out, feed)
    last = start + timedelta(days=args.days - 1)
    print(f"{feed.count(b'BEGIN:VEVENT')} events from {start} to {last} in {args.out}.", file=sys.stderr)
    return EXIT_REJECTED if rejected else 0


def run_calendar_url(args: argparse.Namespace) -> int:
    from circleback.links.secret_keys import KeyUnavailable, SecretsManagerKeyRing
    from circleback.links.tokens import TokenSigner
    from circleback.services.calendar_feed import CALENDAR_LINK_TTL, calendar_link
    from circleback.store import stack

    names = (stack.TABLE_OUTPUT, stack.API_URL_OUTPUT, stack.SIGNING_SECRET_OUTPUT)
    try:
        outputs = stack.stack_outputs(args.stack or stack.DEFAULT_STACK, *names)
    except stack.StackNotFound as error:
        raise UsageError(f"{error} (a subscription link needs the deployed stack: pass --stack)") from None
    repo = Repository(args.table or outputs[stack.TABLE_OUTPUT])
    owner = _deployed_owner(repo, args.owner)
    signer = TokenSigner(SecretsManagerKeyRing(outputs[stack.SIGNING_SECRET_OUTPUT]))
    now = datetime.now(UTC)
    try:
        url = calendar_link(
            signer, outputs[stack.API_URL_OUTPUT], owner.id, now, repo.calendar_links_revoked_at(owner.id)
        )
    except KeyUnavailable as error:
        raise UsageError(f"cannot read the signing key: {error}") from None
    print(url)
    years = CALENDAR_LINK_TTL.days // 365
    print(
        'Subscribe to this link in your calendar app ("add calendar from URL"; Apple Calendar also takes it with '
        f"webcal:// in front instead of https://). It works for {years} years, until `circleback calendar revoke`. "
        "Anyone holding it can read your contacts' names and dates: keep it private.",
        file=sys.stderr,
    )
    return 0


def run_calendar_revoke(args: argparse.Namespace) -> int:
    repo = _stack_repository(args)
    owner = _deployed_owner(repo, args.owner)
    repo.revoke_calendar_links(owner.id, datetime.now(UTC))
    print(
        "Every calendar link printed so far is off: calendar apps subscribed to one get 410 Gone. "
        "`circleback calendar url` prints a new one.",
        file=sys.stderr,
    )
    return 0


def _deployed_owner(repo: Repository, owner_id: str) -> Owner:
    owner = repo.get_owner(owner_id)
    if owner is None:
        raise UsageError(f"no owner {owner_id!r} in the table; is the stack deployed and has it run once?")
    return owner


def _first_problem(error: Any) -> str:
    """A pydantic error as one line naming the field: "kind: Input should be 'new_job', ..."."""
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def _write_output(path: Path, content: bytes) -> None:
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        path.write_bytes(content)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None


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
