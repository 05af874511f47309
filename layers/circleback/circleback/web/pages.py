"""The pages behind the digest's links: every sentence is made here, the templates only lay it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from circleback.auth.tokens import Action
from circleback.domain.cadence import TIER_CADENCE_DAYS
from circleback.domain.cities import at_home
from circleback.domain.loops import FOLLOW_UP_CHOICES, outcome_day
from circleback.domain.model import NOTE_LIMIT, ActionRecord, Channel, Contact, NewPerson, Relationship, Tier
from circleback.domain.sorting import SORT_CHOICES
from circleback.domain.teams import TEAM_MAX_CONTACTS, TEAM_QUIET_DAYS, Team
from circleback.domain.wording import first_name, long_day
from circleback.services.actions import (
    FAVOUR_MOVES,
    PAUSE_DAYS,
    SNOOZE_DAYS,
    SORT_TIERS,
    LinkTarget,
    NextStep,
    name_from_address,
)
from circleback.templating import templates

TEMPLATES = Path(__file__).parent / "templates"
CHANNEL_CHOICES = (
    (Channel.EMAIL, "Email"),
    (Channel.CALL, "Call"),
    (Channel.MEETING, "Met up"),
    (Channel.MESSAGE, "Message"),
)
CHANNEL_PHRASES = {
    Channel.EMAIL: "by email",
    Channel.CALL: "by phone",
    Channel.MEETING: "in person",
    Channel.MESSAGE: "by message",
    Channel.SOCIAL: "on social media",
    Channel.OTHER: "",
}


# What the page of "I reached out" offers instead (services/actions.ALTERNATIVES), by link.
ALTERNATIVE_LABELS = {Action.THEY_REACHED_OUT: "They reached out", Action.SNOOZE: "Snooze 2 weeks"}
RELATIONSHIP_CHOICES = (
    (Relationship.BOSS, "A boss"),
    (Relationship.MENTOR, "A mentor"),
    (Relationship.COLLEAGUE, "A colleague"),
    (Relationship.REPORT, "Someone who reported to you"),
    (Relationship.CLIENT, "A client"),
    (Relationship.VENDOR, "A vendor or partner"),
    (Relationship.FRIEND, "A friend"),
    (Relationship.OTHER, "Other"),
)


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    html: str


def link_page(
    target: LinkTarget,
    *,
    just_done: bool = False,
    notice: str | None = None,
    status: int = 200,
    suggested: Relationship | None = None,
    alternatives: Sequence[tuple[Action, str]] = (),
) -> Page:
    """The link's page: a confirmation form before, the outcome and an undo after. `suggested` preselects a
    Sort link's relationship (what the digest suggested)."""
    record = target.record
    if record is None:
        others = [(ALTERNATIVE_LABELS[action], token) for action, token in alternatives]
        return _page(status, "link.html", notice=notice, done=False, others=others, **_confirmation(target, suggested))
    done_heading, repeat_heading, line = _outcome(target, record)
    return _page(
        status,
        "link.html",
        notice=notice,
        done=True,
        title=done_heading if just_done else repeat_heading,
        lines=[line],
        undo_label=None if record.action == Action.ADD else "Undo",  # a contact is removed with `contacts remove`
        undo_hint=f"This link can undo it until {long_day(target.claim.expires_at.date())}.",
    )


def problem_page(status: int, title: str, reason: str, *, changed_nothing: bool = True) -> Page:
    """A page saying what went wrong; `changed_nothing` when it is sure nothing was written."""
    return _page(status, "problem.html", title=title, reason=reason, problem=True, changed_nothing=changed_nothing)


def _confirmation(target: LinkTarget, suggested: Relationship | None = None) -> dict[str, Any]:
    first = _first(target)
    common = {
        "channels": (),
        "note_limit": NOTE_LIMIT,
        "note_placeholder": "",
        "channel_question": "",
        "relationships": (),
        "relationship": "",
        "follow_ups": (),
        "name_field": None,
    }
    if target.team is not None:  # a team lunch link names a team
        return {**common, **_team_confirmation(target, target.team)}
    if target.new_person is not None:  # an "Add" link names someone written to
        return {**common, **_add_confirmation(target.new_person)}
    if target.action in SORT_TIERS and target.contact is not None:  # a sort link names a contact
        return {**common, **_sort_confirmation(target, target.contact, first, suggested)}
    if target.action is Action.REACHED_OUT:
        return {
            **common,
            "title": f"You reached out to {first}",
            "lines": [f"Log it, and {first} moves down your list until it’s time again."],
            "channels": _channels(target),
            "channel_question": "How?",
            "note_placeholder": "What you talked about, what to follow up on",
            "follow_ups": FOLLOW_UP_CHOICES,
            "submit_label": "Log it",
        }
    if target.action is Action.THEY_REACHED_OUT:
        return {
            **common,
            "title": f"{first} reached out to you",
            "lines": ["Log it, so your next note can pick up where this one left off."],
            "channels": _channels(target),
            "channel_question": "How did they get in touch?",
            "note_placeholder": "What they said, what to reply",
            "follow_ups": FOLLOW_UP_CHOICES,
            "submit_label": "Log it",
        }
    if target.step is not None:
        return {**common, **_step_confirmation(target, target.step, first)}
    if target.action is Action.SNOOZE:
        back = target.today + timedelta(days=SNOOZE_DAYS)
        return {
            **common,
            "title": f"Snooze {first} for two weeks",
            "lines": [f"{first} will be back in your digest on {long_day(back)}."],
            "submit_label": "Snooze",
        }
    resume = target.today + timedelta(days=PAUSE_DAYS)
    return {
        **common,
        "title": "Pause your digests for 30 days",
        "lines": [f"No digests until {long_day(resume)}. Your contacts and history stay as they are."],
        "submit_label": "Pause digests",
    }


