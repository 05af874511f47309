"""How a contact can be reached: every due contact gets a way to write, whatever their card holds."""

from __future__ import annotations

import re
from urllib.parse import quote

from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import Contact

EMAIL = "email"
LINKEDIN = "linkedin"
PHONE = "phone"
_DIALLED = re.compile(r"[^\d]")
MIN_PHONE_DIGITS = 5  # shorter is an extension or a typo, not a number a phone can call


def ways_to_reach(contact: Contact) -> tuple[str, ...]:
    """The channels a contact has, in the order the digest offers them: email, LinkedIn message, phone."""
    found = (
        (EMAIL, contact.email),
        (LINKEDIN, linkedin_profile(contact)),
        (PHONE, dialled(contact.phone)),
    )
    return tuple(channel for channel, value in found if value)


def unreachable(contact: Contact) -> bool:
    return not ways_to_reach(contact)


def linkedin_profile(contact: Contact) -> str | None:
    """The contact's LinkedIn profile as an https address (where "Message" is one click), or None when their
    LinkedIn field is not a profile (a company page, a post, something else)."""
    path = normalise_linkedin(contact.linkedin_url) if contact.linkedin_url else None
    return f"https://www.linkedin.com/{quote(path, safe='/')}/" if path else None


def dialled(phone: str | None) -> str | None:
    """A phone number as a tel: or sms: link dials it: digits, with a leading + kept ("+44 20 7946 0958" ->
    "+442079460958"); None when there are too few digits to call."""
    if not phone:
        return None
    digits = _DIALLED.sub("", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return f"+{digits}" if phone.strip().startswith("+") else digits
