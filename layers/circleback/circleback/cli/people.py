"""`circleback contacts list | show | add | edit | pause | resume | remove`, `touch` and `snooze`: the daily
commands. A contact is named forgivingly (case, accents, a unique start of the name, or the email); when a
name fits several people the command asks which one, or says how to tell them apart.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from circleback.cli.common import (
    Args,
    JsonFlag,
    UsageError,
    bounded,
    did_you_mean,
    finish,
    first_problem,
    iso_date,
    note,
    on_terminal,
    today_of,
)
from circleback.cli.output import choose_number, confirmed, print_table
from circleback.cli.targets import Target, chosen_target, invocation, opened, owner_of
from circleback.domain.model import Channel, Contact, Direction, FollowUp, Relationship, Tier
from circleback.domain.reach import unreachable, ways_to_reach
from circleback.domain.replies import CHANNEL_WORDS, MAX_SNOOZE_DAYS

if TYPE_CHECKING:
    from circleback.adapters.store.repository import Repository
    from circleback.domain.names import NameMatch
    from circleback.services.contacts import ContactStatus

RECENT_TOUCHES = 10
# Option -> the contacts file's column it sets (the same names and checks as a file's cells).
CONTACT_OPTIONS = {
    "email": "email",
    "other_emails": "other_emails",
    "phone": "phone",
    "linkedin": "linkedin_url",
    "company": "company",
    "title": "title",
    "relationship": "relationship",
    "tier": "tier",
    "cadence": "cadence_days",
    "country": "country",
    "city": "city",
    "birthday": "birthday",
    "worked_together_until": "worked_together_until",
    "first_seen": "first_seen",
    "tags": "tags",
    "notes": "notes",
    "last_touch": "last_touch",
}


FIELDS_PANEL = "Fields (as the contacts file's columns)"


def _field(help: str, metavar: str | None = None) -> Any:
    return typer.Option(help=help, metavar=metavar, rich_help_panel=FIELDS_PANEL)


def add_commands(app: typer.Typer) -> None:
    contacts = typer.Typer(
        help="Your contacts. NAME is a name (any case, any script's letters as you type them, or just its start) "
        "or an email.",
        short_help="list, show, add, edit, pause, resume or remove contacts",
        no_args_is_help=True,
    )
    app.add_typer(contacts, name="contacts")
    contacts.command("list", help="Every contact, with their last touch and when they are next due.")(list_command)
    contacts.command("show", help="One contact: every field, their recent touches and life events.")(show_command)
    contacts.command("add", help="Add a contact (only the name is required).")(add_command)
    contacts.command("edit", help="Change a contact's fields (an empty value clears one: --company '').")(edit_command)
    contacts.command("pause", help="Keep a contact out of the digest until resumed.")(pause_command)
    contacts.command("resume", help="Undo pause.")(resume_command)
    contacts.command("remove", help="Delete a contact with their touches and life events.")(remove_command)
    app.command(
        "touch",
        help="Record a touch: they drop off the due list, and the digest remembers the note.",
        short_help="log that you were in touch: `touch 'Ana' --channel coffee --note 'talked about the move'`",
    )(touch_command)
    app.command(
        "snooze",
        help="Keep a contact off the due list for N days (from today), until a date, or end a snooze.",
        short_help="keep someone off the due list for a while: `snooze 'Ana' --days 14`",
    )(snooze_command)


def complete_names(ctx: typer.Context, param: Any, incomplete: str) -> list[str]:
    """The contacts' names that start as `incomplete` does (letters folded as `match_contact` folds them, so
    `soren` offers Søren), for shell completion. Given as click's `shell_complete`, which Typer 0.29 still takes
    (with a deprecation warning): its own `autocompletion` drops every answer that does not start with exactly
    what was typed, case and accents included. Anything that goes wrong completes nothing, never an error.
    """
    from circleback.cli.targets import quiet_target
    from circleback.domain.names import folded

    try:
        options = Args(**ctx.find_root().params)
        with opened(quiet_target(options), options.owner) as repo:
            names = sorted({contact.name for contact in repo.list_contacts(options.owner)})
    except Exception:
        return []
    start = folded(incomplete)
    return [name for name in names if folded(name).startswith(start)]


Name = Annotated[str, typer.Argument(metavar="NAME", shell_complete=complete_names, show_default=False)]


def list_command(
    ctx: typer.Context,
    due: Annotated[bool, typer.Option("--due", help="only the people due today or overdue")] = False,
    tag: Annotated[str | None, typer.Option(help="only the contacts with this tag")] = None,
    unsorted: Annotated[
        bool, typer.Option("--unsorted", help="only the people not sorted yet (`circleback sort` sorts them)")
    ] = False,
    unreachable: Annotated[
        bool, typer.Option("--unreachable", help="only the people with no email, phone or LinkedIn profile")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    finish(ctx, run_list, due=due, tag=tag, unsorted=unsorted, unreachable=unreachable, json=json_out)


def show_command(
    ctx: typer.Context,
    name: Name,
    json_out: JsonFlag = False,
) -> None:
    finish(ctx, run_show, name=name, json=json_out)


def with_contact_fields(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with an option for each contact field (CONTACT_OPTIONS, as the contacts file's columns), given to
    it in its **fields: `contacts add` and `contacts edit` take the same ones, declared once here.
    """
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    fields = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[str | None, option])
        for name, option in _field_options().items()
    ]
    command.__signature__ = signature.replace(parameters=[*kept, *fields])  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in (*kept, *fields)} | {"return": None}
    return command


