"""The outside evaluation set for the prompt-injection classifier (see README.md)."""
