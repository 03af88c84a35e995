"""Turn what a person typed into a point in London, using only the offline tables.

Order of look-up for free text: full postcode (live, then terminated, then the O/0 typo),
postcode district, then a name: borough name or alias, or place, found exactly, by word prefixes
(FTS5) or despite a typo (search.NameSearch). A name that fits places far apart is not guessed:
AmbiguousLocation carries the candidates. "Name, Borough" picks a place within that borough,
which is why a candidate's label can be sent back as it is. Coordinates are reverse-geocoded to
the nearest live postcode (R*Tree, exact geodesic distance) to learn the borough and police force.
"""

from __future__ import annotations

import math
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from . import messages, postcodes
from .geodesy import lower_bound_km
from .names import COUNTER_WORDS
from .search import EXACT, TYPO, Hit, NameSearch
from .spatial import RTreeIndex, nearest

MAX_QUERY_LENGTH = 100
# A London point is always within a few hundred metres of a live postcode; 3 km is generous
# (parks, reservoirs) while still telling "just outside the data" from "nowhere near London".
REVERSE_RADIUS_KM = 3.0
# ~36 live postcodes per km2 on average, many more in the centre: a 100 m box usually holds one.
POSTCODE_SEARCH_START_KM = 0.1
CITY_OF_LONDON_CODE = "E09000001"
# Matches scoring within this of the best are as plausible as it; they make the answer
# ambiguous if they lie more than RIVAL_KM from it (neighbourhoods split by a borough boundary,
# like Kennington in Lambeth and Southwark, are one place for finding a counter).
SCORE_MARGIN = 0.05
RIVAL_KM = 3.0
MAX_CANDIDATES = 5
NAME_KINDS = ("borough", "place")  # order breaks score ties: "Lewisham" is the borough
CACHE_SIZE = 4096

KINDS = (
    "postcode", "terminated_postcode", "outcode", "borough", "place", "coordinates", "address",
)  # fmt: skip
# How the text was understood: as typed, with a typo fixed (O/0 or spelling), by completing
# words, or by the optional online geocoder.
MATCHES = ("exact", "typo", "prefix", "online")


@dataclass(frozen=True)
class Location:
    label: str
    kind: str  # one of KINDS
    lat: float
    lon: float
    la_name: str | None
    in_london: bool
    police_force: str | None
    la_code: str | None = None
    corrected_from: str | None = None  # what was typed, when a typo was fixed
    note: str | None = None
    match: str = "exact"  # one of MATCHES

    @property
    def in_city_of_london(self) -> bool:
        return self.la_code == CITY_OF_LONDON_CODE

    @property
    def borough(self) -> str | None:
        return self.la_name if self.in_london else None


@dataclass(frozen=True)
class Candidate:
    """One of several places a name could mean; `label` resolves to it when sent back."""

    label: str
    kind: str
    name: str  # the name that matched
    lat: float
    lon: float
    la_name: str
    score: float


class GeocodeError(Exception):
    """Base class; `shown` is the user's text, trimmed for echoing back."""

    def __init__(self, query: str, detail: str) -> None:
        self.query = query
        self.detail = detail
        super().__init__(detail)


class InvalidQuery(GeocodeError):
    """Empty, too long or unreadable text (control characters, invalid encoding)."""


class NotAPostcode(GeocodeError):
    """Text given as a postcode that has no postcode shape."""


class PostcodeNotFound(GeocodeError):
    """Looks like a postcode (or district) but is not in the tables."""


class PlaceNotFound(GeocodeError):
    """Not a known postcode, district, borough or place name."""


class AmbiguousLocation(GeocodeError):
    """The name fits several places far apart; the person has to choose."""

    def __init__(self, query: str, candidates: tuple[Candidate, ...]) -> None:
        super().__init__(query, messages.ambiguous_location(shown(query),
                                                            [c.label for c in candidates]))
        self.candidates = candidates


