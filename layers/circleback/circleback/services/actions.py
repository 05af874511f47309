"""What a digest link does. Looking (GET, HEAD) reads; doing and undoing (POST) write, each exactly once.

A touch link ("I reached out", "They reached out", the links people click most) files its touch under a key of
the link's own (the link's date and an id from Claim.key()): logging it is one conditional put (with a check,
in the same transaction, that its contact still exists), a repeated or concurrent POST finds the touch and writes
nothing, and undo is one conditional delete, after which the link can be used again. Any other action (snooze,
pause, a Sort choice) is stored as a record keyed by the link, in the same transaction as its effect, with the
same guarantees; records expire (TTL) after the link does. Touch links used before their touches were filed this
way have such a record, which is still honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from circleback.adapters.store.repository import NotFoundError, Repository, Write
from circleback.auth.tokens import SORT_ACTIONS, Action, Claim, Purpose, TokenSigner
from circleback.domain.cadence import chronological
from circleback.domain.ids import content_id
from circleback.domain.loops import follow_up_of, open_favour, share_for
from circleback.domain.model import (
    ActionRecord,
    Channel,
    Contact,
    Direction,
    Favour,
    FollowUp,
    NewPerson,
    Owner,
    Reconnect,
    Relationship,
    Share,
    TeamLunch,
    Tier,
    Touch,
    TouchPurpose,
)
from circleback.domain.schedule import local_send_date, next_send_at
from circleback.domain.sorting import placement, sorted_into, suggestion, work_history
from circleback.domain.teams import TEAM_MAX_CONTACTS, Team, team_of
from circleback.domain.wording import long_day
from circleback.services.ids import new_id
from circleback.services.loops import Move, MoveDetails, StepRefused, change_favour, favour_writes
from circleback.services.retries import retrying

SNOOZE_DAYS = 14
PAUSE_DAYS = 30
# The links that file one touch under the link (their record): "I reached out", "They reached out", "Shared".
TOUCH_DIRECTIONS = {
    Action.REACHED_OUT: Direction.OUTBOUND,
    Action.THEY_REACHED_OUT: Direction.INBOUND,
    Action.SHARED: Direction.OUTBOUND,
}
# The digest carries "I reached out" alone; its page offers these instead, one tap away (issue 23: two actions a
# person in the email). Each is the link the digest would have carried: signed with the same claim but its action.
ALTERNATIVES: dict[Action, tuple[Action, ...]] = {Action.REACHED_OUT: (Action.THEY_REACHED_OUT, Action.SNOOZE)}
SORT_TIERS: dict[Action, Tier | None] = {action: tier for tier, action in SORT_ACTIONS.items()}
# A former team's lunch (domain/places.py old_team): the link names the team, which is worked out again on click.
GROUP_ACTIONS = frozenset({Action.GROUP_MET, Action.GROUP_DISMISS})
# The favour loop's links (domain/loops.py): each takes the contact's open favour one step on ("I asked" starts one
# from a reconnect's need).
FAVOUR_MOVES = {
    Action.HELPED: Move.HELPED,
    Action.THANKED: Move.THANKED,
    Action.TOLD: Move.TOLD,
    Action.ASKED: Move.ASK,
}


class LinkGone(Exception):
    """The link is genuine but what it points at is gone (the contact or the owner was deleted)."""


class UndoRefused(Exception):
    """The link's snooze, pause or sorting cannot be undone exactly: what it set was changed since (another link, a
    command), so putting back what it replaced would undo that later choice too. The link's record is kept.
    """


@dataclass(frozen=True, slots=True)
class Choice:
    """What the person picked on the confirmation page."""

    channel: Channel = Channel.EMAIL
    note: str | None = None
    relationship: Relationship | None = None  # a sort link's: how the owner knows them (None: leave it)
    follow_up_days: int = 0  # a touch link's next step: follow up in this many days (0: none)
    follow_up_about: str | None = None  # and what about
    name: str | None = None  # an "Add" link's: the new contact's name as the owner wrote it


@dataclass(frozen=True, slots=True)
class NextStep:
    """What a next step's link acts on, found again on click (the link names the contact only)."""

    follow_up: Touch | None = None  # "Done": the touch whose follow-up is open
    favour: Favour | None = None  # the favour loop's links: the contact's open favour
    reconnect: Reconnect | None = None  # "I asked": the reconnect whose need it asks
    share: Share | None = None  # "Shared": the item the digest suggested to them


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """A verified link and what it points at. `record` is set when its action is already done."""

    claim: Claim
    owner: Owner
    contact: Contact | None
    record: ActionRecord | None
    today: date  # the owner's local date now
    team: Team | None = None  # a team lunch link's team, as it is now
    step: NextStep | None = None  # a next step's link: what it finds to act on, as it is now
    new_person: NewPerson | None = None  # an "Add" link's person written to, until they are added

    @property
    def action(self) -> Action:
        return self.claim.action


