"""Initiatives know their territories: the commune their point lies in, and through it their
intercommunality, département and région; ``Initiative.objects.in_territory()`` finds them from any of
these, or from the territories they serve.

Every test reads the whole table of France that ``tests/conftest.py`` loads once per session.
"""

import json

import pytest
from django.contrib.gis.geos import Point

from catalogue.models import Initiative
from territories.models import Territory
from tests.catalogue.test_admin import ADD, initiative_form
from tests.factories import InitiativeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]

Kind = Territory.Kind
# About 300 m north-east of Pernes' town hall (2.4109, 50.4838), still inside the commune.
IN_PERNES = Point(2.4140, 50.4855, srid=4326)
IN_LILLE = Point(3.0636, 50.6372, srid=4326)  # the Grand-Place
MID_ATLANTIC = Point(-30, 45, srid=4326)
# In the Guyane forest, 70 km south of Maripasoula's town hall (-54.0338, 3.6444) and farther still
# from any other commune's.
GUYANE_FOREST = Point(-54.0, 3.0, srid=4326)


def territory(kind, code):
    return Territory.objects.get(kind=kind, code=code)


@pytest.fixture
def places():
    """The territories these tests talk about, by a name a reader knows."""
    return {
        "Pernes": territory(Kind.COMMUNE, "62652"),
        "Lille": territory(Kind.COMMUNE, "59350"),
        "Ennevelin": territory(Kind.COMMUNE, "59197"),
        "Pont-à-Marcq": territory(Kind.COMMUNE, "59466"),
        "CC du Ternois": territory(Kind.EPCI, "200069672"),
        "CC Pévèle-Carembault": territory(Kind.EPCI, "200041960"),
        "Métropole Européenne de Lille": territory(Kind.EPCI, "200093201"),
        "Pas-de-Calais": territory(Kind.DEPARTEMENT, "62"),
        "Nord": territory(Kind.DEPARTEMENT, "59"),
        "Hauts-de-France": territory(Kind.REGION, "32"),
        "Île-de-France": territory(Kind.REGION, "11"),
    }


def where_found(initiative, places):
    """The names of the places whose filter finds the initiative."""
    return {
        name
        for name, place in places.items()
        if Initiative.objects.in_territory(place).filter(pk=initiative.pk)
    }


# --- The commune of a point -----------------------------------------------------------------------


def test_an_initiative_placed_in_pernes_gets_pernes_and_through_it_the_ternois(places):
    initiative = InitiativeFactory(commune=None, location=IN_PERNES, location_precision="address")

    initiative.refresh_from_db()
    assert initiative.commune == places["Pernes"]
    assert initiative.commune.epci == places["CC du Ternois"]
    assert initiative.commune.departement == places["Pas-de-Calais"]
    assert initiative.commune.region == places["Hauts-de-France"]


def test_an_initiative_at_the_centre_of_its_commune_gets_that_commune(places):
    lille = places["Lille"]

    initiative = InitiativeFactory(commune=None, location=lille.centre, location_precision="commune")

    assert Initiative.objects.get(pk=initiative.pk).commune == lille


def test_a_point_standing_for_an_area_gets_no_commune():
    initiative = InitiativeFactory(commune=None, location=IN_PERNES, location_precision="area")

    initiative.refresh_from_db()
    assert initiative.commune is None
    assert initiative.location is not None


def test_a_point_far_from_france_gets_no_commune():
    initiative = InitiativeFactory(commune=None, location=MID_ATLANTIC, location_precision="address")

    initiative.refresh_from_db()
    assert initiative.commune is None
    assert Territory.objects.commune_at(MID_ATLANTIC) is None


def test_an_initiative_keeps_the_commune_it_was_given_wherever_its_point_is(places):
    initiative = InitiativeFactory(commune=places["Lille"], location=IN_PERNES, location_precision="address")

    initiative.refresh_from_db()
    assert initiative.commune == places["Lille"]


