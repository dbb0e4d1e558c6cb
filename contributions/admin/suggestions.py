"""The curators' queue of citizens' suggestions.

A curator sees the suggestions routed to one of their networks, or to none; an administrator sees
them all; any other is not found. What the citizen wrote is read-only: a curator handles a
suggestion with the buttons under it (turn a proposal into a draft, answer, dismiss), each a POST
that ``handling`` checks again, so that a tampered request changes nothing.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Network
from accounts.roles import is_administrator, member_network_ids

from .. import handling
from ..models import Suggestion


class NetworkFilter(admin.SimpleListFilter):
    """The networks a suggestion is routed to, among those the curator sees, and "none"."""

    title = _("network")
    parameter_name = "network"
    NONE = "none"

    def lookups(self, request, model_admin):
        networks = Network.objects.all()
        if not is_administrator(request.user):
            networks = networks.filter(pk__in=member_network_ids(request.user))
        return [(str(network.pk), network.name) for network in networks] + [
            (self.NONE, _("no network (every curator)"))
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == self.NONE:
            return queryset.filter(networks__isnull=True)
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(networks__pk=int(value)).distinct()


@admin.register(Suggestion)
class SuggestionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "kind", "commune", "status", "networks_list", "created_at")
    list_filter = ("kind", "status", NetworkFilter)
    list_select_related = ("commune", "initiative")
    search_fields = (
        "name",
        "message",
        "address",
        "submitter_name",
        "submitter_email",
        "commune__name",
        "initiative__name",
    )
    date_hierarchy = "created_at"
    fieldsets = (
        (
            _("What the citizen suggests"),
            {"fields": ("kind", "initiative", "name", "commune", "address", "website", "message")},
        ),
        (_("Who sent it"), {"fields": ("submitter_name", "submitter_email", "wants_news", "created_at")}),
        (
            _("Handling"),
            {"fields": ("status", "networks", "handled_by", "handled_at", "answer", "draft")},
        ),
    )
    readonly_fields = tuple(name for _title, options in fieldsets for name in options["fields"])

    @admin.display(description=_("networks"))
    def networks_list(self, suggestion):
        return ", ".join(network.name for network in suggestion.networks.all()) or "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("networks")
        return handling.visible_suggestions(request.user, queryset)

    # A suggestion of another network is not found in the list nor on its page (get_queryset), and
    # its history is refused (simple-history reads it without the queryset).
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._is_theirs(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_theirs(request, obj)

    @staticmethod
    def _is_theirs(request, obj):
        return obj is None or handling.may_handle(request.user, obj)

    # Suggestions come from the public forms and are never deleted.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- Handling -------------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        handlers = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.handle_view),
                {"action": name},
                name=f"{prefix}_{name}",
            )
            for name in ("convert", "answer", "dismiss")
        ]
        return handlers + super().get_urls()

    # The page and the history only show the suggestion: what the citizen wrote is theirs, and the
    # handling is done once, by handle_view. A version is never restored (it would bring a handled
    # suggestion back to "new").

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            may = obj.status == Suggestion.Status.NEW and self.has_change_permission(request, obj)
            context["may_handle"] = may
            context["may_convert"] = may and obj.kind == Suggestion.Kind.PROPOSAL
        return super().render_change_form(request, context, add, change, form_url, obj)

    def handle_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        suggestion = self.get_object(request, unquote(object_id))
        if suggestion is None:
            raise Http404
        if not self.has_change_permission(request, suggestion):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[suggestion.pk]
        )
        text = request.POST.get("answer", "")
        try:
            if action == "convert":
                draft = handling.convert_to_draft(request.user, suggestion)
                done = gettext(
                    "The draft “%(name)s” was made from the suggestion. Complete it, then publish it."
                ) % {"name": draft.name}
                self.message_user(request, self._told(done, draft.suggestion_told), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalogue_initiative_change", args=[draft.pk]))
            if action == "answer":
                handled = handling.answer(request.user, suggestion, text)
                done = gettext("The answer was recorded.")
            else:
                handled = handling.dismiss(request.user, suggestion, text)
                done = gettext("The suggestion was dismissed.")
        except handling.Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(request, self._told(done, handled.told), messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    @staticmethod
    def _told(message, told):
        if not told:
            return message
        return " ".join([message, gettext("The submitter was told by e-mail.")])
