"""The digest worker: one owner, one local date, one email — claimed, planned, rendered, sent, recorded.

Exactly once, effectively: the run item for (owner, local date) is claimed with a conditional write and
a lease before anything is sent. A duplicate request finds the run taken or finished; a worker that died
before calling SES is replaced when its lease runs out; the run is marked "sending" just before the SES
call, and a run found still "sending" is never sent again (recorded "uncertain" instead).

After the call, SES's answer decides (adapters/ses.py): sent, the run is recorded "sent"; surely not sent, the
run is handed back (the refusal recorded, the lease ended) for the queue's next delivery, and that one write is
tried again if it fails, so a refusal followed by a failing write still leaves the digest sendable; maybe sent
(a 5xx, a lost answer), the run is recorded "uncertain" at once and never sent again. A digest is lost only when
the worker dies during the call, SES's answer is lost, or DynamoDB refuses every try to record a refusal: each
ends "uncertain" and counted (DigestsUncertain, alarmed). No digest is ever sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from time import sleep

from circleback.adapters.ses import MaybeSent, NotSent, SesMailer
from circleback.adapters.store.repository import Repository
from circleback.domain.inbound import digest_ids
from circleback.domain.model import FINAL_STATUSES, DigestRun, Owner, RunStatus
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import DigestPlan, PlanSettings, plan_digest
from circleback.domain.schedule import local_send_date, next_send_at
from circleback.mail.mime import build_message
from circleback.mail.render import LinkFactory, render_digest
from circleback.payloads import DigestRequest
from circleback.services.memory import cyclic_gc_paused

DEFAULT_LEASE = timedelta(minutes=2)  # well under the queue's visibility timeout
# A request this long after its send time is news no longer, and is never sent: the queues keep a message at most
# 14 days (the dead-letter queue's retention), so a redrive within it still sends. Digest runs live longer than
# this (adapters/store/items.py RUN_RETENTION_DAYS), so a request that old never outlives the run that stops a resend.
STALE_AFTER = timedelta(days=14)
# Tries to record a refusal and hand the run back, each with the table client's own retries: a run left "sending"
# would end "uncertain" and never be sent. A second try never makes things worse: cut off by the timeout in it, the
# run is left "sending", as it would have been without it.
HAND_BACK_ATTEMPTS = 2
HAND_BACK_PAUSE_SECONDS = 0.2


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    ALREADY_DONE = "already_done"
    UNCERTAIN = "uncertain"
    NO_OWNER = "no_owner"
    STALE = "stale"


class RetryLater(Exception):
    """Another worker holds this run, or SES said not now: let the queue deliver the request again."""


@dataclass(frozen=True, slots=True)
class DigestSettings:
    sender: str
    message_id_domain: str
    lease: timedelta = DEFAULT_LEASE
    reply_to: str | None = None  # the logging address (mail in): a reply's lines are commands (services/replies.py)


LinksFor = Callable[[Owner, date, datetime], LinkFactory]  # owner, digest date, when the links are signed


@dataclass(frozen=True, slots=True)
class DigestResult:
    outcome: Outcome
    local_date: date | None = None
    message_id: str | None = None
    items: int = 0


def send_digest(
    repo: Repository,
    mailer: SesMailer,
    links_for: LinksFor,
    settings: DigestSettings,
    request: DigestRequest,
    now: datetime,
    claimant: str,
) -> DigestResult:
    owner = repo.get_owner(request.owner_id)
    if owner is None:
        return DigestResult(Outcome.NO_OWNER)
    local_date = local_send_date(owner.timezone, request.send_at, owner.send_hour)
    if now - request.send_at > STALE_AFTER:
        _advance(repo, owner, request.send_at, now)
        return DigestResult(Outcome.STALE, local_date)
    mine = DigestRun(owner.id, local_date, request.send_at, RunStatus.CLAIMED, claimant, now + settings.lease)
    held = repo.claim_run(mine, now)
    if held is None or held.claimed_by != claimant:
        return _settle_other(repo, owner, request, held, now)

    if owner.paused_until is not None and local_date <= owner.paused_until:
        # Paused after this send was queued (a pause link clicked meanwhile): the pause wins.
        _finish(repo, mine, RunStatus.CLAIMED, status=RunStatus.SKIPPED, reason="paused")
        _advance(repo, owner, request.send_at, now)
        return DigestResult(Outcome.SKIPPED, local_date)
    with cyclic_gc_paused():
        data = repo.digest_input(owner)  # the owner as read above: one GetItem per digest
        plan = plan_digest(data, local_date, PlanSettings.of(owner), DEFAULT_OCCASION_FINDERS)
    if plan.is_empty:
        _finish(repo, mine, RunStatus.CLAIMED, status=RunStatus.SKIPPED)
        _advance(repo, owner, request.send_at, now)
        return DigestResult(Outcome.SKIPPED, local_date)

    with cyclic_gc_paused():
        raw = _message(plan, owner, links_for(owner, local_date, now), settings, mine)
    sending = replace(mine, status=RunStatus.SENDING)
    if not repo.update_run(sending, expected=RunStatus.CLAIMED):
        raise RetryLater("the lease on this digest was lost before sending")
    try:
        message_id = mailer.send_raw(raw)
    except NotSent as refused:
        _hand_back(repo, sending, now, refused)  # nothing went out: sendable again at the queue's next delivery
        raise
    except MaybeSent as unknown:
        # SES may have taken it: record that at once, never send it again, and let the owner know (the metric).
        _finish(repo, sending, RunStatus.SENDING, status=RunStatus.UNCERTAIN, reason=f"SES answer unknown: {unknown}")
        _advance(repo, owner, request.send_at, now)
        return DigestResult(Outcome.UNCERTAIN, local_date)
    items = len(plan.due) + len(plan.occasions) + len(plan.to_sort)
    _finish(
        repo, sending, RunStatus.SENDING, status=RunStatus.SENT, message_id=message_id, items=items, people=plan.people
    )
    _advance(repo, owner, request.send_at, now)
    return DigestResult(Outcome.SENT, local_date, message_id, items)


def _settle_other(
    repo: Repository, owner: Owner, request: DigestRequest, held: DigestRun | None, now: datetime
) -> DigestResult:
    """The run is someone else's: done already, abandoned mid-send, or still in progress."""
    if held is None:
        raise RetryLater("the digest run changed while it was being claimed")
    if held.status == RunStatus.SENDING and held.lease_until < now:
        # Its worker died during the SES call: the email may have gone out. Never send it twice.
        _finish(repo, held, RunStatus.SENDING, status=RunStatus.UNCERTAIN, reason="worker stopped while sending")
        _advance(repo, owner, request.send_at, now)
        return DigestResult(Outcome.UNCERTAIN, held.local_date)
    if held.status in FINAL_STATUSES:
        _advance(repo, owner, request.send_at, now)  # repairs a worker that stopped after recording the run
        return DigestResult(Outcome.ALREADY_DONE, held.local_date, held.message_id, held.items)
    raise RetryLater("another worker is sending this digest")


