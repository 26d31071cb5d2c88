"""The ``aegis`` command line (:mod:`core.cli.main`) and the admin API client its groups use."""

__all__ = ["CliError"]


class CliError(Exception):
    """A failure to report as one line and exit status 1."""
