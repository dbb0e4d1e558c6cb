"""What the local BAN and Nominatim servers answer in the geocoding tests, and how they fail."""

from tests.ban_server import ban_feature
from tests.nominatim_server import nominatim_place

ADDRESS = "12 rue de la Gare, 62550 Pernes"
PERNES_STATION = ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652")
PERNES_STATION_OSM = nominatim_place(
    2.4105, 50.4840, "12, Rue de la Gare, Pernes, Saint-Pol-sur-Ternoise, Pas-de-Calais, France"
)

# What the BAN may answer that is not to be trusted for Pernes's station.
UNTRUSTED_BAN_ANSWERS = {
    "low score": ban_feature(2.41, 50.48, "Rue de la Gare 62550 Pernes", score=0.31, kind="street"),
    "elsewhere": ban_feature(3.06, 50.63, "12 Rue de la Gare 59000 Lille", citycode="59350"),
}


def fail(server, how):
    """Make a local service fail: "timeout", an HTTP status, or "nothing" (an empty answer)."""
    if how == "timeout":
        server.slow_down(5)
    elif how == "nothing":
        server.answer()
    else:
        server.fail(how)
