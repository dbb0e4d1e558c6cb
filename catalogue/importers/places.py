"""Where a row is, from the offline territories table only: never a network call.

The communes are read once per import (two to four seconds for all of France), then looked up
in memory by INSEE code, postcode and name, so that 10,000 rows cost no query each.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Point

from territories.models import Territory
from territories.text import search_key

# The arrondissements of Paris, Lyon and Marseille have INSEE codes of their own; the catalogue
# knows the commune.
_MUNICIPAL_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))
# How far beyond a région's bounding box a point may lie (coasts, islands): about 10 km.
_MARGIN_DEGREES = 0.1


@dataclass(frozen=True)
class Commune:
    pk: int
    code: str
    name: str
    centre: Point | None

    def __str__(self):
        return f"{self.name} ({self.code})"


class Places:
    def __init__(self):
        self.by_code, self.by_postcode, self.by_name = {}, defaultdict(list), defaultdict(list)
        rows = Territory.objects.filter(kind=Territory.Kind.COMMUNE).values_list(
            "pk", "code", "name", "postcodes", "centre"
        )
        for pk, code, name, postcodes, centre in rows:
            commune = Commune(pk, code, name, centre)
            self.by_code[code] = commune
            for postcode in postcodes or ():
                self.by_postcode[str(postcode)].append(commune)
            self.by_name[search_key(name)].append(commune)
        self.boxes = []
        # The régions' own contours are not loaded: a région's box is that of its communes'
        # contours, or of their centres when the territories were loaded without contours.
        extents = {}
        communes = Territory.objects.filter(kind=Territory.Kind.COMMUNE).order_by()
        for geometry in ("contour", "centre"):
            for region, extent in (
                communes.filter(**{f"{geometry}__isnull": False})
                .values("region")
                .annotate(extent=Extent(geometry))
                .values_list("region", "extent")
            ):
                if extent:
                    extents.setdefault(region, extent)
        for west, south, east, north in extents.values():
            self.boxes.append(
                (
                    west - _MARGIN_DEGREES,
                    south - _MARGIN_DEGREES,
                    east + _MARGIN_DEGREES,
                    north + _MARGIN_DEGREES,
                )
            )

    def commune(self, insee="", postcode="", name=""):
        """The commune a row names, or None. The INSEE code decides when it is given; otherwise the
        name within the postcode, the name alone when one commune bears it, the postcode alone when
        it serves one commune."""
        insee = insee.strip().upper()
        if insee:
            if len(insee) == 4 and insee.isdigit():
                insee = "0" + insee  # read as a number by a spreadsheet
            for prefix, commune_code in _MUNICIPAL_ARRONDISSEMENTS:
                if insee.startswith(prefix) and len(insee) == 5 and insee != commune_code:
                    insee = commune_code
            return self.by_code.get(insee)
        postcode = postcode.strip().replace(" ", "")
        if len(postcode) == 4 and postcode.isdigit():
            postcode = "0" + postcode
        key = search_key(name)
        if key:
            named = self.by_name.get(key, [])
            if postcode:
                within = [commune for commune in named if commune in self.by_postcode.get(postcode, ())]
                if len(within) == 1:
                    return within[0]
            if len(named) == 1 and (not postcode or postcode[:2] == named[0].code[:2]):
                return named[0]
        if postcode:
            served = self.by_postcode.get(postcode, [])
            if len(served) == 1 and not key:
                return served[0]
        return None

    def in_france(self, point):
        """Whether the point lies within France's régions (their bounding boxes, mainland and
        overseas): what catches points at 0,0, in the sea or on another continent."""
        if not self.boxes:
            return True  # no territories loaded: nothing to check against
        x, y = point.x, point.y
        return any(west <= x <= east and south <= y <= north for west, south, east, north in self.boxes)
