"""France's official geography: régions, départements, intercommunalities (EPCI) and communes.

The lowest layer of the project: it imports nothing from the other apps. Loaded offline from the
shipped files (``loader``, ``manage.py load_territories``); searched by name, postcode or code
(``Territory.objects.search()``, ``suggestions``); written and read back as labels such as
"Lille (59)" (``labels``).
"""
