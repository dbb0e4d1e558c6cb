"""Full-text search of the public catalogue, forgiving of accents, case, hyphens and typos.

Each initiative carries a ``search_text``: its name, summary, description, kinds, themes, commune,
legal entities, partners, funders and funding tools, in ``search_key()`` form ("Cirqu'en-Cavale"
becomes "cirqu en cavale", "tiers-lieu" becomes "tiers lieu"). :func:`refresh_search_text` keeps it
up to date; the signals in ``catalogue.signals`` call it whenever one of those facts changes.

- **PostgreSQL**: ``search_vector`` holds the text as a tsvector of the ``french_unaccent``
  configuration (French stemming after ``unaccent``), GIN-indexed. A query matches when all its
  words match; only when no initiative matches the words (a typo), when it is close enough to a
  passage of the text (pg_trgm's word similarity, GIN-indexed too). Results are ranked by
  ``ts_rank``, or by that similarity.
- **SQLite**: every word of the query, without French stop words and plural endings, must start a
  word of the text. Same matches for ordinary queries, no ranking and no typo tolerance.
"""

import re
from collections import defaultdict

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, FloatField, Q, TextField, Value

from territories.text import search_key

from .limits import MAX_SEARCH_LENGTH
from .models import Initiative
from .models.parts import MANY_TO_MANY, ROWS

# What the search reads of the initiative itself; its parts say what it reads of them (``searched``).
INITIATIVE_TEXTS = ("name", "summary", "description", "address", "commune__name")
# The PostgreSQL text search configuration made by migration 0003.
SEARCH_CONFIG = "french_unaccent"

# Words that say nothing about an initiative; PostgreSQL's French configuration drops them too.
STOP_WORDS = frozenset("a au aux d de des du en et l la le les ou par pour sur un une dans avec".split())

TextField.register_lookup(TrigramWordSimilar)


def normalise_query(text):
    """What a person typed, in the form the search compares: at most MAX_SEARCH_LENGTH characters,
    no case, accents or punctuation. Empty when nothing searchable is left."""
    return search_key(str(text)[:MAX_SEARCH_LENGTH])


def matching(queryset, text, typos=None):
    """The initiatives of ``queryset`` that match ``text``, annotated with ``relevance`` (higher
    is better; 0 on SQLite). An empty or punctuation-only query matches nothing.

    ``typos`` (PostgreSQL only) says whether to match typos instead of words; by default, as
    :func:`needs_typo_matching` decides for ``queryset``.
    """
    key = normalise_query(text)
    if not key:
        return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if connection.vendor != "postgresql":
        return _matching_sqlite(queryset, key)
    if typos is None:
        typos = needs_typo_matching(queryset, text)
    if typos:
        similarity = TrigramWordSimilarity(Value(key), "search_text")
        return queryset.filter(search_text__trigram_word_similar=key).annotate(relevance=similarity)
    query = _words_query(key)
    return queryset.filter(search_vector=query).annotate(relevance=SearchRank(F("search_vector"), query))


def needs_typo_matching(queryset, text):
    """Whether no initiative of ``queryset`` has the words of ``text`` (PostgreSQL), so that the
    search should look for typos. The GIN index answers words at once; typo matching re-reads every
    candidate text, which is far slower, so it only runs when the words find nothing."""
    key = normalise_query(text)
    if connection.vendor != "postgresql" or not key:
        return False
    return not queryset.filter(search_vector=_words_query(key)).exists()


def _words_query(key):
    return SearchQuery(key, config=SEARCH_CONFIG, search_type="plain")


def _matching_sqlite(queryset, key):
    words = [stem(word) for word in key.split() if word not in STOP_WORDS] or key.split()
    condition = Q()
    for word in words:
        # search_text starts with a space, so " word" also finds the text's first word.
        condition &= Q(search_text__contains=f" {word}")
    return queryset.filter(condition).annotate(relevance=Value(0.0, output_field=FloatField()))


def stem(word):
    """A light French stemming for SQLite's prefix matching: "lieux" → "lieu", "cirque" →
    "cirqu", "cafes" → "caf" (then prefix of "cafe")."""
    if len(word) > 3:
        word = re.sub(r"(x|s)$", "", word)
    if len(word) > 3:
        word = re.sub(r"e$", "", word)
    return word


def refresh_search_text(initiative_ids=None):
    """Rebuilds ``search_text`` (and on PostgreSQL ``search_vector``) of the given initiatives, or
    of all of them. A few queries per thousand initiatives, whatever the number of related rows."""
    ids = list(initiative_ids) if initiative_ids is not None else None
    if ids is not None and not ids:
        return
    batch_size = 2000
    if ids is None:
        ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        _refresh_batch(ids[start : start + batch_size])


def _refresh_batch(ids):
    # Every read in a stable order, so that the same facts always give the same text (a database
    # without ORDER BY returns rows as they happen to be stored).
    parts = defaultdict(list)
    for pk, *texts in Initiative.objects.filter(pk__in=ids).values_list("pk", *INITIATIVE_TEXTS):
        parts[pk].extend(texts)
    for part in MANY_TO_MANY:
        paths = [f"{part.target}__{path}" for path in part.searched]
        if paths:
            links = part.through.objects.filter(initiative_id__in=ids).order_by("pk")
            for pk, *texts in links.values_list("initiative_id", *paths):
                parts[pk].extend(texts)
    for part in ROWS:
        if part.searched:
            rows = part.model.objects.filter(initiative_id__in=ids).order_by("pk")
            for pk, *texts in rows.values_list("initiative_id", *part.searched):
                parts[pk].extend(texts)

    initiatives = []
    for pk, texts in parts.items():
        # Each fact once, in a stable order: repeating a partner would not make it more relevant.
        words = dict.fromkeys(key for key in (search_key(text) for text in texts if text) if key)
        initiatives.append(Initiative(pk=pk, search_text=" " + " ".join(words)))
    Initiative.objects.bulk_update(initiatives, ["search_text"])
    if connection.vendor == "postgresql":
        Initiative.objects.filter(pk__in=ids).update(
            search_vector=SearchVector("search_text", config=SEARCH_CONFIG)
        )
