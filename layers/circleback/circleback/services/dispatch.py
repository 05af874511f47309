"""The dispatcher: at each schedule tick, queue one digest request per owner whose send time has come."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from circleback.adapters.sqs import DigestQueue
from circleback.adapters.store.repository import Repository
from circleback.domain.model import Owner
from circleback.domain.schedule import SHARD_COUNT, next_send_at
from circleback.payloads import DigestRequest


@dataclass(frozen=True, slots=True)
class DispatchResult:
    queued: int
    created_default_owner: bool


def dispatch(repo: Repository, queue: DigestQueue, tick: datetime, default_owner: Owner | None) -> DispatchResult:
    """Queue every owner due at or before `tick` (so a missed tick is caught up by the next one).

    Reads one Query per shard of the sparse schedule index, never the owners that are not due. A
    duplicate tick queues the same requests again; the digest worker's claim makes that harmless.
    """
    created = default_owner is not None and ensure_owner(repo, default_owner, tick)
    requests = [
        DigestRequest(owner_id=owner_id, send_at=send_at)
        for shard in range(SHARD_COUNT)
        for owner_id, send_at in repo.due_owners(shard, tick)
    ]
    queue.send(requests)
    return DispatchResult(queued=len(requests), created_default_owner=created)


def ensure_owner(repo: Repository, owner: Owner, now: datetime) -> bool:
    """Create the deployment's owner from the template's parameters on first run; never overwrite it."""
    scheduled = replace(owner, next_send_at=next_send_at(owner, now))
    return repo.create_owner_if_absent(scheduled)
