"""`circleback contacts list | show | add | edit | pause | resume | remove`, `touch` and `snooze`: the daily
commands. A contact is named forgivingly (case, accents, a unique start of the name, or the email); when a
name fits several people the command asks which one, or says how to tell them apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from circleback.adapters.store.repository import Repository
from circleback.cli.common import UsageError, bounded, first_problem, iso_date, note, today_of
from circleback.cli.targets import Target, chosen_target, command_parser, invocation, opened, owner_of
from circleback.domain.model import Channel, Contact, Direction, Relationship, Tier
from circleback.domain.names import NameMatch

if TYPE_CHECKING:
    from circleback.services.contacts import ContactStatus

MAX_SNOOZE_DAYS = 365
RECENT_TOUCHES = 10
# Everyday words for how you were in touch, as the channels the digest knows.
CHANNEL_WORDS = {
    **{channel.value: channel for channel in Channel},
    **dict.fromkeys(("coffee", "lunch", "dinner", "breakfast", "drinks", "meetup", "visit", "video"), Channel.MEETING),
    **dict.fromkeys(("zoom", "teams", "meet", "in-person", "in person"), Channel.MEETING),
    **dict.fromkeys(("phone", "phone call", "voice"), Channel.CALL),
    **dict.fromkeys(("mail", "e-mail"), Channel.EMAIL),
    **dict.fromkeys(("text", "sms", "whatsapp", "signal", "slack", "dm", "chat", "imessage"), Channel.MESSAGE),
    **dict.fromkeys(("linkedin", "twitter", "comment"), Channel.SOCIAL),
}
# Option -> the contacts file's column it sets (the same names and checks as a file's cells).
CONTACT_OPTIONS = {
    "email": "email",
    "phone": "phone",
    "linkedin": "linkedin_url",
    "company": "company",
    "title": "title",
    "relationship": "relationship",
    "tier": "tier",
    "cadence": "cadence_days",
    "country": "country",
    "birthday": "birthday",
    "worked_together_until": "worked_together_until",
    "first_seen": "first_seen",
    "tags": "tags",
    "notes": "notes",
    "last_touch": "last_touch",
}


def add_commands(commands: Any) -> None:
    c = command_parser(
        commands,
        "contacts",
        help="list, show, add, edit, pause, resume or remove contacts",
        description="Your contacts. NAME is a name (any case, accents optional, or just its start) or an email.",
    )
    actions = c.add_subparsers(dest="contacts_command", required=True, metavar="ACTION")

    listing = _action(actions, "list", "every contact, with their last touch and when they are next due")
    listing.add_argument("--due", action="store_true", help="only the people due today or overdue")
    listing.add_argument("--tag", help="only the contacts with this tag")
    listing.add_argument("--json", action="store_true", help="print JSON, for scripts")
    listing.set_defaults(handler=run_list)

    show = _action(actions, "show", "one contact: every field, their recent touches and life events")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(handler=run_show)

    add = _action(actions, "add", "add a contact (only the name is required)")
    add.add_argument("name", metavar="NAME", help="their name as you write it")
    _contact_fields(add)
    add.set_defaults(handler=run_add)

    edit = _action(actions, "edit", "change a contact's fields (an empty value clears one: --company '')")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--rename", metavar="NEW_NAME", help="a new name")
    _contact_fields(edit)
    edit.set_defaults(handler=run_edit)

    for verb, paused, what in (
        ("pause", True, "keep out of the digest until resumed"),
        ("resume", False, "undo pause"),
    ):
        action = _action(actions, verb, what)
        action.add_argument("name", metavar="NAME")
        action.set_defaults(handler=run_pause, paused=paused)

    remove = _action(actions, "remove", "delete a contact with their touches and life events")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=run_remove)

    t = command_parser(
        commands,
        "touch",
        help="log that you were in touch: `touch 'Ana' --channel coffee --note 'talked about the move'`",
        description="Record a touch: they drop off the due list, and the digest remembers the note.",
    )
    t.add_argument("name", metavar="NAME_OR_EMAIL")
    t.add_argument(
        "--channel",
        type=_channel,
        default=Channel.OTHER,
        help="email, call, meeting, message, social or other; everyday words work too (coffee, lunch, phone, text)",
    )
    t.add_argument("--note", help="a few words to remember it by")
    direction = t.add_mutually_exclusive_group()
    direction.add_argument("--inbound", action="store_true", help="they reached out to you")
    direction.add_argument("--mutual", action="store_true", help="neither of you in particular (met at an event)")
    t.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="when (default today)")
    t.set_defaults(handler=run_touch)

    s = command_parser(
        commands,
        "snooze",
        help="keep someone off the due list for a while: `snooze 'Ana' --days 14`",
        description="Keep a contact off the due list for N days (from today), until a date, or end a snooze.",
    )
    s.add_argument("name", metavar="NAME_OR_EMAIL")
    how_long = s.add_mutually_exclusive_group(required=True)
    how_long.add_argument("--days", type=bounded(1, MAX_SNOOZE_DAYS), help=f"1 to {MAX_SNOOZE_DAYS} days")
    how_long.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="the last day of the snooze")
    how_long.add_argument("--off", action="store_true", help="end the snooze now")
    s.set_defaults(handler=run_snooze)


def _action(actions: Any, name: str, summary: str) -> argparse.ArgumentParser:
    return command_parser(actions, name, help=summary, description=summary[0].upper() + summary[1:] + ".")


def _contact_fields(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fields (as the contacts file's columns)")
    group.add_argument("--email")
    group.add_argument("--phone")
    group.add_argument("--linkedin", metavar="URL", help="their LinkedIn profile address")
    group.add_argument("--company")
    group.add_argument("--title")
    group.add_argument("--relationship", help=", ".join(r.value for r in Relationship))
    group.add_argument("--tier", help=f"{', '.join(t.value for t in Tier)}: A is the closest (default B)")
    group.add_argument("--cadence", metavar="DAYS", help="days between notes (default by tier and relationship)")
    group.add_argument("--country", metavar="CC", help="their country, for holiday greetings")
    group.add_argument("--birthday", metavar="DATE", help="YYYY-MM-DD; without the year, --birthday=--MM-DD")
    group.add_argument("--worked-together-until", metavar="DATE", help="for work anniversaries")
    group.add_argument("--first-seen", metavar="DATE", help="when you first met")
    group.add_argument("--tags", help="separated by ;")
    group.add_argument("--notes")
    group.add_argument("--last-touch", metavar="DATE", help="when you were last in touch, before circleback")


def _channel(text: str) -> Channel:
    word = " ".join(text.split()).casefold()
    if word not in CHANNEL_WORDS:
        words = ", ".join(c.value for c in Channel)
        raise argparse.ArgumentTypeError(f"{text!r} is not a channel: {words}, or a word such as coffee or phone")
    return CHANNEL_WORDS[word]


def _cells(args: argparse.Namespace) -> dict[str, str]:
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
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(f"{question}\nWhich one? Run it again with more of the name, or their email.")
    note(question)
    answer = input(f"Which one? [1-{len(candidates)}, Enter for none] ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(candidates):
        return candidates[int(answer) - 1]
    raise UsageError("none chosen; nothing was changed")


def _not_found(match: NameMatch, wanted: str) -> str:
    message = f"no contact matches {wanted!r}"
    if match.suggestions:
        message += f"; did you mean {' or '.join(repr(c.name) for c in match.suggestions)}?"
    return message + " (`circleback contacts list` shows them all)"


def _who(contact: Contact) -> str:
    extra = [part for part in (f"<{contact.email}>" if contact.email else None, contact.company) if part]
    return " ".join([contact.name, *extra])


# --- the commands ---------------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from circleback.services.contacts import statuses

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        found = statuses(repo, args.owner, today)
    if args.tag:
        found = [s for s in found if args.tag.casefold() in (t.casefold() for t in s.contact.tags)]
    if args.due:
        found = [s for s in found if s.next_due is not None and s.next_due <= today]
    if args.json:
        rows = [_status_entry(s.contact, s.last_touch, s.next_due, today) for s in found]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not found:
        note(_empty_hint(target, filtered=bool(args.tag or args.due)))
        return 0
    table = [("NAME", "COMPANY", "TIER", "LAST TOUCH", "NEXT DUE")]
    for status in found:
        contact = status.contact
        table.append(
            (contact.name, contact.company or "", contact.tier.value, _day(status.last_touch), _due(status, today))
        )
    widths = [min(max(len(row[i]) for row in table), 40) for i in range(len(table[0]) - 1)]
    for row in table:
        cells = [cell[:40].ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip())
    return 0


def _due(status: ContactStatus, today: date) -> str:
    contact = status.contact
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
    }


def _empty_hint(target: Target, *, filtered: bool) -> str:
    if filtered:
        return "No contacts match."
    run = invocation(target)
    return f"No contacts yet. Import some with `{run} import FILE`, or add one with `{run} contacts add NAME`."


def run_show(args: argparse.Namespace) -> int:
    from circleback.formats.csvfile import contact_cells
    from circleback.services.contacts import details

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        contact, touches, events = details(repo, args.owner, resolve(repo, args.owner, args.name))
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


def run_add(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from circleback.services.contacts import AlreadyKnown, add

    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        try:
            contact = add(repo, args.owner, {"name": args.name, **_cells(args)}, today)
        except ValidationError as error:
            raise UsageError(_option_problem(error)) from None
        except AlreadyKnown as error:
            raise UsageError(f"{error}; change them with `circleback contacts edit {error.contact.name!r}`") from None
    note(f"Added {_who(contact)}.")
    return 0


def run_edit(args: argparse.Namespace) -> int:
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


def run_pause(args: argparse.Namespace) -> int:
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


def run_remove(args: argparse.Namespace) -> int:
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
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(f"{question} Add --yes to remove without asking ({advice}).")
    if input(f"{question} [y/N] ").strip().casefold() not in ("y", "yes"):
        raise UsageError("nothing was removed")


def run_touch(args: argparse.Namespace) -> int:
    from circleback.services.contacts import log

    direction = Direction.INBOUND if args.inbound else Direction.MUTUAL if args.mutual else Direction.OUTBOUND
    note_text = " ".join(args.note.split()) if args.note else None
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        today = today_of(owner_of(repo, args, target))
        on = args.date or today
        if on > today:
            raise UsageError(f"--date {on.isoformat()} is in the future (today is {today.isoformat()})")
        contact = resolve(repo, args.owner, args.name)
        logged = log(repo, args.owner, contact, on, direction, args.channel, note_text, datetime.now(UTC))
    what = f"{direction.value} {args.channel.value} with {contact.name} on {on.isoformat()}"
    note(f"Logged {what}." if logged.created else f"Already logged: {what}.")
    return 0


def run_snooze(args: argparse.Namespace) -> int:
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


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _option_problem(error: Any) -> str:
    """A field's error named as the option that set it (--linkedin, not linkedin_url)."""
    problem = first_problem(error)
    field, _, reason = problem.partition(": ")
    options = {column: option for option, column in CONTACT_OPTIONS.items()} | {"name": "name"}
    option = options.get(field)
    return f"--{option.replace('_', '-')}: {reason}" if option and option != "name" else problem
