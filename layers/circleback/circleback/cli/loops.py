"""`circleback ask`, `reconnect` and `share`: the favour loop, reconnecting, and what is worth sharing
(docs/design.md, "Next steps")."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from circleback.cli.common import Args, JsonFlag, UsageError, finish, iso_date, note, today_of
from circleback.cli.people import channel_of, complete_names, resolve
from circleback.cli.targets import chosen_target, opened, owner_of
from circleback.domain.loops import ASK_AFTER_DAYS, CHECK_IN_AFTER_DAYS, OUTCOME_AFTER_DAYS, SHARE_QUEUE_DAYS
from circleback.domain.model import Channel

if TYPE_CHECKING:
    from circleback.services.loops import AskEntry, Move

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME_OR_EMAIL", shell_complete=complete_names, show_default=False)
]


class FirstWordGroup(TyperGroup):
    """A group whose first word may be an argument: `ask tom "..."` is `ask new tom "..."`, `share URL` is `share
    add URL`; `ask done tom`, `ask list` are commands. Click has no default subcommand (click-default-group adds
    one to plain Click, not to Typer's own); a contact called "list" is still `ask new list "..."`."""

    default_command = "new"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's own (vendored) click.Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


class ShareGroup(FirstWordGroup):
    default_command = "add"


def add_commands(app: typer.Typer) -> None:
    ask = typer.Typer(
        cls=FirstWordGroup,
        help=(
            'The favour loop. `ask tom "a reference for the Acme role"` logs the ask; if Tom has not helped by '
            f"--by (default {CHECK_IN_AFTER_DAYS} days), the digest suggests a gentle check-in. `ask done tom` "
            f"records that he helped: the digest then says to thank him, and {OUTCOME_AFTER_DAYS} days later (or "
            "--outcome) to tell him how it turned out. Both done, Tom moves to tier A. The digest's links do the same."
        ),
        short_help="ask a favour, then thank them and tell them how it turned out",
        no_args_is_help=True,
    )
    app.add_typer(ask, name="ask")
    ask.command("new", help='Ask a favour: circleback ask tom "a reference for the Acme role"')(ask_command)
    ask.command("done", help="They helped (or said how it went): thank them next.")(done_command)
    ask.command("thanked", help='You thanked them (the digest\'s "Said thanks" link does the same).')(thanked_command)
    ask.command("told", help='You told them how it turned out (the digest\'s "Told them").')(told_command)
    ask.command("list", help="Every favour asked, open ones first.")(list_command)
    app.command(
        "reconnect",
        help=(
            "Put someone first in your next digest, with a note that owns the gap, until you log a touch. With "
            f"--need, {ASK_AFTER_DAYS} days later (or once they reply) the digest says now is the time to ask."
        ),
    )(reconnect_command)
    share = typer.Typer(
        cls=ShareGroup,
        help=(
            f"`share URL --title TEXT --tags ai,security` queues an item for {SHARE_QUEUE_DAYS} days: the digest "
            'suggests up to three people whose tags meet its tags, each with a note to send and a "Shared" link.'
        ),
        short_help="queue something worth sharing: the digest says who would care",
        no_args_is_help=True,
    )
    app.add_typer(share, name="share")
    share.command("add", help='Queue an item: circleback share https://... --title "..." --tags ai')(share_command)
    share.command("list", help="The items still queued, newest first.")(share_list_command)
    share.command("remove", help="Stop suggesting an item, by its id.")(share_remove_command)


def _day(help_text: str) -> Any:
    return typer.Option(parser=iso_date, metavar="YYYY-MM-DD", help=help_text)


def ask_command(
    ctx: typer.Context,
    name: NameArgument,
    what: Annotated[str, typer.Argument(metavar="FAVOUR", help="what you ask for", show_default=False)],
    by: Annotated[date | None, _day(f"check in after this day (default in {CHECK_IN_AFTER_DAYS} days)")] = None,
    outcome: Annotated[date | None, _day("when to tell them how it turned out")] = None,
    channel: Annotated[
        Channel, typer.Option(parser=lambda text: channel_of(text), help="how you asked (default email)")
    ] = Channel.EMAIL,
) -> None:
    finish(ctx, run_move, move="ask", name=name, what=what, by=by, outcome=outcome, channel=channel, note=None)


def done_command(
    ctx: typer.Context,
    name: NameArgument,
    note_text: Annotated[str | None, typer.Option("--note", help="how it went")] = None,
    outcome: Annotated[
        date | None, _day(f"when to tell them how it turned out (default in {OUTCOME_AFTER_DAYS} days)")
    ] = None,
) -> None:
    finish(
        ctx,
        run_move,
        move="helped",
        name=name,
        what=None,
        by=None,
        outcome=outcome,
        channel=Channel.EMAIL,
        note=note_text,
    )


def thanked_command(ctx: typer.Context, name: NameArgument) -> None:
    finish(ctx, run_move, move="thanked", name=name, what=None, by=None, outcome=None, channel=Channel.EMAIL, note=None)


def told_command(ctx: typer.Context, name: NameArgument) -> None:
    finish(ctx, run_move, move="told", name=name, what=None, by=None, outcome=None, channel=Channel.EMAIL, note=None)


def list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_list, json=json_out)


def reconnect_command(
    ctx: typer.Context,
    name: NameArgument,
    need: Annotated[str | None, typer.Option(help="what you will ask for, once you have caught up")] = None,
) -> None:
    finish(ctx, run_reconnect, name=name, need=need)


