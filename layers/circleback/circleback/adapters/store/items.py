"""Domain objects to table items and back. Dates are ISO strings; absent means not set."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from circleback.adapters.store.keys import (
    CALENDAR_LINKS_SK,
    PROFILE_SK,
    access_token_sk,
    action_sk,
    contact_sk,
    digest_sk,
    event_sk,
    favour_sk,
    lunch_sk,
    new_person_sk,
    owner_pk,
    reconnect_sk,
    reply_sk,
    share_sk,
    touch_sk,
    trip_sk,
)
from circleback.domain.model import (
    REPLY_KEEP_DAYS,
    AccessToken,
    ActionRecord,
    Birthday,
    Channel,
    Contact,
    DigestRun,
    Direction,
    EventKind,
    Favour,
    FollowUp,
    Frequency,
    LifeEvent,
    NewPerson,
    Owner,
    Placement,
    Reconnect,
    Relationship,
    ReplyOutcome,
    RunStatus,
    Share,
    Stint,
    TeamLunch,
    Tier,
    Touch,
    TouchPurpose,
    Trip,
)
from circleback.domain.schedule import schedule_keys

# Enum members by value, looked up directly: Enum(value) costs several times a dict lookup, and the digest maps
# tens of thousands of items. An absent field takes its default; an unknown value still raises, from Enum(value).
_RELATIONSHIPS: dict[str | None, Relationship] = {None: Relationship.OTHER} | {m.value: m for m in Relationship}
_TIERS: dict[str | None, Tier] = {None: Tier.B} | {m.value: m for m in Tier}
_DIRECTIONS: dict[str, Direction] = {m.value: m for m in Direction}
_CHANNELS: dict[str, Channel] = {m.value: m for m in Channel}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def owner_to_item(owner: Owner) -> dict[str, Any]:
    return {
        **owner_schedule_keys(owner),
        "PK": owner_pk(owner.id),
        "SK": PROFILE_SK,
        "type": "owner",
        "owner_id": owner.id,
        "email": owner.email,
        "name": owner.name,
        "timezone": owner.timezone,
        "country": owner.country,
        "send_hour": owner.send_hour,
        "frequency": owner.frequency.value,
        "weekday": owner.weekday,
        "monthly_goal": owner.monthly_goal,
        "max_due": owner.max_due,
        "lookahead_days": owner.lookahead_days,
        "paused_until": _iso(owner.paused_until),
        "next_send_at": _iso(owner.next_send_at),
        "sort_per_digest": owner.sort_per_digest,
        "work_history": [_stint_to_map(stint) for stint in owner.work_history] or None,
        "city": owner.city,
        "city_key": owner.city_key,
        "aliases": list(owner.aliases) or None,
        "mail_subjects": owner.mail_subjects or None,
        "logging_address": owner.logging_address,
    }


def _stint_to_map(stint: Stint) -> dict[str, str]:
    entry = {"company": stint.company, "start": stint.start.isoformat()}
    return entry | {"end": stint.end.isoformat()} if stint.end else entry


def _map_to_stint(entry: dict[str, Any]) -> Stint:
    return Stint(entry["company"], date.fromisoformat(entry["start"]), _date(entry.get("end")))


def owner_schedule_keys(owner: Owner) -> dict[str, str | None]:
    """GSI1 keys while a digest is scheduled, absent otherwise: the index stays sparse."""
    if owner.next_send_at is None:
        return {"GSI1PK": None, "GSI1SK": None}
    pk, sk = schedule_keys(owner.id, owner.next_send_at)
    return {"GSI1PK": pk, "GSI1SK": sk}


def item_to_owner(item: dict[str, Any]) -> Owner:
    return Owner(
        id=item["owner_id"],
        email=item.get("email"),
        name=item.get("name"),
        timezone=item.get("timezone", "UTC"),
        country=item.get("country"),
        send_hour=item.get("send_hour", 7),
        frequency=Frequency(item.get("frequency", Frequency.DAILY)),
        weekday=item.get("weekday", 0),
        monthly_goal=item.get("monthly_goal", 4),
        max_due=item.get("max_due", 5),
        lookahead_days=item.get("lookahead_days", 7),
        paused_until=_date(item.get("paused_until")),
        next_send_at=_datetime(item.get("next_send_at")),
        sort_per_digest=item.get("sort_per_digest", 5),
        work_history=tuple(_map_to_stint(entry) for entry in item.get("work_history", ())),
        city=item.get("city"),
        city_key=item.get("city_key"),
        aliases=tuple(item.get("aliases", ())),
        mail_subjects=bool(item.get("mail_subjects", False)),
        logging_address=item.get("logging_address"),
    )


def contact_to_item(owner_id: str, contact: Contact) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": contact_sk(contact.id),
        "type": "contact",
        "id": contact.id,
        "name": contact.name,
        "created_on": contact.created_on.isoformat(),
        "email": contact.email,
        "other_emails": list(contact.other_emails) or None,
        "phone": contact.phone,
        "linkedin_url": contact.linkedin_url,
        "company": contact.company,
        "title": contact.title,
        "relationship": contact.relationship.value,
        "tier": contact.tier.value,
        "cadence_days": contact.cadence_days,
        "country": contact.country,
        "city": contact.city,
        "city_key": contact.city_key,
        "birthday": contact.birthday.isoformat() if contact.birthday else None,
        "worked_together_until": _iso(contact.worked_together_until),
        "first_seen": _iso(contact.first_seen),
        "tags": list(contact.tags) or None,
        "notes": contact.notes,
        "last_touch": _iso(contact.last_touch),
        "paused": contact.paused,
        "snoozed_until": _iso(contact.snoozed_until),
        "unsorted": contact.unsorted or None,
        "sorted_on": _iso(contact.sorted_on),
        "version": contact.version,
        "import_marks": dict(contact.import_marks) or None,
    }


def item_to_contact(item: dict[str, Any]) -> Contact:
    return Contact(
        id=item["id"],
        name=item["name"],
        created_on=date.fromisoformat(item["created_on"]),
        email=item.get("email"),
        other_emails=tuple(item.get("other_emails", ())),
        phone=item.get("phone"),
        linkedin_url=item.get("linkedin_url"),
        company=item.get("company"),
        title=item.get("title"),
        relationship=_RELATIONSHIPS.get(item.get("relationship")) or Relationship(item["relationship"]),
        tier=_TIERS.get(item.get("tier")) or Tier(item["tier"]),
        cadence_days=item.get("cadence_days"),
        country=item.get("country"),
        city=item.get("city"),
        city_key=item.get("city_key"),
        birthday=Birthday.parse(item["birthday"]) if item.get("birthday") else None,
        worked_together_until=_date(item.get("worked_together_until")),
        first_seen=_date(item.get("first_seen")),
        tags=tuple(item.get("tags", ())),
        notes=item.get("notes"),
        last_touch=_date(item.get("last_touch")),
        paused=item.get("paused", False),
        snoozed_until=_date(item.get("snoozed_until")),
        unsorted=item.get("unsorted", False),
        sorted_on=_date(item.get("sorted_on")),
        version=item.get("version", 0),
        import_marks=tuple(sorted(item.get("import_marks", {}).items())),
    )


def touch_key(touch: Touch) -> str:
    return touch_sk(touch.contact_id, touch.filed_on or touch.date, touch.id)


def touch_to_item(owner_id: str, touch: Touch) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": touch_key(touch),
        "type": "touch",
        "id": touch.id,
        "contact_id": touch.contact_id,
        "date": touch.date.isoformat(),
        "direction": touch.direction.value,
        "channel": touch.channel.value,
        "note": touch.note,
        "source": touch.source,
        "recorded_at": _iso(touch.recorded_at),
        # Only when it differs: a touch clicked the day its digest came is stored like any other.
        "filed_on": _iso(touch.filed_on) if touch.filed_on != touch.date else None,
        "purpose": touch.purpose.value if touch.purpose else None,
        "follow_up": {"on": touch.follow_up.on.isoformat(), "about": touch.follow_up.about}
        if touch.follow_up
        else None,
        # Top-level, so a "Done" link sets it (and its undo removes it) with one conditional update.
        "follow_up_done": _iso(touch.follow_up.done_on) if touch.follow_up else None,
    }


def _follow_up(item: dict[str, Any]) -> FollowUp | None:
    entry = item.get("follow_up")
    if not entry:
        return None
    return FollowUp(date.fromisoformat(entry["on"]), entry.get("about"), _date(item.get("follow_up_done")))


def item_to_touch(item: dict[str, Any]) -> Touch:
    return Touch(
        id=item["id"],
        contact_id=item["contact_id"],
        date=date.fromisoformat(item["date"]),
        direction=_DIRECTIONS.get(item["direction"]) or Direction(item["direction"]),
        channel=_CHANNELS.get(item["channel"]) or Channel(item["channel"]),
        note=item.get("note"),
        source=item.get("source", "cli"),
        recorded_at=_datetime(item.get("recorded_at")),
        filed_on=_date(item.get("filed_on")),
        purpose=TouchPurpose(item["purpose"]) if item.get("purpose") else None,
        follow_up=_follow_up(item),
    )


def event_to_item(owner_id: str, event: LifeEvent) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": event_sk(event.date, event.id),
        "type": "event",
        "id": event.id,
        "date": event.date.isoformat(),
        "kind": event.kind.value,
        "contact_id": event.contact_id,
        "note": event.note,
    }


def item_to_event(item: dict[str, Any]) -> LifeEvent:
    return LifeEvent(
        id=item["id"],
        date=date.fromisoformat(item["date"]),
        kind=EventKind(item["kind"]),
        contact_id=item.get("contact_id"),
        note=item.get("note"),
    )


# Digest runs expire (TTL) five weeks after their send time. A run is what stops a redelivered request from
# sending twice, and a request older than services/digest.py STALE_AFTER (14 days) is never sent: five weeks
# leaves room for DynamoDB's lazy TTL and any clock. Keeping a year of them was most of the storage they cost.
RUN_RETENTION_DAYS = 35
RUN_RETENTION_SECONDS = RUN_RETENTION_DAYS * 24 * 3600


def run_to_item(run: DigestRun) -> dict[str, Any]:
    return {
        "PK": owner_pk(run.owner_id),
        "SK": digest_sk(run.local_date),
        "type": "digest",
        "owner_id": run.owner_id,
        "local_date": run.local_date.isoformat(),
        "send_at": run.send_at.isoformat(),
        "status": run.status.value,
        "claimed_by": run.claimed_by,
        "lease_until": run.lease_until.isoformat(),
        "message_id": run.message_id,
        "items": run.items,
        "reason": run.reason,
        "people": list(run.people) or None,
        "expires_at": int(run.send_at.timestamp()) + RUN_RETENTION_SECONDS,
    }


def item_to_run(item: dict[str, Any]) -> DigestRun:
    return DigestRun(
        owner_id=item["owner_id"],
        local_date=date.fromisoformat(item["local_date"]),
        send_at=datetime.fromisoformat(item["send_at"]),
        status=RunStatus(item["status"]),
        claimed_by=item["claimed_by"],
        lease_until=datetime.fromisoformat(item["lease_until"]),
        message_id=item.get("message_id"),
        items=item.get("items", 0),
        reason=item.get("reason"),
        people=tuple(item.get("people", ())),
    )


# Someone written to is kept a month after the last message to them: long enough to be offered, then forgotten.
NEW_PERSON_RETENTION_DAYS = 30


def new_person_to_item(owner_id: str, person: NewPerson) -> dict[str, Any]:
    expires = datetime.combine(person.last_written, datetime.min.time(), UTC).timestamp()
    return {
        "PK": owner_pk(owner_id),
        "SK": new_person_sk(person.key),
        "type": "new_person",
        "key": person.key,
        "address": person.address,
        "name": person.name,
        "last_written": person.last_written.isoformat(),
        "noted_at": person.noted_at.isoformat(),
        "expires_at": int(expires) + NEW_PERSON_RETENTION_DAYS * 86400,
    }


def item_to_new_person(item: dict[str, Any]) -> NewPerson:
    return NewPerson(
        item["key"],
        item["address"],
        date.fromisoformat(item["last_written"]),
        datetime.fromisoformat(item["noted_at"]),
        item.get("name"),
    )


def reply_to_item(owner_id: str, reply: ReplyOutcome) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": reply_sk(reply.id),
        "type": "reply",
        "id": reply.id,
        "ran_at": reply.ran_at.isoformat(),
        "done": list(reply.done) or None,
        "unread": [list(pair) for pair in reply.unread] or None,
        "expires_at": int(reply.ran_at.timestamp()) + REPLY_KEEP_DAYS * 24 * 3600,
    }


def item_to_reply(item: dict[str, Any]) -> ReplyOutcome:
    return ReplyOutcome(
        id=item["id"],
        ran_at=datetime.fromisoformat(item["ran_at"]),
        done=tuple(item.get("done", ())),
        unread=tuple((line, why) for line, why in item.get("unread", ())),
    )


# An action record outlives its link by a day, so a repeat arriving at the last second still finds it.
ACTION_GRACE_SECONDS = 24 * 3600


def _touch_map(owner_id: str, touch: Touch) -> dict[str, Any]:
    return {k: v for k, v in touch_to_item(owner_id, touch).items() if k not in ("PK", "SK")}


def action_to_item(owner_id: str, record: ActionRecord) -> dict[str, Any]:
    touch = record.touch
    return {
        "PK": owner_pk(owner_id),
        "SK": action_sk(record.key),
        "type": "action",
        "key": record.key,
        "action": record.action,
        "contact_id": record.contact_id,
        "done_at": record.done_at.isoformat(),
        "link_expires_at": record.expires_at.isoformat(),
        "touch": _touch_map(owner_id, touch) if touch else None,
        "touches": [_touch_map(owner_id, t) for t in record.touches] or None,
        "lunch": _lunch_map(record.lunch) if record.lunch else None,
        "previous_until": _iso(record.previous_until),
        "until": _iso(record.until),
        "placed_from": _placement_to_item(record.placed_from),
        "placed_to": _placement_to_item(record.placed_to),
        "followed_up": _touch_map(owner_id, record.followed_up) if record.followed_up else None,
        "favour_from": _favour_map(record.favour_from),
        "favour_to": _favour_map(record.favour_to),
        "reconnect_from": _reconnect_map(record.reconnect_from),
        "expires_at": int(record.expires_at.timestamp()) + ACTION_GRACE_SECONDS,
    }


def item_to_action(item: dict[str, Any]) -> ActionRecord:
    touch = item.get("touch")
    return ActionRecord(
        key=item["key"],
        action=item["action"],
        done_at=datetime.fromisoformat(item["done_at"]),
        expires_at=datetime.fromisoformat(item["link_expires_at"]),
        contact_id=item.get("contact_id"),
        touch=item_to_touch(touch) if touch else None,
        touches=tuple(item_to_touch(t) for t in item.get("touches", ())),
        lunch=item_to_lunch(item["lunch"]) if item.get("lunch") else None,
        previous_until=_date(item.get("previous_until")),
        until=_date(item.get("until")),
        placed_from=_item_to_placement(item.get("placed_from")),
        placed_to=_item_to_placement(item.get("placed_to")),
        followed_up=item_to_touch(item["followed_up"]) if item.get("followed_up") else None,
        favour_from=item_to_favour(item["favour_from"]) if item.get("favour_from") else None,
        favour_to=item_to_favour(item["favour_to"]) if item.get("favour_to") else None,
        reconnect_from=item_to_reconnect(item["reconnect_from"]) if item.get("reconnect_from") else None,
    )


def _placement_to_item(where: Placement | None) -> dict[str, Any] | None:
    if where is None:
        return None
    return {
        "unsorted": where.unsorted,
        "sorted_on": _iso(where.sorted_on),
        "tier": where.tier.value,
        "paused": where.paused,
        "relationship": where.relationship.value,
    }


def _item_to_placement(item: dict[str, Any] | None) -> Placement | None:
    if not item:
        return None
    return Placement(
        unsorted=bool(item["unsorted"]),
        sorted_on=_date(item.get("sorted_on")),
        tier=Tier(item["tier"]),
        paused=bool(item["paused"]),
        relationship=Relationship(item["relationship"]),
    )


def access_token_to_item(owner_id: str, token: AccessToken) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": access_token_sk(token.id),
        "type": "access_token",
        "id": token.id,
        "name": token.name,
        "secret_hash": token.secret_hash,
        "created_at": token.created_at.isoformat(),
    }


def item_to_access_token(item: dict[str, Any]) -> AccessToken:
    return AccessToken(
        id=item["id"],
        name=item["name"],
        secret_hash=item["secret_hash"],
        created_at=datetime.fromisoformat(item["created_at"]),
    )


def calendar_revocation_to_item(owner_id: str, revoked_at: datetime) -> dict[str, Any]:
    # UTC and whole seconds, so the stored text compares in time order (the repository's condition does).
    at = revoked_at.astimezone(UTC).replace(microsecond=0)
    return {"PK": owner_pk(owner_id), "SK": CALENDAR_LINKS_SK, "type": "calendar_links", "revoked_at": at.isoformat()}


def item_to_calendar_revocation(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["revoked_at"])


def trip_to_item(owner_id: str, trip: Trip) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": trip_sk(trip.start, trip.id),
        "type": "trip",
        "id": trip.id,
        "city": trip.city,
        "city_key": trip.city_key,
        "start": trip.start.isoformat(),
        "end": trip.end.isoformat(),
    }


def item_to_trip(item: dict[str, Any]) -> Trip:
    return Trip(
        id=item["id"],
        city=item["city"],
        city_key=item["city_key"],
        start=date.fromisoformat(item["start"]),
        end=date.fromisoformat(item["end"]),
    )


def lunch_to_item(owner_id: str, lunch: TeamLunch) -> dict[str, Any]:
    return {
        "PK": owner_pk(owner_id),
        "SK": lunch_sk(lunch.team),
        "type": "lunch",
        **_lunch_map(lunch),
    }


def _lunch_map(lunch: TeamLunch) -> dict[str, Any]:
    return {"team": lunch.team, "on": lunch.on.isoformat(), "met": lunch.met}


def item_to_lunch(item: dict[str, Any]) -> TeamLunch:
    return TeamLunch(team=item["team"], on=date.fromisoformat(item["on"]), met=bool(item["met"]))


def favour_to_item(owner_id: str, favour: Favour) -> dict[str, Any]:
    keys = {"PK": owner_pk(owner_id), "SK": favour_sk(favour.contact_id, favour.id), "type": "favour"}
    return keys | (_favour_map(favour) or {})


def _favour_map(favour: Favour | None) -> dict[str, Any] | None:
    if favour is None:
        return None
    return {
        "id": favour.id,
        "contact_id": favour.contact_id,
        "what": favour.what,
        "asked_on": favour.asked_on.isoformat(),
        "check_in_on": favour.check_in_on.isoformat(),
        "helped_on": _iso(favour.helped_on),
        "note": favour.note,
        "outcome_on": _iso(favour.outcome_on),
        "thanked_on": _iso(favour.thanked_on),
        "told_on": _iso(favour.told_on),
        "promoted_from": favour.promoted_from.value if favour.promoted_from else None,
        "version": favour.version,
    }


def item_to_favour(item: dict[str, Any]) -> Favour:
    return Favour(
        id=item["id"],
        contact_id=item["contact_id"],
        what=item["what"],
        asked_on=date.fromisoformat(item["asked_on"]),
        check_in_on=date.fromisoformat(item["check_in_on"]),
        helped_on=_date(item.get("helped_on")),
        note=item.get("note"),
        outcome_on=_date(item.get("outcome_on")),
        thanked_on=_date(item.get("thanked_on")),
        told_on=_date(item.get("told_on")),
        promoted_from=Tier(item["promoted_from"]) if item.get("promoted_from") else None,
        version=int(item.get("version", 0)),
    )


def reconnect_to_item(owner_id: str, reconnect: Reconnect) -> dict[str, Any]:
    return {"PK": owner_pk(owner_id), "SK": reconnect_sk(reconnect.contact_id), "type": "reconnect"} | (
        _reconnect_map(reconnect) or {}
    )


def _reconnect_map(reconnect: Reconnect | None) -> dict[str, Any] | None:
    if reconnect is None:
        return None
    return {
        "contact_id": reconnect.contact_id,
        "on": reconnect.on.isoformat(),
        "need": reconnect.need,
        "asked_on": _iso(reconnect.asked_on),
    }


def item_to_reconnect(item: dict[str, Any]) -> Reconnect:
    return Reconnect(
        contact_id=item["contact_id"],
        on=date.fromisoformat(item["on"]),
        need=item.get("need"),
        asked_on=_date(item.get("asked_on")),
    )


# A shared item is suggested for a fortnight (domain/loops.py SHARE_QUEUE_DAYS): the table forgets it (TTL) a
# fortnight after that, so `share list` still shows what was shared lately.
SHARE_RETENTION_DAYS = 28


def share_to_item(owner_id: str, share: Share) -> dict[str, Any]:
    expires = datetime.combine(share.queued_on, datetime.min.time(), UTC).timestamp() + SHARE_RETENTION_DAYS * 86400
    return {
        "PK": owner_pk(owner_id),
        "SK": share_sk(share.queued_on, share.id),
        "type": "share",
        "id": share.id,
        "url": share.url,
        "title": share.title,
        "tags": list(share.tags),
        "queued_on": share.queued_on.isoformat(),
        "expires_at": int(expires),
    }


def item_to_share(item: dict[str, Any]) -> Share:
    return Share(
        id=item["id"],
        url=item["url"],
        title=item["title"],
        tags=tuple(item.get("tags", ())),
        queued_on=date.fromisoformat(item["queued_on"]),
    )
