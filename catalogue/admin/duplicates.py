"""Possible duplicates in the initiative admin: said after saving, listed on the entry's page, and
settled there, by "Not a duplicate" (remembered for the pair) or by merging (``catalogue.merging``).

An entry the curator may not read (another network's draft) is counted, never named.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

from .. import permissions
from ..duplicates import Probe, find_duplicates
from ..merging import may_merge, merge_into
from ..models import Initiative, NotDuplicate


class DuplicatesAdminMixin:
    """For ``InitiativeAdmin``: its possible duplicates, and the two ways to settle them."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/not-a-duplicate/<int:other_id>/",
                wrap(self.not_a_duplicate_view),
                name="{}_{}_not_duplicate".format(*info),
            ),
            path(
                "<path:object_id>/merge-into/<int:other_id>/",
                wrap(self.merge_view),
                name="{}_{}_merge".format(*info),
            ),
            *super().get_urls(),
        ]

    def possible_duplicates(self, request, initiative):
        """(the duplicates ``request.user`` may read, how many others there are)."""
        found = find_duplicates(Probe.of(initiative), exclude=initiative)
        visible = [item for item in found if permissions.may_view(request.user, item.initiative)]
        for item in visible:
            item.may_merge = may_merge(request.user, initiative, item.initiative)
        return visible, len(found) - len(visible)

    # --- Said after saving, listed on the page -------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            initiative = self.get_object(request, unquote(object_id))
            if initiative is not None and initiative.status != Initiative.Status.ARCHIVED:
                visible, hidden = self.possible_duplicates(request, initiative)
                extra_context = {
                    **(extra_context or {}),
                    "possible_duplicates": visible,
                    "hidden_duplicates": hidden,
                    "may_settle_duplicates": permissions.may_change(request.user, initiative),
                }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # With its legal entities saved, so that their SIRENs are compared too.
        self._warn_of_duplicates(request, form.instance)

    def _warn_of_duplicates(self, request, initiative):
        visible, hidden = self.possible_duplicates(request, initiative)
        if visible:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a> ({})',
                (
                    (self._change_url(item.initiative), item.initiative.name, ", ".join(item.reasons))
                    for item in visible
                ),
            )
            self.message_user(
                request,
                format_html(
                    "{} {}",
                    ngettext(
                        "This entry may be the same as another one:",
                        "This entry may be the same as other ones:",
                        len(visible),
                    ),
                    links,
                ),
                messages.WARNING,
            )
        if hidden:
            self.message_user(
                request,
                ngettext(
                    "%(count)d entry of another network, which you cannot read, may be the same as this one: "
                    "its coordinators will see it.",
                    "%(count)d entries of other networks, which you cannot read, may be the same as this "
                    "one: their coordinators will see it.",
                    hidden,
                )
                % {"count": hidden},
                messages.WARNING,
            )

    def _change_url(self, initiative):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(initiative.pk,),
            current_app=self.admin_site.name,
        )

    # --- Settled -------------------------------------------------------------------------------

    def _pair(self, request, object_id, other_id):
        initiative = self.get_object(request, unquote(object_id))
        other = self.get_object(request, str(other_id))
        if initiative is None or other is None or initiative.pk == other.pk:
            raise Http404
        return initiative, other

    def not_a_duplicate_view(self, request, object_id, other_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        initiative, other = self._pair(request, object_id, other_id)
        if not permissions.may_change(request.user, initiative):
            raise PermissionDenied
        NotDuplicate.remember(initiative, other, request.user)
        self.message_user(
            request,
            gettext(
                "Noted: “%(name)s” and “%(other)s” are not the same initiative. It will not be asked again."
            )
            % {"name": initiative.name, "other": other.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._change_url(initiative))

    def merge_view(self, request, object_id, other_id):
        """Merge the entry (the duplicate) into the other one (the target), after a confirmation."""
        duplicate, target = self._pair(request, object_id, other_id)
        if not may_merge(request.user, duplicate, target):
            raise PermissionDenied
        if request.method == "POST":
            carried = merge_into(duplicate, target, request.user)
            self.message_user(
                request,
                format_html(
                    "{} {}",
                    gettext("“%(duplicate)s” was merged into this entry and archived.")
                    % {"duplicate": duplicate.name},
                    gettext("Carried over: %(what)s.") % {"what": "; ".join(carried)}
                    if carried
                    else gettext("It had nothing this entry lacked."),
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._change_url(target))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Merge “%(duplicate)s” into “%(target)s”?")
            % {"duplicate": duplicate.name, "target": target.name},
            "duplicate": duplicate,
            "target": target,
            "rows": _rows_to_compare(duplicate, target),
            "duplicate_url": self._change_url(duplicate),
            "target_url": self._change_url(target),
        }
        return TemplateResponse(request, "admin/catalogue/initiative/merge_confirmation.html", context)


def _rows_to_compare(duplicate, target):
    """(label, the duplicate's value, the target's value) of the facts a curator compares."""
    fields = ("name", "status", "commune", "address", "website", "public_email", "phone", "sources")
    rows = []
    for name in fields:
        field = Initiative._meta.get_field(name)
        display = f"get_{name}_display"
        values = [
            getattr(entry, display)() if hasattr(entry, display) else (getattr(entry, name) or "—")
            for entry in (duplicate, target)
        ]
        rows.append((field.verbose_name, *values))
    for accessor, label in (
        ("legal_entities", gettext("legal entities")),
        ("partnerships", gettext("partners")),
        ("fundings", gettext("funding lines")),
        ("milestones", gettext("milestones")),
    ):
        rows.append((label, getattr(duplicate, accessor).count(), getattr(target, accessor).count()))
    return rows