def test_an_initiative_without_a_point_gets_no_commune():
    initiative = InitiativeFactory(commune=None, location=None)

    initiative.refresh_from_db()
    assert initiative.commune is None


def test_a_point_added_later_gives_the_commune(places):
    initiative = InitiativeFactory(commune=None, location=None)

    initiative.location = IN_LILLE
    initiative.save()

    initiative.refresh_from_db()
    assert initiative.commune == places["Lille"]


@pytest.mark.parametrize(
    ("point", "code"),
    [
        (IN_PERNES, "62652"),
        (IN_LILLE, "59350"),
        (Point(2.3522, 48.8566, srid=4326), "75056"),  # Paris, Hôtel de Ville
        (Point(8.7369, 41.9192, srid=4326), "2A004"),  # Ajaccio
        (Point(-54.0338, 3.6444, srid=4326), "97353"),  # Maripasoula's town hall
        (GUYANE_FOREST, "97353"),
    ],
)
def test_commune_at_finds_the_commune_of_a_point(point, code):
    assert Territory.objects.commune_at(point).code == code


# Inside Pernes, but nearer to the town hall of Sachin than to Pernes's own.
PERNES_NEAR_SACHIN = Point(2.38412, 50.49189, srid=4326)


def test_the_contour_decides_where_the_nearest_town_hall_would_be_wrong():
    assert Territory.objects.commune_at(PERNES_NEAR_SACHIN).code == "62652"

    # Without contours (rolled back after the test), the nearest town hall is the guess.
    Territory.objects.communes().filter(code="62652").update(contour=None)
    assert Territory.objects.commune_at(PERNES_NEAR_SACHIN).code == "62732"


# --- Filtering by territory -----------------------------------------------------------------------


def test_an_initiative_located_in_pernes_is_found_from_each_of_its_territories(places):
    initiative = InitiativeFactory(commune=None, location=IN_PERNES, location_precision="address")

    assert where_found(initiative, places) == {"Pernes", "CC du Ternois", "Pas-de-Calais", "Hauts-de-France"}


def test_an_initiative_serving_an_intercommunality_is_found_from_it_and_what_contains_it(places):
    initiative = InitiativeFactory(commune=None, location=None)
    initiative.territories_served.add(places["CC Pévèle-Carembault"])

    # Not from its communes: serving the whole intercommunality says nothing about where it is.
    assert where_found(initiative, places) == {"CC Pévèle-Carembault", "Nord", "Hauts-de-France"}


def test_an_initiative_serving_a_commune_is_found_from_the_territories_that_contain_it(places):
    initiative = InitiativeFactory(commune=None, location=None)
    initiative.territories_served.add(places["Ennevelin"])

    assert where_found(initiative, places) == {"Ennevelin", "CC Pévèle-Carembault", "Nord", "Hauts-de-France"}


def test_an_initiative_serving_a_departement_is_found_from_it_and_its_region_only(places):
    initiative = InitiativeFactory(commune=None, location=None)
    initiative.territories_served.add(places["Nord"])

    assert where_found(initiative, places) == {"Nord", "Hauts-de-France"}


def test_an_initiative_in_one_place_serving_another_is_found_from_both(places):
    initiative = InitiativeFactory(commune=places["Pernes"], location=IN_PERNES)
    initiative.territories_served.add(places["Métropole Européenne de Lille"])

    assert where_found(initiative, places) == {
        "Pernes",
        "CC du Ternois",
        "Pas-de-Calais",
        "Métropole Européenne de Lille",
        "Nord",
        "Hauts-de-France",
    }


def test_an_initiative_is_listed_once_however_many_ways_it_is_in_a_territory(places):
    initiative = InitiativeFactory(commune=places["Pernes"], location=IN_PERNES)
    initiative.territories_served.add(places["Pernes"], places["CC du Ternois"], places["Pas-de-Calais"])

    for name in ("Pernes", "CC du Ternois", "Pas-de-Calais", "Hauts-de-France"):
        assert list(Initiative.objects.in_territory(places[name])) == [initiative], name


