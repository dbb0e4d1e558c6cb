"""Reading the networks' own files into initiatives: a table read from CSV, XLSX or GeoJSON
(``reading``), its columns matched to the catalogue's fields (``mapping``), each row checked and
placed (``rows``, ``places``), what would change planned row by row (``planning``) and, once a
curator has read the plan, written in one transaction (``writing``).

Nothing here knows of import batches or of the admin: ``contributions`` keeps the batches and their
provenance, and calls these modules.
"""
