"""The project's small exception family: every error a user can cause is one of these.

The CLI prints their message (in French) and exits with their code, never a traceback.
"""


class TIError(Exception):
    """Base of the errors the command line turns into a message and an exit code."""

    exit_code = 1


class DataError(TIError):
    """The data package does not pass `check`; carries the full report."""

    def __init__(self, report_text: str):
        super().__init__(report_text)


class ConfigError(TIError):
    """datapackage.yaml, a schema or mkdocs.yml is missing or malformed."""


class BuildError(TIError):
    """Generating pages or running mkdocs failed; the previous site is left untouched."""


class UsageError(TIError):
    """The command was called with wrong arguments."""

    exit_code = 2
