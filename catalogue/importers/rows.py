"""One row of a file read as the initiatives it stands for, or refused with its reasons.

A row gives one initiative, or several when its point carries several structures (the ANCT's files
join the structures' ids with ``;`` and put their names on separate lines). A row is refused when it
cannot become an entry a curator would want: no name, a commune that does not exist, coordinates
outside France, an invalid SIREN or RNA. What can be left out without harm (an unknown kind, a
malformed website) is left out with a warning, and the row is kept.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from territories.text import search_key

from ..models import Initiative, Kind, LegalForm
from ..validators import validate_rna, validate_siren
from .places import Commune, Places

NAME_LENGTH = Initiative._meta.get_field("name").max_length
PHONE_LENGTH = Initiative._meta.get_field("phone").max_length
ADDRESS_LENGTH = Initiative._meta.get_field("address").max_length
_SEVERAL = re.compile(r"\s*[|,;]\s*")


@dataclass
class Candidate:
    """An initiative as a row describes it, before it is compared with the catalogue."""

    line: int
    name: str
    source_id: str = ""
    description: str = ""
    address: str = ""
    commune: Commune | None = None
    location: Point | None = None
    location_precision: str = ""
    website: str = ""
    public_email: str = ""
    phone: str = ""
    legal_form: LegalForm | None = None
    kinds: list = field(default_factory=list)
    siren: str = ""
    rna: str = ""
    warnings: list = field(default_factory=list)


@dataclass
class Refusal:
    line: int
    reasons: list
    name: str = ""


class RowReader:
    def __init__(self, mapping, places=None):
        self.columns = {field_name: heading for heading, field_name in mapping.items() if field_name}
        self.places = places or Places()
        self.kinds = {}
        for kind in Kind.objects.all():
            self.kinds[search_key(kind.label)] = kind
            self.kinds[search_key(kind.slug)] = kind
        self.legal_forms = list(LegalForm.objects.all())
        self.legal_forms_by_slug = {form.slug: form for form in self.legal_forms}

    def value(self, row, field_name):
        heading = self.columns.get(field_name)
        return row.values.get(heading, "").strip() if heading else ""

    def read(self, row):
        """The candidates of ``row``, or a ``Refusal``."""
        reasons, warnings = [], []
        names, ids = self._names_and_ids(row, reasons)
        commune = self._commune(row)
        point = self._point(row, reasons)
        described_place = any(self.value(row, name) for name in ("insee", "postcode", "commune_name"))
        if described_place and commune is None:
            place = " ".join(
                value
                for value in (
                    self.value(row, "insee"),
                    self.value(row, "postcode"),
                    self.value(row, "commune_name"),
                )
                if value
            )
            if point is None:
                reasons.append(_("unknown commune: %(place)s") % {"place": place})
            else:
                warnings.append(
                    _("commune “%(place)s” not found: placed by its coordinates") % {"place": place}
                )
        if point is None and commune is None and not reasons:
            reasons.append(_("no place: neither coordinates nor a commune"))
        siren = self._siren(row, reasons)
        rna = self._rna(row, reasons)
        if reasons:
            return Refusal(line=row.line, reasons=reasons, name=" / ".join(names)[:NAME_LENGTH])
        common = {
            "description": self.value(row, "description"),
            "address": self._address(row, warnings),
            "commune": commune,
            "website": self._website(row, warnings),
            "public_email": self._email(row, warnings),
            "phone": self._phone(row, warnings),
            "legal_form": self._legal_form(row, warnings, siren, rna),
            "kinds": self._kinds(row, warnings),
            "siren": siren,
            "rna": rna,
        }
        if point is not None:
            location, precision = point, Initiative.LocationPrecision.ADDRESS
        elif commune is not None and commune.centre is not None:
            location, precision = commune.centre, Initiative.LocationPrecision.COMMUNE
            warnings.append(_("placed at the centre of its commune"))
        else:
            location, precision = None, ""
        if len(names) > 1:
            # A point that carries several structures stands for a place they share, not an address.
            warnings.append(_("one of %(count)d structures on the same point") % {"count": len(names)})
        return [
            Candidate(
                line=row.line,
                name=name,
                source_id=source_id,
                location=location,
                location_precision=precision,
                warnings=list(warnings),
                **common,
            )
            for name, source_id in zip(names, ids, strict=True)
        ]

    def _names_and_ids(self, row, reasons):
        raw_name = html.unescape(self.value(row, "name"))
        raw_id = self.value(row, "source_id")
        ids = [part.strip() for part in raw_id.split(";") if part.strip()] or [""]
        if len(ids) > 1:
            # The names are on separate lines, or joined by ";" as the ids are (then a line break
            # inside one name is only a line break).
            names = [part.strip() for part in re.split(r"[\n;]", raw_name) if part.strip()]
            by_semicolon = [" ".join(part.split()) for part in raw_name.split(";") if part.strip()]
            if len(names) != len(ids) and len(by_semicolon) == len(ids):
                names = by_semicolon
        else:
            names = [" ".join(raw_name.split())] if raw_name.strip() else []
        if not names:
            reasons.append(_("missing name"))
            return [], ids
        if len(ids) > 1 and len(names) != len(ids):
            reasons.append(
                _(
                    "%(ids)d identifiers but %(names)d names: "
                    "which name goes with which identifier cannot be told"
                )
                % {"ids": len(ids), "names": len(names)}
            )
        for name in names:
            if len(name) > NAME_LENGTH:
                reasons.append(
                    _("name longer than %(length)d characters: “%(start)s…”")
                    % {"length": NAME_LENGTH, "start": name[:40]}
                )
        return names, ids

    def _commune(self, row):
        return self.places.commune(
            insee=self.value(row, "insee"),
            postcode=self.value(row, "postcode"),
            name=self.value(row, "commune_name"),
        )

    def _point(self, row, reasons):
        latitude, longitude = self.value(row, "latitude"), self.value(row, "longitude")
        if latitude or longitude:
            try:
                point = Point(_number(longitude), _number(latitude), srid=4326)
            except ValueError:
                reasons.append(
                    _("unreadable coordinates: latitude “%(lat)s”, longitude “%(lon)s”")
                    % {"lat": latitude, "lon": longitude}
                )
                return None
        elif row.point is not None:
            point = row.point
        else:
            if row.geometry_problem:
                reasons.append(_("no usable point: %(problem)s") % {"problem": row.geometry_problem})
            return None
        if self.places.in_france(point):
            return point
        if self.places.in_france(Point(point.y, point.x, srid=4326)):
            reasons.append(
                _("coordinates outside France (%(lat)s, %(lon)s): latitude and longitude look swapped")
                % {"lat": f"{point.y:.5f}", "lon": f"{point.x:.5f}"}
            )
        else:
            reasons.append(
                _("coordinates outside France: latitude %(lat)s, longitude %(lon)s")
                % {"lat": f"{point.y:.5f}", "lon": f"{point.x:.5f}"}
            )
        return None

    def _siren(self, row, reasons):
        digits = re.sub(r"[\s.]", "", self.value(row, "siret"))
        if not digits:
            return ""
        if len(digits) == 14 and digits.isdigit():
            digits = digits[:9]
        try:
            validate_siren(digits)
        except ValidationError:
            reasons.append(_("invalid SIREN or SIRET: %(value)s") % {"value": self.value(row, "siret")})
            return ""
        return digits

    def _rna(self, row, reasons):
        value = self.value(row, "rna").upper().replace(" ", "")
        if not value:
            return ""
        try:
            validate_rna(value)
        except ValidationError:
            reasons.append(_("invalid RNA number: %(value)s") % {"value": self.value(row, "rna")})
            return ""
        return value

    def _address(self, row, warnings):
        address = " ".join(self.value(row, "address").split())
        if len(address) > ADDRESS_LENGTH:
            warnings.append(_("address cut to %(length)d characters") % {"length": ADDRESS_LENGTH})
            address = address[:ADDRESS_LENGTH]
        return address

    def _website(self, row, warnings):
        website = self.value(row, "website")
        if not website:
            return ""
        if "://" not in website:
            website = "https://" + website
        try:
            URLValidator()(website)
        except ValidationError:
            warnings.append(
                _("website “%(value)s” is not a web address: left out")
                % {"value": self.value(row, "website")}
            )
            return ""
        return website[:200]

    def _email(self, row, warnings):
        email = self.value(row, "public_email").removeprefix("mailto:")
        if not email:
            return ""
        try:
            EmailValidator()(email)
        except ValidationError:
            warnings.append(_("e-mail “%(value)s” is not an e-mail address: left out") % {"value": email})
            return ""
        return email

    def _phone(self, row, warnings):
        phone = " ".join(self.value(row, "phone").split())
        if len(phone) > PHONE_LENGTH:
            warnings.append(_("phone “%(value)s” is too long: left out") % {"value": phone})
            return ""
        return phone

    def _legal_form(self, row, warnings, siren, rna):
        value = self.value(row, "legal_form")
        if not value:
            if not (siren or rna):
                return None
            # The legal set-up needs a form: an RNA number is an association's; otherwise "other",
            # for a curator to put right.
            fallback = self.legal_forms_by_slug.get("association" if rna else "autre")
            if fallback is None:
                warnings.append(_("no legal form given: the SIREN or RNA number is left out"))
            return fallback
        key = search_key(value)
        exact = [form for form in self.legal_forms if key in (search_key(form.label), search_key(form.slug))]
        starting = [form for form in self.legal_forms if search_key(form.label).startswith(key)]
        for found in (exact, starting):
            if len(found) == 1:
                return found[0]
        warnings.append(_("legal form “%(value)s” unknown: left out") % {"value": value})
        return None

    def _kinds(self, row, warnings):
        kinds = []
        for value in _SEVERAL.split(self.value(row, "kind")):
            if not value:
                continue
            kind = self._kind(value)
            if kind is None:
                warnings.append(_("kind “%(value)s” unknown: left out") % {"value": value})
            elif kind not in kinds:
                kinds.append(kind)
        return kinds

    def _kind(self, value):
        """The kind a cell names: its label or code, or a longer word that begins with it
        ("fablabMIT" is a fab-lab)."""
        key = search_key(value)
        if key in self.kinds:
            return self.kinds[key]
        compact = key.replace(" ", "")
        found = {
            kind
            for known, kind in self.kinds.items()
            if len(known) >= 4 and compact.startswith(known.replace(" ", ""))
        }
        return found.pop() if len(found) == 1 else None


def _number(text):
    """A coordinate written with a decimal point or a French decimal comma."""
    if not text:
        raise ValueError(text)
    return float(text.replace(",", ".").replace(" ", ""))
