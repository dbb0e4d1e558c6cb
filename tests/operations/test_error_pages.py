"""The site's own error pages, through Django's real error handling (the test client does not
re-raise: ``raise_request_exception=False``): a bug gives the 500 page, a database that does not
answer gives the 503 page with ``Retry-After``, and neither shows a traceback."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.operations.failing_urls")]


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")


def test_a_bug_gives_the_500_page_in_french(visitor):
    response = visitor.get("/en-panne/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<title>Une erreur est survenue · Percolateur</title>" in page
    assert "a bug" not in page and "Traceback" not in page
    # Rendered without the request: no form that would need its token.
    assert "csrfmiddlewaretoken" not in page


def test_a_database_that_does_not_answer_gives_the_503_page(visitor):
    response = visitor.get("/base-absente/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Momentanément indisponible" in page
    assert "server closed the connection" not in page


def test_the_500_page_in_english(visitor):
    response = visitor.get("/en-panne/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<title>Something went wrong · Percolateur</title>" in response.content.decode()


def test_a_missing_page_has_the_site_layout_and_its_language_switch(visitor):
    response = visitor.get("/nulle-part/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page
    assert 'class="language-switcher"' in page
