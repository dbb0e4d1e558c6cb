"""Full-text search of the public catalogue, forgiving of accents, case, hyphens and typos.

Each published initiative has a search text (``InitiativeSearch``, a table of its own so that the
wide initiatives table is never read to search): its name, summary, description, kinds, themes,
commune, legal entities, partners, funders and funding tools, in ``search_key()`` form
("Cirqu'en-Cavale" becomes "cirqu en cavale", "tiers-lieu" becomes "tiers lieu").
``catalogue.indexing`` keeps it current through :func:`refresh_batch`, with the vocabulary of its
distinct words (``SearchWord``).

A query matches when each of its words, except French stop words, begins a word of the text (after
a light stemming: "lieux" finds "lieu"). A word that begins no word of the vocabulary is a typo: it
is replaced by its closest known words (:func:`correct`), then the same search runs, and the page
says what it searched for instead ("Résultats pour « recyclerie »").

- **PostgreSQL**: the text's tsvector of the ``french_unaccent`` configuration (French stemming after
  ``unaccent``), GIN-indexed, queried with prefixes (``'recycl':*``) and ranked by ``ts_rank``; the
  closest words come from pg_trgm's similarity on the vocabulary (GIN trigram index).
- **SQLite**: the same words matched in the text itself, without ranking; the closest words come from
  rapidfuzz's ratio over the vocabulary.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import CharField, F, FloatField, Q, Value
from django.db.models.functions import Length, Lower
from rapidfuzz import fuzz, process

from territories.text import search_key

from .limits import MAX_SEARCH_LENGTH
from .models import Initiative, InitiativeSearch, SearchWord
from .models.parts import MANY_TO_MANY, ROWS

# What the search reads of the initiative itself; its parts say what it reads of them (``searched``).
INITIATIVE_TEXTS = ("name", "summary", "description", "address", "commune__name")
# The PostgreSQL text search configuration made by migration 0003.
SEARCH_CONFIG = "french_unaccent"

# Words that say nothing about an initiative; PostgreSQL's French configuration drops them too.
STOP_WORDS = frozenset("a au aux d de des du en et l la le les ou par pour sur un une dans avec".split())

# pg_trgm's "%" on the vocabulary (django.contrib.postgres, not an installed app, registers it only
# when it is one).
CharField.register_lookup(TrigramSimilar)

# A word shorter than this is never corrected: too many words are one letter away from it.
MIN_CORRECTED_LENGTH = 4
# How close a known word must be to replace a typo: pg_trgm's similarity (0 to 1) on PostgreSQL,
# rapidfuzz's ratio (0 to 100) on SQLite. "recylerie" → "recyclerie" is 0.6 and 95.
MIN_SIMILARITY = 0.4
MIN_RATIO = 80
# Longer "words" (a web address run together) are searched, but not kept in the vocabulary.
MAX_WORD_LENGTH = 100
# A typo is replaced by at most this many known words (any of them may match).
MAX_ALTERNATIVES = 3


def normalise_query(text):
    """What a person typed, in the form the search compares: at most MAX_SEARCH_LENGTH characters,
    no case, accents or punctuation. Empty when nothing searchable is left."""
    return search_key(str(text)[:MAX_SEARCH_LENGTH])


@dataclass(frozen=True)
class Query:
    """A query as the search runs it: what was typed (normalised), and each word searched (not the
    stop words) with the words it may match (itself, or the known words that replace a typo)."""

    typed: str
    words: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def corrected(self):
        """Whether a typo was replaced."""
        return any(alternatives != (word,) for word, alternatives in self.words)

    @property
    def text(self):
        """The query as searched, each typo replaced by its closest word: "recyclerie"."""
        replaced = dict(self.words)
        return " ".join(replaced.get(word, (word,))[0] for word in self.typed.split())

    def __bool__(self):
        return bool(self.words)


def parse(text, correct_typos=True):
    """The :class:`Query` for what a person typed; typos replaced unless ``correct_typos`` is False.

    A query whose words are all known may still find nothing together: "bazar saint so", where
    "bazar" is a word of some other text and the initiative is Saint So Bazaar. Then, and only
    then, each word may also match its closest other words ("bazar" or "bazaar"), when that finds
    something."""
    key = normalise_query(text)
    words = [word for word in key.split() if word not in STOP_WORDS] or key.split()
    unique = list(dict.fromkeys(words))
    corrections = correct(unique) if correct_typos else {}
    query = Query(key, tuple((word, corrections.get(word, (word,))) for word in unique))
    if not correct_typos or not query or matching_ids(query).exists():
        return query
    widened = correct(unique, known_too=True)
    alternatives = tuple((word, corrections.get(word) or widened.get(word, (word,))) for word in unique)
    relaxed = Query(key, alternatives)
    return relaxed if relaxed != query and matching_ids(relaxed).exists() else query


def matching(queryset, query):
    """The initiatives of ``queryset`` that match ``query`` (a :class:`Query`), annotated with
    ``relevance`` (higher is better; 0 on SQLite). An empty query matches nothing."""
    if not query:
        return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        tsquery = _tsquery(query)
        return queryset.filter(search__vector=tsquery).annotate(
            relevance=SearchRank(F("search__vector"), tsquery)
        )
    return queryset.filter(pk__in=matching_ids(query)).annotate(
        relevance=Value(0.0, output_field=FloatField())
    )


def matching_ids(query):
    """The ids of the published initiatives that match ``query``, as a subquery on the search texts
    alone (what the facet counts narrow their rows with)."""
    texts = InitiativeSearch.objects.all()
    if not query:
        return texts.none().values("initiative_id")
    if connection.vendor == "postgresql":
        return texts.filter(vector=_tsquery(query)).values("initiative_id")
    condition = Q()
    for _word, alternatives in query.words:
        # The text starts with a space, so " word" also finds its first word.
        condition &= Q.create([("text__contains", f" {stem(word)}") for word in alternatives], connector=Q.OR)
    return texts.filter(condition).values("initiative_id")


def _tsquery(query):
    terms = " & ".join(
        # The words are letters and digits only (search_key): nothing to escape. PostgreSQL stems
        # each before matching it as a prefix.
        "(" + " | ".join(f"'{word}':*" for word in alternatives) + ")"
        for _word, alternatives in query.words
    )
    return SearchQuery(terms, config=SEARCH_CONFIG, search_type="raw")


def stem(word):
    """A light French stemming for prefix matching: "lieux" → "lieu", "cirque" → "cirqu",
    "cafes" → "caf" (then prefix of "cafe")."""
    if len(word) > 3:
        word = re.sub(r"(x|s)$", "", word)
    if len(word) > 3:
        word = re.sub(r"e$", "", word)
    return word


# --- Typos ----------------------------------------------------------------------------------------


def correct(words, known_too=False):
    """{typo: (closest known words, best first)} for the words of ``words`` that begin no word of the
    vocabulary and have close known words. A known word, however rare, is never corrected; with
    ``known_too``, it gets its closest other words too, and comes last among them."""
    candidates = [
        word for word in words if len(word) >= MIN_CORRECTED_LENGTH and (known_too or not _known(word))
    ]
    closest = _closest_postgresql if connection.vendor == "postgresql" else _closest_sqlite
    corrections = {}
    for word in candidates:
        others = tuple(other for other in closest(word) if other != word)
        if others:
            corrections[word] = (*others, word) if known_too else others
    return corrections


def _known(word):
    """Whether some word of the vocabulary begins with the word's stem (as the search matches it)."""
    prefix = stem(word)
    # A range on the primary key rather than LIKE, which SQLite's index would not serve.
    return SearchWord.objects.filter(word__gte=prefix, word__lt=prefix + "\uffff").exists()


