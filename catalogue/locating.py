"""Placing an initiative from its address: what the admin's "Géocoder l'adresse" does.

``locate_initiative`` places an initiative with ``geocoding.geocode_address``, falling back to the
centre of its commune from the offline territories table when the initiative has no point yet, and
never replacing a point by a less precise one, so that a curator's save never fails because of the
network.
"""

import enum
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from geocoding import GeocodedPlace, Precision, commune_code, geocode_address
from territories.models import Territory

from .models import Initiative

# What a geocoder's precision means for an initiative's point.
LOCATION_PRECISION = {
    Precision.ADDRESS: Initiative.LocationPrecision.ADDRESS,
    Precision.COMMUNE: Initiative.LocationPrecision.COMMUNE,
}


class LocateResult(enum.Enum):
    """How ``locate_initiative`` placed an initiative."""

    ADDRESS = "address"
    COMMUNE_CENTRE = "commune_centre"
    # The address was not found (or not given) and the point already there, which may have been
    # placed by hand, was left as it was.
    KEPT = "kept"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LocateOutcome:
    """What ``locate_initiative`` did, for the message shown to the curator."""

    result: LocateResult
    query: str = ""
    place: GeocodedPlace | None = None

    @property
    def found(self):
        """Whether a new point was set on the initiative (and is worth saving)."""
        return self.result in (LocateResult.ADDRESS, LocateResult.COMMUNE_CENTRE)


def address_query(initiative) -> str:
    """The text sent to the geocoder: the address, then the commune's postcode and name."""
    parts = [initiative.address.strip()]
    commune = initiative.commune
    if commune is not None:
        postcode = commune.postcodes[0] if commune.postcodes else ""
        parts.append(f"{postcode} {commune.name}".strip())
    return ", ".join(part for part in parts if part)


def locate_initiative(initiative) -> LocateOutcome:
    """Set ``location`` and ``location_precision`` of an initiative from its address. Does not save.

    An address found by the geocoders replaces the point: that is what the curator asked for.
    Otherwise a point already there is kept, since it may have been placed by hand; only an
    initiative without one is put at its commune's centre. When neither is found the initiative is
    left as it was.
    """
    commune = initiative.commune
    query = address_query(initiative)
    place = None
    if initiative.address.strip():
        citycode = commune.code if commune is not None and commune.kind == Territory.Kind.COMMUNE else None
        place = geocode_address(query, citycode=citycode)
        if place is not None and place.precision == Precision.ADDRESS:
            initiative.location = place.point
            initiative.location_precision = LOCATION_PRECISION[place.precision]
            _set_commune(initiative, place)
            return LocateOutcome(LocateResult.ADDRESS, query, place)

    if initiative.location is not None:
        return LocateOutcome(LocateResult.KEPT, query)
    # The geocoders only knew the commune: its centre, as they place it.
    if place is not None:
        initiative.location = place.point
        initiative.location_precision = LOCATION_PRECISION[place.precision]
        _set_commune(initiative, place)
        return LocateOutcome(LocateResult.COMMUNE_CENTRE, query, place)
    # The offline territories table answers without the network.
    if commune is not None and commune.centre is not None:
        initiative.location = Point(commune.centre.x, commune.centre.y, srid=4326)
        initiative.location_precision = Initiative.LocationPrecision.COMMUNE
        return LocateOutcome(LocateResult.COMMUNE_CENTRE, query)
    return LocateOutcome(LocateResult.NOT_FOUND, query)


def _set_commune(initiative, place):
    """An initiative without a commune takes the one the geocoder named (the BAN's ``citycode``),
    surer than the nearest town hall that saving would otherwise pick."""
    if initiative.commune_id is not None or not place.citycode:
        return
    initiative.commune = Territory.objects.communes().filter(code=commune_code(place.citycode)).first()