def _field_options() -> dict[str, Any]:
    return {
        "email": _field("their email address", "EMAIL"),
        "other_emails": _field("other addresses they write from, separated by ; (empty: none)", "EMAILS"),
        "phone": _field("their phone number", "PHONE"),
        "linkedin": _field("their LinkedIn profile address", "URL"),
        "company": _field("where they work", "COMPANY"),
        "title": _field("their job title", "TITLE"),
        "relationship": _field(", ".join(r.value for r in Relationship), "KIND"),
        "tier": _field(f"{', '.join(t.value for t in Tier)}: A is the closest (a new contact's default is B)", "TIER"),
        "cadence": _field("days between notes (default: by tier and relationship)", "DAYS"),
        "country": _field("their country, for holiday greetings", "CC"),
        "city": _field("where they live: a coffee when you are both there, lunch when you visit", "CITY"),
        "birthday": _field("YYYY-MM-DD; without the year, --birthday=--MM-DD", "DATE"),
        "worked_together_until": _field("for work anniversaries", "DATE"),
        "first_seen": _field("when you first met", "DATE"),
        "tags": _field("separated by ;", "TAGS"),
        "notes": _field("anything to remember about them", "TEXT"),
        "last_touch": _field("when you were last in touch, before circleback", "DATE"),
    }


@with_contact_fields
def add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="their name as you write it", show_default=False)],
    again: Annotated[
        bool, typer.Option("--again", help="add them even though a contact has the same name (another person)")
    ] = False,
    **fields: str | None,
) -> None:
    finish(ctx, run_add, name=name, again=again, **fields)


@with_contact_fields
def edit_command(
    ctx: typer.Context,
    name: Name,
    rename: Annotated[str | None, typer.Option(metavar="NEW_NAME", help="a new name")] = None,
    **fields: str | None,
) -> None:
    finish(ctx, run_edit, name=name, rename=rename, **fields)


def pause_command(ctx: typer.Context, name: Name) -> None:
    finish(ctx, run_pause, name=name, paused=True)


def resume_command(ctx: typer.Context, name: Name) -> None:
    finish(ctx, run_pause, name=name, paused=False)


def remove_command(
    ctx: typer.Context,
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    finish(ctx, run_remove, name=name, yes=yes)


def touch_command(
    ctx: typer.Context,
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME_OR_EMAIL...",
            shell_complete=complete_names,
            help="one person, or several met together (one touch each, under the same note)",
            show_default=False,
        ),
    ],
    channel: Annotated[
        Channel,
        typer.Option(
            parser=lambda text: channel_of(text),
            autocompletion=lambda incomplete: [w for w in CHANNEL_WORDS if w.startswith(incomplete.casefold())],
            help="email, call, meeting, message, social or other; everyday words work too (coffee, lunch, phone, text)",
        ),
    ] = Channel.OTHER,
    note_text: Annotated[str | None, typer.Option("--note", help="a few words to remember it by")] = None,
    inbound: Annotated[bool, typer.Option("--inbound", help="they reached out to you")] = False,
    mutual: Annotated[bool, typer.Option("--mutual", help="neither of you in particular (met at an event)")] = False,
    on: Annotated[
        date | None, typer.Option("--date", parser=iso_date, metavar="YYYY-MM-DD", help="when (default today)")
    ] = None,
    follow_up: Annotated[
        str | None,
        typer.Option(
            "--follow-up",
            metavar="DAYS|YYYY-MM-DD",
            help="a next step: the digest says to follow up on that day (in so many days, or on a date)",
        ),
    ] = None,
    about: Annotated[str | None, typer.Option("--about", help='what to follow up on: "how the interview went"')] = None,
) -> None:
    if inbound and mutual:
        raise typer.BadParameter("give one of --inbound and --mutual", param_hint="'--inbound' / '--mutual'")
    if about and not follow_up:
        raise typer.BadParameter("--about goes with --follow-up", param_hint="'--about'")
    finish(
        ctx,
        run_touch,
        names=names,
        channel=channel,
        note=note_text,
        inbound=inbound,
        mutual=mutual,
        date=on,
        follow_up=follow_up,
        about=about,
    )


