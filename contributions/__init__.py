"""What citizens bring to the catalogue: suggestions of new initiatives and corrections of existing
ones, routed to the curating networks and handled in the admin. Depends on the catalogue, never the
reverse."""
