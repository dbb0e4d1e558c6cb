"""The curators' admin for the catalogue: initiatives, and the tables they draw on.

Importing the modules registers their ModelAdmins with the admin site.
"""

from . import initiatives, lookups, partners, territories

__all__ = ["initiatives", "lookups", "partners", "territories"]