def snooze_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME_OR_EMAIL", shell_complete=complete_names, show_default=False)],
    days: Annotated[
        int | None, typer.Option(parser=bounded(1, MAX_SNOOZE_DAYS), help=f"1 to {MAX_SNOOZE_DAYS} days")
    ] = None,
    until: Annotated[
        date | None, typer.Option(parser=iso_date, metavar="YYYY-MM-DD", help="the last day of the snooze")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="end the snooze now")] = False,
) -> None:
    given = [option for option, value in (("--days", days), ("--until", until), ("--off", off)) if value]
    if len(given) != 1:
        raise typer.BadParameter("give one of --days, --until and --off", param_hint="'--days' / '--until' / '--off'")
    finish(ctx, run_snooze, name=name, days=days, until=until, off=off)


def channel_of(text: str) -> Channel:
    word = " ".join(text.split()).casefold()
    if word not in CHANNEL_WORDS:
        words = ", ".join(c.value for c in Channel)
        hint = did_you_mean(word, CHANNEL_WORDS)
        raise typer.BadParameter(f"{text!r} is not a channel: {words}, or a word such as coffee or phone{hint}")
    return CHANNEL_WORDS[word]


def _cells(args: Args) -> dict[str, str]:
    """The fields the options give, as the contacts file's cells."""
    return {column: value for option, column in CONTACT_OPTIONS.items() if (value := getattr(args, option)) is not None}


# --- naming a contact ---------------------------------------------------------------------------------------


def resolve(repo: Repository, owner_id: str, wanted: str) -> Contact:
    """The one contact `wanted` names; asks which when it names several and a person is at the keyboard."""
    from circleback.services.contacts import find

    match = find(repo, owner_id, wanted)
    if match.found is not None:
        return match.found
    if match.candidates:
        return _choose(match.candidates, wanted)
    raise UsageError(_not_found(match, wanted))


def _choose(candidates: Sequence[Contact], wanted: str) -> Contact:
    listed = "\n".join(f"  {i}. {_who(contact)}" for i, contact in enumerate(candidates, 1))
    question = f"{wanted!r} could be {len(candidates)} people:\n{listed}"
    if not on_terminal():
        raise UsageError(f"{question}\nWhich one? Run it again with more of the name, or their email.")
    note(question)
    picked = choose_number(f"Which one? [1-{len(candidates)}, Enter for none]", len(candidates))
    if picked is None:
        raise UsageError("none chosen; nothing was changed")
    return candidates[picked - 1]


def _not_found(match: NameMatch, wanted: str) -> str:
    message = f"no contact matches {wanted!r}"
    if match.suggestions:
        message += f"; did you mean {' or '.join(repr(c.name) for c in match.suggestions)}?"
    return message + " (`circleback contacts list` shows them all)"


def _who(contact: Contact) -> str:
    extra = [part for part in (f"<{contact.email}>" if contact.email else None, contact.company) if part]
    return " ".join([contact.name, *extra])


# --- the commands ---------------------------------------------------------------------------------------------


def run_list(args: Args) -> int:
    from circleback.services.contacts import statuses

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        found = statuses(repo, args.owner, today)
    if args.tag:
        found = [s for s in found if args.tag.casefold() in (t.casefold() for t in s.contact.tags)]
    if args.due:
        found = [s for s in found if s.next_due is not None and s.next_due <= today]
    if args.unsorted:
        found = [s for s in found if s.contact.unsorted]
    if args.unreachable:
        found = [s for s in found if unreachable(s.contact)]
    if args.json:
        entries = [_status_entry(s.contact, s.last_touch, s.next_due, today) for s in found]
        print(json.dumps(entries, indent=2, ensure_ascii=False))
        return 0
    if not found:
        note(_empty_hint(target, filtered=bool(args.tag or args.due or args.unsorted or args.unreachable)))
        return 0
    rows = [
        (s.contact.name, s.contact.company or "", s.contact.tier.value, _day(s.last_touch), _due(s, today))
        for s in found
    ]
    print_table(("NAME", "COMPANY", "TIER", "LAST TOUCH", "NEXT DUE"), rows)
    return 0


