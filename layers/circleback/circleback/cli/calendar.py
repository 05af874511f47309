"""`circleback calendar`: the calendar feed as a file, its subscription link, and turning links off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

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
    today_of,
    write_output,
    zone,
)
from circleback.cli.targets import chosen_target, deployed_target, opened, owner_of, table_repository
from circleback.domain.calendar import DEFAULT_DAYS
from circleback.domain.model import Owner

MAX_CALENDAR_DAYS = 731  # two years: the holiday data and a calendar app's patience both run out


def add_commands(app: typer.Typer) -> None:
    calendar = typer.Typer(
        help=(
            "The next 12 months of birthdays, work anniversaries, holiday greetings and due dates as an "
            "iCalendar file. `calendar --out FILE.ics` writes it from your data, or from CSV files with "
            "--contacts; `calendar url` prints a link a calendar app can subscribe to; `calendar revoke` turns "
            "off every link printed so far (both need the deployed stack)."
        ),
        short_help="write your calendar feed to a file, or print or revoke its subscription link",
        invoke_without_command=True,
    )
    app.add_typer(calendar, name="calendar")
    calendar.callback()(file_command)
    calendar.command("url", help="Print a link to subscribe to the feed.")(url_command)
    calendar.command("revoke", help="Turn off every calendar link printed so far.")(revoke_command)


def file_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE.ics", help="where to write the feed (- for standard output)")
    ] = None,
    contacts: Annotated[Path | None, typer.Option(metavar="FILE", help="contacts CSV, instead of your data")] = None,
    touches: Annotated[Path | None, typer.Option(metavar="FILE", help="touches CSV (with --contacts)")] = None,
    events: Annotated[Path | None, typer.Option(metavar="FILE", help="life events CSV (with --contacts)")] = None,
    country_code: Annotated[
        str, typer.Option("--country", parser=country, help="with --contacts: your country")
    ] = "US",
    timezone: Annotated[str, typer.Option(parser=zone, help="with --contacts: your time zone")] = "UTC",
    strict: Annotated[
        bool, typer.Option("--strict", help="with --contacts: import nothing unless every row is valid")
    ] = False,
    start: Annotated[
        date | None, typer.Option("--from", parser=iso_date, metavar="YYYY-MM-DD", help="first day (default today)")
    ] = None,
    days: Annotated[int, typer.Option(parser=bounded(1, MAX_CALENDAR_DAYS), help="days to cover")] = DEFAULT_DAYS,
) -> None:
    if ctx.invoked_subcommand is not None:
        return  # `calendar url` or `calendar revoke`: the feed's options are not theirs
    finish(
        ctx, run_file, out=out, contacts=contacts, touches=touches, events=events, country=country_code,
        timezone=timezone, strict=strict, start=start, days=days,
    )  # fmt: skip


def url_command(ctx: typer.Context) -> None:
    finish(ctx, run_url)


def revoke_command(ctx: typer.Context) -> None:
    finish(ctx, run_revoke)


def run_file(args: Args) -> int:
    from circleback.cli.files import LOCAL_OWNER, imported_files
    from circleback.services.calendar_feed import owner_calendar

    if args.out is None:
        raise UsageError("say where to write the feed with --out FILE.ics (or use `calendar url` to subscribe)")
    now = datetime.now(UTC)
    rejected = False
    if args.contacts is not None:
        owner = Owner(id=LOCAL_OWNER, timezone=args.timezone, country=args.country)
        with imported_files(args, owner, args.start or today_of(owner)) as (repo, rejected):
            data = repo.load_digest_input(owner.id)
    else:
        for option in ("touches", "events"):
            if getattr(args, option) is not None:
                raise UsageError(f"--{option} goes with --contacts (without it, your own data is read)")
        target = chosen_target(args)
        with opened(target, args.owner) as repo:
            owner_of(repo, args, target)
            data = repo.load_digest_input(args.owner)
    if data is None:  # the owner was read a moment ago: only a removal in between gets here
        raise UsageError(f"no owner {args.owner!r}")
    start = args.start or today_of(data.owner)
    feed = owner_calendar(data, now, start, args.days)
    write_output(args.out, feed)
    last = start + timedelta(days=args.days - 1)
    note(f"{feed.count(b'BEGIN:VEVENT')} events from {start} to {last} in {args.out}.")
    return EXIT_REJECTED if rejected else 0


def run_url(args: Args) -> int:
    from circleback.adapters import stack
    from circleback.adapters.secrets import KeyUnavailable, SecretsManagerKeyRing
    from circleback.auth.tokens import TokenSigner
    from circleback.services.calendar_feed import CALENDAR_LINK_TTL, calendar_link

    names = (stack.TABLE_OUTPUT, stack.API_URL_OUTPUT, stack.SIGNING_SECRET_OUTPUT)
    target = deployed_target(args)
    try:
        outputs = stack.stack_outputs(target.stack or stack.DEFAULT_STACK, *names)
    except stack.StackNotFound as error:
        raise UsageError(f"{error} (a subscription link needs the deployed stack: pass --stack)") from None
    repo = table_repository(outputs[stack.TABLE_OUTPUT])
    owner = owner_of(repo, args, target)
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
    note(
        'Subscribe to this link in your calendar app ("add calendar from URL"; Apple Calendar also takes it with '
        f"webcal:// in front instead of https://). It works for {years} years, until `circleback calendar revoke`. "
        "Anyone holding it can read your contacts' names and dates: keep it private."
    )
    return 0


def run_revoke(args: Args) -> int:
    target = deployed_target(args)  # the links are the deployed stack's: refuse the local store
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        repo.revoke_calendar_links(owner.id, datetime.now(UTC))
    note(
        "Every calendar link printed so far is off: calendar apps subscribed to one get 410 Gone. "
        "`circleback calendar url` prints a new one."
    )
    return 0
