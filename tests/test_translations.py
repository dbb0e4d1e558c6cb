"""French first: the French catalogue translates every string, and the site answers in French."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from catalogue.models import Initiative

FRENCH_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_has_no_untranslated_or_fuzzy_string():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(FRENCH_CATALOGUE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert "untranslated" not in statistics and "fuzzy" not in statistics, statistics


def test_french_catalogue_holds_every_string_of_the_code_and_no_other(tmp_path):
    """A string added to the code without ``makemessages`` would show in English on the French site."""
    copy = tmp_path / "site"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(".*", "node_modules", "var", "fixtures", "__pycache__", "*.mo"),
    )
    command = ["manage.py", "makemessages", "-l", "fr", "--settings=config.settings.test"]
    subprocess.run(
        [sys.executable, *command],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    for defined, used in ((FRENCH_CATALOGUE, extracted), (extracted, FRENCH_CATALOGUE)):
        result = subprocess.run(
            ["msgcmp", "--use-untranslated", str(defined), str(used)],
            capture_output=True,
            text=True,
            env={"LC_ALL": "C"},
        )
        assert result.returncode == 0, f"Run manage.py makemessages -l fr -l en:\n{result.stderr}"


def test_french_is_the_default_language():
    assert settings.LANGUAGE_CODE == "fr"
    with translation.override(settings.LANGUAGE_CODE):
        assert str(Initiative._meta.get_field("surface_m2").verbose_name) == "surface (m²)"
        assert str(Initiative.Status.PUBLISHED.label) == "publiée"


@pytest.mark.django_db
def test_pages_answer_in_french_by_default_and_in_english_on_request(client):
    assert client.get("/").headers["Content-Language"] == "fr"
    english = client.get("/", headers={"accept-language": "en"})
    assert english.headers["Content-Language"] == "en"
