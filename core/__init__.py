"""Aegis core: the internal process. Resolves keys, runs the guards, calls the model, audits."""
