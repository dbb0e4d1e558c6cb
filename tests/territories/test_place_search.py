"""The place search (``Territory.objects.search``) and what uses it: the suggestions endpoint of the
search boxes and the territories' admin (its list and every autocomplete pointing at territories).

Every test reads the whole table of France that ``tests/conftest.py`` loads once per session.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from territories.models import Territory
from territories.text import search_key
from tests.factories import DepartementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]

Kind = Territory.Kind
SUGGESTIONS = reverse("territories:suggestions")
TERRITORY_CHANGELIST = reverse("admin:territories_territory_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


def first(text):
    result = Territory.objects.search(text).first()
    return result and (result.kind, result.code)


def found(text, count=None):
    results = Territory.objects.search(text)
    return [(territory.kind, territory.code) for territory in (results[:count] if count else results)]


def communes_with_postcode(postcode, departement):
    """The communes whose postcodes include ``postcode``, read from the table itself."""
    communes = Territory.objects.communes().filter(departement__code=departement)
    return {
        code for code, postcodes in communes.values_list("code", "postcodes") if postcode in (postcodes or [])
    }


# --- The search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lille", (Kind.COMMUNE, "59350")),
        ("59000", (Kind.COMMUNE, "59350")),
        ("pont a marcq", (Kind.COMMUNE, "59466")),
        ("PEVELE carembault", (Kind.EPCI, "200041960")),
        ("Nord", (Kind.DEPARTEMENT, "59")),
        ("Hauts de France", (Kind.REGION, "32")),
        ("Pas-de-Calais", (Kind.DEPARTEMENT, "62")),
        ("ternois", (Kind.EPCI, "200069672")),
        ("Maripasoula", (Kind.COMMUNE, "97353")),
    ],
)
def test_what_people_type_finds_the_right_territory_first(text, expected):
    assert first(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PONT-À-MARCQ", (Kind.COMMUNE, "59466")),
        ("Pont-a-Marcq", (Kind.COMMUNE, "59466")),
        ("  pont   à marcq ", (Kind.COMMUNE, "59466")),
        ("l isle adam", (Kind.COMMUNE, "95313")),
        ("L'Isle-Adam", (Kind.COMMUNE, "95313")),
        ("L’ISLE ADAM", (Kind.COMMUNE, "95313")),
        ("st omer", (Kind.COMMUNE, "62765")),
        ("St-Omer", (Kind.COMMUNE, "62765")),
        ("saint omer", (Kind.COMMUNE, "62765")),
        ("pevele-carembault", (Kind.EPCI, "200041960")),
        ("carembault pévèle", (Kind.EPCI, "200041960")),
        ("villeneuve d ascq", (Kind.COMMUNE, "59009")),
    ],
)
def test_case_accents_hyphens_apostrophes_and_saint_do_not_matter(text, expected):
    assert first(text) == expected


def test_homonym_communes_come_largest_first():
    by_population = list(
        Territory.objects.communes()
        .filter(name="Saint-Denis")
        .order_by("-population")
        .values_list("kind", "code")
    )
    assert len(by_population) == 4

    results = found("Saint-Denis", 4)

    assert results == by_population
    # La Réunion's prefecture (155,634 inhabitants) before Saint-Denis of Seine-Saint-Denis (149,077).
    assert results[:2] == [(Kind.COMMUNE, "97411"), (Kind.COMMUNE, "93066")]


def test_exact_names_come_before_names_that_start_with_the_text():
    results = found("Saint-Omer")

    assert results[0] == (Kind.COMMUNE, "62765")
    assert results[1] == (Kind.COMMUNE, "14635")  # the Saint-Omer of the Calvados, 191 inhabitants
    # Then Saint-Omer-en-Chaussée (1,172 inhabitants) and Saint-Omer-Capelle, larger first.
    assert results[2:4] == [(Kind.COMMUNE, "60590"), (Kind.COMMUNE, "62766")]


def test_every_word_typed_must_appear():
    results = Territory.objects.search("Lille Européenne")

    assert [territory.code for territory in results] == ["200093201"]


def test_a_shared_postcode_lists_every_commune_it_serves():
    expected = communes_with_postcode("59710", "59")
    assert {"59197", "59466", "59034", "59398"} <= expected  # Ennevelin, Pont-à-Marcq, Avelin, Mérignies

    results = found("59710")

    assert {code for kind, code in results} == expected
    assert {kind for kind, code in results} == {Kind.COMMUNE}
    assert found("59 710") == results


def test_a_postcode_lists_its_communes_largest_first():
    results = [(territory.name, territory.population) for territory in Territory.objects.search("59710")]

    assert results == [("Mérignies", 3527), ("Pont-à-Marcq", 3016), ("Avelin", 2561), ("Ennevelin", 2416)]


def test_a_number_that_is_an_insee_code_and_a_postcode_ranks_them_together_by_population():
    """62550 is the INSEE code of Marconnelle (postcode 62140) and the postcode of Pernes and 14
    villages around it: all of them rank as exact matches, the larger population first, so that
    Pernes (the postcode most people mean) comes before Marconnelle."""
    results = list(Territory.objects.search("62550"))

    assert results[0].name == "Pernes"
    assert {territory.code for territory in results} == communes_with_postcode("62550", "62") | {"62550"}
    assert len(results) == 16
    populations = [territory.population for territory in results]
    assert populations == sorted(populations, reverse=True)
    assert "Marconnelle" in {territory.name for territory in results}


def test_the_start_of_a_postcode_finds_its_communes():
    codes = {code for kind, code in found("5971")}

    assert {"59197", "59466"} <= codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2A", (Kind.DEPARTEMENT, "2A")),
        ("2a", (Kind.DEPARTEMENT, "2A")),
        ("2B", (Kind.DEPARTEMENT, "2B")),
        ("59", (Kind.DEPARTEMENT, "59")),
        ("973", (Kind.DEPARTEMENT, "973")),
        ("62652", (Kind.COMMUNE, "62652")),
        ("2A004", (Kind.COMMUNE, "2A004")),
        ("200041960", (Kind.EPCI, "200041960")),
        ("200093201", (Kind.EPCI, "200093201")),
    ],
)
def test_official_codes_find_their_territory_first(text, expected):
    assert first(text) == expected


def test_a_region_code_is_taken_for_the_departement_of_that_number():
    results = Territory.objects.search("32")

    assert first("32") == (Kind.DEPARTEMENT, "32")
    assert results.first().name == "Gers"
    assert not results.filter(kind=Kind.REGION).exists()


@pytest.mark.parametrize(
    "text", ["", " ", "a", "é", "-", "%", "_", "%%", "__", "'", "'; --", "\x00", "\u200b"]
)
def test_empty_and_one_letter_queries_find_nothing(text):
    assert list(Territory.objects.search(text)) == []


def test_sql_in_a_query_is_only_text():
    count = Territory.objects.count()

    assert list(Territory.objects.search("'; DROP TABLE territories_territory; --")) == []
    assert list(Territory.objects.search('Lille"); DELETE FROM territories_territory; --')) == []
    assert Territory.objects.count() == count


def test_percent_and_underscore_are_punctuation_not_wildcards():
    assert found("%lille%") == found("lille")
    assert first("_pont_a_marcq_") == (Kind.COMMUNE, "59466")


def test_a_very_long_query_is_cut_and_never_raises():
    assert list(Territory.objects.search("x" * 300)) == []
    assert list(Territory.objects.search("9" * 300)) == []
    assert (Kind.COMMUNE, "59350") in found("Lille " * 50, 5)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Pont-à-Marcq", "pont a marcq"),
        ("PONT-À-MARCQ", "pont a marcq"),
        ("L'Isle-Adam", "l isle adam"),
        ("L’Isle-Adam", "l isle adam"),
        ("St-Omer", "saint omer"),
        ("Ste-Foy-lès-Lyon", "sainte foy les lyon"),
        ("Œuilly", "oeuilly"),
        ("œuilly", "oeuilly"),
        ("Œting", "oeting"),
        ("Lætitia", "laetitia"),
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("  Pévèle   Carembault ", "pevele carembault"),
        ("Stella-Plage", "stella plage"),  # "St" only as a word of its own
        ("Paris 75015", "paris 75015"),
        ("", ""),
        ("%_'", ""),
    ],
)
def test_search_key(text, key):
    assert search_key(text) == key


def test_a_name_with_oe_is_found_written_with_o_and_e():
    results = found("oeuilly")

    # The two Œuilly, the one of the Marne (564 inhabitants) before the one of the Aisne (293).
    assert results[:2] == [(Kind.COMMUNE, "51410"), (Kind.COMMUNE, "02565")]


# --- The suggestions endpoint ---------------------------------------------------------------------


def suggest(client, **params):
    response = client.get(SUGGESTIONS, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_suggestions_say_what_and_where_each_place_is(client):
    lille = Territory.objects.get(kind=Kind.COMMUNE, code="59350")

    response = client.get(SUGGESTIONS, {"q": "Lille"})

    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "Lille"
    assert data["results"][0] == {
        "id": lille.pk,
        "kind": "commune",
        "code": "59350",
        "name": "Lille",
        "label": "Lille (59)",
        "context": "Commune · 59000 · Nord (59) · Métropole Européenne de Lille",
        "population": 238_246,
        "url": "/territoires/commune/59350/",
    }


def test_a_suggestion_shows_the_postcode_that_was_typed(client):
    results = suggest(client, q="59800")

    assert results[0]["label"] == "Lille (59)"
    assert results[0]["context"] == "Commune · 59800 · Nord (59) · Métropole Européenne de Lille"


def test_suggestions_for_a_shared_postcode(client):
    results = suggest(client, q="59710")

    assert {result["code"] for result in results} == communes_with_postcode("59710", "59")
    pont_a_marcq = next(result for result in results if result["code"] == "59466")
    assert pont_a_marcq["label"] == "Pont-à-Marcq (59)"
    assert pont_a_marcq["context"] == "Commune · 59710 · Nord (59) · CC Pévèle-Carembault"


def test_suggestions_of_each_kind_of_territory(client):
    [epci] = suggest(client, q="PEVELE carembault", limit=1)
    [departement] = suggest(client, q="Nord", limit=1)
    [region] = suggest(client, q="Hauts de France", limit=1)

    assert (epci["label"], epci["context"]) == ("CC Pévèle-Carembault", "Communauté de communes · Nord (59)")
    assert (departement["label"], departement["context"]) == ("Nord (59)", "Département · Hauts-de-France")
    assert (region["label"], region["context"]) == ("Hauts-de-France", "Région")
    assert (epci["kind"], departement["kind"], region["kind"]) == ("epci", "departement", "region")


def test_suggestions_of_one_kind_only_for_a_field_that_takes_communes(client):
    results = suggest(client, q="Nord", kind="commune")

    assert results and {result["kind"] for result in results} == {"commune"}
    assert suggest(client, q="Pernes", kind="commune")[0]["label"] == "Pernes (62)"


@pytest.mark.parametrize("kind", ["", "ville", "commune'; --"])
def test_an_unknown_kind_is_ignored(client, kind):
    assert suggest(client, q="Nord", kind=kind, limit=1)[0]["kind"] == "departement"


@pytest.mark.parametrize(
    ("limit", "count"),
    [(None, 8), ("1", 1), ("3", 3), ("20", 20), ("21", 20), ("500", 20), ("99999999999999999999", 20)],
)
def test_the_limit_is_honoured_up_to_twenty(client, limit, count):
    params = {"q": "saint"} | ({"limit": limit} if limit else {})

    assert len(suggest(client, **params)) == count


@pytest.mark.parametrize("limit", ["abc", "", "1.5", "1e3", " "])
def test_a_limit_that_is_not_a_number_gives_the_default(client, limit):
    assert len(suggest(client, q="saint", limit=limit)) == 8


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_a_limit_below_one_gives_one(client, limit):
    assert len(suggest(client, q="saint", limit=limit)) == 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "a",
        "%",
        "_",
        "'; DROP TABLE territories_territory; --",
        "<script>alert(1)</script>",
        "x" * 5000,
    ],
)
def test_bad_queries_get_an_empty_list_not_an_error(client, query):
    assert suggest(client, q=query) == []


def test_no_query_at_all_gets_an_empty_list(client):
    response = client.get(SUGGESTIONS)

    assert response.status_code == 200
    assert response.json() == {"query": "", "results": []}


def test_the_echoed_query_is_cut_at_one_hundred_characters(client):
    response = client.get(SUGGESTIONS, {"q": "Lille " * 50})

    assert response.json()["query"] == ("Lille " * 50)[:100]
    assert "59350" in {result["code"] for result in response.json()["results"]}


def test_browsers_may_keep_suggestions_for_an_hour(client):
    response = client.get(SUGGESTIONS, {"q": "Lille"})

    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600"} <= directives
    assert "Accept-Language" in response["Vary"]


def test_suggestions_are_in_french_by_default(client):
    [metropole] = suggest(client, q="Métropole Européenne de Lille", limit=1)

    assert metropole["context"] == "Métropole · Nord (59)"


@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_suggestions_answer_in_english_on_request(client, how):
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        headers = {}
    else:
        headers = {"accept-language": "en"}

    response = client.get(SUGGESTIONS, {"q": "Métropole Européenne de Lille", "limit": 1}, headers=headers)

    assert response["Content-Language"] == "en"
    [metropole] = response.json()["results"]
    assert metropole["context"] == "Metropolis · Nord (59)"
    assert metropole["label"] == "Métropole Européenne de Lille"


def test_english_suggestions_keep_the_abbreviation_of_the_kind_of_intercommunality(client):
    response = client.get(
        SUGGESTIONS, {"q": "PEVELE carembault", "limit": 1}, headers={"accept-language": "en"}
    )

    assert response.json()["results"][0]["context"] == "Community of communes (CC) · Nord (59)"


def test_english_suggestions_translate_the_word_region(client):
    response = client.get(
        SUGGESTIONS, {"q": "Hauts de France", "limit": 1}, headers={"accept-language": "en"}
    )

    assert response.json()["results"][0]["context"] == "Region"


def test_french_suggestions_of_an_intercommunality_of_unknown_type_are_in_french(client):
    nord = Territory.objects.get(kind=Kind.DEPARTEMENT, code="59")
    Territory.objects.create(kind=Kind.EPCI, code="999999999", name="Syndicat Zqxw", departement=nord)

    [result] = suggest(client, q="Zqxw")

    assert result["context"] == "Intercommunalité · Nord (59)"


@pytest.mark.parametrize(
    "query",
    ["saint", "Saint-Denis", "lille", "nord", "pont a marcq", "oeuilly", "59710", "62550", "2A", "59"],
)
def test_suggestions_come_in_the_order_of_the_place_search(client, query):
    expected = [(territory.kind, territory.code) for territory in Territory.objects.search(query)[:20]]

    results = suggest(client, q=query, limit=20)

    assert [(result["kind"], result["code"]) for result in results] == expected


def suggestion_queries(client, query, limit):
    with CaptureQueriesContext(connection) as queries:
        results = suggest(client, q=query, limit=limit)
    return len(results), len(queries)


def test_suggestions_take_as_many_queries_for_twenty_results_as_for_one(client):
    assert suggestion_queries(client, "saint", 1)[0] == 1
    assert suggestion_queries(client, "saint", 20)[0] == 20

    assert suggestion_queries(client, "saint", 1)[1] == suggestion_queries(client, "saint", 20)[1]


@pytest.mark.parametrize("query", ["saint", "lille", "pont a marcq", "59710", "59", "qzqzq"])
def test_suggestions_take_a_bounded_number_of_queries(client, query):
    """One query per rank of match at most (exact, starts with, a word starts with, contains), and
    one for the rows' details, however many territories match."""
    for limit in (1, 20):
        assert suggestion_queries(client, query, limit)[1] <= 5, (query, limit)


