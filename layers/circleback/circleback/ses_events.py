"""What a SES receipt rule's Lambda action delivers (events/ses_inbound.json): one record per message.

Plain dataclasses, not pydantic: the inbound function reads these on every cold start, and pydantic (with the
Powertools parser) was two thirds of its import time over boto3's (`make bench`, import_ms_over_boto3_inbound).
The event is AWS's own, so reading it is checking its shape: a field missing or of the wrong kind is a clear
error naming it, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class BadEvent(ValueError):
    """The event is not a SES receiving event; says which field."""


@dataclass(frozen=True, slots=True)
class SesRecord:
    """One received message: SES's id for it (the stored object's name), its headers as SES read them, the
    From addresses, the recipients, SES's verdicts and when SES received it."""

    message_id: str
    from_: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    recipients: tuple[str, ...]
    verdicts: Mapping[str, str]  # spf, dkim, dmarc, spam, virus: PASS, FAIL, GRAY, PROCESSING_FAILED, DISABLED
    received_at: datetime | None


def ses_records(event: Mapping[str, Any]) -> list[SesRecord]:
    records = _field(event, "Records", list)
    return [_record(_field(record, "ses", dict), number) for number, record in enumerate(records)]


def _record(ses: Mapping[str, Any], number: int) -> SesRecord:
    mail, receipt = _field(ses, "mail", dict), _field(ses, "receipt", dict)
    common = mail.get("commonHeaders") or {}
    headers = tuple((str(h.get("name", "")), str(h.get("value", ""))) for h in mail.get("headers") or [])
    verdicts = {
        name: str((receipt.get(f"{name}Verdict") or {}).get("status", "PROCESSING_FAILED"))
        for name in ("spf", "dkim", "dmarc", "spam", "virus")
    }
    stamp = receipt.get("timestamp")
    try:
        received_at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")) if stamp else None
    except ValueError:
        raise BadEvent(f"record {number}: receipt.timestamp is not a time: {stamp!r}") from None
    return SesRecord(
        message_id=str(_field(mail, "messageId", str)),
        from_=tuple(str(a) for a in common.get("from") or []),
        headers=headers,
        recipients=tuple(str(r) for r in receipt.get("recipients") or []),
        verdicts=verdicts,
        received_at=received_at,
    )


def _field(node: Any, name: str, kind: type) -> Any:
    value = node.get(name) if isinstance(node, Mapping) else None
    if not isinstance(value, kind):
        raise BadEvent(f"{name} is missing or not a {kind.__name__}")
    return value