@dataclass(frozen=True, slots=True)
class ActionLinks:
    """The link service's collaborators: the store, the signer, and the deployment's one owner."""

    repo: Repository
    signer: TokenSigner
    owner_id: str

    def open(self, token: str, purpose: Purpose, now: datetime, *, consistent: bool = True) -> LinkTarget:
        """Verify the link and read what it points at. Writes nothing.

        A page only shows (consistent=False: half the read units, and a page a second behind a post just made
        is harmless: posting again finds the record). What a post decides on is read consistently.
        """
        claim = self.signer.verify(token, purpose, now, self.owner_id)
        owner = self.repo.get_owner(claim.owner_id, consistent=consistent)
        if owner is None:
            raise LinkGone("This account no longer exists.")
        if claim.action in GROUP_ACTIONS:
            return self._open_team(claim, owner, now, consistent=consistent)
        if claim.purpose is Purpose.ADD:
            return self._open_new_person(claim, owner, now, consistent=consistent)
        contact = None
        if claim.contact_id is not None:
            contact = self.repo.get_contact(owner.id, claim.contact_id, consistent=consistent)
            if contact is None:
                raise LinkGone("This contact is no longer in circleback.")
        record: ActionRecord | None
        if claim.action in TOUCH_DIRECTIONS and contact is not None:  # its touch, filed under the link, is its record
            filed = self.repo.get_touch(
                owner.id, contact.id, link_day(claim), link_touch_id(claim), consistent=consistent
            )
            record = _touch_record(claim, filed) if filed is not None else None
        else:  # snooze and pause change items they do not own: a record per link says it was done
            record = self.repo.get_action(owner.id, claim.key(), consistent=consistent)
        target = LinkTarget(claim, owner, contact, record, local_send_date(owner.timezone, now))
        if claim.action in STEP_ACTIONS and contact is not None:
            return replace(target, step=self._next_step(target, contact))
        return target

    def _next_step(self, target: LinkTarget, contact: Contact) -> NextStep:
        """What a next step's link acts on today; LinkGone when there is nothing left and the link was not used."""
        owner, action = target.owner, target.action
        step = NextStep()
        if action is Action.FOLLOW_UP_DONE:
            _, touches = self.repo.contact_with_touches(owner.id, contact.id)
            step = NextStep(
                follow_up=follow_up_of(chronological(t for t in touches if t.date <= target.today), target.today)
            )
        elif action is Action.SHARED:
            step = NextStep(share=share_for(self.repo.list_shares(owner.id), contact, link_day(target.claim)))
        elif action in FAVOUR_MOVES:
            favour = open_favour(self.repo.list_favours(owner.id), contact.id)
            found = [r for r in self.repo.list_reconnects(owner.id) if r.contact_id == contact.id]
            step = NextStep(favour=favour, reconnect=found[0] if found else None)
        if target.record is None and _nothing_left(action, step):
            raise LinkGone(STEP_GONE[action])
        return step

    def _open_team(self, claim: Claim, owner: Owner, now: datetime, *, consistent: bool) -> LinkTarget:
        """A team lunch link: its record, and the team it names as the digest would find it today. When the team
        is no longer there (people moved or were removed) and the link was not used, it is gone."""
        today = local_send_date(owner.timezone, now)
        record = self.repo.get_action(owner.id, claim.key(), consistent=consistent)
        team = team_of(self.repo.digest_input(owner), today, claim.contact_id or "")
        if team is None and record is None:
            raise LinkGone("This team is no longer together in your city. Log a lunch with `circleback touch`.")
        return LinkTarget(claim, owner, None, record, today, team=team)

    def _open_new_person(self, claim: Claim, owner: Owner, now: datetime, *, consistent: bool) -> LinkTarget:
        """An "Add" link: the person the owner wrote to, or, once added, the link's record and the contact it
        made. Gone when the person is no longer offered and the link was not used."""
        record = self.repo.get_action(owner.id, claim.key(), consistent=consistent)
        contact = None
        if record is not None and record.contact_id is not None:
            contact = self.repo.get_contact(owner.id, record.contact_id, consistent=consistent)
        person = self.repo.get_new_person(owner.id, claim.contact_id or "", consistent=consistent)
        if record is None and person is None:
            raise LinkGone(NEW_PERSON_GONE)
        return LinkTarget(claim, owner, contact, record, local_send_date(owner.timezone, now), new_person=person)

    def alternatives(self, target: LinkTarget) -> list[tuple[Action, str]]:
        """The other links for the same person and digest that the link's page offers, each a token as the
        digest would have signed it (same issue and expiry), so using one twice is still once."""
        claim = target.claim
        lifetime = claim.expires_at - claim.issued_at
        return [
            (action, self.signer.sign(claim.owner_id, claim.contact_id, action, claim.digest, claim.purpose,
                                      claim.issued_at, lifetime))
            for action in ALTERNATIVES.get(claim.action, ())
        ]  # fmt: skip

    def suggested(self, target: LinkTarget) -> Relationship | None:
        """How the owner likely knows a Sort link's person (domain/sorting.py suggestion, as the digest asked
        it): the page's default for its question, worked out here so the link carries nothing unsigned."""
        if target.action not in SORT_TIERS or target.contact is None or target.record is not None:
            return None
        history = work_history(target.owner.work_history, self.repo.list_events(target.owner.id))
        found = suggestion(target.contact, history, target.today)
        return found.relationship if found is not None else None

    def perform(self, token: str, purpose: Purpose, choice: Choice, now: datetime) -> tuple[LinkTarget, bool]:
        """Do the link's action once. Returns the target (with its record) and whether this call did it."""

        def attempt() -> tuple[LinkTarget, bool] | None:
            target = self.open(token, purpose, now)
            if target.record is not None:
                return target, False
            if target.action in TOUCH_DIRECTIONS:
                touch = _link_touch(target, choice, now)
                try:
                    added = self.repo.add_touch_to_existing(target.owner.id, touch)
                except NotFoundError:  # removed since it was read (`contacts remove`): no touch outlives it
                    raise LinkGone("This contact is no longer in circleback.") from None
                if not added:
                    return None  # a concurrent request filed it first: read it back
                return replace(target, record=_touch_record(target.claim, touch)), True
            record, writes = self._effect(target, choice, now)
            if not self.repo.record_action(target.owner.id, record, writes):
                return None  # a concurrent request did it first: read again to show its record
            if target.new_person is not None and record.contact_id is not None:  # the page names whom it added
                made = added_contact(target.new_person, choice, target.today, record.contact_id)
                return replace(target, record=record, contact=made), True
            return replace(target, record=record), True

        return retrying(attempt, "the link's target kept changing; nothing was recorded")

    def undo(self, token: str, purpose: Purpose, now: datetime) -> tuple[LinkTarget, bool]:
        """Reverse what the link did, while the link lives. Returns the target and whether this call undid it."""

        def attempt() -> tuple[LinkTarget, bool] | None:
            target = self.open(token, purpose, now)
            record = target.record
            if record is None:
                return target, False
            if record.touch is not None:  # filed under the link: it is the record
                if not self.repo.remove_touch(target.owner.id, record.touch):
                    return None
            elif not self.repo.erase_action(target.owner.id, record, self._reversal(target, now)):
                return None
            undone = replace(target, record=None)
            if undone.step is not None and undone.contact is not None:  # the step is back: the page offers it again
                undone = replace(undone, step=self._next_step(undone, undone.contact))
            return undone, True

        return retrying(attempt, "the link's target kept changing; nothing was undone")

    # --- effects ------------------------------------------------------------------------------------

    def _effect(self, target: LinkTarget, choice: Choice, now: datetime) -> tuple[ActionRecord, list[Write]]:
        claim, owner = target.claim, target.owner
        record = ActionRecord(key=claim.key(), action=claim.action.value, done_at=now, expires_at=claim.expires_at)
        if claim.action is Action.SNOOZE:
            contact = _required(target.contact)
            until = _later(target.today + timedelta(days=SNOOZE_DAYS - 1), contact.snoozed_until)
            record = replace(record, contact_id=contact.id, previous_until=contact.snoozed_until, until=until)
            return record, [self.repo.contact_snooze_write(owner.id, contact, until)]
        if claim.action in SORT_TIERS:
            contact = _required(target.contact)
            sorted_contact = sorted_into(contact, SORT_TIERS[claim.action], choice.relationship, target.today)
            placed_to = placement(sorted_contact)
            record = replace(record, contact_id=contact.id, placed_from=placement(contact), placed_to=placed_to)
            return record, [self.repo.contact_placement_write(owner.id, contact, placed_to)]
        if claim.action in GROUP_ACTIONS:
            return self._team_lunch(target, record, choice, now)
        if claim.action is Action.FOLLOW_UP_DONE:
            touch = _required(_required(target.step).follow_up)
            dismissed = replace(touch, follow_up=replace(_required(touch.follow_up), done_on=target.today))
            record = replace(record, contact_id=touch.contact_id, followed_up=dismissed)
            return record, [self.repo.follow_up_done_write(owner.id, touch, target.today)]
        if claim.action in FAVOUR_MOVES:
            return self._favour_move(target, record, now)
        if claim.action is Action.ADD:
            return self._added(target, record, choice)
        if claim.action is Action.PAUSE:
            until = _later(target.today + timedelta(days=PAUSE_DAYS - 1), owner.paused_until)
            record = replace(record, previous_until=owner.paused_until, until=until)
            return record, [self._pause_write(owner, until, now)]
        raise ValueError(f"{claim.action.value} links do nothing when posted")

    def _team_lunch(
        self, target: LinkTarget, record: ActionRecord, choice: Choice, now: datetime
    ) -> tuple[ActionRecord, list[Write]]:
        """The team's lunch, logged (a meeting touch for each of them, each only while they exist) or dismissed;
        either way the team is not suggested again for a while (domain/places.py TEAM_QUIET_DAYS)."""
        team, owner = _required(target.team), target.owner
        lunch = TeamLunch(team.key, target.today, met=target.action is Action.GROUP_MET)
        writes = [self.repo.lunch_put(owner.id, lunch)]
        touches: tuple[Touch, ...] = ()
        if lunch.met:
            touches = tuple(_team_touch(target, contact, choice, now) for contact in team.members[:TEAM_MAX_CONTACTS])
            for touch in touches:
                writes += [
                    self.repo.contact_exists_check(owner.id, touch.contact_id),
                    self.repo.touch_put(owner.id, touch),
                ]
        return replace(record, touches=touches, lunch=lunch), writes

    def _added(self, target: LinkTarget, record: ActionRecord, choice: Choice) -> tuple[ActionRecord, list[Write]]:
        """The person written to, a contact now (tier B, their last touch the day the owner last wrote to them),
        and no longer offered. Refused when someone has their address meanwhile (added by hand, or imported)."""
        # Imported here: mail in's rules and the matching index are not what a link page's cold start should pay for.
        from circleback.domain.mail_notices import address_book
        from circleback.domain.matching import ContactIndex

        person, owner = _required(target.new_person), target.owner
        contacts = self.repo.list_contacts(owner.id)
        book = address_book(contacts)
        if person.address in book:
            raise LinkGone(f"{book[person.address].name} has this address already: nobody was added.")
        contact = added_contact(person, choice, target.today, new_id())
        same = ContactIndex(contacts).same_name(contact.name, [person.address])
        if same:  # as `contacts add` refuses: most likely them (a LinkedIn import, without an address)
            known = same[0].name
            raise LinkGone(
                f"You have a contact named {known} already, so nobody was added. If that is them, give them this "
                f"address: circleback contacts edit '{known}' --other-emails {person.address}"
            )
        record = replace(record, contact_id=contact.id)
        return record, [self.repo.contact_put(owner.id, contact), self.repo.new_person_delete(owner.id, person)]

    def _favour_move(self, target: LinkTarget, record: ActionRecord, now: datetime) -> tuple[ActionRecord, list[Write]]:
        """A step of the favour loop, as `circleback ask` takes it: its touch filed under the link's day and id."""
        contact, step, owner = _required(target.contact), _required(target.step), target.owner
        move = FAVOUR_MOVES[target.action]
        details = MoveDetails(what=step.reconnect.need if step.reconnect else None)
        try:
            change = change_favour(move, contact, step.favour, target.today, now, link_touch_id(target.claim), details)
        except StepRefused as refused:
            raise LinkGone(f"{refused}.") from None
        touch = replace(change.touch, source="link", filed_on=link_day(target.claim)) if change.touch else None
        change = replace(change, touch=touch)
        writes = favour_writes(self.repo, owner.id, change)
        record = replace(
            record,
            contact_id=contact.id,
            favour_from=change.before,
            favour_to=change.after,
            touches=(touch,) if touch else (),
        )
        if change.promoted_to is not None:
            record = replace(
                record, placed_from=placement(contact), placed_to=replace(placement(contact), tier=change.promoted_to)
            )
        reconnect = step.reconnect
        if move is Move.ASK and reconnect is not None and reconnect.need and reconnect.asked_on is None:
            writes.append(self.repo.reconnect_put(owner.id, replace(reconnect, asked_on=target.today), reconnect))
            record = replace(record, reconnect_from=reconnect)
        return record, writes

    def _favour_reversal(self, target: LinkTarget, record: ActionRecord) -> list[Write]:
        """Put the favour back as it was (remove it, if the link started it), take its touch back, and move the
        contact back to their tier; refused when the favour or the contact was changed since."""
        owner, after = target.owner, _required(record.favour_to)
        if self.repo.get_favour(owner.id, after.contact_id, after.id) != after:
            raise UndoRefused(
                "The favour was taken further since this link was used. That stands; nothing was changed."
            )
        writes = [
            self.repo.favour_delete(owner.id, after)
            if record.favour_from is None
            else self.repo.favour_put(owner.id, record.favour_from, after)
        ]
        writes += [self.repo.touch_delete(owner.id, touch) for touch in record.touches]
        if record.placed_from is not None:
            contact = _required(target.contact)
            if placement(contact) != record.placed_to:
                raise UndoRefused(
                    f"{contact.name} was moved since this link was used. That stands; nothing was changed."
                )
            writes.append(self.repo.contact_placement_write(owner.id, contact, record.placed_from))
        if record.reconnect_from is not None:
            asked = replace(record.reconnect_from, asked_on=after.asked_on)
            writes.append(self.repo.reconnect_put(owner.id, record.reconnect_from, asked))
        return writes

    def _reversal(self, target: LinkTarget, now: datetime) -> list[Write]:
        """The writes that put back exactly what the link's action replaced, each conditioned on the item being
        as read (a change in between fails the transaction, and the undo reads again); UndoRefused when what the
        action set was changed since, by another link or a command: that later choice stands.
        """
        record, owner = _required(target.record), target.owner
        if record.touch is not None:
            return [self.repo.touch_delete(owner.id, record.touch)]
        if record.action == Action.ADD:  # a contact may gather touches at once: removing one is `contacts remove`
            name = target.contact.name if target.contact else "They"
            raise UndoRefused(f"{name} stays a contact. To remove them: circleback contacts remove '{name}'.")
        if record.favour_to is not None:
            return self._favour_reversal(target, record)
        if record.followed_up is not None:  # reopen the follow-up, while it is still dismissed by this link
            return [self.repo.follow_up_done_write(owner.id, record.followed_up, None)]
        if record.lunch is not None:  # a team lunch: its touches and the lunch, while the lunch is still this one
            return [self.repo.lunch_delete(owner.id, record.lunch)] + [
                self.repo.touch_delete(owner.id, touch) for touch in record.touches
            ]
        if record.action == Action.SNOOZE:
            contact = _required(target.contact)
            if contact.snoozed_until != record.until:
                raise UndoRefused(_changed_since(f"{contact.name} was snoozed", contact.snoozed_until))
            return [self.repo.contact_snooze_write(owner.id, contact, record.previous_until)]
        if record.placed_from is not None:
            contact = _required(target.contact)
            if placement(contact) != record.placed_to:
                raise UndoRefused(
                    f"{contact.name} was sorted by this link, and has been sorted again or edited since. "
                    "That later choice stands; nothing was changed."
                )
            return [self.repo.contact_placement_write(owner.id, contact, record.placed_from)]
        if record.action == Action.PAUSE:
            if owner.paused_until != record.until:
                raise UndoRefused(_changed_since("Your digests were paused", owner.paused_until))
            return [self._pause_write(owner, record.previous_until, now)]
        return []

    def _pause_write(self, owner: Owner, until: date | None, now: datetime) -> Write:
        """Pause (or resume) and move the next send to the first one the new pause allows."""
        return self.repo.owner_pause_write(owner, until, next_send_at(replace(owner, paused_until=until), now))


