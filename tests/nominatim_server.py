"""A tiny local stand-in for Nominatim (OpenStreetMap), so that geocoding tests never leave 127.0.0.1.

It answers ``/search`` as Nominatim does with ``format=json`` and ``addressdetails=1``: a JSON list of
places whose ``lat`` and ``lon`` are strings, with ``display_name``, ``class``, ``type``,
``addresstype``, ``importance``, an ``address`` and, when asked, ``extratags``. Like the BAN's
stand-in it records every request (with its headers and the time it arrived) and can fail.

    with serve_nominatim(settings) as nominatim:
        nominatim.answer(nominatim_place(2.41, 50.48, "12, Rue de la Gare, Pernes, …"))
"""

from tests.ban_server import LocalGeocoder, serving


def nominatim_place(
    lon,
    lat,
    display_name,
    *,
    category="place",
    kind="house",
    addresstype="place",
    importance=0.00001,
    address=None,
    extratags=None,
):
    """One place as Nominatim returns it (coordinates are strings, latitude first)."""
    return {
        "place_id": 123456,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "node",
        "osm_id": 987654,
        "lat": str(lat),
        "lon": str(lon),
        "class": category,
        "type": kind,
        "place_rank": 30,
        "importance": importance,
        "addresstype": addresstype,
        "name": "",
        "display_name": display_name,
        "address": address
        if address is not None
        else {
            "house_number": "12",
            "road": "Rue de la Gare",
            "village": "Pernes",
            "municipality": "Saint-Pol-sur-Ternoise",
            "county": "Pas-de-Calais",
            "ISO3166-2-lvl6": "FR-62",
            "state": "Hauts-de-France",
            "ISO3166-2-lvl4": "FR-HDF",
            "postcode": "62550",
            "country": "France",
            "country_code": "fr",
        },
        "extratags": extratags if extratags is not None else {},
        "boundingbox": [str(lat - 0.0001), str(lat + 0.0001), str(lon - 0.0001), str(lon + 0.0001)],
    }


class NominatimServer(LocalGeocoder):
    """Answers like Nominatim: a JSON list of at most ``limit`` places."""

    def body(self, query):
        if self.raw is not None:
            return self.raw
        # Nominatim leaves out what was not asked for.
        left_out = {"address"} if query.get("addressdetails") is None else set()
        if query.get("extratags") is None:
            left_out.add("extratags")
        places = self.results[: int(query.get("limit", 10))]
        return [{key: value for key, value in place.items() if key not in left_out} for place in places]


def serve_nominatim(settings, min_delay=0.0):
    """Run a NominatimServer and point ``settings.GEOCODING`` at it for the duration, with this
    rate limit (none by default, so that tests do not wait)."""
    nominatim = NominatimServer()
    return serving(
        nominatim,
        settings,
        NOMINATIM_DOMAIN=nominatim.domain,
        NOMINATIM_SCHEME="http",
        NOMINATIM_MIN_DELAY=min_delay,
    )
