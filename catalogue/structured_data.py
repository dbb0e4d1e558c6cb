"""Structured data for search engines: an initiative as schema.org JSON-LD.

The initiative is typed ``["Place", "Organization"]``, a multi-typed entity, which schema.org allows
and JSON-LD writes as an array of types. A tiers-lieu is both: a place people go to (``Place`` gives
``address``, ``geo`` and ``keywords``) and a collective that can be reached and was founded at some
date (``Organization`` gives ``email``, ``telephone`` and ``foundingDate``, the properties Google's
Organization documentation reads). ``LocalBusiness``, the subtype of both, would say "a business":
wrong for an association, a centre social or a jardin partagé, and it would invite the opening hours
and prices that Google's local-business results expect and that we do not hold.

``dateModified`` belongs to ``CreativeWork``, not to a place: it is given to the fiche itself, the
``WebPage`` that ``mainEntityOfPage`` names, whose content is what was modified.

Everything is read from the relations that ``Initiative.objects.for_fiche()`` loads, so that building
it costs no query.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .postcodes import postcode

# What Django's json_script escapes: in HTML, a script element ends at the first "</script", and
# "<!--" changes how it is parsed; as \u escapes the characters remain the same JSON strings.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def initiative_json_ld(initiative, absolute_uri):
    """The schema.org description of an initiative, as a dict ready for ``json.dumps``.

    ``absolute_uri`` turns a path into a full URL (``request.build_absolute_uri``). Empty values are
    left out rather than given as ``""``, ``[]`` or ``None``, which structured-data validators flag.
    """
    fiche_url = absolute_uri(initiative.get_absolute_url())
    location = initiative.location
    data = {
        "@context": "https://schema.org",
        "@type": ["Place", "Organization"],
        "name": initiative.name,
        "description": initiative.summary,
        "url": fiche_url,
        "sameAs": initiative.website,
        "email": initiative.public_email,
        "telephone": initiative.phone,
        "image": absolute_uri(initiative.image.url) if initiative.image else None,
        "address": _postal_address(initiative),
        "geo": (
            {"@type": "GeoCoordinates", "latitude": location.y, "longitude": location.x}
            if location is not None
            else None
        ),
        # A year alone is an ISO 8601 date of reduced precision, which schema.org's Date accepts.
        "foundingDate": str(initiative.started_year) if initiative.started_year else None,
        # .all() reads the prefetched rows; filtering or ordering here would query again.
        "keywords": [kind.label for kind in initiative.kinds.all()]
        + [theme.label for theme in initiative.themes.all()],
        "mainEntityOfPage": {
            "@type": "WebPage",
            "@id": fiche_url,
            "dateModified": initiative.updated_at.isoformat() if initiative.updated_at else None,
        },
    }
    return _without_empty_values(data)


def _postal_address(initiative):
    commune = initiative.commune
    address = {
        "@type": "PostalAddress",
        "streetAddress": initiative.address,
        "addressLocality": commune.name if commune else None,
        # The one the address names, or the commune's only one (Lille has five).
        "postalCode": postcode(initiative.address, commune.postcodes) or None if commune else None,
        "addressRegion": commune.region.name if commune and commune.region else None,
        "addressCountry": "FR",
    }
    if not (address["streetAddress"] or address["addressLocality"]):
        return None  # a country alone is no address
    return address


def _without_empty_values(value):
    """The value with every empty string, list, dict and None removed, at any depth. A dict left
    with its "@type" alone describes nothing and goes too."""
    if isinstance(value, dict):
        cleaned = {key: _without_empty_values(item) for key, item in value.items()}
        cleaned = {key: item for key, item in cleaned.items() if item not in ("", None, [], {})}
        return cleaned if set(cleaned) - {"@type", "@context"} else {}
    if isinstance(value, list):
        return [item for item in map(_without_empty_values, value) if item not in ("", None, [], {})]
    return value


def json_ld_script(data, nonce=""):
    """A ``<script type="application/ld+json">`` element holding ``data``, which curator text inside
    it cannot close: ``<``, ``>`` and ``&`` are written as JSON escapes, as ``json_script`` does."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    nonce_attribute = format_html(' nonce="{}"', nonce) if nonce else ""
    # Safe: the JSON holds no "<", ">" or "&" any more, so it cannot end the element or open a tag.
    return format_html('<script type="application/ld+json"{}>{}</script>', nonce_attribute, mark_safe(text))
