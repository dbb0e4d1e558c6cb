"""The site's settings, with the tutorial's pages under ``/tutoriel/`` beside the site's own.

    DJANGO_SETTINGS_MODULE=benchmarks.tutorial.settings .venv/bin/python manage.py runserver

On PostgreSQL a statement stops after ``BENCH_TUTORIAL_STATEMENT_TIMEOUT`` (default 120 s): a
tutorial query that the planner cannot hash (``IN (subquery)`` over a million ids) would otherwise
run for hours, and the page is then reported as failed after that long.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, TEMPLATES

ROOT_URLCONF = "benchmarks.tutorial.urls"

TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "benchmarks" / "tutorial" / "templates"]},
    *TEMPLATES[1:],
]

if "postgis" in DATABASES["default"]["ENGINE"] or "postgresql" in DATABASES["default"]["ENGINE"]:
    timeout = os.environ.get("BENCH_TUTORIAL_STATEMENT_TIMEOUT", "120s")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={timeout}"
