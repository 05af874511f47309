"""Which known contact a file's row, or a touch's `contact` cell, means: by email, else LinkedIn address, else name.

One index for every way contacts arrive (imports, `contacts add`, restored backups), so a person is never matched
one way by one door and another way by the next. The forgiving matcher a person types at (`ana` finds Ana Souza)
is names.py's; this one is exact, as a file's rows need.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from circleback.domain.model import Contact


class ContactIndex:
    """Finds the contact a row or a reference means: by email, else LinkedIn address, else exact name.

    A row may carry several addresses (a Google or vCard contact): any of them finds the contact.
    """

    def __init__(self, contacts: list[Contact]) -> None:
        self.by_email: dict[str, list[Any]] = defaultdict(list)
        self.by_linkedin: dict[str, list[Any]] = defaultdict(list)
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self.identity: dict[int, tuple[frozenset[str], str | None]] = {}
        for contact in contacts:
            self.add(contact, [contact.email] if contact.email else [], contact.linkedin_url, contact.name)

    def add(self, ref: Any, emails: Sequence[str], linkedin_url: str | None, name: str) -> None:
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        self.identity[id(ref)] = (frozenset(email_keys), linkedin_key)
        for key in email_keys:
            self.by_email[key].append(ref)
        if linkedin_key:
            self.by_linkedin[linkedin_key].append(ref)
        self.by_name[name].append(ref)

    def match_by(self, emails: Sequence[str], linkedin_url: str | None, name: str) -> tuple[str | None, list[Any]]:
        """The field that matched and its candidates, by the first key that finds any.

        The email decides on its own (a person's LinkedIn address may change). A LinkedIn match whose
        email contradicts the row's, or a name match whose email or LinkedIn address does, is another
        person, never a match.
        """
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        by_email = list({id(ref): ref for key in email_keys for ref in self.by_email.get(key, [])}.values())
        if by_email:
            return "email", by_email
        if linkedin_key:
            found = [ref for ref in self.by_linkedin.get(linkedin_key, []) if self._compatible(ref, email_keys, None)]
            if found:
                return "linkedin_url", found
        found = [ref for ref in self.by_name.get(name, []) if self._compatible(ref, email_keys, linkedin_key)]
        return ("name", found) if found else (None, [])

    def resolve(self, reference: str) -> tuple[Any | None, str | None]:
        """A touch's or event's `contact` cell: an email or an exact name."""
        by_email = "@" in reference
        found = self.by_email.get(reference.casefold(), []) if by_email else self.by_name.get(reference, [])
        if not found:
            return None, f"no contact with the {'email' if by_email else 'name'} {reference!r}"
        if len(found) > 1:
            if by_email:
                return None, f"{len(found)} contacts have the email {reference!r}"
            return None, f"{len(found)} contacts are called {reference!r}; use the email instead"
        return found[0], None

    def _compatible(self, ref: Any, email_keys: Sequence[str], linkedin_key: str | None) -> bool:
        known_emails, known_linkedin = self.identity[id(ref)]
        if email_keys and known_emails and known_emails.isdisjoint(email_keys):
            return False
        return not (linkedin_key and known_linkedin and linkedin_key != known_linkedin)


def _email_keys(emails: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(email.casefold() for email in emails if email))


def normalise_linkedin(url: str) -> str | None:
    """The profile path of a LinkedIn address, for matching (`in/ana-souza`), or None if it is not one.

    A profile is `/in/<name>` (or the older `/pub/...`); company pages, posts and the bare site are not.
    """
    text = url.strip().lower()
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    host, _, path = text.partition("/")
    if host not in ("linkedin.com", "www.linkedin.com") and not host.endswith(".linkedin.com"):
        return None
    path = unquote(path.split("?", 1)[0].split("#", 1)[0])
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 2 and parts[0] == "in":
        return f"in/{parts[1]}"  # what follows the name (a locale, /details/...) is the same person
    if len(parts) >= 2 and parts[0] == "pub":
        return "/".join(parts)
    return None