def _step_confirmation(target: LinkTarget, step: NextStep, first: str) -> dict[str, Any]:
    """A next step's page (domain/loops.py): what the click records, and what comes of it."""
    action = target.action
    if action is Action.FOLLOW_UP_DONE:
        about = step.follow_up.follow_up.about if step.follow_up and step.follow_up.follow_up else None
        said = f" about {about}" if about else ""
        return {
            "title": f"Done following up with {first}",
            "lines": [f"The digest stops reminding you to follow up{said}. Nothing else changes."],
            "submit_label": "Done",
        }
    if action is Action.SHARED:
        title = f"“{step.share.title}”" if step.share else "it"
        return {
            "title": f"You shared {title} with {first}",
            "lines": [f"Log it: a note to {first}, and nothing more is suggested to share with them for six weeks."],
            "submit_label": "Log it",
        }
    what = step.favour.what if step.favour else step.reconnect.need if step.reconnect else ""
    lines = {
        Action.HELPED: f"Record that {first} helped with {what}. Next, the digest reminds you to thank them.",
        Action.THANKED: f"Log your thanks to {first} for {what}.",
        Action.TOLD: f"Log that you told {first} how it turned out, after {what}.",
        Action.ASKED: f"Log that you asked {first} for {what}. The digest reminds you to check in if you hear nothing.",
    }
    titles = {
        Action.HELPED: f"{first} helped",
        Action.THANKED: f"You thanked {first}",
        Action.TOLD: f"You told {first} how it turned out",
        Action.ASKED: f"You asked {first}",
    }
    closes = (
        action in (Action.THANKED, Action.TOLD) and target.contact is not None and target.contact.tier is not Tier.A
    )
    extra = [f"Once you have thanked them and told them how it turned out, {first} moves to your closest circle."]
    return {"title": titles[action], "lines": [lines[action], *(extra if closes else [])], "submit_label": "Log it"}


def _team_confirmation(target: LinkTarget, team: Team) -> dict[str, Any]:
    people = _names(team.members[:TEAM_MAX_CONTACTS])
    if target.action is Action.GROUP_MET:
        return {
            "title": f"Lunch with the {team.company} team",
            "lines": [f"Log a lunch with {people}: one meeting each, with the note below."],
            "note_placeholder": "Where you went, what you talked about",
            "submit_label": "Log it",
        }
    return {
        "title": f"Not now for the {team.company} team",
        "lines": [f"The digest won't suggest a lunch with {people} for {TEAM_QUIET_DAYS} days."],
        "submit_label": "Not now",
    }


def _add_confirmation(person: NewPerson) -> dict[str, Any]:
    shown = f"{person.name} ({person.address})" if person.name else person.address
    return {
        "title": f"Add {person.name or person.address} to your contacts",
        "lines": [
            f"You wrote to {shown} on {long_day(person.last_written)}. Add them, and circleback reminds you to "
            "stay in touch now and then (tier B), counting from that day."
        ],
        "name_field": person.name or name_from_address(person.address),
        "submit_label": "Add",
    }


