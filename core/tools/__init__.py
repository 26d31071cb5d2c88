"""Agent tool calls: the catalogue of tools (levels, permissions, argument rules), its
per-workspace overrides in PostgreSQL, and the gate that judges each call a model makes."""
