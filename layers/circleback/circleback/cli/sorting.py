"""`circleback sort` and `circleback history`: sorting the network into the rotation, and the owner's own work
history that tells circleback who is likely a former boss or colleague (docs/design.md, "Sorting the network").

`sort` at a terminal goes through the unsorted people one key each, in the order the digest asks about them;
`sort NAME --tier A` and `sort NAME --pause` are for scripts. Both sort through the one rule the digest's Sort
links follow (domain/sorting.sorted_into).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from circleback.cli.common import Args, JsonFlag, UsageError, finish, first_problem, note, on_terminal, today_of
from circleback.cli.targets import chosen_target, opened, owner_of
from circleback.domain.model import Relationship, Stint, Tier
from circleback.domain.sorting import SORT_CHOICES

if TYPE_CHECKING:
    from circleback.domain.model import Contact, Owner
    from circleback.domain.sorting import SortItem

QUIT, SKIP = "q", "s"
# One key per choice, in the digest's order: a, b, c for the tiers, p for not in rotation (paused).
KEYS: dict[str, Tier | None] = {"a": Tier.A, "b": Tier.B, "c": Tier.C, "p": None}
LABELS = dict(SORT_CHOICES)
KEY_HELP = "a keep close · b now and then · c rarely · p not in rotation · s skip · q quit"
ANSWERS = {SKIP: "skipped", QUIT: "quit"} | {key: LABELS[tier].lower() for key, tier in KEYS.items()}


def add_commands(app: typer.Typer) -> None:
    app.command(
        "sort",
        help=(
            "Sort people into your rotation: A keep close, B now and then, C rarely, or --pause (not in rotation). "
            "Without NAME, at a terminal, go through everyone not sorted yet, one key each (likely bosses and "
            "former colleagues from your work history first)."
        ),
        short_help="sort your network: `sort` one key a person, or `sort NAME --tier A [--relationship boss]`",
    )(sort_command)
    history = typer.Typer(
        help=(
            "Where you have worked: a connection at one of these companies who connected while you were there "
            "(or up to six months after) is suggested first, as a former colleague, or as a boss or mentor "
            "with a senior title. Your own new_job events (`event add new_job --note COMPANY`) count too."
        ),
        short_help="add, list or remove the companies you have worked at",
        no_args_is_help=True,
    )
    app.add_typer(history, name="history")
    history.command("add", help="Add a company you worked at, from a month (and until one, if it ended).")(
        history_add_command
    )
    history.command("list", help="Your work history, the newest first.")(history_list_command)
    history.command("remove", help="Remove a company from your work history.")(history_remove_command)


# --- sort ------------------------------------------------------------------------------------------------


def sort_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(metavar="[NAME]", show_default=False)] = None,
    tier: Annotated[Tier | None, typer.Option(help="A keep close, B now and then, C rarely")] = None,
    pause: Annotated[bool, typer.Option("--pause", help="not in rotation: never due, their news still shown")] = False,
    relationship: Annotated[Relationship | None, typer.Option(help="how you know them")] = None,
) -> None:
    finish(ctx, run_sort, name=name, tier=tier, pause=pause, relationship=relationship)


def run_sort(args: Args) -> int:
    if args.name is None:
        if args.tier is not None or args.pause or args.relationship is not None:
            raise UsageError("name the person to sort: `circleback sort NAME --tier A`")
        return _go_through(args)
    if (args.tier is None) == (not args.pause):
        raise UsageError("give --tier A, B or C, or --pause (not in rotation), to sort them")
    from circleback.cli.people import resolve
    from circleback.services.contacts import sort

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        contact = resolve(repo, args.owner, args.name)
        done = sort(repo, args.owner, contact, None if args.pause else args.tier, args.relationship, today)
    note(f"Sorted {done.name}: {_placed(done)}.")
    return 0


def _go_through(args: Args) -> int:
    """One key a person, in the digest's order, until everyone is sorted or the owner quits."""
    if not on_terminal():
        raise UsageError("`circleback sort` asks at a terminal; in a script, sort one person: sort NAME --tier A")
    from circleback.services.contacts import sort, to_sort_queue

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        queue, _ = to_sort_queue(repo, args.owner, today)
        if not queue:
            note("Everyone is sorted.")
            return 0
        note(f"{len(queue)} people to sort. {KEY_HELP}")
        tally = Tally()
        for position, item in enumerate(queue, 1):
            key = _ask(item, position, len(queue))
            if key == QUIT:
                break
            if key == SKIP:
                tally.skipped += 1
                continue
            sort(repo, args.owner, item.contact, KEYS[key], item.suggestion.relationship, today)
            tally.sorted += 1
    note(tally.summary(len(queue)))
    return 0


@dataclass
class Tally:
    sorted: int = 0
    skipped: int = 0

    def summary(self, total: int) -> str:
        left = total - self.sorted
        return f"Sorted {self.sorted}; {left} still unsorted (`circleback sort` again, or the digest asks a few a day)."


