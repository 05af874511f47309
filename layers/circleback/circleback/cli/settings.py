"""`circleback settings show | set` and `circleback use`: your own settings, and where your data is."""

from __future__ import annotations

import json
import locale
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from circleback.cli.common import (
    Args,
    JsonFlag,
    UsageError,
    bounded,
    country,
    finish,
    first_problem,
    iso_date,
    note,
    zone,
)
from circleback.cli.targets import LOCAL, chosen_target, given, opened, owner_of, remember
from circleback.domain.countries import is_country_code
from circleback.domain.model import Frequency, Owner
from circleback.domain.planner import MAX_DUE
from circleback.domain.schedule import next_send_at
from circleback.domain.sorting import MAX_SORT_PER_DIGEST

if TYPE_CHECKING:
    from circleback.adapters.store.repository import Repository

RESUME = "none"  # --paused-until none
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Option -> the setting it changes, with how `settings show` labels it.
SETTINGS = {
    "email": "email (where the digest goes)",
    "name": "name",
    "timezone": "time zone",
    "country": "country (holidays for contacts without one)",
    "city": "home city (a coffee with the people who live there)",
    "send_hour": "send hour",
    "frequency": "frequency",
    "weekday": "weekday (weekly digests)",
    "monthly_goal": "goal (touches a month)",
    "max_due": "max due (people a digest lists)",
    "lookahead_days": "lookahead (days of occasions)",
    "sort_per_digest": "sort per digest (unsorted people a digest asks about)",
    "paused_until": "paused until",
    "aliases": "aliases (your other addresses: mail from them is yours)",
    "mail_subjects": "mail subjects (kept as the touch's note)",
    "logging_address": "logging address (where you BCC and forward mail: never a new person)",
}


def _weekday(text: str) -> int:
    word = text.strip().casefold()
    found = [i for i, day in enumerate(WEEKDAYS) if len(word) >= 2 and day.startswith(word)]
    if len(found) != 1:
        raise typer.BadParameter(f"expected a day of the week (monday ... sunday), got {text!r}")
    return found[0]


def _on_off(text: str) -> str:
    word = text.strip().casefold()
    if word not in ("on", "off"):
        raise typer.BadParameter(f"expected on or off, got {text!r}")
    return word


def _date_or_none(text: str) -> str:
    return RESUME if text.strip().casefold() == RESUME else iso_date(text).isoformat()


def add_commands(app: typer.Typer) -> None:
    settings = typer.Typer(
        help="Your settings. Changing the time zone, send hour, frequency or weekday reschedules the digest.",
        short_help="show or change your settings: time zone, send hour, frequency, country, goal, caps",
        no_args_is_help=True,
    )
    app.add_typer(settings, name="settings")
    settings.command("show", help="Print your settings and when the next digest goes out.")(show_command)
    settings.command("set", help="Change the settings named; the others stay as they are.")(set_command)
    app.command(
        "use",
        help=(
            "Remember a default target, so commands need no --local or --stack: `circleback use --local` or "
            "`circleback use --stack NAME [--region R]`. Without a target option, print the default and where "
            "it is written."
        ),
        short_help="remember where your data is: `use --local` or `use --stack NAME [--region R]`",
    )(use_command)


def show_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_show, json=json_out)


