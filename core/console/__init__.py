"""The security staff's console: static pages served by core at ``/console/``, a session
cookie exchanged for an admin or auditor key, and the admin API reached through it."""
