"""The second outside evaluation set for the prompt-injection detector (see README.md)."""
