"""Typo correction from the vocabulary of the published texts, on both databases, as the page shows it."""

from html import unescape

import pytest
from django.urls import reverse

from catalogue.models import Initiative, SearchWord
from catalogue.search import parse
from tests.catalogue.test_filters import listed
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_bazar_saint_so_finds_saint_so_bazaar_and_says_what_it_searched(client, seed):
    names, html = listed(client, q="bazar saint so")

    assert "Saint So Bazaar" in names
    text = unescape(html)
    assert "Résultats pour « bazaar saint so »." in text
    # The link searches the words as typed, keeping the other parameters.
    assert 'href="?q=bazar+saint+so&amp;tel_quel=1"' in html
    assert "Chercher plutôt exactement « bazar saint so »" in text


def test_the_words_as_typed_are_searched_when_asked(client, seed):
    names, html = listed(client, q="bazar saint so", tel_quel="1")

    assert names == []
    assert "Résultats pour" not in unescape(html)


def test_recylerie_finds_the_recycleries(client, seed):
    InitiativeFactory(name="Recyclerie du Ternois", summary="Une recyclerie.")
    InitiativeFactory(name="La Ressourcerie", summary="Réemploi et recycleries.")

    names, html = listed(client, q="recylerie")

    assert set(names) == {"Recyclerie du Ternois", "La Ressourcerie"}
    assert "Résultats pour « recyclerie »." in unescape(html)


def test_a_correct_rare_word_is_never_corrected(client, seed):
    InitiativeFactory(name="Le Bazar de Lucie")

    names, html = listed(client, q="bazar")

    # "bazaar" (Saint So Bazaar) is one letter away and more common; "bazar" is known all the same.
    assert names == ["Le Bazar de Lucie"]
    assert "Résultats pour" not in unescape(html)


def test_a_word_that_begins_a_known_word_is_not_a_typo(seed):
    query = parse("recycl")
    InitiativeFactory(name="Recyclerie du Ternois")

    assert not parse("recycl").corrected
    assert query.text == "recycl"


def test_the_vocabulary_follows_what_is_published():
    initiative = InitiativeFactory(name="Grainothèque Zéphyrine")
    assert SearchWord.objects.get(word="zephyrine").initiatives == 1

    initiative.name = "Grainothèque Ondine"
    initiative.save()
    assert not SearchWord.objects.filter(word="zephyrine").exists()
    assert SearchWord.objects.get(word="ondine").initiatives == 1

    initiative.status = Initiative.Status.DRAFT
    initiative.save()
    # A draft is not searched: its words are not known either.
    assert not SearchWord.objects.filter(word="ondine").exists()


def test_a_query_with_only_typos_and_no_close_word_finds_nothing_without_an_error(client, seed):
    response = client.get(reverse("catalogue:map"), {"q": "zzzzqqqq xxxyyy"})

    assert response.status_code == 200
    assert "Résultats pour" not in unescape(response.content.decode())


def test_known_words_that_find_nothing_together_also_match_their_closest_words(client, seed):
    # "bazar" is a word of another entry: known, so not a typo; but "bazar saint so" finds nothing.
    InitiativeFactory(name="Le Bazar de Lucie")

    names, html = listed(client, q="bazar saint so")

    assert "Saint So Bazaar" in names
    assert "Le Bazar de Lucie" not in names
    assert "Résultats pour « bazaar saint so »." in unescape(html)
