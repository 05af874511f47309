"""`circleback trip add | list | remove`: trips, so the digest proposes lunch with the people who live there."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from circleback.cli.common import Args, JsonFlag, UsageError, finish, iso_date, note, today_of
from circleback.cli.targets import chosen_target, opened, owner_of
from circleback.domain.places import TRIP_MAX_CONTACTS, TRIP_NOTICE_DAYS, trip_dates


def add_commands(app: typer.Typer) -> None:
    trip = typer.Typer(
        help=(
            f"From {TRIP_NOTICE_DAYS} days before a trip until it starts, your digest names up to "
            f"{TRIP_MAX_CONTACTS} people who live in that city (closest first, then the most overdue) and "
            "offers one note to all of them, to propose a lunch."
        ),
        short_help="add, list and remove trips: lunch with the people who live where you are going",
        no_args_is_help=True,
    )
    app.add_typer(trip, name="trip")
    trip.command("add", help="Record a trip: circleback trip add Berlin --from 2027-03-03 --to 2027-03-05")(add_command)
    trip.command("list", help="List trips, the next first, with who lives there.")(list_command)
    trip.command("remove", help="Remove a trip by its id.")(remove_command)


def add_command(
    ctx: typer.Context,
    city: Annotated[str, typer.Argument(metavar="CITY", help="where you are going", show_default=False)],
    start: Annotated[
        date, typer.Option("--from", parser=iso_date, metavar="YYYY-MM-DD", help="the first day", show_default=False)
    ],
    end: Annotated[
        date | None,
        typer.Option("--to", parser=iso_date, metavar="YYYY-MM-DD", help="the last day (default: the first)"),
    ] = None,
    country: Annotated[
        str | None, typer.Option(metavar="CC", help="the city's country, when its name is in several")
    ] = None,
) -> None:
    finish(ctx, run_add, city=city, start=start, end=end, country=country)


def list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_list, json=json_out)


def remove_command(
    ctx: typer.Context,
    trip_id: Annotated[str, typer.Argument(metavar="ID", help="the id `trip list` shows", show_default=False)],
) -> None:
    finish(ctx, run_remove, trip_id=trip_id)


def run_add(args: Args) -> int:
    from circleback.services.places import add_trip

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        try:
            added = add_trip(repo, owner.id, args.city, args.start, args.end, args.country, today_of(owner))
        except ValueError as error:
            raise UsageError(str(error)) from None
    trip = added.trip
    print(trip.id)
    there = ", ".join(c.name for c in added.there[:TRIP_MAX_CONTACTS]) or "nobody you know lives there yet"
    note(f"Trip to {trip.city} {trip_dates(trip)} recorded. There: {there}.")
    return 0


def run_list(args: Args) -> int:
    from circleback.services.places import list_trips

    with opened(chosen_target(args), args.owner) as repo:
        trips = list_trips(repo, args.owner)
    if args.json:
        rows = [
            {
                "id": t.trip.id,
                "city": t.trip.city,
                "from": t.trip.start.isoformat(),
                "to": t.trip.end.isoformat(),
                "contacts": [c.name for c in t.there],
            }
            for t in trips
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for t in trips:
        names = ", ".join(c.name for c in t.there)
        print("\t".join([t.trip.id, t.trip.city, t.trip.start.isoformat(), t.trip.end.isoformat(), names]))
    if not trips:
        note("No trips. Add one with `circleback trip add CITY --from YYYY-MM-DD --to YYYY-MM-DD`.")
    return 0


def run_remove(args: Args) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        if not repo.remove_trip(args.owner, args.trip_id):
            raise UsageError(f"no trip with id {args.trip_id!r}; `circleback trip list` shows them")
    note(f"Trip {args.trip_id} removed.")
    return 0