def _message(plan: DigestPlan, owner: Owner, links: LinkFactory, settings: DigestSettings, run: DigestRun) -> bytes:
    if not owner.email:
        raise ValueError(f"owner {owner.id} has no email address")
    digest = render_digest(plan, owner, links)
    return build_message(
        digest,
        sender=settings.sender,
        recipient=owner.email,
        unsubscribe_url=links.pause_url(),
        message_id_domain=settings.message_id_domain,
        message_key=digest_ids(run.owner_id) + run.local_date.isoformat(),
        reply_to=settings.reply_to,
        date=run.send_at,
    )


def _hand_back(repo: Repository, sending: DigestRun, now: datetime, refused: NotSent) -> None:
    """Record SES's refusal and end the lease: the run is "claimed" again, and the next delivery may claim it.

    Tried again when the write fails: left "sending", the run would become "uncertain" and the digest be lost.
    A condition that fails means the run is no longer ours to hand back (taken over): nothing more to do.
    """
    handed_back = replace(sending, status=RunStatus.CLAIMED, lease_until=now, reason=f"SES refused: {refused}")
    for attempt in range(1, HAND_BACK_ATTEMPTS + 1):
        try:
            repo.update_run(handed_back, expected=RunStatus.SENDING)
        except Exception:  # a DynamoDB fault after the SDK's retries (the service cannot name botocore's errors)
            if attempt == HAND_BACK_ATTEMPTS:
                raise
            sleep(HAND_BACK_PAUSE_SECONDS * attempt)
        else:
            return


def _finish(repo: Repository, run: DigestRun, expected: RunStatus, **changes: object) -> None:
    if not repo.update_run(replace(run, **changes), expected=expected):  # type: ignore[arg-type]
        raise RetryLater("the digest run was taken over before it could be recorded")


def _advance(repo: Repository, owner: Owner, sent_at: datetime, now: datetime) -> None:
    """Schedule the next digest after both this one and now: after an outage, no burst of stale days."""
    repo.advance_schedule(owner, sent_at, next_send_at(owner, max(sent_at, now)))