def share_command(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="the link to share", show_default=False)],
    title: Annotated[str, typer.Option(help="what it is: the note's subject", show_default=False)],
    tags: Annotated[list[str], typer.Option(help="the interests it meets, e.g. ai,security", show_default=False)],
) -> None:
    finish(ctx, run_share, url=url, title=title, tags=tags)


def share_list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_share_list, json=json_out)


def share_remove_command(
    ctx: typer.Context,
    share_id: Annotated[str, typer.Argument(metavar="ID", help="the id `share list` shows", show_default=False)],
) -> None:
    finish(ctx, run_share_remove, share_id=share_id)


# --- what they do ---------------------------------------------------------------------------------------------


def run_move(args: Args) -> int:
    from circleback.services.loops import Move, MoveDetails, StepRefused, move_favour

    move = Move(args.move)
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        for option, day in (("--by", args.by), ("--outcome", args.outcome)):
            if day is not None and day <= today:
                raise UsageError(f"{option} is a day after today ({today.isoformat()})")
        contact = resolve(repo, args.owner, args.name)
        details = MoveDetails(args.what, args.by, args.note, args.outcome, args.channel)
        try:
            change = move_favour(repo, args.owner, contact, move, today, datetime.now(UTC), details)
        except StepRefused as refused:
            raise UsageError(str(refused)) from None
    note(_said(move, contact.name, change.after.what, change.after.check_in_on))
    if change.promoted_to is not None:
        note(f"{contact.name} helped, heard your thanks and how it turned out: tier A now, among your closest.")
    return 0


def _said(move: Move, name: str, what: str, check_in: date) -> str:
    return {
        "ask": f"Logged your ask of {name}: {what}. If they have not helped by {check_in.isoformat()}, the digest "
        "suggests a gentle check-in.",
        "helped": f"{name} helped with {what}. The digest reminds you to thank them, and later to tell them how it "
        "turned out.",
        "thanked": f"Logged your thanks to {name} for {what}.",
        "told": f"Logged that you told {name} how it turned out.",
    }[move.value]


def run_list(args: Args) -> int:
    from circleback.services.loops import list_asks

    with opened(chosen_target(args), args.owner) as repo:
        entries = list_asks(repo, args.owner)
    if args.json:
        print(json.dumps([_ask_entry(e) for e in entries], indent=2, ensure_ascii=False))
        return 0
    for entry in entries:
        row = _ask_entry(entry)
        print("\t".join([row["name"], row["state"], row["asked_on"], row["what"]]))
    if not entries:
        note('No favours asked yet. `circleback ask NAME "what you need"` logs one.')
    return 0


def _ask_entry(entry: AskEntry) -> dict[str, Any]:
    favour = entry.favour
    return {
        "name": entry.contact.name if entry.contact else "(removed)",
        "what": favour.what,
        "state": entry.state,
        "asked_on": favour.asked_on.isoformat(),
        "check_in_on": favour.check_in_on.isoformat(),
        "helped_on": favour.helped_on.isoformat() if favour.helped_on else None,
        "note": favour.note,
        "outcome_on": entry.outcome_on.isoformat() if entry.outcome_on else None,
        "thanked_on": favour.thanked_on.isoformat() if favour.thanked_on else None,
        "told_on": favour.told_on.isoformat() if favour.told_on else None,
    }


def run_reconnect(args: Args) -> int:
    from circleback.adapters.store.repository import ConflictError
    from circleback.services.loops import reconnect

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        contact = resolve(repo, args.owner, args.name)
        try:
            planned = reconnect(repo, args.owner, contact, args.need, today)
        except ConflictError:
            raise UsageError(f"{contact.name} was removed meanwhile; nothing was recorded") from None
    said = f"{contact.name} comes first in your next digest, with a note that owns the gap, until you log a touch."
    if planned.need:
        said += f" In {ASK_AFTER_DAYS} days (or once they reply), it says now is the time to ask for {planned.need}."
    note(said)
    return 0


def run_share(args: Args) -> int:
    from circleback.services.loops import queue_share

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        try:
            share = queue_share(repo, args.owner, args.url, args.title, args.tags, today)
        except ValueError as error:
            raise UsageError(str(error)) from None
    print(share.id)
    note(f"Queued for {SHARE_QUEUE_DAYS} days, for people interested in {', '.join(share.tags)}.")
    return 0


def run_share_list(args: Args) -> int:
    from circleback.services.loops import current_shares

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        shares = current_shares(repo, args.owner, today_of(owner_of(repo, args, target)))
    if args.json:
        rows = [
            {"id": s.id, "title": s.title, "url": s.url, "tags": list(s.tags), "queued_on": s.queued_on.isoformat()}
            for s in shares
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for share in shares:
        print("\t".join([share.id, share.queued_on.isoformat(), ",".join(share.tags), share.title, share.url]))
    if not shares:
        note("Nothing queued. `circleback share URL --title TEXT --tags ai,security` queues an item.")
    return 0


def run_share_remove(args: Args) -> int:
    from circleback.services.loops import remove_share

    with opened(chosen_target(args), args.owner) as repo:
        removed = remove_share(repo, args.owner, args.share_id)
    if removed is None:
        raise UsageError(f"no queued item with id {args.share_id!r}; `circleback share list` shows them")
    note(f"“{removed.title}” is no longer suggested.")
    return 0
