"""The digest's link addresses: every action link carries a signed token the actions API verifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from circleback.auth.tokens import Action, Purpose, TokenSigner


@dataclass(frozen=True, slots=True)
class DigestLinks:
    """Links for one owner's digest of one local date (the mail renderer's LinkFactory)."""

    signer: TokenSigner
    base_url: str
    owner_id: str
    digest_date: date
    now: datetime

    def action_url(self, contact_id: str, action: str) -> str:
        token = self.signer.sign(
            self.owner_id, contact_id, Action(action), self.digest_date.isoformat(), Purpose.ACTION, self.now
        )
        return f"{self.base_url.rstrip('/')}/{token}"  # the root: every character counts (docs/links.md)

    def pause_url(self) -> str:
        token = self.signer.sign(
            self.owner_id, None, Action.PAUSE, self.digest_date.isoformat(), Purpose.UNSUBSCRIBE, self.now
        )
        return f"{self.base_url.rstrip('/')}/unsubscribe/{token}"

    def add_url(self, person_key: str) -> str:
        token = self.signer.sign(
            self.owner_id, person_key, Action.ADD, self.digest_date.isoformat(), Purpose.ADD, self.now
        )
        return f"{self.base_url.rstrip('/')}/add/{token}"

    def settings_hint(self) -> str:
        return "Change the send time, frequency or goal with `circleback settings set`."