def test_in_territory_combines_with_other_filters(places):
    published = InitiativeFactory(commune=places["Lille"], status=Initiative.Status.PUBLISHED)
    InitiativeFactory(commune=places["Lille"], status=Initiative.Status.DRAFT)

    assert list(Initiative.objects.published().in_territory(places["Nord"])) == [published]


# --- The seed's entries ---------------------------------------------------------------------------


def slugs(queryset):
    found = list(queryset.values_list("slug", flat=True))
    assert len(found) == len(set(found)), found  # no entry twice
    return set(found)


def test_the_seed_entries_are_where_the_fixtures_put_them(seed, places):
    entries = {initiative.slug: initiative for initiative in Initiative.objects.select_related("commune")}

    assert entries["cirquen-cavale"].commune == places["Pernes"]
    assert entries["saint-so-bazaar"].commune == places["Lille"]
    assert entries["friche-fives-cail"].commune == places["Lille"]
    # These two serve an intercommunality; their point only shows the area on the map.
    for slug, served in (
        ("la-passerelle", "CC Pévèle-Carembault"),
        ("centres-sociaux-connectes", "Métropole Européenne de Lille"),
    ):
        assert entries[slug].commune is None
        assert entries[slug].location_precision == Initiative.LocationPrecision.AREA
        assert list(entries[slug].territories_served.all()) == [places[served]]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Nord", {"saint-so-bazaar", "la-passerelle", "centres-sociaux-connectes", "friche-fives-cail"}),
        ("Pas-de-Calais", {"cirquen-cavale"}),
        (
            "Hauts-de-France",
            {
                "cirquen-cavale",
                "saint-so-bazaar",
                "la-passerelle",
                "centres-sociaux-connectes",
                "friche-fives-cail",
            },
        ),
        (
            "Métropole Européenne de Lille",
            {"saint-so-bazaar", "centres-sociaux-connectes", "friche-fives-cail"},
        ),
        ("CC Pévèle-Carembault", {"la-passerelle"}),
        ("CC du Ternois", {"cirquen-cavale"}),
        ("Pernes", {"cirquen-cavale"}),
        ("Lille", {"saint-so-bazaar", "friche-fives-cail"}),
        ("Pont-à-Marcq", set()),
        ("Île-de-France", set()),
    ],
)
def test_the_seed_entries_by_territory(seed, places, place, expected):
    assert slugs(Initiative.objects.in_territory(places[place])) == expected


def test_saving_a_seed_entry_that_stands_for_an_area_gives_it_no_commune(seed):
    passerelle = Initiative.objects.get(slug="la-passerelle")

    passerelle.save()

    passerelle.refresh_from_db()
    assert passerelle.commune is None


# --- The admin ------------------------------------------------------------------------------------


def geojson(point):
    """The location as the Leaflet widget posts it."""
    return json.dumps({"type": "Point", "coordinates": [point.x, point.y]})


def added(client, **fields):
    response = client.post(ADD, initiative_form(**fields))
    assert response.status_code == 302, response.context and response.context["errors"]
    return Initiative.objects.select_related("commune").get(name="La Ressourcerie du Ternois")


def test_a_curator_who_places_the_point_gets_the_commune_filled_in(curator_client, places):
    initiative = added(curator_client, location=geojson(IN_PERNES), location_precision="address")

    assert initiative.commune == places["Pernes"]
    assert Initiative.objects.in_territory(places["CC du Ternois"]).get() == initiative


def test_a_curator_who_places_an_area_gets_no_commune(curator_client):
    initiative = added(curator_client, location=geojson(IN_PERNES), location_precision="area")

    assert initiative.commune is None


def test_a_curator_who_chooses_the_commune_keeps_it(curator_client, places):
    initiative = added(
        curator_client,
        commune=str(places["Lille"].pk),
        location=geojson(IN_PERNES),
        location_precision="address",
    )

    assert initiative.commune == places["Lille"]
