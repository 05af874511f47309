"""The single table's key layout (docs/design.md, "The table"): every item of an owner is in its partition."""

from __future__ import annotations

from datetime import date

PROFILE_SK = "PROFILE"
SCHEDULE_INDEX = "GSI1"
CONTACT_PREFIX = "CONTACT#"
TOUCH_PREFIX = "TOUCH#"
EVENT_PREFIX = "EVENT#"
# The digest reads the owner's partition from CONTACT# to TOUCH# in one Query (DIGEST_RANGE). Items it does not
# need sort outside that range, so the Query does not pay for them: action records and the calendar mark sort
# before CONTACT#, digest runs (five weeks of them, kept by TTL) after every TOUCH#.
DIGEST_PREFIX = "~DIGEST#"
ACTION_PREFIX = "ACTION#"
TOKEN_PREFIX = "PAT#"  # noqa: S105 - a key prefix, not a secret
# Trips sort inside the digest's range ("ITINERARY#" falls between CONTACT# and TOUCH#): the digest reads them.
TRIP_PREFIX = "ITINERARY#"
LUNCH_PREFIX = "LUNCH#"  # a former team's last lunch (domain/places.py), also inside the digest's range
# The next steps' items (domain/loops.py), inside the digest's range too: favours asked, reconnects, shares.
FAVOUR_PREFIX = "FAVOUR#"
RECONNECT_PREFIX = "RECONNECT#"
SHARE_PREFIX = "SHARE#"
NEW_PERSON_PREFIX = "NEWPERSON#"  # someone the owner wrote to who is no contact (mail in), inside the range too
REPLY_PREFIX = "REPLY#"  # what a reply to the digest did (services/replies.py), inside the digest's range too
CALENDAR_LINKS_SK = "CALENDAR"  # when the owner last turned off their calendar links
# Every contact, life event, trip and touch (and the profile, and the access tokens, both small) lies in this range:
# "TOUCH$" is the first key after every "TOUCH#..." key ("$" follows "#").
DIGEST_RANGE = ("CONTACT#", "TOUCH$")


def owner_pk(owner_id: str) -> str:
    return f"OWNER#{owner_id}"


def contact_sk(contact_id: str) -> str:
    return f"{CONTACT_PREFIX}{contact_id}"


def touch_prefix(contact_id: str) -> str:
    return f"{TOUCH_PREFIX}{contact_id}#"


def touch_sk(contact_id: str, on: date, touch_id: str) -> str:
    # The day sorts a contact's touches in time; the id (time-ordered when generated) breaks same-day ties.
    return f"{touch_prefix(contact_id)}{on.isoformat()}#{touch_id}"


def event_sk(on: date, event_id: str) -> str:
    return f"{EVENT_PREFIX}{on.isoformat()}#{event_id}"


def digest_sk(local_date: date) -> str:
    return f"{DIGEST_PREFIX}{local_date.isoformat()}"


def action_sk(key: str) -> str:
    return f"{ACTION_PREFIX}{key}"


def access_token_sk(token_id: str) -> str:
    return f"{TOKEN_PREFIX}{token_id}"


def trip_sk(start: date, trip_id: str) -> str:
    return f"{TRIP_PREFIX}{start.isoformat()}#{trip_id}"


def lunch_sk(team: str) -> str:
    return f"{LUNCH_PREFIX}{team}"


def favour_sk(contact_id: str, favour_id: str) -> str:
    return f"{FAVOUR_PREFIX}{contact_id}#{favour_id}"


def reconnect_sk(contact_id: str) -> str:
    return f"{RECONNECT_PREFIX}{contact_id}"  # one a person: reconnecting again replaces it


def share_sk(queued_on: date, share_id: str) -> str:
    return f"{SHARE_PREFIX}{queued_on.isoformat()}#{share_id}"


def reply_sk(reply_id: str) -> str:
    return f"{REPLY_PREFIX}{reply_id}"


def new_person_sk(key: str) -> str:
    return f"{NEW_PERSON_PREFIX}{key}"
