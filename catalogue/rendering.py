"""Markdown written by curators, turned into HTML that is safe to show the public.

Markdown lets raw HTML through, so its output goes through nh3 with a short allow-list: what
Markdown itself produces for emphasis, lists, links, quotes and headings, and nothing else.
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr",
    "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li",
    "a",
    "h3", "h4", "h5", "h6",
}  # fmt: skip
# Headings 1 and 2 belong to the page; a curator's "# Title" is demoted rather than lost.
_TOP_HEADING = re.compile(r"<(/?)h[12]\b")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text):
    """Sanitised HTML for the Markdown ``text`` (an empty string for empty text)."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    html = _TOP_HEADING.sub(r"<\1h3", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