def _closest_postgresql(word):
    # lower(word) is the word itself (the vocabulary is in search_key form): it is what the trigram
    # index is on (migration 0006).
    similar = (
        SearchWord.objects.annotate(lowered=Lower("word"))
        .filter(lowered__trigram_similar=word)
        .annotate(similarity=TrigramSimilarity("lowered", word))
        .filter(similarity__gte=MIN_SIMILARITY)
        .order_by("-similarity", "-initiatives", "word")
        .values_list("word", flat=True)[:MAX_ALTERNATIVES]
    )
    return tuple(similar)


def _closest_sqlite(word):
    # Words of about the same length only: a longer or shorter word cannot reach MIN_RATIO.
    length = len(word)
    vocabulary = dict(
        SearchWord.objects.annotate(length=Length("word"))
        .filter(length__range=(length - 3, length + 3))
        .values_list("word", "initiatives")
    )
    found = process.extract(word, vocabulary.keys(), scorer=fuzz.ratio, score_cutoff=MIN_RATIO, limit=None)
    found.sort(key=lambda match: (-match[1], -vocabulary[match[0]], match[0]))
    return tuple(match[0] for match in found[:MAX_ALTERNATIVES])


# --- Keeping the texts and the vocabulary current -------------------------------------------------


def texts_of(ids):
    """{initiative id: its search text} for the initiatives ``ids``."""
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
    result = {}
    for pk, texts in parts.items():
        # Each fact once, in a stable order: repeating a partner would not make it more relevant.
        words = dict.fromkeys(key for key in (search_key(text) for text in texts if text) if key)
        result[pk] = " " + " ".join(words)
    return result