NEW_PERSON_GONE = (
    "This person is no longer offered: added already, or last written to over a month ago. "
    "Add them with `circleback contacts add`."
)


def added_contact(person: NewPerson, choice: Choice, today: date, contact_id: str) -> Contact:
    """The contact an "Add" link makes of someone written to."""
    name = choice.name or person.name or name_from_address(person.address)
    return Contact(id=contact_id, name=name, created_on=today, email=person.address, last_touch=person.last_written)


def name_from_address(address: str) -> str:
    """A name to start from when the mail gave none: "pat.lee@x" is "Pat Lee"."""
    local = address.partition("@")[0].partition("+")[0]
    words = [w for w in local.replace(".", " ").replace("_", " ").replace("-", " ").split() if w]
    return " ".join(w.capitalize() for w in words) or address


def _changed_since(what: str, now_until: date | None) -> str:
    if now_until is None:
        return f"{what} by this link, and that has been ended since. Nothing was changed."
    return (
        f"{what} by this link, and that has been changed since: it now runs until {long_day(now_until)}. "
        "That later choice stands; nothing was changed."
    )


def link_day(claim: Claim) -> date:
    """The day a link files its touch under: its digest's date, else the day the link was made."""
    return date.fromisoformat(claim.digest) if claim.digest else claim.issued_at.date()


