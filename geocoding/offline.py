"""The first source: the offline territories table, for a query that only names a commune."""

import re

from django.contrib.gis.geos import Point

from territories.models import Territory
from territories.text import search_key

from .results import GeocodedPlace, Precision, Source

# A query that only names a commune, once through search_key() (which gives Territory.search_name):
# "59000", "62550 pernes", "pernes 62550", "pont a marcq". Any other digit makes it an address.
_POSTCODE_THEN_NAME = re.compile(r"(?P<postcode>\d{5})(?: (?P<name>\D+))?")
_NAME_THEN_POSTCODE = re.compile(r"(?P<name>\D+) (?P<postcode>\d{5})")


def named_commune(query, citycode):
    """The centre of the one commune the query names (see the module's docstring), or ``None``."""
    key = search_key(query)
    if match := _POSTCODE_THEN_NAME.fullmatch(key) or _NAME_THEN_POSTCODE.fullmatch(key):
        postcode, name = match["postcode"], match["name"]
    elif key and not any(char.isdigit() for char in key):
        postcode, name = None, key
    else:
        return None

    communes = Territory.objects.communes().filter(centre__isnull=False).defer("contour")
    if name:
        # The place search's exact match (its EXACT rank), on the indexed search key: a partial
        # match ("Pernes" in "Pernes-lès-Fontaines") is not the commune the query names.
        communes = communes.filter(search_name=name)
    if postcode:
        # A postcode and an INSEE code can be the same five digits: keep the postcode's communes.
        communes = communes.filter(search_codes__code=postcode)
    if citycode:
        communes = communes.filter(code=citycode)
    found = [commune for commune in communes if not postcode or postcode in commune.postcodes]
    if len(found) != 1:
        return None
    commune = found[0]
    return GeocodedPlace(
        point=Point(commune.centre.x, commune.centre.y, srid=4326),
        label=commune.name,
        score=1.0,
        precision=Precision.COMMUNE,
        citycode=commune.code,
        source=Source.TERRITORIES,
    )