def _due(status: ContactStatus, today: date) -> str:
    contact = status.contact
    if contact.unsorted:
        return "unsorted"
    if contact.paused:
        return "paused"
    if status.next_due is None:
        return ""
    if contact.snoozed_until is not None and contact.snoozed_until >= today:
        return f"{status.next_due.isoformat()} (snoozed)"
    return "today" if status.next_due <= today else status.next_due.isoformat()


def _day(value: date | None) -> str:
    return value.isoformat() if value else "never"


def _status_entry(contact: Contact, last: date | None, due: date | None, today: date) -> dict[str, Any]:
    return {
        "name": contact.name,
        "email": contact.email,
        "company": contact.company,
        "tier": contact.tier.value,
        "last_touch": last.isoformat() if last else None,
        "next_due": due.isoformat() if due else None,
        "due_now": due is not None and due <= today,
        "paused": contact.paused,
        "snoozed_until": contact.snoozed_until.isoformat() if contact.snoozed_until else None,
        "tags": list(contact.tags),
        "unsorted": contact.unsorted,
        "channels": list(ways_to_reach(contact)),
    }


def _empty_hint(target: Target, *, filtered: bool) -> str:
    if filtered:
        return "No contacts match."
    run = invocation(target)
    return f"No contacts yet. Import some with `{run} import FILE`, or add one with `{run} contacts add NAME`."


def run_show(args: Args) -> int:
    from circleback.formats.csvfile import contact_cells
    from circleback.services.contacts import details

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        contact, touches, events = details(repo, args.owner, resolve(repo, args.owner, args.name))
    if args.json:
        print(json.dumps(_details_entry(contact, touches, events), indent=2, ensure_ascii=False))
        return 0
    print(contact.name)
    for column, value in contact_cells(contact).items():
        if column != "name" and value and not (column == "paused" and value == "false"):
            print(f"  {column}: {value}")
    if contact.snoozed_until:
        print(f"  snoozed_until: {contact.snoozed_until.isoformat()}")
    print(f"Touches ({len(touches)}):" if touches else "Touches: none logged")
    for touch in touches[:RECENT_TOUCHES]:
        line = f"  {touch.date.isoformat()}  {touch.direction.value:<8}  {touch.channel.value:<7}"
        print(f"{line}  {touch.note}" if touch.note else line)
    if len(touches) > RECENT_TOUCHES:
        print(f"  ... and {len(touches) - RECENT_TOUCHES} earlier")
    for event in events:
        print(f"Life event: {event.date.isoformat()} {event.kind.value}{f' ({event.note})' if event.note else ''}")
    return 0


def run_add(args: Args) -> int:
    from pydantic import ValidationError

    from circleback.services.contacts import AlreadyKnown, SameName, add

    target = chosen_target(args)
    cells = {"name": args.name, **_cells(args)}
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        try:
            try:
                contact = add(repo, args.owner, cells, today, allow_same_name=args.again)
            except SameName as same:
                if not _another_person(same.existing, args.name):
                    raise UsageError("nothing was added") from None
                contact = add(repo, args.owner, cells, today, allow_same_name=True)
        except ValidationError as error:
            raise UsageError(_option_problem(error)) from None
        except AlreadyKnown as error:
            raise UsageError(f"{error}; change them with `circleback contacts edit {error.contact.name!r}`") from None
    note(f"Added {_who(contact)}.")
    return 0


def _another_person(existing: Sequence[Contact], name: str) -> bool:
    """Whether the person means someone new though `existing` have the same name: asked on a terminal; elsewhere
    the command stops and says how to add a second person of that name.
    """
    listed = "; ".join(_who(contact) for contact in existing)
    known = f"{listed} {'is' if len(existing) == 1 else 'are'} already a contact"
    if not on_terminal():
        raise UsageError(
            f"{known}. To add another person called {name!r}, run it again with --again; "
            f"to change the one you have, `circleback contacts edit {existing[0].name!r}`"
        )
    return confirmed(f"{known}. Add {name!r} as another person?")


def run_edit(args: Args) -> int:
    from pydantic import ValidationError

    from circleback.services.contacts import edit

    changes = _cells(args)
    if args.rename is not None:
        changes["name"] = args.rename
    if not changes:
        raise UsageError("name a field to change, such as --company Acme; `contacts edit -h` lists them")
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        contact = resolve(repo, args.owner, args.name)
        try:
            edited = edit(repo, args.owner, contact, changes, today)
        except ValidationError as error:
            raise UsageError(_option_problem(error)) from None
    note(f"Saved {_who(edited)}." if edited != contact else f"Nothing changed: {contact.name} already had that.")
    return 0