def set_command(
    ctx: typer.Context,
    email: Annotated[
        str | None, typer.Option(help="where the digest goes (a deployment sends only to verified addresses)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="your name, as the digest greets you")] = None,
    timezone: Annotated[
        str | None, typer.Option(parser=zone, help="your IANA time zone, such as Europe/London")
    ] = None,
    country_code: Annotated[
        str | None, typer.Option("--country", parser=country, help="your country: holidays for contacts without one")
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(metavar="CITY|none", help="where you live: people due there get a coffee suggested (none clears)"),
    ] = None,
    send_hour: Annotated[
        int | None, typer.Option(parser=bounded(0, 23), metavar="HOUR", help="the hour the digest comes (0-23)")
    ] = None,
    frequency: Annotated[Frequency | None, typer.Option(help="daily, weekly or off")] = None,
    weekday: Annotated[
        int | None, typer.Option(parser=_weekday, help="the day of a weekly digest (monday ... sunday)")
    ] = None,
    goal: Annotated[int | None, typer.Option(parser=bounded(0, 1000), metavar="N", help="touches a month")] = None,
    max_due: Annotated[
        int | None, typer.Option(parser=max_due_parser, metavar="N", help=f"due people a digest lists (0-{MAX_DUE})")
    ] = None,
    lookahead: Annotated[
        int | None, typer.Option(parser=bounded(0, 60), metavar="DAYS", help="days of occasions a digest shows")
    ] = None,
    paused_until: Annotated[
        str | None,
        typer.Option(parser=_date_or_none, metavar="YYYY-MM-DD|none", help="no digests until then (none resumes)"),
    ] = None,
    sort_per_digest: Annotated[
        int | None,
        typer.Option(
            parser=sort_per_digest_parser,
            metavar="N",
            help=f"unsorted people a digest asks you to sort (0-{MAX_SORT_PER_DIGEST}; 0: none)",
        ),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ADDR|none",
            help="your other addresses, all of them (repeat it); mail from any is yours (none clears)",
        ),
    ] = None,
    mail_subjects: Annotated[
        str | None,
        typer.Option(parser=_on_off, metavar="on|off", help="keep a mailed message's subject as its touch's note"),
    ] = None,
    logging_address: Annotated[
        str | None,
        typer.Option(metavar="ADDR", help="the stack's LoggingAddress: `mail` leaves it out of new people"),
    ] = None,
) -> None:
    aliases = None if alias is None else [] if [a.strip().casefold() for a in alias] == [RESUME] else alias
    finish(
        ctx, run_set, email=email, name=name, timezone=timezone, country=country_code, send_hour=send_hour, city=city,
        frequency=frequency.value if frequency else None, weekday=weekday, monthly_goal=goal, max_due=max_due,
        lookahead_days=lookahead, paused_until=paused_until, sort_per_digest=sort_per_digest, aliases=aliases,
        mail_subjects=None if mail_subjects is None else mail_subjects == "on", logging_address=logging_address,
    )  # fmt: skip


def use_command(ctx: typer.Context) -> None:
    finish(ctx, run_use)


def run_show(args: Args) -> int:
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
    if args.json:
        shown = {field: _shown(owner, field) if getattr(owner, field) is not None else None for field in SETTINGS}
        next_at = owner.next_send_at.isoformat() if owner.next_send_at and target.kind != LOCAL else None
        print(json.dumps({"owner": owner.id, **shown, "next_digest": next_at}, indent=2, ensure_ascii=False))
        return 0
    print(f"# {target.describe()}, owner {owner.id!r}")
    for field, label in SETTINGS.items():
        print(f"{label}: {_shown(owner, field)}")
    if target.kind == LOCAL:
        print("next digest: none (the local store sends no email; `circleback preview` shows it)")
    elif owner.next_send_at is None:
        print("next digest: none scheduled (frequency off, or paused)")
    else:
        local = owner.next_send_at.astimezone(ZoneInfo(owner.timezone))
        print(f"next digest: {local:%A %Y-%m-%d %H:%M} {owner.timezone}")
    return 0


def run_set(args: Args) -> int:
    from pydantic import ValidationError

    from circleback.services.settings import change_settings

    changes = {field: getattr(args, field) for field in SETTINGS if getattr(args, field, None) is not None}
    if changes.get("paused_until") == RESUME:
        changes["paused_until"] = None
    if str(changes.get("city", "")).strip().casefold() == RESUME:
        changes["city"] = None
    if not changes:
        raise UsageError("name at least one setting to change, such as --send-hour 8; `settings set -h` lists them")
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner_of(repo, args, target)  # the local store makes its owner on first use
        try:
            before, after = change_settings(repo, args.owner, changes, datetime.now(UTC))
        except ValidationError as error:
            raise UsageError(first_problem(error)) from None
    changed = [field for field in SETTINGS if getattr(before, field) != getattr(after, field)]
    if not changed:
        note("Nothing changed: the settings were already so.")
        return 0
    for field in changed:
        note(f"{SETTINGS[field]}: {_shown(before, field)} -> {_shown(after, field)}")
    return 0


def people_cap(cap: int, why: str) -> Callable[[str], int]:
    """A parser of a number of people a digest lists, up to `cap`, saying `why` no more."""

    def parse(text: str) -> int:
        value = bounded(0, 1000)(text)
        if value > cap:
            raise typer.BadParameter(f"at most {cap} people a digest, got {value}: {why}")
        return value

    return parse


max_due_parser = people_cap(
    MAX_DUE,
    "a longer digest is clipped by mail apps such as Gmail, which hide its end (the pause link too); the others "
    "wait for the next digest",
)
sort_per_digest_parser = people_cap(
    MAX_SORT_PER_DIGEST,
    "each is a block of links, and a longer digest is clipped by mail apps; `circleback sort` goes through "
    "everyone at once",
)


def _shown(owner: Owner, field: str) -> str:
    value = getattr(owner, field)
    if value is None:
        return "(not set)"
    if field == "max_due" and value > MAX_DUE:
        return f"{value} (a digest lists at most {MAX_DUE})"
    if field == "weekday":
        return WEEKDAYS[value]
    if field == "send_hour":
        return f"{value:02d}:00"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value.value if isinstance(value, Enum) else value)


def run_use(args: Args) -> int:
    from circleback.cli.targets import config_path, remembered

    target = given(args)
    if target is None:
        current = remembered()
        if current is None:
            print(f"No default yet: commands use the stack 'circleback'. ({config_path()})")
        else:
            print(f"{current.describe()} ({config_path()})")
        return 0
    path = remember(target)
    note(f"From now on, commands use {target.describe()} ({path}).")
    return 0


# --- the local store's owner --------------------------------------------------------------------------------


def first_local_owner(repo: Repository, owner_id: str) -> Owner:
    """Make the local store's owner, with this computer's time zone and country as best they can be told."""
    timezone, where = guessed_timezone(), guessed_country()
    owner = Owner(id=owner_id, timezone=timezone, country=where)
    owner = replace(owner, next_send_at=next_send_at(owner, datetime.now(UTC)))
    if not repo.create_owner_if_absent(owner):  # made a moment ago by another command
        return repo.get_owner(owner_id) or owner
    note(
        f"Started your local store: time zone {timezone}, country {where or '(not set)'}, guessed from this "
        "computer; `circleback settings set --timezone ZONE --country CC` corrects them."
    )
    return owner


def guessed_timezone() -> str:
    """The IANA zone this computer runs in: $TZ, else what /etc/localtime links to, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = Path("/etc/localtime").resolve().as_posix()
        candidates.append(link.partition("/zoneinfo/")[2])
    except OSError:
        pass
    for name in candidates:
        if name and "/" in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def guessed_country() -> str | None:
    """The country of this computer's locale (en_GB.UTF-8 -> GB), or None."""
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = os.environ.get(name, "")
        if value:
            break
    else:
        value = locale.getlocale()[0] or ""
    territory = value.partition(".")[0].partition("@")[0].partition("_")[2].upper()
    return territory if is_country_code(territory) else None
