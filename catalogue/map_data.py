"""The GeoJSON of published initiatives that the public map draws.

Built from ``values()`` rather than model instances or Django's GeoJSON serializer: two queries
whatever the number of initiatives (the initiatives, then the labels of their kinds), and no
object built per row.
"""

from collections import defaultdict
from urllib.parse import quote

from django.urls import reverse

from .models import Initiative

# Six decimals of a degree are about 10 cm: more only makes the payload heavier.
COORDINATE_PRECISION = 6
_SLUG_PLACEHOLDER = "--slug--"


def published_feature_collection(queryset=None):
    """A GeoJSON FeatureCollection of the published initiatives that have a location.

    ``queryset`` narrows the initiatives (a filter, a viewport); whatever it holds, only the
    published ones come out.
    """
    initiatives = (queryset if queryset is not None else Initiative.objects.all()).published().with_location()
    rows = list(
        initiatives.order_by("name", "pk").values(
            "pk", "name", "slug", "summary", "commune__name", "location"
        )
    )
    kinds = _kind_labels(initiatives)
    fiche_url = reverse("catalogue:initiative-detail", kwargs={"slug": _SLUG_PLACEHOLDER})
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["pk"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(row["location"].x, COORDINATE_PRECISION),
                        round(row["location"].y, COORDINATE_PRECISION),
                    ],
                },
                "properties": {
                    "name": row["name"],
                    "summary": row["summary"],
                    "commune": row["commune__name"] or "",
                    "kinds": kinds.get(row["pk"], []),
                    "url": fiche_url.replace(_SLUG_PLACEHOLDER, quote(row["slug"])),
                },
            }
            for row in rows
        ],
    }


def _kind_labels(initiatives):
    """The labels of each initiative's kinds, in the kinds' own order, keyed by initiative id."""
    through = Initiative.kinds.through
    links = (
        through.objects.filter(initiative__in=initiatives.values("pk"))
        .order_by("kind__position", "kind__label")
        .values_list("initiative_id", "kind__label")
    )
    labels = defaultdict(list)
    for initiative_id, label in links:
        labels[initiative_id].append(label)
    return labels