def _names(people: Sequence[Contact]) -> str:
    names = [first_name(c.name) for c in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sort_confirmation(
    target: LinkTarget, contact: Contact, first: str, suggested: Relationship | None
) -> dict[str, Any]:
    """A Sort choice: what it means for how often they come up, and how the owner knows them (preselected:
    what they are already, else what the digest suggested)."""
    tier = SORT_TIERS[target.action]
    known = contact.relationship if contact.relationship is not Relationship.OTHER else None
    chosen = known or suggested or Relationship.OTHER
    return {
        "title": _sort_title(tier, first),
        "lines": [_sort_meaning(tier, first)],
        "relationships": RELATIONSHIP_CHOICES,
        "relationship": chosen.value,
        "relationship_question": f"How do you know {first}?",
        "submit_label": "Save",
    }


def _sort_title(tier: Tier | None, first: str) -> str:
    if tier is None:
        return f"Leave {first} out of the rotation"
    return {Tier.A: f"Keep {first} close", Tier.B: f"Stay in touch with {first} now and then"}.get(
        tier, f"Stay in touch with {first} rarely"
    )


def _sort_meaning(tier: Tier | None, first: str) -> str:
    if tier is None:
        return f"{first} stays in circleback, but is never due. Their news still shows up in your digest."
    days = TIER_CADENCE_DAYS[tier]
    return (
        f"{first} comes up for a note about every {_about_every(days)}. With no note logged yet, the first "
        "time is within four weeks, spread out so that your digests never pile up."
    )


def _about_every(days: int) -> str:
    return "year" if days >= 365 else f"{round(days / 30)} months"


def _outcome(target: LinkTarget, record: ActionRecord) -> tuple[str, str, str]:
    """The heading just after doing it, the heading when it was done before, and what was done."""
    first = _first(target)
    when = "today" if record.done_at.date() == target.today else f"on {long_day(record.done_at.date())}"
    if record.action in STEP_OUTCOMES:
        return _step_outcome(target, record, first, when)
    if record.action == Action.ADD:
        if target.contact is None:
            return "Added", "Already added", "They were added, and have been removed since."
        return (
            "Added",
            "Already added",
            f"{target.contact.name} is a contact now: `circleback contacts edit` changes anything.",
        )
    if record.touch is not None:
        how = CHANNEL_PHRASES[record.touch.channel]
        if record.action == Action.THEY_REACHED_OUT:
            return "Logged", "Already logged", f"{first} reached out to you {how} {when}.".replace("  ", " ")
        return "Logged", "Already logged", f"You reached out to {first} {how} {when}.".replace("  ", " ")
    if record.lunch is not None:
        company = target.team.company if target.team is not None else "old"
        if record.lunch.met:
            people = _names(target.team.members[:TEAM_MAX_CONTACTS]) if target.team is not None else "the team"
            return "Logged", "Already logged", f"Lunch with {people} {when}: {len(record.touches)} meetings logged."
        back = record.lunch.on + timedelta(days=TEAM_QUIET_DAYS)
        return "Not now", "Already put off", f"No lunch with the {company} team suggested before {long_day(back)}."
    if record.placed_to is not None:
        where = record.placed_to
        label = dict(SORT_CHOICES)[SORT_TIERS[Action(record.action)]].lower()
        how = dict(RELATIONSHIP_CHOICES).get(where.relationship, "")
        said = f"{first} is sorted: {label}" + (f", {how[0].lower()}{how[1:]}" if how and how != "Other" else "")
        return "Sorted", "Already sorted", f"{said}."
    back = (record.until or target.today) + timedelta(days=1)
    if record.action == Action.SNOOZE:
        return "Snoozed", "Already snoozed", f"{first} is back in your digest on {long_day(back)}."
    return "Digests paused", "Digests already paused", f"Your digests resume on {long_day(back)}."


STEP_OUTCOMES = frozenset({Action.FOLLOW_UP_DONE, Action.SHARED, *FAVOUR_MOVES})


def _step_outcome(target: LinkTarget, record: ActionRecord, first: str, when: str) -> tuple[str, str, str]:
    action = Action(record.action)
    if action is Action.FOLLOW_UP_DONE:
        return "Done", "Already done", f"No more reminders to follow up with {first}."
    if action is Action.SHARED:
        return "Logged", "Already logged", f"You shared it with {first} {when}."
    favour = record.favour_to
    what = favour.what if favour else ""
    line = {
        Action.HELPED: f"{first} helped with {what}. Thank them: the digest reminds you tomorrow.",
        Action.THANKED: f"You thanked {first} for {what} {when}.",
        Action.TOLD: f"You told {first} how it turned out {when}.",
        Action.ASKED: f"You asked {first} for {what} {when}.",
    }[action]
    if action is Action.HELPED and favour is not None:
        line += f" On {long_day(outcome_day(favour))}, it suggests telling them how it turned out."
    if record.placed_to is not None:
        line += f" {first} is in your closest circle now (tier A)."
    return "Logged", "Already logged", line


def _first(target: LinkTarget) -> str:
    return first_name(target.contact.name) if target.contact else "you"


def _page(status: int, template: str, **context: Any) -> Page:
    context.setdefault("problem", False)
    context.setdefault("notice", None)
    html = templates(TEMPLATES).get_template(template).render(**context)
    return Page(status, html)


def _channels(target: LinkTarget) -> tuple[tuple[Channel, str], ...]:
    """The page's channels, the first checked: "Met up" first for someone in the owner's home city."""
    if target.contact is None or not at_home(target.contact, target.owner):
        return CHANNEL_CHOICES
    return tuple(sorted(CHANNEL_CHOICES, key=lambda choice: choice[0] is not Channel.MEETING))
