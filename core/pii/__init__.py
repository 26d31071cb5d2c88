"""PII and secrets detection with Presidio, offline, with the project's Korean recognizers."""
