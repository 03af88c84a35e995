"""Distances on the WGS-84 ellipsoid, and the conservative bounds a spatial index relies on.

`geodesic_km` is the exact distance the API reports. `lower_bound_km` and `box_around` are cheap
and provably never overstate how close a point can be, so an index may skip points with them
without ever missing the true nearest. The proofs use the ellipsoid's line element in geodetic
latitude phi and longitude lambda:

    ds^2 = M(phi)^2 dphi^2 + N(phi)^2 cos^2(phi) dlambda^2

M (meridian radius of curvature) is smallest at the equator, M0 = a(1 - e^2); N >= a > M0; and
the parallel radius N cos(phi) shrinks monotonically towards the poles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS

_A_KM, _B_KM, _F = ELLIPSOIDS["WGS-84"]
_E2 = _F * (2 - _F)
# Built exactly as geopy.distance.geodesic builds it (kilometres, DISTANCE only), so results are
# bit-for-bit geopy's at about half the cost of going through geopy's Point/Distance objects.
_GEOD = Geodesic(_A_KM, _F)
_DISTANCE = Geodesic.DISTANCE

MIN_MERIDIAN_RADIUS_KM = _A_KM * (1 - _E2)  # M0, about 6335.44 km
# Inflate boxes and deflate lower bounds by far more than float rounding (~1e-15 relative), and
# than geographiclib's rounding of tiny angles to zero (under a picometre), so the inequalities
# below still hold for the numbers actually computed.
_SLACK = 1e-9
_SLACK_KM = 1e-6


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Exact WGS-84 geodesic distance; identical to geopy.distance.geodesic(...).km."""
    return _GEOD.Inverse(lat1, lon1, lat2, lon2, _DISTANCE)["s12"]


def lower_bound_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Never more than geodesic_km (within 1.1% of it), for about a tenth of the cost.

    ds^2 >= M0^2 (dphi^2 + cos^2(phi) dlambda^2): every path on the ellipsoid is at least M0 times
    as long as the same (phi, lambda) path on the unit sphere, which is at least the great-circle
    angle between the end points (haversine formula).
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(
        math.radians(lon2 - lon1) / 2
    ) ** 2
    angle = 2 * math.asin(min(1.0, math.sqrt(h)))
    return MIN_MERIDIAN_RADIUS_KM * angle * (1 - _SLACK) - _SLACK_KM


def parallel_radius_km(lat: float) -> float:
    """Radius of the circle of latitude `lat` (N cos phi); decreases towards the poles."""
    phi = math.radians(lat)
    return _A_KM * math.cos(phi) / math.sqrt(1 - _E2 * math.sin(phi) ** 2)


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float

    def contains_box(self, other: Box) -> bool:
        return (
            self.south <= other.south and other.north <= self.north
            and self.west <= other.west and other.east <= self.east
        )  # fmt: skip

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def box_around(lat: float, lon: float, radius_km: float) -> Box | None:
    """A lat/lon box such that every point outside it is more than `radius_km` away.

    None when such a box would reach a pole or cross the antimeridian (the caller then considers
    every point). Proof: a point more than dlat = r/M0 away in latitude is more than r away, since
    ds >= M0 |dphi|. Otherwise suppose a path shorter than r reaches a longitude more than dlon
    away: it never leaves |phi| <= |phi0| + dlat (= far), where the parallel radius is at least
    N(far) cos(far), so its length is at least that times dlon = r. Contradiction.
    """
    r = radius_km * (1 + _SLACK) + _SLACK_KM
    dlat = math.degrees(r / MIN_MERIDIAN_RADIUS_KM)
    far = abs(lat) + dlat
    if far >= 90:
        return None
    dlon = math.degrees(r / parallel_radius_km(far))
    if lon - dlon < -180 or lon + dlon > 180:
        return None
    return Box(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
