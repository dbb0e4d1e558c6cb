"""Exports of what a person filtered in two national schemas, for the public platforms that read them.

- **Lieux de médiation numérique** (LaMednum/standard-mediation-num, Table Schema 1.0.x), the standard
  that the ANCT's national cartography of digital inclusion reads and that its library
  ``@gouvfr-anct/lieux-de-mediation-numerique`` models. A CSV as the standard's README asks: UTF-8,
  commas between fields, a decimal point, every column of the schema in its order even when empty,
  and ``|`` between the values of a list (the schema's field descriptions since 1.0.0; the README
  still says ";" from 0.1).
- **data·inclusion structures** (gip-inclusion/data-inclusion-schema v1, the ``Structure`` model of
  its package), the common base of social and professional inclusion services that platforms such as
  DORA read: a JSON list of structure objects, the form of the schema's published JSON Schema. Its
  docs publish no CSV for producers, so there is none here.

Both read the public FilterSet's ``sorted_qs()``, as the catalogue's own exports do, through
``exports.rows``: a batch of rows per query, streamed, plus two queries per batch for what the
schemas' vocabularies are mapped from (kinds, and the legal set-up's forms and RNA numbers).

Our model is mapped only where the meaning is the same, and a field is left empty rather than made
up:

- ``typologie`` (médiation numérique; data·inclusion's v1 structures have none): from our kinds and
  the legal forms of the set-up, to the data·inclusion typologies of structures whose label says the
  same thing (``KIND_TYPOLOGIES``, ``LEGAL_FORM_TYPOLOGIES``).
- The pivot: the standard asks for a SIRET, or an RNA number for an association without one. We
  hold SIREN numbers (a company, not one of its establishments, as a SIRET is) and RNA numbers: the
  RNA of the set-up's entity is the pivot, the project holder's first; without one, the standard
  defines no placeholder, and ``NO_PIVOT`` is the "default pivot" of the ANCT's own cartography
  code. data·inclusion's ``siret`` is left empty for the same reason.
- The coordinates from the location, unless it stands for an area (the middle of an
  intercommunality is not where the place is); ``date_maj`` from the last modification;
  ``source`` is ``SOURCE``; the ids come from the primary key, which never changes.
- Texts as the schemas take them: Markdown made plain text, summaries and names shortened to the
  schemas' lengths, phone numbers in the international form (or none), and the few characters that
  the national cartography's library refuses in a street or a commune's name left out (quotes,
  brackets).
- The services offered, opening hours, publics, fees and labels of the standard, and the networks
  that carry a structure in data·inclusion's sense, are not in our model: left empty. (Our networks
  curate entries; they do not carry them.)

The médiation numérique standard describes a place that people can reach: a commune, a postcode and
a street address are required, and an entry without them is left out of that file (the catalogue's
CSV holds it). data·inclusion requires a name of 3 characters at least: an entry with a shorter one is
left out of its file.
"""

import csv
import json
import re
from collections import defaultdict
from datetime import UTC
from io import StringIO

from django.utils.html import strip_tags

from . import exports
from .export_columns import Column
from .exports import rows, spreadsheet_cell
from .models import Initiative, LegalEntity
from .postcodes import postcode

SOURCE = "percolateur"
# The "default pivot" of the ANCT's cartography code, for a place whose SIRET and RNA are unknown.
NO_PIVOT = "00000000000000"

# Our kinds (by code) whose meaning is a typology of data·inclusion's list ("Tiers lieu & coworking",
# "Fablab / Atelier partagé", "Centre social", "Ressourcerie": a recyclerie is the same thing).
KIND_TYPOLOGIES = {
    "tiers-lieu": "TIERS_LIEUX",
    "coworking": "TIERS_LIEUX",
    "fab-lab": "FABLAB",
    "centre-social": "CS",
    "recyclerie": "RESSOURCERIE",
}
# Legal forms of the set-up that are a typology: "Associations", and "Entreprise de l'Économie
# Sociale et Solidaire", which cooperatives and foundations are by law (loi du 31 juillet 2014). A
# SAS or SARL is one only with the ESS label, which we do not record.
LEGAL_FORM_TYPOLOGIES = {
    "association": "ASSO",
    "scic": "ESS",
    "scop": "ESS",
    "cae": "ESS",
    "fondation": "ESS",
}
# Whose RNA number is the pivot, first: the project holder's, then the operator's…
PIVOT_ORDER = {
    role.value: order
    for order, role in enumerate(
        [LegalEntity.Role.PROJECT_HOLDER, LegalEntity.Role.OPERATOR, LegalEntity.Role.OWNER]
    )
}

