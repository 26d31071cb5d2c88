"""Aegis edge: the DMZ process. Checks keys, limits, prefilters, and forwards to core."""