def link_touch_id(claim: Claim) -> str:
    return content_id("link", claim.key())


def _link_touch(target: LinkTarget, choice: Choice, now: datetime) -> Touch:
    """The touch a link logs: dated the day it is clicked, filed under the link's own day; a "Shared" link's notes
    the item (and marks it shared: domain/loops.py leaves them out of sharing for a while)."""
    touch = Touch(
        id=link_touch_id(target.claim),
        contact_id=_required(target.contact).id,
        date=target.today,
        direction=TOUCH_DIRECTIONS[target.claim.action],
        channel=choice.channel,
        note=choice.note,
        source="link",
        recorded_at=now,
        filed_on=link_day(target.claim),
    )
    if target.action is Action.SHARED:
        share = _required(_required(target.step).share)
        return replace(touch, channel=Channel.EMAIL, note=shared_note(share), purpose=TouchPurpose.SHARE)
    if choice.follow_up_days > 0:
        about = " ".join(choice.follow_up_about.split()) if choice.follow_up_about else None
        return replace(touch, follow_up=FollowUp(target.today + timedelta(days=choice.follow_up_days), about or None))
    return touch


def shared_note(share: Share) -> str:
    return f"Shared “{share.title}” {share.url}"


# The next steps' links, and what their page says once there is nothing left to do (and the link was not used).
STEP_GONE: dict[Action, str] = {
    Action.FOLLOW_UP_DONE: "This follow-up is closed already: a touch was logged since, or it was dismissed.",
    Action.SHARED: "This item is no longer queued for them (it is over a fortnight old, or their tags changed).",
    Action.HELPED: "There is no open ask for them any more.",
    Action.THANKED: "There is no open ask for them any more.",
    Action.TOLD: "There is no open ask for them any more.",
    Action.ASKED: "There is nothing left to ask them: the favour was asked, or the reconnect ended.",
}
STEP_ACTIONS = frozenset(STEP_GONE)


