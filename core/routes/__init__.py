"""Core's HTTP routes: the OpenAI-compatible API and the service endpoints."""
