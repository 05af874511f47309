"""Preview a digest: plan it from the store and show it as JSON or as text."""

from __future__ import annotations

from datetime import date
from typing import Any

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import DigestPlan, DueItem, PlanSettings, plan_digest
from circleback.domain.wording import time_ago


def preview(repo: Repository, owner_id: str, as_of: date, settings: PlanSettings | None = None) -> DigestPlan:
    data = repo.load_digest_input(owner_id)
    if data is None:
        raise NotFoundError(f"owner {owner_id} does not exist")
    return plan_digest(data, as_of, settings or PlanSettings.of(data.owner), DEFAULT_OCCASION_FINDERS)


def plan_as_dict(plan: DigestPlan) -> dict[str, Any]:
    """The `circleback preview --json` contract."""
    return {
        "as_of": plan.as_of.isoformat(),
        "due": [
            {
                "name": item.contact.name,
                "due_date": item.due_date.isoformat(),
                "days_overdue": item.days_overdue,
                "effective_cadence_days": item.effective_cadence_days,
                "tier": item.contact.tier.value,
            }
            for item in plan.due
        ],
        "more_due": plan.more_due,
        "occasions": [
            {
                "kind": o.kind,
                "date": o.date.isoformat(),
                "contacts": [c.name for c in o.contacts],
                "label": o.label,
            }
            for o in plan.occasions
        ],
        "goal": {"done": plan.goal.done, "target": plan.goal.target},
    }


def plan_as_text(plan: DigestPlan) -> str:
    lines = [f"circleback · {plan.as_of:%A %d %B %Y}", ""]
    if plan.due:
        lines.append(f"Reach out to ({len(plan.due)} of {plan.all_due} due):")
        for rank, item in enumerate(plan.due, start=1):
            lines.extend(_due_lines(rank, item, plan.as_of))
        if plan.more_due:
            lines.append(f"  … and {plan.more_due} more due.")
    else:
        lines.append("Nobody is due today.")
    lines.append("")
    if plan.occasions:
        lines.append("Coming up:")
        lines.extend(f"  {o.date:%a %d %b}  {o.label}" for o in plan.occasions)
    else:
        lines.append("No occasions in the days ahead.")
    lines += ["", f"This month: {plan.goal.done} of {plan.goal.target} touches."]
    return "\n".join(lines)


def _due_lines(rank: int, item: DueItem, as_of: date) -> list[str]:
    contact = item.contact
    how = ", ".join(p for p in (contact.relationship.value, contact.title, contact.company) if p)
    overdue = "due today" if item.days_overdue == 0 else f"{item.days_overdue} days overdue"
    last = item.history.last_touch
    since = f"last touch {time_ago((as_of - last).days)}" if last else "no touch yet"
    lines = [
        f"  {rank}. {contact.name} ({how}; tier {contact.tier.value})",
        f"     {overdue} · {since} · every {item.effective_cadence_days} days",
    ]
    latest = item.history.latest
    if latest is not None and latest.note:
        lines.append(f"     last note: {latest.note}")
    return lines
