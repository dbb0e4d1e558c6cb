"""What the territories app tells the others, which it does not know.

``territories_changed`` is sent once a load of the territories has committed, with the primary keys of
the territories whose stored facts it changed (``pks``): their name, population, area or parents. The
loader writes in bulk, without ``save()``, so Django's own signals say nothing of it; the catalogue
listens to this one to refresh what it derived from its initiatives' communes.
"""

from django.dispatch import Signal

territories_changed = Signal()
