"""Which known contact a file's row, or a touch's `contact` cell, means: by email, else LinkedIn address, else name.

One index for every way contacts arrive (imports, `contacts add`, restored backups), so a person is never matched
one way by one door and another way by the next. The forgiving matcher a person types at (`ana` finds Ana Souza)
is names.py's; this one takes a file's name exactly as written, as a file's rows need.

Why a file's name does not fold (names.folded: "Soren Kierkegaard" is "Søren Kierkegaard"), though a person adding
a contact is asked about a folded match (`same_name`, for `contacts add`): a row that matches a known contact is
merged over it (domain/merge.py), name included, so a folded match would rewrite "Søren" as "Soren" with every
file that spells it so, back and forth between sources, and a file's rows cannot be asked which they mean. A name
spelled another way in a file, with no email or LinkedIn address to match by, stays another contact (as a touch
cell spelled another way stays unresolved, with the reason); that is seen, and fixed by hand, where a wrong merge
or a lost spelling would not be. To fold here too, the merge should first keep a known name's spelling against
one that folds the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from circleback.domain.model import Contact
from circleback.domain.names import folded


class ContactIndex:
    """Finds the contact a row or a reference means: by email, else LinkedIn address, else exact name; and who a
    person could mean by a name, folded (`same_name`).

    A row may carry several addresses (a Google or vCard contact): any of them finds the contact.
    """

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self.by_email: dict[str, list[Any]] = defaultdict(list)
        self.by_linkedin: dict[str, list[Any]] = defaultdict(list)
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self._by_folded_name: dict[str, list[Any]] | None = None  # built when first asked (`same_name`)
        self.identity: dict[int, tuple[frozenset[str], str | None]] = {}
        for contact in contacts:
            self.add(contact, contact.emails, contact.linkedin_url, contact.name)

    def add(self, ref: Any, emails: Sequence[str], linkedin_url: str | None, name: str) -> None:
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        self.identity[id(ref)] = (frozenset(email_keys), linkedin_key)
        for key in email_keys:
            self.by_email[key].append(ref)
        if linkedin_key:
            self.by_linkedin[linkedin_key].append(ref)
        self.by_name[name].append(ref)
        self._by_folded_name = None

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

    def same_name(self, name: str, emails: Sequence[str] = (), linkedin_url: str | None = None) -> list[Any]:
        """Everyone a person could mean by the name: the same folded name (case, accents, spacing and script aside;
        exact spellings first), and no email or LinkedIn address that contradicts the given ones. For a person to
        be asked about, never to match a file's row by (see the module's docstring).
        """
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        exact = {id(ref) for ref in self.by_name.get(name, [])}
        found = [r for r in self._folded_names().get(folded(name), []) if self._compatible(r, email_keys, linkedin_key)]
        return sorted(found, key=lambda ref: id(ref) not in exact)

    def _folded_names(self) -> dict[str, list[Any]]:
        if self._by_folded_name is None:
            self._by_folded_name = defaultdict(list)
            for name, refs in self.by_name.items():
                if key := folded(name):  # a name of no letters (only apostrophes) is like no other name
                    self._by_folded_name[key].extend(refs)
        return self._by_folded_name

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