# --- The admin ------------------------------------------------------------------------------------


def listed(response):
    assert response.status_code == 200
    return [(territory.kind, territory.code) for territory in response.context["cl"].result_list]


def test_the_territory_list_searches_by_postcode(staff_client):
    rows = listed(staff_client.get(TERRITORY_CHANGELIST, {"q": "59710"}))

    assert {code for kind, code in rows} == communes_with_postcode("59710", "59")
    assert {kind for kind, code in rows} == {Kind.COMMUNE}


def test_the_territory_list_puts_the_best_match_first(staff_client):
    response = staff_client.get(TERRITORY_CHANGELIST, {"q": "pont a marcq"})

    assert listed(response)[0] == (Kind.COMMUNE, "59466")
    assert "Pont-à-Marcq" in response.content.decode()


def test_the_territory_list_by_name_keeps_the_search_order(staff_client):
    rows = listed(staff_client.get(TERRITORY_CHANGELIST, {"q": "Saint-Denis"}))

    assert rows[:2] == [(Kind.COMMUNE, "97411"), (Kind.COMMUNE, "93066")]


def commune_autocomplete(client, term):
    response = client.get(
        AUTOCOMPLETE,
        {"app_label": "catalogue", "model_name": "initiative", "field_name": "commune", "term": term},
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_the_commune_autocomplete_offers_pernes_with_its_departement(staff_client):
    results = commune_autocomplete(staff_client, "pernes")

    texts = [result["text"] for result in results]
    assert texts[0] == "Pernes (62)"
    assert {"Pernes-lès-Boulogne (62)", "Pernes-les-Fontaines (84)"} <= set(texts)
    kinds = set(
        Territory.objects.filter(pk__in=[result["id"] for result in results]).values_list("kind", flat=True)
    )
    assert kinds == {Kind.COMMUNE}


def test_the_commune_autocomplete_offers_no_departement_or_intercommunality(staff_client):
    # The place search puts the Nord first, and intercommunalities have "Nord" in their names.
    assert first("nord") == (Kind.DEPARTEMENT, "59")
    DepartementFactory(name="Pernes imaginaire", code="D99")

    for term in ("nord", "pernes"):
        results = commune_autocomplete(staff_client, term)
        ids = [result["id"] for result in results]
        assert ids
        kinds = set(Territory.objects.filter(pk__in=ids).values_list("kind", flat=True))
        assert kinds == {Kind.COMMUNE}, term


def test_the_commune_autocomplete_finds_a_commune_by_postcode(staff_client):
    results = commune_autocomplete(staff_client, "62550")

    texts = [result["text"] for result in results]
    # The communes of the postcode and Marconnelle (whose INSEE code is 62550), the largest first.
    assert texts[0] == "Pernes (62)"
    pernes = Territory.objects.get(kind=Kind.COMMUNE, code="62652")
    assert results[0]["id"] == str(pernes.pk)
    assert "Marconnelle (62)" in texts
    assert {"Sachin (62)", "Bailleul-lès-Pernes (62)"} <= set(texts)


def test_the_territory_list_renders_and_searches(staff_client, pernes):
    url = reverse("admin:territories_territory_changelist")

    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == Territory.objects.count()
    searched = {str(row) for row in staff_client.get(url, {"q": "Pernes"}).context["cl"].result_list}
    assert "Pernes (62)" in searched
    assert "Lille (59)" not in searched


def test_territories_are_found_by_the_place_search_best_match_first(staff_client, pernes):
    url = reverse("admin:territories_territory_changelist")

    def found(query):
        return [str(t) for t in staff_client.get(url, {"q": query}).context["cl"].result_list]

    # The exact name first, then the other Pernes by population.
    assert found("pernes")[:3] == ["Pernes (62)", "Pernes-les-Fontaines (84)", "Pernes-lès-Boulogne (62)"]
    assert found("62652") == ["Pernes (62)"]
    assert found("62")[0] == "Pas-de-Calais (62)"
    assert "Pernes (62)" in found("62550")
    assert found("PEVELE carembault") == ["CC Pévèle-Carembault"]


def test_a_territory_change_page_shows_its_centre_on_a_map(superuser_client, pernes):
    response = superuser_client.get(reverse("admin:territories_territory_change", args=[pernes.pk]))

    assert response.status_code == 200
    assert 'id="id_centre-map"' in response.content.decode()
