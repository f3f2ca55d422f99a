"""Errors a user can cause and fix: shown as one line, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. ``str(err)`` is the one-line message for the user."""


class StoreError(UserError):
    """The database cannot be opened or written as asked."""


class ConnectionLost(StoreError):
    """The connection to the database server dropped. Nothing was acknowledged; the console
    reconnects by itself and catches up from the journal."""


class OperationRefused(UserError):
    """A core operation refused: the state does not allow it. Nothing was changed."""


class NotFound(UserError):
    """An id that names nothing (unknown meeting, item, endpoint …)."""


class ImportRefused(UserError):
    """A meeting file (or spreadsheet, feed) that cannot be taken; ``where`` names the spot."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None, field: str = ""):
        self.file = file
        self.line = line
        self.field = field
        self.bare_message = message
        where = file
        if line is not None:
            where += f":{line}"
        if field:
            where += f" ({field})" if where else field
        super().__init__(f"{where}: {message}" if where else message)
