"""Bypass events on core: consuming the edges' stream into PostgreSQL, and reviewing them."""
