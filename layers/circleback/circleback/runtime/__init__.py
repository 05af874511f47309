"""Wiring for the Lambda handlers: settings from the environment, the clock, adapters created once per container.

Each adapter's module is imported when the adapter is first asked for, not with this module: every handler
imports this one, and each needs only some of them (the dispatcher no jinja2, the link pages no MIME or SES).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from circleback.domain.model import Frequency, Owner

if TYPE_CHECKING:
    from circleback.adapters.inbound import InboundStore
    from circleback.adapters.ses import SesMailer
    from circleback.adapters.sqs import DigestQueue
    from circleback.adapters.store.repository import Repository
    from circleback.auth.tokens import TokenSigner
    from circleback.mail.render import LinkFactory
    from circleback.services.digest import DigestSettings


Clock = Callable[[], datetime]  # an aware UTC datetime


def wall_clock() -> datetime:
    return datetime.now(UTC)


_clocks: list[Clock] = [wall_clock]  # the innermost `clock_set_to` wins


def now() -> datetime:
    """The time, as every handler reads it: the wall clock in Lambda; the demo's or a test's where they set one."""
    return _clocks[-1]()


@contextmanager
def clock_set_to(clock: Clock) -> Iterator[None]:
    """The handlers read `clock` inside the block (the demo runs its morning at a chosen time; tests fix it)."""
    _clocks.append(clock)
    try:
        yield
    finally:
        _clocks.pop()


class ConfigurationError(ValueError):
    """An environment variable the template sets is missing or malformed: the function cannot start."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"environment variable {variable} {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Environment:
    """The functions' environment variables, read once: a missing or malformed one is a clear error at start.

    A dataclass rather than a pydantic model: every function reads it on a cold start, and the link pages need
    nothing else from pydantic (about a third of the actions function's import time) until a form is posted.
    """

    TABLE_NAME: str
    QUEUE_URL: str = ""
    OWNER_ID: str = "owner"
    OWNER_EMAIL: str = ""
    OWNER_TIMEZONE: str = "UTC"
    OWNER_COUNTRY: str = "US"
    SEND_HOUR: int = 7
    DIGEST_FREQUENCY: Frequency = Frequency.DAILY
    SENDER_EMAIL: str = ""
    API_BASE_URL: str = ""
    SIGNING_SECRET_ID: str = ""
    SES_CONFIGURATION_SET: str = ""
    INBOUND_BUCKET: str = ""  # mail in: where SES receiving stores each message (template.yaml, MailIn)
    LOGGING_ADDRESS: str = ""  # mail in: the address the owner BCCs, forwards and replies to

    @classmethod
    def read(cls, variables: Mapping[str, str]) -> Environment:
        """The settings among `variables` (others are ignored); ConfigurationError names the first bad one."""
        values: dict[str, Any] = {f.name: variables[f.name] for f in fields(cls) if f.name in variables}
        if not values.get("TABLE_NAME"):
            raise ConfigurationError("TABLE_NAME", "is required")
        if "SEND_HOUR" in values:
            values["SEND_HOUR"] = _hour(values["SEND_HOUR"])
        if "DIGEST_FREQUENCY" in values:
            values["DIGEST_FREQUENCY"] = _frequency(values["DIGEST_FREQUENCY"])
        return cls(**values)

    def default_owner(self) -> Owner | None:
        if not self.OWNER_EMAIL:
            return None
        return Owner(
            id=self.OWNER_ID,
            email=self.OWNER_EMAIL,
            timezone=self.OWNER_TIMEZONE,
            country=self.OWNER_COUNTRY,
            send_hour=self.SEND_HOUR,
            frequency=self.DIGEST_FREQUENCY,
        )

    def digest_settings(self) -> DigestSettings:
        from email.utils import parseaddr

        from circleback.services.digest import DigestSettings

        domain = parseaddr(self.SENDER_EMAIL)[1].rpartition("@")[2] or "circleback.invalid"
        return DigestSettings(sender=self.SENDER_EMAIL, message_id_domain=domain, reply_to=self.LOGGING_ADDRESS or None)


def _hour(text: str) -> int:
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and int(digits) <= 23):
        raise ConfigurationError("SEND_HOUR", f"must be a whole hour from 0 to 23, not {text!r}")
    return int(digits)


def _frequency(text: str) -> Frequency:
    try:
        return Frequency(text)
    except ValueError:
        allowed = ", ".join(f.value for f in Frequency)
        raise ConfigurationError("DIGEST_FREQUENCY", f"must be one of {allowed}, not {text!r}") from None


@cache
def environment() -> Environment:
    import os

    return Environment.read(os.environ)


@cache
def repository() -> Repository:
    from circleback.adapters.store.repository import Repository

    return Repository(environment().TABLE_NAME)


@cache
def interactive_repository() -> Repository:
    """The table for the HTTP functions: calls that give up well inside their timeout (call_budgets.INTERACTIVE)."""
    from circleback.adapters.call_budgets import INTERACTIVE
    from circleback.adapters.store.repository import Repository, default_client

    return Repository(environment().TABLE_NAME, default_client(INTERACTIVE))


@cache
def digest_queue() -> DigestQueue:
    from circleback.adapters.sqs import DigestQueue

    return DigestQueue(environment().QUEUE_URL)


@cache
def mailer() -> SesMailer:
    from circleback.adapters.ses import SesMailer

    return SesMailer(environment().SES_CONFIGURATION_SET or None)


@cache
def signer() -> TokenSigner:
    from circleback.adapters.secrets import SecretsManagerKeyRing
    from circleback.auth.tokens import TokenSigner

    return TokenSigner(SecretsManagerKeyRing(environment().SIGNING_SECRET_ID))


@cache
def inbound_store() -> InboundStore:
    from circleback.adapters.inbound import InboundStore

    return InboundStore(environment().INBOUND_BUCKET)


def links_for(owner: Owner, digest_date: date, now: datetime) -> LinkFactory:
    from circleback.mail.links import DigestLinks

    return DigestLinks(signer(), environment().API_BASE_URL, owner.id, digest_date, now)


def reset() -> None:
    """Forget the cached environment and adapters (the demo and tests change the environment)."""
    for cached in (environment, repository, interactive_repository, digest_queue, mailer, signer, inbound_store):
        cached.cache_clear()
