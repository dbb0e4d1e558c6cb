"""The public API, as a developer of another site reads it: the published initiatives through the
catalogue's own filters, as JSON and GeoJSON, page by page; an initiative's every public fact and its
comparable projects; the territories; the vocabularies; and the HTTP around them (caching, CORS, the
rate limit, the methods it refuses)."""

import json
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import override
from hypothesis import given

from catalogue.models import Initiative, Stage
from tests.catalogue.test_query_strings import (
    SCRIPT,
    bad_whole_numbers,
    examples,
    fetch,
    pairs,
    query_strings,
)
from tests.factories import (
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("api:initiative-list")
GEOJSON = reverse("api:initiative-geojson")


def detail_url(initiative):
    return reverse("api:initiative-detail", args=[initiative.slug])


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limit counts in the cache: each test starts with none of the others' requests."""
    cache.clear()
    yield
    cache.clear()


# --- The list -----------------------------------------------------------------------------------


def test_the_list_holds_the_published_entries_with_their_facts(client, tiers_lieu):
    InitiativeFactory(name="Brouillon secret", status=Initiative.Status.DRAFT)
    InitiativeFactory(name="Archive ancienne", status=Initiative.Status.ARCHIVED)

    response = client.get(LIST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    page = response.json()
    assert page["count"] == 1
    assert page["filter_errors"] == {}
    (item,) = page["results"]
    assert item["name"] == "La Grange de Pernes"
    assert item["commune"] == {"code": "62652", "name": "Pernes"}
    assert item["kinds"] == [{"slug": "grange-partagee", "label": "Grange partagée"}]
    assert item["legal_forms"] == [{"slug": "association", "label": "Association loi 1901"}]
    assert (item["longitude"], item["latitude"]) == pytest.approx((2.4098, 50.4843))
    assert item["fiche"] == "http://testserver" + tiers_lieu.get_absolute_url()
    assert item["url"] == "http://testserver" + detail_url(tiers_lieu)


def test_the_geojson_list_is_a_feature_collection_with_points(client, tiers_lieu):
    InitiativeFactory(name="Sans lieu", location=None)

    response = client.get(GEOJSON)

    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["count"] == 2
    by_name = {feature["properties"]["name"]: feature for feature in collection["features"]}
    grange = by_name["La Grange de Pernes"]
    assert grange["type"] == "Feature"
    assert grange["geometry"]["type"] == "Point"
    assert grange["geometry"]["coordinates"] == pytest.approx([2.4098, 50.4843])
    assert by_name["Sans lieu"]["geometry"] is None


def test_the_pages_follow_a_stable_order_without_gaps_or_repeats(client, territories):
    for n in range(7):
        InitiativeFactory(name="Même nom" if n % 2 else f"Lieu {n}")

    seen, url = [], f"{LIST}?par_page=3"
    while url:
        page = client.get(url).json()
        seen += [item["slug"] for item in page["results"]]
        url = page["next"]

    assert len(seen) == 7
    assert len(set(seen)) == 7
    expected = list(Initiative.objects.published().order_by("name", "pk").values_list("slug", flat=True))
    assert seen == expected


@pytest.mark.parametrize("query", ["page=999", "page=abc", "page=0", "par_page=-1"])
def test_a_page_that_is_not_one_is_a_404_or_the_default_page_never_an_error(client, tiers_lieu, query):
    response = client.get(f"{LIST}?{query}")

    assert response.status_code in (200, 404)
    if response.status_code == 404:
        assert "detail" in response.json()


def test_the_filters_are_the_list_page_s_own(client, seed, tiers_lieu):
    queries = [
        {"type": "grange-partagee"},
        {"territoire": "Pernes (62)"},
        {"q": "grange"},
        {"reseau": "granges"},
        {"forme": "association", "theme": "alimentation"},
        {"pres_de": "Lille (59)", "rayon": 100},
        {"tri": "recent"},
    ]
    for query in queries:
        page = client.get(reverse("catalogue:map"), query)
        on_the_page = [initiative.slug for initiative in page.context["initiatives"]]
        api = client.get(LIST, {**query, "par_page": 20}).json()
        assert [item["slug"] for item in api["results"]] == on_the_page, query
        assert api["count"] == page.context["paginator"].count, query


def test_a_value_not_understood_is_reported_and_the_other_filters_apply(client, tiers_lieu):
    InitiativeFactory(name="Ailleurs")

    page = client.get(
        LIST, {"forme": "n-existe-pas", "type": "grange-partagee", "surface_min": "beaucoup"}
    ).json()

    assert set(page["filter_errors"]) == {"forme", "surface_min"}
    assert all(page["filter_errors"][name] for name in page["filter_errors"])
    assert [item["name"] for item in page["results"]] == ["La Grange de Pernes"]


def test_near_a_place_each_item_says_how_far(client, tiers_lieu):
    page = client.get(LIST, {"pres_de": "Pernes (62)", "rayon": 10}).json()

    assert page["results"][0]["distance_km"] < 2


def test_the_list_reads_a_bounded_number_of_queries(client, tiers_lieu, django_assert_max_num_queries):
    for n in range(30):
        initiative = InitiativeFactory(name=f"Lieu {n}", kinds=[KindFactory()])
        LegalEntityFactory(initiative=initiative)

    with django_assert_max_num_queries(12):
        page = client.get(LIST).json()
    with django_assert_max_num_queries(12):
        client.get(GEOJSON)

    assert page["count"] == 31


# --- The detail and the comparables -------------------------------------------------------------


def test_the_detail_holds_every_public_fact(client, tiers_lieu):
    detail = client.get(detail_url(tiers_lieu)).json()

    assert detail["name"] == "La Grange de Pernes"
    assert detail["description"].startswith("Une **grange**")
    assert "<strong>grange</strong>" in detail["description_html"]
    assert "<script" not in detail["description_html"]
    assert detail["surface_m2"] == 450
    assert detail["public_email"] == "bonjour@grange.example.org"
    assert detail["territories_served"][0]["name"] == tiers_lieu.commune.epci.name
    (entity,) = detail["legal_entities"]
    assert (entity["name"], entity["rna"], entity["legal_form"]["slug"]) == (
        "Association La Grange",
        "W623000001",
        "association",
    )
    assert detail["partners"][0]["organization"]["name"] == "Commune de Pernes"
    assert detail["fundings"][0]["tool"]["slug"] == "fonds-rural"
    assert detail["fundings"][0]["amount_eur"] == 25000
    assert detail["milestones"][0]["title"] == "Ouverture de la grange"
    assert detail["levers"] == [
        {"slug": tiers_lieu.levers.get().slug, "label": "Bail rural", "note": "3 ans"}
    ]
    assert detail["obstacles"][0]["label"] == "Chauffage"
    assert detail["networks"][0]["slug"] == "granges"
    assert detail["comparables"].endswith(reverse("api:initiative-comparables", args=[tiers_lieu.slug]))
    # What only curators see is not there.
    for private in ("status", "created_by", "updated_by", "is_demo"):
        assert private not in detail


def test_the_detail_speaks_the_language_asked_for(client, tiers_lieu):
    tiers_lieu.stage = "active"
    tiers_lieu.save()

    french = client.get(detail_url(tiers_lieu), HTTP_ACCEPT_LANGUAGE="fr").json()
    english = client.get(detail_url(tiers_lieu), HTTP_ACCEPT_LANGUAGE="en").json()

    assert french["stage"] == english["stage"] == "active"
    with override("fr"):
        assert french["stage_label"] == str(Stage("active").label)
    with override("en"):
        assert english["stage_label"] == str(Stage("active").label)
    assert french["stage_label"] != english["stage_label"]


def test_an_unknown_initiative_is_a_404(client, territories):
    response = client.get(reverse("api:initiative-detail", args=["n-existe-pas"]))

    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_comparables_are_list_items_with_their_reasons(client, tiers_lieu):
    twin = InitiativeFactory(
        name="La Grange voisine",
        commune=tiers_lieu.commune,
        location=tiers_lieu.location,
        kinds=list(tiers_lieu.kinds.all()),
    )

    found = client.get(reverse("api:initiative-comparables", args=[tiers_lieu.slug])).json()

    assert found[0]["initiative"]["slug"] == twin.slug
    assert found[0]["reasons"]
    assert found[0]["score"] > 0


# --- Territories and vocabularies ---------------------------------------------------------------


def test_a_territory_is_found_by_its_name_and_described(client, territories):
    found = client.get(reverse("api:territory-search"), {"q": "Pernes", "type": "commune"}).json()

    pernes = next(item for item in found if item["code"] == "62652")
    assert pernes["label"] == "Pernes (62)"
    detail = client.get(pernes["url"]).json()
    assert detail["name"] == "Pernes"
    assert detail["departement"]["code"] == "62"
    assert detail["region"]["name"] == "Hauts-de-France"
    assert detail["population"] > 0
    assert detail["page"].endswith(reverse("catalogue:territory-detail", args=["commune", "62652"]))
    assert "territoire=Pernes+%2862%29" in detail["initiatives"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "P"}, "q"),
        ({}, "q"),
        ({"q": "Pernes", "type": "canton"}, "type"),
        ({"q": "Lille", "nombre": "x"}, "nombre"),
    ],
)
def test_a_territory_search_that_cannot_be_answered_says_why(client, territories, query, field):
    response = client.get(reverse("api:territory-search"), query)

    assert response.status_code == 400
    assert response.json()[field]


