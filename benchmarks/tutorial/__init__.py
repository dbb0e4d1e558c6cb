"""The catalogue's public pages as a Django tutorial would build them, for the benchmark to compare
with the project's own (``benchmarks/catalogue_budgets.py``). Never part of the site: only
``benchmarks.tutorial.settings`` serves them, under ``/tutoriel/``."""
