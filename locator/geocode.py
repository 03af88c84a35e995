"""Turn what a person typed into a point in London, using only the offline tables.

Order of look-up for free text: full postcode (live, then terminated, then the O/0 typo),
postcode district, borough name or alias, place name. Coordinates are reverse-geocoded to the
nearest live postcode to learn the borough and police force.

Exact, case-insensitive matching only for now; fuzzy/full-text place search can be added behind
`Geocoder._place` without changing callers.
"""

from __future__ import annotations

import math
import sqlite3
import unicodedata
from dataclasses import dataclass, field

from . import messages, postcodes
from .names import name_key

MAX_QUERY_LENGTH = 100
# A London point is always within a few hundred metres of a live postcode; 3 km is generous
# (parks, reservoirs) while still telling "just outside the data" from "nowhere near London".
REVERSE_RADIUS_KM = 3.0
CITY_OF_LONDON_CODE = "E09000001"

KINDS = ("postcode", "terminated_postcode", "outcode", "borough", "place", "coordinates")


@dataclass(frozen=True)
class Alternative:
    label: str
    lat: float
    lon: float
    la_name: str | None


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
    corrected_from: str | None = None  # what was typed, when an O/0 typo was fixed
    note: str | None = None
    alternatives: tuple[Alternative, ...] = field(default=())  # same name elsewhere

    @property
    def in_city_of_london(self) -> bool:
        return self.la_code == CITY_OF_LONDON_CODE

    @property
    def borough(self) -> str | None:
        return self.la_name if self.in_london else None


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


def shown(text: str, limit: int = 60) -> str:
    """The user's text for echoing in a message: single-line and bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def clean_query(text: str) -> str:
    """Validate and normalise user text; raises InvalidQuery with an actionable message."""
    text = unicodedata.normalize("NFKC", text)
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            text[:MAX_QUERY_LENGTH],
            f"That is too long for a location ({len(text)} characters; the limit is "
            f"{MAX_QUERY_LENGTH}). Give a postcode, a town or a borough name.",
        )
    # U+FFFD is what invalid UTF-8 in the URL decodes to; Cc/Cs/Co/Cn are control, surrogate,
    # private-use and unassigned code points: none can be part of a London place name.
    bad = any(ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
              for ch in text if ch not in "\t\n\r")  # fmt: skip
    if bad:
        raise InvalidQuery(
            "", "We couldn't read that location: it contains characters that are not text."
        )
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidQuery("", "The location is empty. Give a postcode, a town or a borough.")
    return cleaned


def _equirectangular_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Good to a few metres over a few km: only used to pick the nearest postcode.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


class Geocoder:
    """Look-ups against an open (read-only) locator database connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # 33 rows: cheap to keep in memory, used on every answer for the police force.
        self._forces = dict(
            conn.execute("SELECT la_code, territorial_police_force FROM boroughs").fetchall()
        )
        self._areas = {
            row[0] for row in conn.execute("SELECT DISTINCT postcode_area FROM outcodes")
        }

    # --- public entry points ---------------------------------------------------------------

    def resolve(self, text: str) -> Location:
        """Any kind of location text."""
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
        found = self.borough(query) or self._place(query)
        if found is None:
            raise PlaceNotFound(query, messages.place_not_found(shown(query)))
        return found

    def resolve_postcode(self, text: str) -> Location:
        """Text given as a postcode: a full postcode or a district, nothing else."""
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
        nearest = self._nearest_postcode(lat, lon)
        label = f"{lat:.5f}, {lon:.5f}"
        if nearest is None:
            return Location(label, "coordinates", lat, lon, None, False, None)
        la_code, la_name, in_london = nearest
        return self._located(label, "coordinates", lat, lon, la_code, la_name, bool(in_london))

    # --- helpers -------------------------------------------------------------------------------

    def _located(
        self, label: str, kind: str, lat: float, lon: float, la_code: str | None,
        la_name: str | None, in_london: bool, corrected_from: str | None = None,
        note: str | None = None, alternatives: tuple[Alternative, ...] = (),
    ) -> Location:  # fmt: skip
        force = self._forces.get(la_code) if in_london and la_code else None
        return Location(
            label=label, kind=kind, lat=lat, lon=lon, la_name=la_name, in_london=in_london,
            police_force=force, la_code=la_code, corrected_from=corrected_from, note=note,
            alternatives=alternatives,
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

    def borough(self, query: str) -> Location | None:
        row = self.conn.execute(
            "SELECT b.la_code, b.name, b.lat, b.lon FROM borough_names n "
            "JOIN boroughs b ON b.la_code = n.la_code WHERE n.name_key = ?",
            (name_key(query),),
        ).fetchone()
        if row is None:
            return None
        la_code, name, lat, lon = row
        return self._located(name, "borough", lat, lon, la_code, name, True)

    def _place(self, query: str) -> Location | None:
        rows = self.conn.execute(
            "SELECT name, lat, lon, la_code, la_name, location_basis FROM places "
            "WHERE name_key = ? ORDER BY id",
            (name_key(query),),
        ).fetchall()
        if not rows:
            return None
        name, lat, lon, la_code, la_name, basis = rows[0]
        others = tuple(
            Alternative(f"{r[0]}, {r[4]}", r[1], r[2], r[4]) for r in rows[1:]
        )
        note = messages.APPROXIMATE_PLACE_NOTE if basis == "shared_msoa_centroid_approx" else None
        return self._located(
            f"{name}, {la_name}", "place", lat, lon, la_code, la_name, True,
            note=note, alternatives=others,
        )  # fmt: skip

    def _nearest_postcode(self, lat: float, lon: float) -> tuple[str, str, int] | None:
        """(la_code, la_name, in_greater_london) of the nearest live postcode, if close enough."""
        for radius in (0.5, REVERSE_RADIUS_KM):
            dlat = radius / 111.0
            dlon = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
            rows = self.conn.execute(
                "SELECT lat, lon, la_code, la_name, in_greater_london FROM postcodes "
                "WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
            ).fetchall()
            if rows:
                best = min(rows, key=lambda r: _equirectangular_km(lat, lon, r[0], r[1]))
                if _equirectangular_km(lat, lon, best[0], best[1]) <= radius:
                    return best[2], best[3], best[4]
        return None