def test_an_unknown_territory_is_a_404(client, territories):
    assert client.get(reverse("api:territory-detail", args=["commune", "00000"])).status_code == 404
    assert client.get(reverse("api:territory-detail", args=["planete", "62652"])).status_code == 404


@pytest.mark.parametrize(
    "endpoint",
    ["types", "thematiques", "formes-juridiques", "outils-de-financement", "leviers", "freins", "reseaux"],
)
def test_each_vocabulary_lists_its_values_and_where_their_initiatives_are(client, tiers_lieu, endpoint):
    values = client.get(reverse(f"api:vocabulary-{endpoint}")).json()

    assert values
    for value in values:
        assert value["slug"] and value["label"]
        if value["initiatives"] is not None:
            page = client.get(value["initiatives"]).json()
            assert page["filter_errors"] == {}, value


def test_a_vocabulary_link_finds_the_initiatives_with_that_value(client, tiers_lieu):
    InitiativeFactory(name="Autre lieu")
    kinds = client.get(reverse("api:vocabulary-types")).json()

    link = next(value["initiatives"] for value in kinds if value["slug"] == "grange-partagee")

    assert [item["name"] for item in client.get(link).json()["results"]] == ["La Grange de Pernes"]


# --- HTTP: caching, CORS, methods, rate limit ---------------------------------------------------


