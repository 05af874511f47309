"""How a contact can be reached: every due contact gets a way to write, whatever their card holds."""

from __future__ import annotations

from circleback.domain.model import Contact

EMAIL = "email"
LINKEDIN = "linkedin"
PHONE = "phone"


def ways_to_reach(contact: Contact) -> tuple[str, ...]:
    """The channels a contact has, in the order the digest offers them: email, LinkedIn message, phone."""
    found = (
        (EMAIL, contact.email),
        (LINKEDIN, contact.linkedin_url),
        (PHONE, contact.phone),
    )
    return tuple(channel for channel, value in found if value)


def unreachable(contact: Contact) -> bool:
    return not ways_to_reach(contact)
