"""`circleback event add | list | remove`: life events, a contact's news or your own."""

from __future__ import annotations

import argparse
from typing import Any

from circleback.cli.common import UsageError, first_problem, iso_date, note, today_of
from circleback.cli.targets import chosen_target, command_parser, opened, owner_of
from circleback.domain.model import OWN_NEWS_KINDS, EventKind


def add_commands(commands: Any) -> None:
    e = command_parser(
        commands,
        "event",
        help="add, list and remove life events: a contact's news, or your own",
        description=(
            "A contact's life event (a new job, a promotion, a move...) in the last 14 days puts a "
            "'congratulate' item in your digest; your own news (no --contact) in the last 30 days suggests "
            "up to five people to tell."
        ),
    )
    actions = e.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    kinds = ", ".join(k.value for k in EventKind)
    own = ", ".join(sorted(k.value for k in OWN_NEWS_KINDS))
    add = command_parser(
        actions,
        "add",
        help="record a life event",
        description=f"Record a contact's life event ({kinds}), or your own news without --contact ({own}).",
    )
    add.add_argument("kind", metavar="KIND", help=f"one of {kinds}")
    add.add_argument("--contact", metavar="NAME_OR_EMAIL", help="whose news it is (leave out for your own news)")
    add.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="when it happened (default today)")
    add.add_argument("--note", help="a few words, such as 'VP Engineering at Acme'")
    add.set_defaults(handler=run_add)
    listing = command_parser(actions, "list", help="list life events, newest first")
    listing.set_defaults(handler=run_list)
    remove = command_parser(actions, "remove", help="remove a life event by its id")
    remove.add_argument("event_id", metavar="ID", help="the id `event list` shows")
    remove.set_defaults(handler=run_remove)


def run_add(args: argparse.Namespace) -> int:
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


def run_list(args: argparse.Namespace) -> int:
    from circleback.services.life_events import list_events

    with opened(chosen_target(args), args.owner) as repo:
        events = list_events(repo, args.owner)
    for event, contact in events:
        who = contact.name if contact else ("(your own news)" if event.contact_id is None else "(a removed contact)")
        print("\t".join([event.id, event.date.isoformat(), event.kind.value, who, event.note or ""]))
    if not events:
        note("No life events. Add one with `circleback event add KIND`.")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        found = [event for event in repo.list_events(args.owner) if event.id == args.event_id]
        if not found or not repo.remove_event(args.owner, found[0]):
            raise UsageError(f"no life event with id {args.event_id!r}; `circleback event list` shows them")
    note(f"Life event {args.event_id} removed.")
    return 0
