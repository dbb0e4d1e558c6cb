"""The bounds of what the public catalogue accepts and shows, each written once.

Python reads these constants; the templates render the forms' own widgets, which carry them
(``maxlength``, ``min``, ``max``); the scripts read the map's from the page (``data-*`` attributes
of the map, see ``templates/catalogue/catalogue.html``). The plausible years of the models are in
``catalogue.models.constraints``; the length of a place typed is ``territories.text``'s.
"""

# A search box is for a few words, not a page of text: longer queries are refused by the form.
MAX_SEARCH_LENGTH = 200

# "Near a place": a few hundred kilometres is already most of France; more only makes the query
# slower.
MIN_RADIUS_KM = 1
DEFAULT_RADIUS_KM = 10
MAX_RADIUS_KM = 300

# Surfaces (m²) and investments (€) asked for in the filters: a thousand billion is beyond any project.
MAX_AMOUNT = 10**12

# Web Mercator, the projection of the map's tiles, stops short of the poles: a map's view never
# reaches further, and a box asked for is clamped there.
MAX_LATITUDE = 85.06

# Metropolitan France and Corsica (west, south, east, north): the map's view when nothing else says
# where to look.
FRANCE_BBOX = (-5.5, 41.2, 9.8, 51.2)
