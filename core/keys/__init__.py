"""API keys on core: the table (store), the in-memory registry that publishes them to the
edges (registry), and ``aegis keys`` (cli)."""
