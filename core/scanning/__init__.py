"""Core's scanning: scanners find, a policy turns findings into a verdict."""
