"""Template tags of the "Add to the comparison" controls: which initiatives the page's address
already holds in its selection (``?i=<slug>``), so that a page reached from the comparison shows
them ticked and its compare form carries them, without JavaScript and without a query."""

from django import template

from ..comparison import selected_slugs

register = template.Library()


@register.simple_tag(takes_context=True)
def compare_selection(context):
    """The slugs of the selection that the page's address holds, in order, each once."""
    request = context.get("request")
    return selected_slugs(request.GET) if request is not None else []


@register.simple_tag(takes_context=True)
def compare_carried(context, shown=()):
    """The slugs of the selection that no box on the page stands for (``shown``: the initiatives,
    or the one initiative, that the page shows with a box), which the compare form carries as
    hidden fields."""
    if hasattr(shown, "slug"):
        shown = [shown]
    on_page = {initiative.slug for initiative in shown}
    return [slug for slug in compare_selection(context) if slug not in on_page]