def shown(text: str, limit: int = 60) -> str:
    """The user's text for echoing in a message: single-line and bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def clean_query(text: str, what: str = "location") -> str:
    """Validate and normalise user text; raises InvalidQuery with an actionable message."""
    text = unicodedata.normalize("NFKC", text)
    example = messages.EXAMPLES.get(what, messages.EXAMPLES["location"])
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            text[:MAX_QUERY_LENGTH],
            f"That is too long for a {what} ({len(text)} characters; the limit is "
            f"{MAX_QUERY_LENGTH}). {example}",
        )
    # U+FFFD is what invalid UTF-8 in the URL decodes to; Cc/Cs/Co/Cn are control, surrogate,
    # private-use and unassigned code points: none can be part of a London place name.
    bad = any(ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
              for ch in text if ch not in "\t\n\r")  # fmt: skip
    if bad:
        raise InvalidQuery(
            "", f"We couldn't read that {what}: it contains characters that are not text."
        )
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidQuery("", f"The {what} is empty. {example}")
    return cleaned


@dataclass(frozen=True)
class _Place:
    name: str
    lat: float
    lon: float
    la_code: str
    la_name: str
    approximate: bool


@dataclass(frozen=True)
class _Borough:
    name: str
    lat: float
    lon: float


class Geocoder:
    """Look-ups against an open (read-only) locator database connection.

    Answers are cached per instance (one per database snapshot, so never stale): a busy service
    sees the same postcodes again and again.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # 33 rows: cheap to keep in memory, used on every answer for the police force.
        self._forces: dict[str, str] = {}
        self._boroughs: dict[str, _Borough] = {}
        for la_code, name, lat, lon, force in conn.execute(
            "SELECT la_code, name, lat, lon, territorial_police_force FROM boroughs"
        ):
            self._forces[la_code] = force
            self._boroughs[la_code] = _Borough(name, lat, lon)
        self._areas = {
            row[0] for row in conn.execute("SELECT DISTINCT postcode_area FROM outcodes")
        }
        self._places = {
            str(row[0]): _Place(row[1], row[2], row[3], row[4], row[5],
                                row[6] == "shared_msoa_centroid_approx")
            for row in conn.execute(
                "SELECT id, name, lat, lon, la_code, la_name, location_basis FROM places"
            )
        }  # fmt: skip
        self.names = NameSearch(conn)
        self._postcode_index = RTreeIndex(
            conn, "postcode_rtree",
            "SELECT p.postcode_key, p.lat, p.lon, p.la_code, p.la_name, p.in_greater_london "
            "FROM postcode_rtree AS r JOIN postcodes AS p ON p.rowid = r.id",
            start_km=POSTCODE_SEARCH_START_KM,
        )  # fmt: skip
        # The public entry points, memoised (errors are not: they are rarer and cheap).
        self.resolve: Callable[[str], Location] = lru_cache(CACHE_SIZE)(self._resolve)
        self.resolve_postcode: Callable[[str], Location] = lru_cache(CACHE_SIZE)(
            self._resolve_postcode
        )

    # --- entry points ------------------------------------------------------------------------

    def _resolve(self, text: str) -> Location:
        """Any kind of location text (public as `resolve`)."""
        query = clean_query(text)
        k = postcodes.key(query)
        if postcodes.is_postcode_key(k) or postcodes.typo_variants(k):
            found = self._postcode(k, query)
            if found is not None:
                return found
            if postcodes.is_postcode_key(k):
                raise PostcodeNotFound(query, self._postcode_missing(k))
        if postcodes.is_outcode_key(k) or postcodes.typo_variants(k, postcodes.OUTCODE_KEY):
            found = self._outcode(k)
            if found is not None:
                return found
            if postcodes.is_outcode_key(k):
                raise PostcodeNotFound(query, messages.outcode_not_found(shown(query)))
        return self._named(query)

    def _resolve_postcode(self, text: str) -> Location:
        """Text given as a postcode: a full postcode or a district, nothing else (public as
        `resolve_postcode`)."""
        query = clean_query(text)
        k = postcodes.key(query)
        full = postcodes.is_postcode_key(k) or bool(postcodes.typo_variants(k))
        district = postcodes.is_outcode_key(k) or bool(
            postcodes.typo_variants(k, postcodes.OUTCODE_KEY)
        )
        if not full and not district:
            raise NotAPostcode(query, messages.not_a_postcode(shown(query)))
        found = self._postcode(k, query) if full else None
        if found is None and district:
            found = self._outcode(k)
        if found is not None:
            return found
        if district and not full:
            raise PostcodeNotFound(query, messages.outcode_not_found(shown(query)))
        if postcodes.is_postcode_key(k):
            raise PostcodeNotFound(query, self._postcode_missing(k))
        raise PostcodeNotFound(query, messages.postcode_not_found(shown(query), True))

    def reverse(self, lat: float, lon: float) -> Location:
        """A coordinate pair, labelled with the borough of the nearest live postcode."""
        nearest_postcode = self._nearest_postcode(lat, lon)
        label = f"{lat:.5f}, {lon:.5f}"
        if nearest_postcode is None:
            return Location(label, "coordinates", lat, lon, None, False, None)
        la_code, la_name, in_london = nearest_postcode
        return self._located(label, "coordinates", lat, lon, la_code, la_name, bool(in_london))

    def borough(self, text: str) -> Location | None:
        """A borough by its exact name or alias ("RBKC"); None if the text is not one."""
        hits = [h for h in self.names.search(text, ("borough",)) if h.how == EXACT]
        return self._hit_location(hits[0], text) if hits else None

    # --- names -------------------------------------------------------------------------------

    def _named(self, query: str) -> Location:
        hits = self._within_named_borough(query) or self.names.search(query, NAME_KINDS)
        if not hits:
            # "Wimbledon police station" as a location means Wimbledon.
            hits = self.names.search(query, NAME_KINDS, COUNTER_WORDS)
        if not hits:
            raise PlaceNotFound(query, messages.place_not_found(shown(query)))
        best = hits[0]
        contenders = [h for h in hits[1:] if h.score >= best.score - SCORE_MARGIN]
        chosen = [best]
        for hit in contenders:
            if all(self._rivals(hit, other) for other in chosen):
                chosen.append(hit)
        if len(chosen) > 1:
            raise AmbiguousLocation(
                query, tuple(self._candidate(h) for h in chosen[:MAX_CANDIDATES])
            )
        return self._hit_location(best, query)

    def _within_named_borough(self, query: str) -> list[Hit]:
        """'Alexandra Park, Harrow': the hits for the part before the comma inside Harrow."""
        head, sep, tail = query.rpartition(",")
        if not sep or not head.strip():
            return []
        boroughs = [h for h in self.names.search(tail, ("borough",)) if h.how == EXACT]
        if not boroughs:
            return []
        la_code = boroughs[0].entry.ref
        return [
            h for h in self.names.search(head, NAME_KINDS)
            if (h.entry.ref if h.entry.kind == "borough" else self._places[h.entry.ref].la_code)
            == la_code
        ]  # fmt: skip

    def _point(self, hit: Hit) -> tuple[float, float, str]:
        """(lat, lon, la_code) of a borough or place hit."""
        if hit.entry.kind == "borough":
            borough = self._boroughs[hit.entry.ref]
            return borough.lat, borough.lon, hit.entry.ref
        place = self._places[hit.entry.ref]
        return place.lat, place.lon, place.la_code

    def _rivals(self, a: Hit, b: Hit) -> bool:
        """Could a and b be different places? Not if one is a borough containing the other."""
        (alat, alon, acode), (blat, blon, bcode) = self._point(a), self._point(b)
        if "borough" in (a.entry.kind, b.entry.kind) and acode == bcode:
            return False
        return lower_bound_km(alat, alon, blat, blon) > RIVAL_KM

    def _candidate(self, hit: Hit) -> Candidate:
        lat, lon, la_code = self._point(hit)
        borough = self._boroughs[la_code].name
        if hit.entry.kind == "borough":
            label = borough
        else:
            label = f"{self._places[hit.entry.ref].name}, {borough}"
        return Candidate(label, hit.entry.kind, hit.entry.name, lat, lon, borough,
                         round(hit.score, 2))  # fmt: skip

    def _hit_location(self, hit: Hit, typed: str) -> Location:
        corrected = typed if hit.how == TYPO else None
        if hit.entry.kind == "borough":
            borough = self._boroughs[hit.entry.ref]
            return self._located(
                borough.name, "borough", borough.lat, borough.lon, hit.entry.ref, borough.name,
                True, corrected_from=corrected, match=hit.how,
            )  # fmt: skip
        place = self._places[hit.entry.ref]
        return self._located(
            f"{place.name}, {place.la_name}", "place", place.lat, place.lon, place.la_code,
            place.la_name, True, corrected_from=corrected, match=hit.how,
            note=messages.APPROXIMATE_PLACE_NOTE if place.approximate else None,
        )  # fmt: skip

    # --- postcodes -----------------------------------------------------------------------------

    def _located(
        self, label: str, kind: str, lat: float, lon: float, la_code: str | None,
        la_name: str | None, in_london: bool, corrected_from: str | None = None,
        note: str | None = None, match: str | None = None,
    ) -> Location:  # fmt: skip
        force = self._forces.get(la_code) if in_london and la_code else None
        if match is None:
            match = "typo" if corrected_from else "exact"
        return Location(
            label=label, kind=kind, lat=lat, lon=lon, la_name=la_name, in_london=in_london,
            police_force=force, la_code=la_code, corrected_from=corrected_from, note=note,
            match=match,
        )  # fmt: skip

    def _postcode_row(self, table: str, k: str) -> sqlite3.Row | None:
        return self.conn.execute(
            f"SELECT postcode, lat, lon, la_code, la_name, in_greater_london FROM {table} "
            "WHERE postcode_key = ?",
            (k,),
        ).fetchone()

    def _postcode(self, k: str, typed: str) -> Location | None:
        candidates = [k] if postcodes.is_postcode_key(k) else []
        candidates += postcodes.typo_variants(k)
        # The text as typed wins; a typo variant only counts if it really exists.
        for table, kind in (("postcodes", "postcode"), ("terminated_postcodes",
                                                        "terminated_postcode")):
            for candidate in candidates:
                row = self._postcode_row(table, candidate)
                if row is None:
                    continue
                postcode, lat, lon, la_code, la_name, in_london = row
                return self._located(
                    postcode, kind, lat, lon, la_code, la_name, bool(in_london),
                    corrected_from=typed if candidate != k else None,
                    note=messages.TERMINATED_NOTE if kind == "terminated_postcode" else None,
                )  # fmt: skip
        return None

    def _postcode_missing(self, k: str) -> str:
        return messages.postcode_not_found(postcodes.display(k), postcodes.area(k) in self._areas)

    def _outcode(self, k: str) -> Location | None:
        candidates = [k] if postcodes.is_outcode_key(k) else []
        candidates += postcodes.typo_variants(k, postcodes.OUTCODE_KEY)
        for candidate in candidates:
            row = self.conn.execute(
                "SELECT outcode, lat, lon, la_code, la_name, london_share FROM outcodes "
                "WHERE outcode = ?",
                (candidate,),
            ).fetchone()
            if row is None:
                continue
            outcode, lat, lon, la_code, la_name, london_share = row
            # A district counts as London when its main local authority is a London borough.
            in_london = la_code.startswith("E09")
            note = None
            if 0 < london_share < 1:
                note = messages.partly_in_london(outcode, london_share)
            return self._located(
                outcode, "outcode", lat, lon, la_code, la_name, in_london, note=note,
                corrected_from=k if candidate != k else None,
            )  # fmt: skip
        return None

    def _nearest_postcode(self, lat: float, lon: float) -> tuple[str, str, int] | None:
        """(la_code, la_name, in_greater_london) of the nearest live postcode, if close enough."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        found = nearest(self._postcode_index, lat, lon, 1, max_km=REVERSE_RADIUS_KM)
        return found[0].payload if found else None
