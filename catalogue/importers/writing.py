"""Writing a plan: the entries to create and to update, in one transaction, each with its history.

New entries are drafts of the importing network, made by the importing curator; an update changes
only what the file fills in, keeps the entry's status, and says in its history which file and line
it came from. The caller holds the transaction: an error anywhere writes nothing.
"""

from django.utils.translation import gettext as _

from .. import indexing
from ..models import Initiative, LegalEntity
from .planning import UPDATED_FIELDS, Action


def write_plan(plan, user, network, file_name, sources_text=""):
    """Writes the plan's creations and updates; returns ``[(entry, initiative)]`` for each one written."""
    written = []
    with indexing.deferred():
        for entry in plan.to_write:
            reason = _("Imported from %(file)s, line %(line)d.") % {
                "file": file_name,
                "line": entry.candidate.line,
            }
            if entry.action == Action.CREATE:
                initiative = _create(entry.candidate, user, network, sources_text, reason)
            else:
                initiative = _update(entry.candidate, entry.initiative, user, sources_text, reason)
            written.append((entry, initiative))
    return written


def _create(candidate, user, network, sources_text, reason):
    initiative = Initiative(
        name=candidate.name,
        description=candidate.description,
        address=candidate.address,
        commune_id=candidate.commune.pk if candidate.commune else None,
        location=candidate.location,
        location_precision=candidate.location_precision,
        website=candidate.website,
        public_email=candidate.public_email,
        phone=candidate.phone,
        sources=sources_text,
        status=Initiative.Status.DRAFT,
        created_by=user,
        updated_by=user,
    )
    initiative._history_user = user
    initiative._change_reason = reason
    initiative.save()
    initiative.networks.add(network)
    if candidate.kinds:
        initiative.kinds.add(*candidate.kinds)
    _add_legal_entity(initiative, candidate)
    return initiative


def _update(candidate, initiative, user, sources_text, reason):
    for name in UPDATED_FIELDS:
        value = getattr(candidate, name)
        if value:
            setattr(initiative, name, value)
    if candidate.commune is not None:
        initiative.commune_id = candidate.commune.pk
    if candidate.location_precision == Initiative.LocationPrecision.ADDRESS:
        initiative.location = candidate.location
        initiative.location_precision = candidate.location_precision
    if sources_text and sources_text not in initiative.sources:
        initiative.sources = "\n".join(part for part in (initiative.sources, sources_text) if part)
    initiative.updated_by = user
    initiative._history_user = user
    initiative._change_reason = reason
    initiative.save()
    if candidate.kinds:
        initiative.kinds.add(*candidate.kinds)
    known = {(entity.siren, entity.rna) for entity in initiative.legal_entities.all()}
    sirens = {siren for siren, _rna in known if siren}
    rnas = {rna for _siren, rna in known if rna}
    if (candidate.siren and candidate.siren not in sirens) or (candidate.rna and candidate.rna not in rnas):
        _add_legal_entity(initiative, candidate)
    return initiative


def _add_legal_entity(initiative, candidate):
    if not (candidate.siren or candidate.rna or candidate.legal_form):
        return
    entity = LegalEntity(
        initiative=initiative,
        name=candidate.name,
        legal_form=candidate.legal_form,
        role=LegalEntity.Role.PROJECT_HOLDER,
        siren=candidate.siren,
        rna=candidate.rna,
    )
    entity.full_clean()
    entity.save()