def refresh_batch(ids, published):
    """Rebuilds the search texts of the initiatives ``ids`` (a text for those of ``published``, none
    for the others) and the vocabulary's counts of the words they drop or gain."""
    before = InitiativeSearch.objects.filter(initiative_id__in=ids)
    change = Counter()
    for text in before.values_list("text", flat=True):
        change.subtract(_words_of(text))
    before.delete()
    texts = texts_of(published) if published else {}
    InitiativeSearch.objects.bulk_create(
        InitiativeSearch(initiative_id=pk, text=text) for pk, text in texts.items()
    )
    for text in texts.values():
        change.update(_words_of(text))
    if texts and connection.vendor == "postgresql":
        InitiativeSearch.objects.filter(initiative_id__in=texts).update(
            vector=SearchVector("text", config=SEARCH_CONFIG)
        )
    _count_words({word: n for word, n in change.items() if n})


def _words_of(text):
    return {word for word in text.split() if len(word) <= MAX_WORD_LENGTH}


def _count_words(change):
    """Adds ``change`` ({word: +n or -n}) to the vocabulary's counts; a word no text uses any more
    leaves it."""
    if not change:
        return
    words = list(change)
    for start in range(0, len(words), 5000):
        batch = words[start : start + 5000]
        rows = SearchWord.objects.filter(word__in=batch)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update()
        counts = dict(rows.values_list("word", "initiatives"))
        for word in batch:
            counts[word] = counts.get(word, 0) + change[word]
        gone = [word for word, n in counts.items() if n <= 0]
        kept = [SearchWord(word=word, initiatives=n) for word, n in counts.items() if n > 0]
        SearchWord.objects.filter(word__in=gone).delete()
        SearchWord.objects.bulk_create(
            kept, update_conflicts=True, unique_fields=["word"], update_fields=["initiatives"]
        )


def rebuild_vocabulary():
    """The vocabulary counted again from every search text (after a bulk load)."""
    counts = Counter()
    for text in InitiativeSearch.objects.values_list("text", flat=True).iterator(chunk_size=2000):
        counts.update(_words_of(text))
    SearchWord.objects.all().delete()
    SearchWord.objects.bulk_create(
        (SearchWord(word=w, initiatives=n) for w, n in counts.items()), batch_size=5000
    )