def test_an_answer_can_be_cached_and_is_revalidated_by_its_etag(client, tiers_lieu):
    first = client.get(LIST)

    assert "public" in first["Cache-Control"]
    assert "max-age=" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    etag = first["ETag"]
    again = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    tiers_lieu.name = "La Grange rénovée"
    tiers_lieu.save()

    changed = client.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["name"] == "La Grange rénovée"


def test_the_etag_differs_by_language_and_by_query(client, tiers_lieu):
    french = client.get(LIST, HTTP_ACCEPT_LANGUAGE="fr")["ETag"]
    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    filtered = client.get(LIST, {"q": "grange"}, HTTP_ACCEPT_LANGUAGE="fr")["ETag"]

    assert len({french, english, filtered}) == 3


def test_a_detail_says_when_it_last_changed(client, tiers_lieu):
    response = client.get(detail_url(tiers_lieu))

    last_modified = response["Last-Modified"]
    assert client.get(detail_url(tiers_lieu), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_any_site_may_read_the_api_but_not_the_rest_of_the_site(client, tiers_lieu):
    origin = {"HTTP_ORIGIN": "https://carto.example.org"}

    assert client.get(LIST, **origin)["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(LIST, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert not client.get(reverse("catalogue:map"), **origin).has_header("Access-Control-Allow-Origin")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, tiers_lieu, method):
    response = getattr(client, method)(detail_url(tiers_lieu), data="{}", content_type="application/json")

    assert response.status_code in (405, 415)
    assert Initiative.objects.get(pk=tiers_lieu.pk).name == "La Grange de Pernes"


def test_an_address_asking_too_often_is_told_to_wait(client, settings, tiers_lieu):
    settings.API_RATE_LIMIT = "3/min"

    answers = [client.get(LIST, {"q": str(n)}, REMOTE_ADDR="192.0.2.1") for n in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["detail"]
    # Another address is not held back.
    assert client.get(LIST, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_a_hostile_value_gives_an_answer_never_an_error(client, tiers_lieu):
    hostile = ["' OR 1=1 --", "\x00", "9" * 5000, "<script>alert(1)</script>", "1e400", "%zz", "é" * 3000]
    for value in hostile:
        for name in ("q", "forme", "territoire", "pres_de", "rayon", "surface_min", "zone", "tri", "page"):
            query = urlencode({name: value})
            for url in (LIST, GEOJSON):
                response = client.get(url, QUERY_STRING=query)
                assert response.status_code in (200, 400, 404), (url, name, value)
                json.loads(response.content)


# --- Any query string, as for the list page (Hypothesis) ----------------------------------------


@examples
@given(query=query_strings)
def test_the_api_lists_answer_any_query_string_with_a_page_or_a_reason(client, seed, query):
    for url_name in ("api:initiative-list", "api:initiative-geojson"):
        response, body = fetch(client, url_name, query)

        # A page number that is not one is a 404 with its reason; everything else is a page.
        assert response.status_code in (200, 404), (url_name, query)
        answer = json.loads(body)
        if response.status_code == 404:
            assert answer["detail"]
            continue
        assert isinstance(answer["filter_errors"], dict)
        items = answer["features"] if url_name == "api:initiative-geojson" else answer["results"]
        assert len(items) <= answer["count"]
        assert SCRIPT not in body.decode()


@examples
@given(bad=bad_whole_numbers(), others=pairs.map(lambda items: [item for item in items if item[0] != "page"]))
def test_the_api_reports_a_whole_number_it_cannot_read(client, seed, bad, others):
    # Without a page number (one that is not a page is a 404, tested above), always a page.
    response, body = fetch(client, "api:initiative-list", urlencode([*others, bad]))

    assert response.status_code == 200
    assert bad[0] in json.loads(body)["filter_errors"]
