"""Hypothesis strategies for contacts as the canonical checks accept them (so a property tests something)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from circleback.domain.countries import COUNTRY_CODES
from circleback.domain.model import Birthday, Contact, Relationship, Tier

TODAY = date(2026, 11, 22)

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(",;\\:\n\"'=+-@ é日🎉"), min_size=1, max_size=80
).map(str.strip)
_LINE = _TEXT.map(lambda text: " ".join(text.split())).filter(bool)  # names: one line, no control characters
_PAST = st.dates(min_value=date(1950, 1, 1), max_value=TODAY)
_BIRTHDAY = st.builds(
    lambda day, yearless: Birthday(day.month, day.day, None if yearless else day.year), _PAST, st.booleans()
)
contacts = st.builds(
    Contact,
    id=st.just("c1"),
    name=_LINE,
    created_on=st.just(TODAY),
    email=st.none() | st.from_regex(r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True),
    phone=st.none() | _LINE,
    linkedin_url=st.none()
    | st.from_regex(r"[a-z0-9-]{3,30}", fullmatch=True).map(lambda n: f"https://www.linkedin.com/in/{n}"),
    company=st.none() | _LINE,
    title=st.none() | _LINE,
    relationship=st.sampled_from(Relationship),
    tier=st.sampled_from(Tier),
    cadence_days=st.none() | st.integers(7, 730),
    country=st.none() | st.sampled_from(sorted(COUNTRY_CODES)),
    birthday=st.none() | _BIRTHDAY,
    worked_together_until=st.none() | _PAST,
    first_seen=st.none() | _PAST,
    tags=st.lists(_LINE.map(lambda t: t.replace(";", "")).map(str.strip).filter(bool), max_size=3, unique=True).map(
        tuple
    ),
    notes=st.none() | _TEXT.filter(bool),
    last_touch=st.none() | _PAST,
    paused=st.booleans(),
)