def run_pause(args: Args) -> int:
    from circleback.services.contacts import edit

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        contact = resolve(repo, args.owner, args.name)
        edit(repo, args.owner, contact, {"paused": "true" if args.paused else "false"}, today)
    if args.paused:
        note(f"Paused {contact.name}: no digest lists them until `circleback contacts resume {contact.name!r}`.")
    else:
        note(f"Resumed {contact.name}: the digest lists them again when they are due.")
    return 0


def run_remove(args: Args) -> int:
    from circleback.services.contacts import remove

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        contact = resolve(repo, args.owner, args.name)
        if not args.yes:
            _confirm(f"Remove {_who(contact)} with their touches and life events?")
        touches, events = remove(repo, args.owner, contact)
    went = f"{_count(touches, 'touch', 'touches')}, {_count(events, 'life event', 'life events')}"
    note(f"Removed {contact.name} ({went}).")
    return 0


def _confirm(question: str) -> None:
    advice = "`circleback export --format json --out backup.json` keeps a copy first"
    if not on_terminal():
        raise UsageError(f"{question} Add --yes to remove without asking ({advice}).")
    if not confirmed(question):
        raise UsageError("nothing was removed")


def run_touch(args: Args) -> int:
    from circleback.adapters.store.repository import NotFoundError
    from circleback.services.contacts import log

    direction = Direction.INBOUND if args.inbound else Direction.MUTUAL if args.mutual else Direction.OUTBOUND
    note_text = " ".join(args.note.split()) if args.note else None
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        on = args.date or today
        if on > today:
            raise UsageError(f"--date {on.isoformat()} is in the future (today is {today.isoformat()})")
        next_step = _follow_up(args, today)
        # Everyone is found before anything is written: a typo in the third name logs nobody.
        contacts = list({c.id: c for c in (resolve(repo, args.owner, name) for name in args.names)}.values())
        for contact in contacts:
            try:
                now = datetime.now(UTC)
                logged = log(repo, args.owner, contact, on, direction, args.channel, note_text, now, next_step)
            except NotFoundError:
                note(f"{contact.name} was removed meanwhile; nothing was logged for them.")
                continue
            what = f"{direction.value} {args.channel.value} with {contact.name} on {on.isoformat()}"
            if next_step is not None:
                what += f", to follow up on {next_step.on.isoformat()}"
            note(f"Logged {what}." if logged.created else f"Already logged: {what}.")
    return 0


def _follow_up(args: Args, today: date) -> FollowUp | None:
    """`--follow-up 14 --about "how the interview went"`: the next step the touch carries."""
    from circleback.domain.loops import follow_up_date

    if not args.follow_up:
        return None
    try:
        on = follow_up_date(args.follow_up, today)
    except ValueError as error:
        raise UsageError(str(error)) from None
    about = " ".join(args.about.split()) if args.about else None
    return FollowUp(on, about or None)


def run_snooze(args: Args) -> int:
    from circleback.services.contacts import snooze

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        until = None if args.off else args.until or today + timedelta(days=args.days - 1)
        if until is not None and not today <= until <= today + timedelta(days=MAX_SNOOZE_DAYS):
            raise UsageError(f"--until is a day from today ({today.isoformat()}) to a year ahead")
        contact = resolve(repo, args.owner, args.name)
        snooze(repo, args.owner, contact, until)
    if until is None:
        note(f"{contact.name} is no longer snoozed.")
    else:
        note(f"Snoozed {contact.name} through {until.isoformat()}: the digest lists them again after that if due.")
    return 0


def _details_entry(contact: Contact, touches: Sequence[Any], events: Sequence[Any]) -> dict[str, Any]:
    from circleback.formats.csvfile import contact_cells

    return {
        **{column: value or None for column, value in contact_cells(contact).items()},
        "id": contact.id,
        "other_emails": list(contact.other_emails),
        "snoozed_until": contact.snoozed_until.isoformat() if contact.snoozed_until else None,
        "touches": [
            {"date": t.date.isoformat(), "direction": t.direction.value, "channel": t.channel.value, "note": t.note}
            for t in touches
        ],
        "life_events": [{"id": e.id, "date": e.date.isoformat(), "kind": e.kind.value, "note": e.note} for e in events],
    }


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _option_problem(error: Any) -> str:
    """A field's error named as the option that set it (--linkedin, not linkedin_url)."""
    problem = first_problem(error)
    field, _, reason = problem.partition(": ")
    options = {column: option for option, column in CONTACT_OPTIONS.items()} | {"name": "name"}
    option = options.get(field)
    return f"--{option.replace('_', '-')}: {reason}" if option and option != "name" else problem
