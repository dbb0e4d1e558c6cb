"""Which column of a file fills which field of an initiative.

Each field lists the headings networks use for it, French and English, compared in the place
search's normal form (case, accents, hyphens and apostrophes do not matter: "Code postal",
"code_postal" and "CODE-POSTAL" are one). A curator can change the guess column by column; a
column mapped to nothing is left out on purpose, and the preview lists every column that is.
"""

from django.utils.translation import gettext_lazy as _

from territories.text import search_key

IGNORED = ""

# field: (label, headings). Order: the order of the mapping form.
FIELDS = {
    "source_id": (
        _("identifier in the file"),
        ("id", "identifiant", "id_territoire", "code", "ref", "reference"),
    ),
    "name": (
        _("name"),
        (
            "nom",
            "name",
            "nom du lieu",
            "nom de la structure",
            "lib_territoire",
            "raison sociale",
            "titre",
            "title",
            "libelle",
        ),
    ),
    "description": (_("description"), ("description", "presentation", "resume", "summary", "activites")),
    "address": (_("address"), ("adresse", "address", "adresse postale", "rue", "street", "voie")),
    "postcode": (_("postcode"), ("code postal", "cp", "postcode", "postal code", "zip", "code_postal")),
    "commune_name": (
        _("commune"),
        ("ville", "commune", "city", "town", "lib_geo", "localite", "nom commune"),
    ),
    "insee": (
        _("INSEE code of the commune"),
        ("code insee", "insee", "id_geo", "code commune", "codgeo", "code_insee", "com", "citycode"),
    ),
    "latitude": (_("latitude"), ("latitude", "lat", "y")),
    "longitude": (_("longitude"), ("longitude", "lon", "long", "lng", "x")),
    "website": (_("website"), ("site web", "site internet", "site", "web", "url", "website", "site_web")),
    "public_email": (
        _("public e-mail"),
        ("courriel", "e mail", "email", "mail", "adresse mail", "adresse electronique"),
    ),
    "phone": (_("phone"), ("telephone", "tel", "phone", "numero de telephone")),
    "legal_form": (
        _("legal form"),
        ("statut juridique", "forme juridique", "statut", "legal form", "legal status"),
    ),
    "kind": (
        _("kind of initiative"),
        ("type", "typologie", "kind", "categorie", "category", "type de lieu", "structure"),
    ),
    "siret": (
        _("SIRET or SIREN number"),
        ("siret", "siren", "numero siret", "numero siren", "n siret", "siret siren"),
    ),
    "rna": (_("RNA number"), ("rna", "numero rna", "n rna", "rna association")),
}
_BY_HEADING = {
    search_key(heading): field for field, (_label, headings) in FIELDS.items() for heading in headings
}


def field_choices():
    """The choices of a column in the mapping form: nothing, or one of the fields."""
    return [
        (IGNORED, _("— leave this column out —")),
        *((field, label) for field, (label, _h) in FIELDS.items()),
    ]


def guess_mapping(headings):
    """A heading → field mapping from the headings' words; each field is filled by one column at
    most (the first that names it)."""
    mapping, taken = {}, set()
    for heading in headings:
        field = _BY_HEADING.get(search_key(heading).replace("_", " "), IGNORED)
        if field in taken:
            field = IGNORED
        mapping[heading] = field
        if field:
            taken.add(field)
    return mapping


def checked_mapping(headings, wanted):
    """``wanted`` (a mapping saved with an earlier import, or typed by a technician) applied to
    these headings: known fields only, each field once; headings it does not name are guessed."""
    wanted = wanted or {}
    guessed = guess_mapping(headings)
    mapping, taken = {}, set()
    # The columns the saved mapping names first: a guess never takes a field from them.
    for heading in sorted(headings, key=lambda heading: heading not in wanted):
        field = wanted.get(heading, guessed[heading])
        if field not in FIELDS or field in taken:
            field = IGNORED
        mapping[heading] = field
        if field:
            taken.add(field)
    return {heading: mapping[heading] for heading in headings}


def left_out(mapping):
    """The headings whose column nothing reads."""
    return [heading for heading, field in mapping.items() if not field]
