"""The API's OpenAPI description: a valid OpenAPI 3 document, in French and in English, whose every
documented parameter the API accepts as it says, and its readable page served from this site."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api:schema")

# A value for each documented query parameter, as a developer would try it. A parameter added to
# the API without one here fails the test below: its example must be written, then checked.
EXAMPLES = {
    "q": "grange",
    "territoire": "Pernes (62)",
    "pres_de": "Pernes (62)",
    "zone": "2.0,50.0,3.0,51.0",
    "type": "grange-partagee",
    "theme": "alimentation",
    "forme": "association",
    "outil": "fonds-rural",
    "reseau": "granges",
    "levier": "bail-rural",
    "page": "1",
    "par_page": "10",
    "nombre": "5",
}
PATH_EXAMPLES = {"slug": None, "kind": "commune", "code": "62652"}


def schema_of(client, language="fr"):
    response = client.get(SCHEMA, {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()


def test_the_description_is_valid_openapi_3(client, territories):
    schema = schema_of(client)

    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    endpoints = ("/initiatives/", "/initiatives.geojson", "/initiatives/{slug}/", "/territoires/", "/types/")
    for endpoint in endpoints:
        assert "/api/v1" + endpoint in paths


def test_every_documented_parameter_is_accepted(client, tiers_lieu):
    schema = schema_of(client)
    examples = {**PATH_EXAMPLES, "slug": tiers_lieu.slug}
    tried = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations or path.endswith("/schema/"):
            continue
        url = re.sub(r"\{(\w+)\}", lambda match: examples[match[1]], path)
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            if "enum" in parameter["schema"]:
                value = parameter["schema"]["enum"][0]
            elif "enum" in parameter["schema"].get("items", {}):
                value = parameter["schema"]["items"]["enum"][0]
            elif parameter["schema"]["type"] == "integer":
                value = EXAMPLES.get(name, str(parameter["schema"].get("minimum", 1)))
            elif parameter["schema"]["type"] == "boolean":
                value = "true"
            else:
                assert name in EXAMPLES, f"{path}: write an example for the parameter {name}"
                value = EXAMPLES[name]
            query = {name: value}
            if path.endswith("/territoires/") and name != "q":
                query["q"] = "Pernes"
            response = client.get(url, query)
            assert response.status_code == 200, (path, name, value, response.content[:300])
            body = response.json()
            if isinstance(body, dict) and "filter_errors" in body:
                assert name not in body["filter_errors"], (path, name, body["filter_errors"])
            tried += 1
    assert tried > 20


def test_the_description_is_written_in_french_and_in_english(client, territories):
    french = schema_of(client, "fr")
    english = schema_of(client, "en")

    operation = "/api/v1/initiatives/"
    assert english["paths"][operation]["get"]["summary"] == "Published initiatives"
    assert french["paths"][operation]["get"]["summary"] == "Initiatives publiées"
    english_names = {p["name"]: p["description"] for p in english["paths"][operation]["get"]["parameters"]}
    french_names = {p["name"]: p["description"] for p in french["paths"][operation]["get"]["parameters"]}
    assert english_names["territoire"].startswith("Territory")
    assert french_names["territoire"].startswith("Territoire")
    sections = {tag["name"]: tag["description"] for tag in french["tags"]}
    assert sections["vocabularies"] == "Les valeurs que prennent les filtres."


def test_the_documentation_page_is_served_from_this_site(client, territories):
    response = client.get(reverse("api:documentation"))

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert "<script>" not in html  # no inline script: the site's Content-Security-Policy holds
    script = client.get(reverse("api:documentation"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA in script.content.decode()
