"""The initiative admin: where curators write and keep entries right.

Deleting is archiving: no one deletes an initiative here, and every change — including the list
actions — goes through ``save()`` so that the history records it and it can be undone.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geocoding import Source
from territories.models import Territory

from .. import indexing
from ..history import plan_restore, restore_related_rows
from ..locating import LocateResult, locate_initiative
from ..models import Initiative
from .history import SafeHistoryAdmin
from .inlines import part_inlines

# The name of the change form's "Geocode the address" button (templates/admin/catalogue/initiative/).
GEOCODE_BUTTON = "_geocode"
# The list action asks the BAN once per initiative, each time up to its timeout: more would keep the
# curator waiting for minutes, and risk the server's own timeout.
MAX_GEOCODED_AT_ONCE = 50


class DepartementFilter(admin.SimpleListFilter):
    """The département of the initiative's commune, offering only départements that have entries."""

    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        with_initiatives = Initiative.objects.filter(commune__departement__isnull=False).values(
            "commune__departement"
        )
        departements = Territory.objects.departements().filter(pk__in=with_initiatives).order_by("code")
        return [(str(departement.pk), str(departement)) for departement in departements]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            # On the primary key, a number too large for the column finds nothing rather than
            # failing in the database.
            return queryset.filter(commune__departement__pk=self.value())
        except (ValueError, ValidationError) as error:
            # As Django's own filters answer a bad value: its "wrong filter" page (?e=1).
            raise IncorrectLookupParameters(error) from error


