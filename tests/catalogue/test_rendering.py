"""Curators' Markdown is shown to the public as sanitised HTML."""

from django.template import Context, Template

from catalogue.rendering import render_markdown


def test_markdown_keeps_emphasis_lists_and_links():
    html = render_markdown(
        "Un *tiers-lieu* **rural**.\n\n- école de cirque\n- festivals\n\n[Le site](https://www.cirquencavale.com/)"
    )

    assert "<em>tiers-lieu</em>" in html
    assert "<strong>rural</strong>" in html
    assert "<ul>" in html and "<li>école de cirque</li>" in html
    assert '<a href="https://www.cirquencavale.com/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_keeps_ordered_lists_quotes_and_mail_links():
    html = render_markdown("1. émergence\n2. ouverture\n\n> Citation\n\n<contact@example.org>")

    assert "<ol>" in html
    assert "<blockquote>" in html
    assert "mailto:" in html


def test_script_elements_are_removed_with_their_content():
    html = render_markdown("Avant\n\n<script>alert('xss')</script>\n\nAprès")

    assert "<script" not in html
    assert "alert" not in html
    assert "Avant" in html and "Après" in html


def test_event_handler_attributes_are_removed():
    html = render_markdown('<img src="x" onerror="alert(1)"> <p onclick="alert(2)">texte</p>')

    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html
    assert "texte" in html


def test_javascript_urls_are_not_kept():
    html = render_markdown(
        '[clic](javascript:alert(1)) <a href="JavaScript:alert(2)">raw</a> [data](data:text/html,x)'
    )

    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "clic" in html and "raw" in html


def test_style_and_iframes_are_not_kept():
    html = render_markdown('<style>body{display:none}</style><iframe src="https://evil.example"></iframe>ok')

    assert "<style" not in html and "display:none" not in html
    assert "<iframe" not in html
    assert "ok" in html


def test_top_level_headings_are_demoted_below_the_page_headings():
    html = render_markdown("# Titre\n\n## Sous-titre")

    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Titre</h3>" in html and "<h3>Sous-titre</h3>" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


def test_the_template_filter_renders_sanitised_html_unescaped():
    template = Template("{% load catalogue_tags %}{{ text|markdown }}")

    html = template.render(Context({"text": "**gras** <script>x()</script>"}))

    assert "<strong>gras</strong>" in html
    assert "<script" not in html and "&lt;script" not in html
