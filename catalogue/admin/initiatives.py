"""The initiative admin: where curators write and keep entries right.

Deleting is archiving: no one deletes an initiative here, and every change — including the list
actions — goes through ``save()`` so that the history records it and it can be undone.

Who may see, change, move and revert which entry is said by ``catalogue.permissions``: each
network's curators work in their own lane, and read the others' published entries only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from accounts.models import Network
from geocoding import Source
from territories.models import Territory

from .. import indexing, moderation, permissions
from ..history import plan_restore, restore_related_rows
from ..locating import LocateResult, locate_initiative
from ..models import Initiative
from .duplicates import DuplicatesAdminMixin
from .exports import export_csv, export_xlsx
from .history import SafeHistoryAdmin, VersionForm
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


class ScopeFilter(admin.SimpleListFilter):
    """A curator's list shows their networks' entries; the other networks' published entries are
    one click away, to read."""

    title = _("entries")
    parameter_name = "scope"
    PUBLISHED = "published"

    def lookups(self, request, model_admin):
        return [(self.PUBLISHED, _("All published entries (read only)"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Of my networks"),
        }
        yield {
            "selected": self.value() == self.PUBLISHED,
            "query_string": changelist.get_query_string({self.parameter_name: self.PUBLISHED}),
            "display": _("All published entries (read only)"),
        }

    def queryset(self, request, queryset):
        if self.value() == self.PUBLISHED:
            return queryset.published()
        if self.value() is None:
            return permissions.own_entries(request.user, queryset)
        raise IncorrectLookupParameters(self.value())


class InitiativeForm(VersionForm):
    """The initiative's form, knowing who fills it in: the statuses offered are those their role
    may move the entry to, the networks those they belong to; the networks of others that curate
    the entry stay as they are."""

    status_comment = forms.CharField(
        label=_("Comment on the status change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Optional: why the entry moves (kept in its moderation record)."),
    )
    # Set by InitiativeAdmin.get_form: who fills the form in, and the entry as it is saved now
    # (None when adding; on a revert page the instance is the past version, this is today's).
    user = None
    current = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            allowed = permissions.statuses_for(self.user, self.current)
            self.fields["status"].choices = [(status.value, status.label) for status in allowed]
            if self.initial.get("status") not in {status.value for status in allowed}:
                # A revert to a version whose status the role may not give: today's is kept.
                self.initial["status"] = allowed[0].value
        if "networks" in self.fields and self.initial.get("networks"):
            # The page ticks only the networks it offers (the others are kept by clean_networks).
            offered = set(self.fields["networks"].queryset.values_list("pk", flat=True))
            self.initial["networks"] = [
                network for network in self.initial["networks"] if getattr(network, "pk", network) in offered
            ]

    def clean_networks(self):
        chosen = self.cleaned_data["networks"]
        if permissions.is_admin(self.user):
            return chosen
        if not chosen:
            raise ValidationError(
                _("Choose at least one of your networks: its curators will look after this entry."),
                code="required",
            )
        # The curating networks the user does not belong to are not offered: they are kept.
        others = permissions.entry_network_ids(self.current) - permissions.member_network_ids(self.user)
        return Network.objects.filter(pk__in={network.pk for network in chosen} | others)

    def clean(self):
        cleaned = super().clean()
        status, networks = cleaned.get("status"), cleaned.get("networks")
        if self.current is None and status and networks is not None:
            allowed = permissions.statuses_for(self.user, networks=[network.pk for network in networks])
            if status not in allowed:
                self.add_error(
                    "status",
                    _("Only a coordinator of one of the entry's networks may publish it."),
                )
        return cleaned


@admin.register(Initiative)
class InitiativeAdmin(DuplicatesAdminMixin, SafeHistoryAdmin, LeafletGeoAdmin):
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
    actions = ("submit_for_review", "publish", "archive", "restore", "geocode", export_csv, export_xlsx)
    form = InitiativeForm

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
                    "status_comment",
                    "moderation_record",
                    "networks",
                    "sources",
                    "verified_on",
                    ("created_at", "created_by"),
                    ("updated_at", "updated_by"),
                )
            },
        ),
    )
    readonly_fields = ("moderation_record", "created_at", "updated_at", "created_by", "updated_by")
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

    @admin.display(description=_("moderation record"))
    def moderation_record(self, initiative):
        """Who moved the entry from one status to another, when, and why: newest first."""
        changes = initiative.status_changes.select_related("changed_by") if initiative.pk else []
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    formats.date_format(timezone.localtime(change.changed_at), "DATETIME_FORMAT"),
                    change.changed_by or "—",
                    change.get_from_status_display(),
                    change.get_to_status_display(),
                    change.comment or "—",
                )
                for change in changes
            ),
        )
        if not rows:
            return gettext("No status change yet.")
        return format_html(
            '<table class="moderation-record"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("When"),
            gettext("By"),
            gettext("Status"),
            gettext("Comment"),
            rows,
        )

    def view_on_site(self, initiative):
        """The public page, which only a published initiative has (a draft's would be a 404)."""
        if Initiative.objects.published().filter(pk=initiative.pk).exists():
            return initiative.get_absolute_url()
        return None

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.ticked_fields:
            kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        if db_field.name == "networks":
            kwargs.setdefault("queryset", permissions.networks_for(request.user, Network.objects.all()))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A curator of one network writes for it: its box is ticked already.
        mine = permissions.member_network_ids(request.user)
        if "networks" not in initial and len(mine) == 1 and not permissions.is_admin(request.user):
            initial["networks"] = list(mine)
        return initial

    # --- Who may do what (catalogue.permissions) ------------------------------------------------

    def get_queryset(self, request):
        return permissions.visible_entries(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        if permissions.is_admin(request.user):
            return self.list_filter
        return (ScopeFilter, *self.list_filter)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and permissions.may_add(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_permission(request)
        return super().has_view_permission(request) and permissions.may_view(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request) and permissions.may_add(request.user)
        return super().has_change_permission(request) and permissions.may_change(request.user, obj)

    def has_publish_permission(self, request):
        """The actions that publish, archive and restore entries are the coordinators'."""
        return super().has_change_permission(request) and permissions.may_moderate(request.user)

    # The history pages are given the entry as a past version: what may be done with it is read
    # from the entry as it is today (its networks and status now).

    def has_view_history_or_change_history_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_history_or_change_history_permission(request)
        return super().has_view_permission(request) and permissions.may_view_history(
            request.user, self._today(obj)
        )

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_history_or_change_history_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return self.has_change_permission(request, None if obj is None else self._today(obj))

    def _today(self, obj):
        if obj.pk is None:
            return obj
        today = getattr(obj, "_today", None)
        if today is None:
            today = obj._today = Initiative.objects.filter(pk=obj.pk).first() or obj
        return today

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
        form = super().get_form(request, obj, change, **kwargs)
        current = self._today(obj) if obj is not None and obj.pk else None
        return type(form.__name__, (form,), {"user": request.user, "current": current})

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A contributor reads their network's published entries: the page says how to propose a
        # change, which their role does not let them make here.
        initiative = self.get_object(request, object_id) if request.method == "GET" else None
        if (
            initiative is not None
            and initiative.status == Initiative.Status.PUBLISHED
            and permissions.is_member_of_entry(request.user, initiative)
            and not permissions.may_change(request.user, initiative)
        ):
            extra_context = {**(extra_context or {}), "read_only_because_published": True}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        today = self._today(obj) if change else None
        from_status = today.status if today is not None else Initiative.Status.DRAFT
        if change and obj.status != from_status and not permissions.may_move(request.user, today, obj.status):
            # Only a revert brings a status that the form did not offer: the content is put back,
            # the status stays where the curator's role may leave it.
            obj.status = from_status
            self.message_user(
                request,
                gettext("The status was kept (“%(status)s”): your role may not give this one.")
                % {"status": obj.get_status_display()},
                messages.WARNING,
            )
        if GEOCODE_BUTTON in request.POST:
            outcome = locate_initiative(obj)
            level, message = self._located_message(obj, outcome)
            self.message_user(request, message, level)
        super().save_model(request, obj, form, change)
        moderation.record(obj, from_status, request.user, form.cleaned_data.get("status_comment", ""))

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

    @admin.action(description=_("Send for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._move(
            request,
            queryset,
            Initiative.Status.REVIEW,
            ngettext_lazy(
                "%(count)d initiative was sent for review.",
                "%(count)d initiatives were sent for review.",
                "count",
            ),
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        self._move(
            request,
            queryset,
            Initiative.Status.PUBLISHED,
            ngettext_lazy(
                "%(count)d initiative was published.", "%(count)d initiatives were published.", "count"
            ),
        )

    @admin.action(description=_("Archive"), permissions=["publish"])
    def archive(self, request, queryset):
        self._move(
            request,
            queryset,
            Initiative.Status.ARCHIVED,
            ngettext_lazy(
                "%(count)d initiative was archived.", "%(count)d initiatives were archived.", "count"
            ),
        )

    @admin.action(description=_("Restore as a draft"), permissions=["publish"])
    def restore(self, request, queryset):
        self._move(
            request,
            queryset.filter(status=Initiative.Status.ARCHIVED),
            Initiative.Status.DRAFT,
            ngettext_lazy(
                "%(count)d initiative was restored as a draft.",
                "%(count)d initiatives were restored as drafts.",
                "count",
            ),
        )

    def _move(self, request, queryset, status, done_message):
        """Move the entries one at a time, so that each move lands in the history and the
        moderation record, then say how many moved (``done_message``: singular and plural, by
        ``count``) and how many the user's role left as they were."""
        reason = gettext("Status set to “%(status)s” from the list of initiatives.") % {
            "status": Initiative.Status(status).label
        }
        moved, refused = 0, []
        for initiative in queryset.exclude(status=status):
            if not permissions.may_move(request.user, initiative, status):
                refused.append(initiative.name)
                continue
            moderation.move(initiative, status, request.user, reason=reason)
            moved += 1
        self.message_user(request, done_message % {"count": moved}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d initiative was left as it was, because your role may not make this "
                    "change to it: %(names)s.",
                    "%(count)d initiatives were left as they were, because your role may not make "
                    "this change to them: %(names)s.",
                    len(refused),
                )
                % {"count": len(refused), "names": ", ".join(refused)},
                messages.WARNING,
            )

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
        if not self.has_view_history_or_change_history_permission(request, initiative):
            raise PermissionDenied
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
