"""Preview a digest: plan it from the store into the digest's own view, and show that as JSON or as text."""

from __future__ import annotations

from datetime import date
from typing import Any

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.model import Owner
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import DigestPlan, PlanSettings, plan_digest
from circleback.mail.render import DigestView, digest_view, render_preview


def preview(
    repo: Repository, owner_id: str, as_of: date, settings: PlanSettings | None = None
) -> tuple[Owner, DigestPlan]:
    """The owner and the plan of their digest of `as_of`, from one read of their partition (as the worker does)."""
    data = repo.load_digest_input(owner_id)
    if data is None:
        raise NotFoundError(f"owner {owner_id} does not exist")
    return data.owner, plan_digest(data, as_of, settings or PlanSettings.of(data.owner), DEFAULT_OCCASION_FINDERS)


def preview_view(repo: Repository, owner_id: str, as_of: date, settings: PlanSettings | None = None) -> DigestView:
    """The digest the owner would get on `as_of`, as the email's own view without its links."""
    owner, plan = preview(repo, owner_id, as_of, settings)
    return digest_view(plan, owner, None)


def view_as_dict(view: DigestView) -> dict[str, Any]:
    """The `circleback preview --json` contract."""
    return {
        "as_of": view.as_of.isoformat(),
        "subject": view.subject,
        "due": [
            {
                "name": item.contact.name,
                "due_date": item.due_date.isoformat(),
                "days_overdue": item.days_overdue,
                "effective_cadence_days": item.cadence_days,
                "tier": item.tier,
                "channels": list(item.channels),
                "lapsed": item.lapsed,
            }
            | ({"occasion": {"kind": item.occasion.kind.value, "label": item.occasion.label}} if item.occasion else {})
            for item in view.due
        ],
        "more_due": view.more_due_count,
        "occasions": [
            {"kind": o.kind.value, "date": o.date.isoformat(), "contacts": list(o.names), "label": o.label}
            for o in view.occasions
        ],
        "goal": {"done": view.goal_done, "target": view.goal_target},
        "to_sort": [
            {"name": item.name, "suggestion": {"relationship": item.relationship, "why": item.why}}
            for item in view.to_sort
        ],
        "follow_ups": [
            {"name": step.name, "kind": step.kind.value, "about": step.about, "since": step.since.isoformat()}
            for step in view.steps
        ],
        "shares": (
            [
                {
                    "title": view.share.title,
                    "url": view.share.url,
                    "contacts": [p.contact.name for p in view.share.people],
                }
            ]
            if view.share
            else []
        ),
        "reply": {"done": list(view.replied), "unread": list(view.unread)},
        "new_people": [{"name": p.name, "email": p.address} for p in view.new_people],
    }


def view_as_text(view: DigestView) -> str:
    return render_preview(view).rstrip("\n")
