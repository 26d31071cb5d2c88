"""Input scanners: what core checks in a prompt before the model sees it."""