# The standard's limit for ``presentation_resume``; data·inclusion's for ``nom`` and ``description``.
SUMMARY_LENGTH = 280
NAME_LENGTHS = (3, 150)
DESCRIPTION_LENGTHS = (5, 10_000)

# What the rows read of the initiative, for both files.
READS = (
    "pk",
    "slug",
    "name",
    "summary",
    "description",
    "address",
    "commune__name",
    "commune__code",
    "commune__postcodes",
    "lng",
    "lat",
    "location_precision",
    "website",
    "public_email",
    "phone",
    "updated_at",
)


# --- Médiation numérique ------------------------------------------------------------------------


def _text(name, value, *, free=False):
    """A column of the standard: its name, its value from the completed row (``None`` or "" for
    nothing). A free text (a curator's name, address, presentation) that a spreadsheet would run as a
    formula is written as text, as in the catalogue's CSV; coded values are left exactly as they are."""

    def cell(row):
        text = value(row)
        text = "" if text is None else str(text)
        return spreadsheet_cell(text) if free else text

    return Column(name, None, (), cell)


def _empty(name):
    """A column of the standard that our model does not hold."""
    return Column(name, None, (), lambda row: "")


MEDIATION_NUMERIQUE = (
    _text("id", lambda row: row["pk"]),
    _text("pivot", lambda row: row["rna"] or NO_PIVOT),
    _text("nom", lambda row: row["name"].strip(), free=True),
    _text("commune", lambda row: commune_name(row["commune__name"])),
    _text("code_postal", lambda row: row["postcode"]),
    _text("code_insee", lambda row: row["commune__code"]),
    _text("adresse", lambda row: row["street"], free=True),
    _empty("complement_adresse"),
    _text("latitude", lambda row: row["point"] and _decimal(row["point"][1])),
    _text("longitude", lambda row: row["point"] and _decimal(row["point"][0])),
    _text("typologie", lambda row: "|".join(row["typologies"])),
    _text("telephone", lambda row: row["telephone"]),
    _text("courriels", lambda row: row["courriel"]),
    _text("site_web", lambda row: row["site_web"]),
    _empty("horaires"),
    _text("presentation_resume", lambda row: _shortened(row["summary"].strip(), SUMMARY_LENGTH), free=True),
    _text("presentation_detail", lambda row: plain_text(row["description"]), free=True),
    _text("source", lambda row: SOURCE),
    _empty("itinerance"),
    _empty("structure_parente"),
    _text("date_maj", lambda row: row["date_maj"]),
    _empty("services"),
    _empty("publics_specifiquement_adresses"),
    _empty("prise_en_charge_specifique"),
    _empty("frais_a_charge"),
    _empty("dispositif_programmes_nationaux"),
    _empty("formations_labels"),
    _empty("autres_formations_labels"),
    _empty("modalites_acces"),
    _empty("modalites_accompagnement"),
    _empty("fiche_acces_libre"),
    _empty("prise_rdv"),
)


def mediation_numerique_lines(initiatives, absolute_url, *, columns=MEDIATION_NUMERIQUE):
    """The CSV of the médiation numérique standard, line by line (as strings), headings first: one
    row per initiative that has a commune, a postcode and a street address (see the module)."""
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([column.heading for column in columns])
    yield flush()
    for row in _completed_rows(initiatives, absolute_url):
        if row["commune__name"] and row["postcode"] and row["street"] and row["name"].strip():
            writer.writerow([column.value(row) for column in columns])
            yield flush()


# --- data·inclusion -----------------------------------------------------------------------------


