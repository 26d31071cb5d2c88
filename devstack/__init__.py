"""Development stack: throwaway Redis and PostgreSQL (``services``) and ``make run`` (``stack``)."""