@admin.register(Initiative)
class InitiativeAdmin(SafeHistoryAdmin, LeafletGeoAdmin):
    list_display = ("name", "commune", "departement", "status", "updated_at")
    list_filter = (
        "status",
        "kinds",
        ("legal_entities__legal_form", admin.RelatedOnlyFieldListFilter),
        DepartementFilter,
        "networks",
    )
    list_select_related = ("commune__departement",)
    search_fields = ("name", "summary", "commune__name", "address")
    actions = ("publish", "archive", "geocode")

    fieldsets = (
        (
            _("Identity"),
            {
                "fields": (
                    "name",
                    "slug",
                    "summary",
                    "kinds",
                    "themes",
                    "stage",
                    ("started_year", "opened_year"),
                )
            },
        ),
        (
            _("Place"),
            {"fields": ("address", "commune", "location", "location_precision", "territories_served")},
        ),
        (_("Description"), {"fields": ("description",)}),
        (
            _("Key figures"),
            {"fields": (("surface_m2", "investment_eur"), ("annual_budget_eur", "jobs_fte", "volunteers"))},
        ),
        (_("Contacts and image"), {"fields": ("website", "public_email", "phone", "image", "image_alt")}),
        (
            _("Publication"),
            {
                "fields": (
                    "status",
                    "networks",
                    "sources",
                    "verified_on",
                    ("created_at", "created_by"),
                    ("updated_at", "updated_by"),
                )
            },
        ),
    )
    readonly_fields = ("created_at", "updated_at", "created_by", "updated_by")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("commune", "territories_served")
    inlines = part_inlines()
    # Addresses typed without a scheme are today's web addresses (and Django 6 assumes it too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Short lists: ticking boxes beats a two-pane selector.
    ticked_fields = ("kinds", "themes", "networks")

    @admin.display(description=_("département"), ordering="commune__departement__code")
    def departement(self, initiative):
        return initiative.commune.departement if initiative.commune else None

    def view_on_site(self, initiative):
        """The public page, which only a published initiative has (a draft's would be a 404)."""
        if Initiative.objects.published().filter(pk=initiative.pk).exists():
            return initiative.get_absolute_url()
        return None

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.ticked_fields:
            kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault(
            "help_texts",
            {
                "address": _(
                    "Street and number. Then press “Geocode the address” at the bottom of the page "
                    "to place the point on the map, or click on the map yourself."
                ),
            },
        )
        return super().get_form(request, obj, change, **kwargs)

    # --- Nothing is deleted ---------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Already hidden without the delete permission; removed outright so that granting the
        # permission by mistake cannot bring back a bulk delete.
        actions.pop("delete_selected", None)
        return actions

    # --- Saving ---------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The initiative, its inlines and its many-to-many values: what the public pages read of
        # it is refreshed once, after them all.
        with indexing.deferred():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if GEOCODE_BUTTON in request.POST:
            outcome = locate_initiative(obj)
            level, message = self._located_message(obj, outcome)
            self.message_user(request, message, level)
        super().save_model(request, obj, form, change)

    # These sentences name the initiative, where Django's say "The {name} “{obj}” was added
    # successfully.": their French elides the article and makes the participle feminine
    # (« L’initiative « … » a été ajoutée. »), which is right for this model only.

    def response_add(self, request, obj, post_url_continue=None):
        if GEOCODE_BUTTON in request.POST:
            return self._stay_on_change_page(request, obj, gettext("The initiative “{obj}” was added."))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if GEOCODE_BUTTON in request.POST:
            return self._stay_on_change_page(request, obj, gettext("The initiative “{obj}” was changed."))
        return super().response_change(request, obj)

    def _stay_on_change_page(self, request, obj, message):
        """After geocoding, the curator checks the point on the map: back to the same page, as
        "Save and continue editing" does."""
        self.message_user(request, format_html(message, obj=obj), messages.SUCCESS)
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(obj.pk,),
            current_app=self.admin_site.name,
        )
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(preserved, url))

    @staticmethod
    def _located_message(initiative, outcome):
        if outcome.result is LocateResult.ADDRESS:
            if outcome.place.source == Source.NOMINATIM:
                # Less sure than the national address base: the curator should look at the map.
                text = gettext(
                    "Located at the address found by OpenStreetMap (the Base Adresse Nationale did not "
                    "answer or did not know it): “{label}”. Check the point on the map."
                )
            else:
                text = gettext("Located at the address found by the Base Adresse Nationale: “{label}”.")
            return messages.SUCCESS, format_html(text, label=outcome.place.label)
        if outcome.result is LocateResult.KEPT:
            if initiative.address.strip():
                return messages.WARNING, gettext(
                    "The address was not found: the point already on the map was kept."
                )
            return messages.WARNING, gettext("No address is given: the point already on the map was kept.")
        if outcome.result is LocateResult.COMMUNE_CENTRE:
            commune = initiative.commune.name if initiative.commune else outcome.place.label
            if initiative.address.strip():
                text = gettext(
                    "The address was not found: the point was put at the centre of {commune}. "
                    "Drag it on the map to the right place if you know it."
                )
            else:
                text = gettext(
                    "No address is given: the point was put at the centre of {commune}. "
                    "Drag it on the map to the right place if you know it."
                )
            return messages.WARNING, format_html(text, commune=commune)
        return messages.WARNING, gettext(
            "The point was not found: the address could not be located and the commune's centre is "
            "not known. Click on the map to place the initiative, then save."
        )

    # --- List actions ---------------------------------------------------------------------------

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Initiative.Status.PUBLISHED,
            ngettext_lazy(
                "%(count)d initiative was published.", "%(count)d initiatives were published.", "count"
            ),
        )

    @admin.action(description=_("Archive"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(
            request,
            queryset,
            Initiative.Status.ARCHIVED,
            ngettext_lazy(
                "%(count)d initiative was archived.", "%(count)d initiatives were archived.", "count"
            ),
        )

    def _set_status(self, request, queryset, status, done_message):
        """Set the status one object at a time, so that each change lands in the history, then say
        how many changed (``done_message``: singular and plural, by ``count``)."""
        reason = gettext("Status set to “%(status)s” from the list of initiatives.") % {
            "status": Initiative.Status(status).label
        }
        count = 0
        for initiative in queryset.exclude(status=status):
            initiative.status = status
            initiative.updated_by = request.user
            initiative._history_user = request.user
            initiative._change_reason = reason
            initiative.save(update_fields=["status", "updated_by", "updated_at"])
            count += 1
        self.message_user(request, done_message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Geocode the address"), permissions=["change"])
    def geocode(self, request, queryset):
        if queryset.count() > MAX_GEOCODED_AT_ONCE:
            self.message_user(
                request,
                gettext("Select at most %(count)d initiatives to geocode at once.")
                % {"count": MAX_GEOCODED_AT_ONCE},
                messages.WARNING,
            )
            return
        reason = gettext("Geocoded from the list of initiatives.")
        counts = {result: 0 for result in LocateResult}
        kept, not_found = [], []
        for initiative in queryset.select_related("commune"):
            outcome = locate_initiative(initiative)
            counts[outcome.result] += 1
            if outcome.result is LocateResult.KEPT:
                kept.append(initiative.name)
            elif outcome.result is LocateResult.NOT_FOUND:
                not_found.append(initiative.name)
            if not outcome.found:
                continue
            initiative.updated_by = request.user
            initiative._history_user = request.user
            initiative._change_reason = reason
            initiative.save(update_fields=["location", "location_precision", "updated_by", "updated_at"])

        if count := counts[LocateResult.ADDRESS]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d initiative was located at its address.",
                    "%(count)d initiatives were located at their address.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if count := counts[LocateResult.COMMUNE_CENTRE]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d initiative was placed at the centre of its commune: check it on its map.",
                    "%(count)d initiatives were placed at the centre of their commune: check them on "
                    "their maps.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
        if kept:
            self.message_user(
                request,
                ngettext(
                    "The address of %(count)d initiative was not found or not given (%(names)s): the "
                    "point already on its map was kept.",
                    "The addresses of %(count)d initiatives were not found or not given (%(names)s): "
                    "the points already on their maps were kept.",
                    len(kept),
                )
                % {"count": len(kept), "names": ", ".join(kept)},
                messages.WARNING,
            )
        if not_found:
            self.message_user(
                request,
                ngettext(
                    "The point of %(count)d initiative was not found (%(names)s): open it and click "
                    "on the map to place it.",
                    "The points of %(count)d initiatives were not found (%(names)s): open each and "
                    "click on the map to place it.",
                    len(not_found),
                )
                % {"count": len(not_found), "names": ", ".join(not_found)},
                messages.WARNING,
            )

    # --- History and undo -----------------------------------------------------------------------
    # simple-history's revert puts back the initiative's own fields. SafeHistoryAdmin's form shows
    # the version's kinds, themes, networks and territories, so that saving puts them back too; the
    # rows below the form (legal set-up, partners, funding…) are put back after it, in the same
    # transaction, and every record of the revert carries the curator and a reason.

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        version = self.get_version_or_404(object_id, version_id)
        initiative = version.instance
        may_change = self.has_change_history_permission(request, initiative)
        may_revert = may_change and not self.revert_disabled(request, initiative)
        if request.method != "POST":
            if may_revert:
                self._announce_restore(request, plan_restore(version), done=False)
            return super().history_form_view(request, object_id, version_id, extra_context)
        # simple-history saves a posted version for anyone who may only view the history.
        if not may_revert:
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)), indexing.deferred():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            # simple-history redirects once the form is valid and saved, and shows it again if not.
            if response.status_code == 302:
                self._announce_restore(request, restore_related_rows(version, request.user), done=True)
        return response

    def _announce_restore(self, request, plans, *, done):
        """Say what the revert does (on its page) or did (once saved) to the rows below the form."""
        if sections := "; ".join(self._described(changes) for changes in plans if changes):
            if done:
                text = gettext("The rows below the form were put back as in this version: %(sections)s.")
            else:
                text = gettext(
                    "Reverting to this version also puts back the rows below the form as they were "
                    "then: %(sections)s."
                )
            self.message_user(
                request, text % {"sections": sections}, messages.SUCCESS if done else messages.INFO
            )
        if count := sum(len(changes.lost) for changes in plans):
            lost = "; ".join(
                f"{changes.model._meta.verbose_name_plural} ({len(changes.lost)})"
                for changes in plans
                if changes.lost
            )
            self.message_user(
                request,
                ngettext(
                    "%(count)d row of this version cannot be put back, because what it refers to "
                    "has been deleted since: %(sections)s.",
                    "%(count)d rows of this version cannot be put back, because what they refer to "
                    "has been deleted since: %(sections)s.",
                    count,
                )
                % {"count": count, "sections": lost},
                messages.WARNING,
            )

    @staticmethod
    def _described(changes):
        """One model's changes, as in “funding lines (1 row changed back, 1 row removed)”."""
        counts = []
        if count := len(changes.to_create):
            counts.append(
                ngettext("%(count)d row brought back", "%(count)d rows brought back", count)
                % {"count": count}
            )
        if count := len(changes.to_update):
            counts.append(
                ngettext("%(count)d row changed back", "%(count)d rows changed back", count)
                % {"count": count}
            )
        if count := len(changes.to_delete):
            counts.append(
                ngettext("%(count)d row removed", "%(count)d rows removed", count) % {"count": count}
            )
        return f"{changes.model._meta.verbose_name_plural} ({', '.join(counts)})"