def _ask(item: SortItem, position: int, total: int) -> str:
    contact, suggestion = item.contact, item.suggestion
    role = " at ".join(p for p in (contact.title, contact.company) if p)
    note(f"\n[{position}/{total}] {contact.name}{' · ' + role if role else ''}")
    why = suggestion.why[:1].upper() + suggestion.why[1:]
    relationship = f" (saved as {suggestion.relationship.value})" if suggestion.relationship else ""
    note(f"  {why}{relationship}")
    while True:
        key = read_key().casefold()
        if key in ANSWERS:
            note(f"  -> {ANSWERS[key]}")
            return key
        note(f"  {KEY_HELP}")


def read_key() -> str:
    """One key press, without Enter (click's getchar: raw mode on a terminal)."""
    import click

    return click.getchar()


def _placed(contact: Contact) -> str:
    how = "" if contact.relationship is Relationship.OTHER else f", {contact.relationship.value}"
    if contact.paused:
        return f"not in rotation{how}"
    return f"{LABELS[contact.tier].lower()} (tier {contact.tier.value}){how}"


# --- history ---------------------------------------------------------------------------------------------


def history_add_command(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(metavar="COMPANY", show_default=False)],
    start: Annotated[str, typer.Option("--from", metavar="YYYY-MM", help="the month you started")],
    end: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM", help="the month you left")] = None,
) -> None:
    finish(ctx, run_history_add, company=company, start=start, end=end)


def history_list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_history_list, json=json_out)


def history_remove_command(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(metavar="COMPANY", show_default=False)],
    start: Annotated[
        str | None, typer.Option("--from", metavar="YYYY-MM", help="which stint, when you were there twice")
    ] = None,
) -> None:
    finish(ctx, run_history_remove, company=company, start=start)


def run_history_add(args: Args) -> int:
    start = month(args.start, "--from")
    end = month(args.end, "--to") if args.end else None
    if end is not None and end < start:
        raise UsageError(f"--to {args.end} is before --from {args.start}")
    company = args.company.strip()
    if not company:
        raise UsageError("name the company: circleback history add 'Acme' --from 2019-04")
    added = Stint(company, start, end)

    def change(stints: tuple[Stint, ...]) -> tuple[Stint, ...]:
        return stints if added in stints else (*stints, added)

    _change_history(args, change)
    note(f"Added {_stint(added)} to your work history.")
    return 0


def run_history_remove(args: Args) -> int:
    from circleback.domain.sorting import same_company

    start = month(args.start, "--from") if args.start else None
    removed: list[Stint] = []

    def change(stints: tuple[Stint, ...]) -> tuple[Stint, ...]:
        gone = [s for s in stints if same_company(s.company, args.company) and start in (None, s.start)]
        if len(gone) > 1 and start is None:
            listed = ", ".join(_stint(s) for s in gone)
            raise UsageError(f"{args.company!r} is {len(gone)} stints ({listed}); say which with --from YYYY-MM")
        removed[:] = gone
        return tuple(s for s in stints if s not in gone)

    _change_history(args, change)
    if not removed:
        raise UsageError(f"{args.company!r} is not in your work history (`circleback history list` shows it)")
    note(f"Removed {_stint(removed[0])} from your work history.")
    return 0


def run_history_list(args: Args) -> int:
    from circleback.services.contacts import to_sort_queue

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        _, history = to_sort_queue(repo, args.owner, today_of(owner))
    entered = set(owner.work_history)
    ordered = sorted(history, key=lambda s: s.start, reverse=True)
    if args.json:
        print(json.dumps([_entry(s, s in entered) for s in ordered], indent=2, ensure_ascii=False))
        return 0
    if not ordered:
        note("No work history yet: `circleback history add COMPANY --from YYYY-MM [--to YYYY-MM]`.")
        return 0
    for stint in ordered:
        print(_stint(stint) + ("" if stint in entered else "  (from your new_job event)"))
    return 0


def _entry(stint: Stint, entered: bool) -> dict[str, Any]:
    return {
        "company": stint.company,
        "from": stint.start.strftime("%Y-%m"),
        "to": stint.end.strftime("%Y-%m") if stint.end else None,
        "source": "history" if entered else "new_job event",
    }


def _change_history(args: Args, change: Callable[[tuple[Stint, ...]], tuple[Stint, ...]]) -> Owner:
    """Save the owner's work history as `change` makes it (through the settings, so a backup keeps it)."""
    from pydantic import ValidationError

    from circleback.services.settings import change_settings

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        stints = change(owner.work_history)
        entries = [
            {"company": s.company, "start": s.start.isoformat(), "end": s.end.isoformat() if s.end else None}
            for s in stints
        ]
        try:
            return change_settings(repo, args.owner, {"work_history": entries}, datetime.now(UTC))[1]
        except ValidationError as error:
            raise UsageError(first_problem(error)) from None


def month(text: str, option: str) -> date:
    """YYYY-MM (a day is allowed and dropped) as the first of that month; a clear error naming the option."""
    try:
        year, number = (int(part) for part in text.strip().split("-")[:2])
        return date(year, number, 1)
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected a month as YYYY-MM, such as 2019-04") from None


def _stint(stint: Stint) -> str:
    until = stint.end.strftime("%Y-%m") if stint.end else "now"
    return f"{stint.company}, {stint.start:%Y-%m} to {until}"
