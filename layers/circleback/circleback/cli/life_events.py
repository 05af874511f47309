"""`circleback event add | list | remove`: life events, a contact's news or your own."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from circleback.cli.common import Args, JsonFlag, UsageError, finish, first_problem, iso_date, note, today_of
from circleback.cli.people import complete_names
from circleback.cli.targets import chosen_target, opened, owner_of
from circleback.domain.model import OWN_NEWS_KINDS, EventKind


def add_commands(app: typer.Typer) -> None:
    kinds = ", ".join(k.value for k in EventKind)
    own = ", ".join(sorted(k.value for k in OWN_NEWS_KINDS))
    event = typer.Typer(
        help=(
            "A contact's life event (a new job, a promotion, a move...) in the last 14 days puts a "
            "'congratulate' item in your digest; your own news (no --contact) in the last 30 days suggests "
            "up to five people to tell."
        ),
        short_help="add, list and remove life events: a contact's news, or your own",
        no_args_is_help=True,
    )
    app.add_typer(event, name="event")
    event.command("add", help=f"Record a contact's life event ({kinds}), or your own news without --contact ({own}).")(
        add_command
    )
    event.command("list", help="List life events, newest first.")(list_command)
    event.command("remove", help="Remove a life event by its id.")(remove_command)


def add_command(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help=f"what happened: {', '.join(k.value for k in EventKind)}",
            autocompletion=lambda incomplete: [k.value for k in EventKind if k.value.startswith(incomplete)],
            show_default=False,
        ),
    ],
    contact: Annotated[
        str | None,
        typer.Option(
            metavar="NAME_OR_EMAIL",
            shell_complete=complete_names,
            help="whose news it is (leave out for your own news)",
        ),
    ] = None,
    on: Annotated[
        date | None,
        typer.Option("--date", parser=iso_date, metavar="YYYY-MM-DD", help="when it happened (default today)"),
    ] = None,
    note_text: Annotated[
        str | None, typer.Option("--note", help="a few words, such as 'VP Engineering at Acme'")
    ] = None,
) -> None:
    finish(ctx, run_add, kind=kind, contact=contact, date=on, note=note_text)


def list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_list, json=json_out)


def remove_command(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(metavar="ID", help="the id `event list` shows", show_default=False)],
) -> None:
    finish(ctx, run_remove, event_id=event_id)


def run_add(args: Args) -> int:
    from pydantic import ValidationError

    from circleback.cli.people import resolve
    from circleback.services.life_events import add_event

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        today = today_of(owner)
        contact = resolve(repo, owner.id, args.contact) if args.contact is not None else None
        try:
            added = add_event(repo, owner.id, contact, args.date or today, args.kind, args.note, today)
        except ValidationError as error:
            raise UsageError(first_problem(error)) from None
    event = added.event
    whose = f"{added.contact.name}'s" if added.contact else "your own"
    what = f"{whose} {event.kind.value.replace('_', ' ')} on {event.date.isoformat()}"
    if not added.created:
        note(f"Already recorded: {what} ({event.id}).")
        return 0
    print(event.id)
    hint = "your digests will suggest who to tell" if added.contact is None else "your digest will suggest a note"
    note(f"Recorded {what}: {hint}.")
    return 0


def run_list(args: Args) -> int:
    from circleback.services.life_events import list_events

    with opened(chosen_target(args), args.owner) as repo:
        events = list_events(repo, args.owner)
    if args.json:
        rows = [
            {
                "id": event.id,
                "date": event.date.isoformat(),
                "kind": event.kind.value,
                "contact": contact.name if contact else None,
                "note": event.note,
            }
            for event, contact in events
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for event, contact in events:
        who = contact.name if contact else ("(your own news)" if event.contact_id is None else "(a removed contact)")
        print("\t".join([event.id, event.date.isoformat(), event.kind.value, who, event.note or ""]))
    if not events:
        note("No life events. Add one with `circleback event add KIND`.")
    return 0


def run_remove(args: Args) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        found = [event for event in repo.list_events(args.owner) if event.id == args.event_id]
        if not found or not repo.remove_event(args.owner, found[0]):
            raise UsageError(f"no life event with id {args.event_id!r}; `circleback event list` shows them")
    note(f"Life event {args.event_id} removed.")
    return 0
