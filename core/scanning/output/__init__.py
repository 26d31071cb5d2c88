"""Scanners of the model's answers, on their way back to the client."""