def _structure(row):
    """The data·inclusion ``Structure`` of a completed row, every field of the model given (``None``
    when unknown), as the schema's own exports write them."""
    summary = row["summary"].strip()
    description = "\n\n".join(text for text in (summary, plain_text(row["description"])) if text)
    return {
        "source": SOURCE,
        "id": f"{SOURCE}--{row['pk']}",
        "nom": _structure_name(row["name"]),
        "date_maj": row["date_maj"],
        "description": (
            _shortened(description, DESCRIPTION_LENGTHS[1])
            if len(description) >= DESCRIPTION_LENGTHS[0]
            else None
        ),
        "lien_source": row.fiche_url(),
        "siret": None,
        "commune": row["commune__name"],
        "code_postal": row["postcode"] or None,
        "code_insee": row["commune__code"],
        "adresse": row["address"].strip() or None,
        "complement_adresse": None,
        "longitude": row["point"] and row["point"][0],
        "latitude": row["point"] and row["point"][1],
        "telephone": row["telephone"],
        "courriel": row["courriel"],
        "site_web": row["site_web"],
        "horaires_accueil": None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": None,
    }


def _structure_name(name):
    """The name as data·inclusion's rules have it: at most 150 characters, not ending with a full
    stop (but for "etc.")."""
    name = _shortened(name.strip(), NAME_LENGTHS[1])
    return name.rstrip(".") if name.endswith(".") and not name.endswith("etc.") else name


def data_inclusion_chunks(initiatives, absolute_url):
    """The JSON list of data·inclusion structures, in pieces: one per initiative whose name has the
    3 characters the schema requires."""
    yield "["
    separator = ""
    for row in _completed_rows(initiatives, absolute_url):
        structure = _structure(row)
        if len(structure["nom"]) >= NAME_LENGTHS[0]:
            yield separator + json.dumps(structure, ensure_ascii=False, separators=(",", ":"))
            separator = ","
    yield "]"


# --- Reading ------------------------------------------------------------------------------------


def _completed_rows(initiatives, absolute_url):
    """``exports.rows`` of what both files read, each completed with what the schemas' fields are
    made of (see ``_complete``); a batch of rows at a time, as ``rows`` reads them."""
    reading = Column(None, None, READS, lambda row: None)
    batch = []
    for row in rows(initiatives, absolute_url, [reading]):
        batch.append(row)
        if len(batch) == exports.BATCH_SIZE:
            yield from _complete(batch)
            batch = []
    yield from _complete(batch)


def _complete(batch):
    """The rows of ``batch``, each with its typologies and pivot (two queries for the batch) and the
    values that both schemas write the same way."""
    if not batch:
        return
    ids = [row["pk"] for row in batch]
    typologies = defaultdict(list)
    kinds = Initiative.kinds.through.objects.filter(initiative_id__in=ids).order_by(
        "kind__position", "kind__label"
    )
    for initiative_id, kind in kinds.values_list("initiative_id", "kind__slug"):
        typologies[initiative_id].append(KIND_TYPOLOGIES.get(kind))
    rna = {}
    entities = LegalEntity.objects.filter(initiative_id__in=ids).order_by("pk")
    for initiative_id, role, number, form in entities.values_list(
        "initiative_id", "role", "rna", "legal_form__slug"
    ):
        typologies[initiative_id].append(LEGAL_FORM_TYPOLOGIES.get(form))
        if number:
            numbers = rna.setdefault(initiative_id, [])
            numbers.append((PIVOT_ORDER.get(role, len(PIVOT_ORDER)), len(numbers), number))
    for row in batch:
        pk = row["pk"]
        row["typologies"] = [code for code in dict.fromkeys(typologies[pk]) if code]
        row["rna"] = min(rna[pk])[-1] if pk in rna else ""
        row["postcode"] = postcode(row["address"], row["commune__postcodes"])
        row["street"] = street(row["address"])
        row["point"] = (
            (round(row["lng"], 6), round(row["lat"], 6))
            if row["lng"] is not None and row["location_precision"] != Initiative.LocationPrecision.AREA
            else None
        )
        row["telephone"] = international_phone(row["phone"])
        row["courriel"] = _public_email(row["public_email"])
        row["site_web"] = row["website"] if _WEB_ADDRESS.match(row["website"]) else None
        # The day in UTC: never a day ahead of a reader's, in France, as a day in Paris time would
        # be for an hour or two each night (data·inclusion refuses a date in the future).
        row["date_maj"] = row["updated_at"].astimezone(UTC).date().isoformat()
        yield row