def _nothing_left(action: Action, step: NextStep) -> bool:
    if action is Action.FOLLOW_UP_DONE:
        return step.follow_up is None
    if action is Action.SHARED:
        return step.share is None
    if action is Action.ASKED:
        reconnect = step.reconnect
        return step.favour is not None or reconnect is None or not reconnect.need or reconnect.asked_on is not None
    return step.favour is None


def _team_touch(target: LinkTarget, contact: Contact, choice: Choice, now: datetime) -> Touch:
    """One of a team lunch's touches: a meeting with `contact`, filed under the link's day and id and theirs."""
    return Touch(
        id=content_id("link", target.claim.key(), contact.id),
        contact_id=contact.id,
        date=target.today,
        direction=Direction.MUTUAL,
        channel=Channel.MEETING,
        note=choice.note,
        source="link",
        recorded_at=now,
        filed_on=link_day(target.claim),
    )


def _touch_record(claim: Claim, touch: Touch) -> ActionRecord:
    """What a touch link did, as its page shows it: the touch filed under the link is the link's record."""
    done_at = touch.recorded_at or datetime.combine(touch.date, time(), UTC)
    return ActionRecord(claim.key(), claim.action.value, done_at, claim.expires_at, touch.contact_id, touch)


def _later(candidate: date, current: date | None) -> date:
    """Never shorten a snooze or pause that already runs longer."""
    return candidate if current is None or current < candidate else current


def _required[T](value: T | None) -> T:
    if value is None:
        raise NotFoundError("the link's target is missing")
    return value
