"""Scanning policy overrides on core: the table (store), the in-memory registry that resolves
a request's policy (registry), and ``aegis policy`` (cli)."""