# --- Values -------------------------------------------------------------------------------------

# What the national cartography's library accepts in the street part of an address: letters with
# the accents of French, digits, spaces and a few signs. Quotes and other signs are dropped, dashes
# made plain, line breaks made commas.
_STREET_REFUSED = re.compile(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ\u0152-\u0178\-,()°.&:+–;'’/ ]")
_STREET_SIGNS = str.maketrans({"—": "-", "‐": "-", "‑": "-", "‘": "’", "\n": ", ", "\r": ""})
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_COMMA = re.compile(r" +,")


def street(address):
    """The street part of an address as the standard's ``adresse`` takes it."""
    text = _SPACES.sub(" ", (address or "").translate(_STREET_SIGNS))
    text = _SPACES.sub(" ", _STREET_REFUSED.sub("", text))
    return _SPACE_BEFORE_COMMA.sub(",", text).strip(" ,")


# What the library accepts in a commune's name: not the brackets of six official names
# ("Château-Chinon (Ville)"), which the INSEE code beside them makes needless.
_COMMUNE_REFUSED = re.compile(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ\u0152-\u0178\-'’ ]")


def commune_name(name):
    """A commune's official name as the standard's ``commune`` takes it."""
    return _SPACES.sub(" ", _COMMUNE_REFUSED.sub(" ", name or "")).strip()


# Mobile and fixed prefixes of the overseas départements and collectivities, whose numbers are
# written with their own country code (0590 12 34 56 is +590 590 12 34 56).
_OVERSEAS_PREFIXES = {
    "0590": "+590",
    "0690": "+590",
    "0691": "+590",
    "0594": "+594",
    "0694": "+594",
    "0596": "+596",
    "0696": "+596",
    "0697": "+596",
    "0262": "+262",
    "0263": "+262",
    "0692": "+262",
    "0693": "+262",
    "0269": "+262",
    "0639": "+262",
    "0508": "+508",
}
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()]")
# What both schemas take: an international number without spaces, the country codes of France's.
_INTERNATIONAL = re.compile(r"^(?:\+33[1-9]\d{8}|\+(?:590|594|262|596|269|687|689|508|681)\d{6,9})$")


def international_phone(phone):
    """A French phone number in the international form both schemas ask for (+33321000000), or
    ``None`` when it cannot be read as one number ("03 21 00 00 00 ou 06 12…")."""
    number = _PHONE_SEPARATORS.sub("", phone or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("+330"):  # "+33 (0)3 21…"
        number = "+33" + number[4:]
    if re.fullmatch(r"0[1-9]\d{8}", number):
        number = _OVERSEAS_PREFIXES.get(number[:4], "+33") + number[1:]
    return number if _INTERNATIONAL.match(number) else None


# Domains that no one can write to (RFC 2606, 6761, 6762, 7686): data·inclusion refuses them.
_UNREACHABLE_DOMAINS = re.compile(r"\.(?:test|example|invalid|localhost|local|onion|arpa)$", re.IGNORECASE)


def _public_email(email):
    """The public e-mail, unless its domain is one that no mail reaches (``contact@localhost``, which
    Django's validation lets through)."""
    domain = email.rpartition("@")[2]
    return email if "." in domain and not _UNREACHABLE_DOMAINS.search(domain) else None


def _decimal(number):
    """A coordinate with a decimal point and no exponent ("1e-05" near the Greenwich meridian)."""
    return f"{number:.6f}".rstrip("0").rstrip(".")


_WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+", re.IGNORECASE)

# Markdown's marks, for a plain text: links become their text, headings and quotes lose their
# marks, list items a bullet; emphasis and code marks go.
_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^[ \t]*#{1,6}[ \t]*", re.MULTILINE), ""),
    (re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE), ""),
    (re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE), "• "),
    (re.compile(r"\*\*|__|[*`]"), ""),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def plain_text(markdown):
    """A curator's Markdown as plain text, for schemas whose descriptions are text: a light pass
    over its marks rather than rendering it, which would take a millisecond per entry."""
    text = strip_tags(markdown) if "<" in markdown else markdown
    text = text.replace("\r\n", "\n")
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def _shortened(text, length):
    """``text`` of at most ``length`` characters, cut at a word and ended with "…" when too long."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"
