"""The owner's settings, changed from the command line: validated as a backup's settings are, and the digest
rescheduled to follow them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.model import Owner
from circleback.domain.schedule import next_send_at
from circleback.formats.backup import BackupOwner, settings_entry
from circleback.services.places import home
from circleback.services.retries import retrying


def revised(owner: Owner, changes: Mapping[str, Any]) -> Owner:
    """The owner with `changes` (field name -> value); pydantic's ValidationError names a bad one. A new home
    city is keyed (services/places.py)."""
    settings = BackupOwner.model_validate({**settings_entry(owner), **changes}).settings(owner.id)
    return home(settings, settings.city) if "city" in changes else settings


def change_settings(repo: Repository, owner_id: str, changes: Mapping[str, Any], now: datetime) -> tuple[Owner, Owner]:
    """Save the changed settings and move the next digest to the first send they allow after `now`:
    the settings before and after.

    A digest already sent today is not sent again when the send hour moves later: its run for the day is
    recorded, and the worker skips a date it has done.
    """

    def attempt() -> tuple[Owner, Owner] | None:
        owner = repo.get_owner(owner_id)
        if owner is None:
            raise NotFoundError(f"no owner {owner_id!r}")
        settings = revised(owner, changes)
        if replace(settings, next_send_at=owner.next_send_at) == owner:
            return owner, owner
        updated = replace(settings, next_send_at=next_send_at(settings, now))
        return (owner, updated) if repo.replace_owner(updated, owner) else None

    return retrying(attempt, "the settings kept changing (a digest was being sent); nothing was saved. Try again")
