"""The log file: where errors go so that they never vanish.

``setup_logging()`` sends the ``meeting_console`` loggers (and warnings) to a rotating file in
the user log directory, owner-only. Log lines are for diagnosis, not a second copy of the
meeting: a filter removes what the database layer would otherwise drag in (the parameters of a
failed SQL statement: names, posts, citations) and quoted Vietnamese text in messages, keeping
ids, operation names and error kinds.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
from pathlib import Path

APP = "meeting-console"
LOG_NAME = "meeting-console.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# SQLAlchemy appends "[parameters: (...)]" to a failed statement's message: the row's values.
_SQL_PARAMS = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)
# 'Nguyễn Văn A' or "Hội trường": quoted text with letters outside ASCII is meeting content;
# so is a run of such words outside quotes (the code's own messages are in English).
# Both patterns are linear: log lines can be long and the filter runs on every one.
_QUOTED = re.compile(r"""(['"])([^'"\n]*)\1""")
_SPACES = re.compile(r"(\s+)")
# a database URL's password (postgresql://user:secret@host) and a conninfo's password=…
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@|(?<=password=)\S+")


def _redact_quoted(m: re.Match[str]) -> str:
    return m[0] if m[2].isascii() else f"{m[1]}<{len(m[2])} chars>{m[1]}"


def _redact_words(text: str) -> str:
    out: list[str] = []
    run: list[str] = []  # words (and the spaces between them) to hide
    for part in _SPACES.split(text):
        if not part.isascii() and not part.isspace():
            run.append(part)
            continue
        if run and part.isspace():
            run.append(part)
            continue
        if run:
            tail = run.pop() if run[-1].isspace() else ""
            out.append(f"<{sum(len(r) for r in run)} chars>{tail}")
            run = []
        out.append(part)
    if run:
        tail = run.pop() if run[-1].isspace() else ""
        out.append(f"<{sum(len(r) for r in run)} chars>{tail}")
    return "".join(out)


def redact(text: str) -> str:
    """``text`` without SQL parameters and Vietnamese text (names, titles, posts): a heuristic
    that keeps what diagnosis needs (ids, operation names, error kinds, English messages)."""
    text = _SQL_PARAMS.sub("[parameters: redacted]", text)
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _redact_words(_QUOTED.sub(_redact_quoted, text))


class PrivacyFilter(logging.Filter):
    """Redacts a record's final message (arguments and traceback included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP, appauthor=False)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Creates the log (and each rotated file) readable by the owner only."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


_handler: logging.Handler | None = None


def setup_logging(level: int = logging.INFO, *, directory: str | os.PathLike[str] | None = None,
                  stderr: bool = False) -> Path:
    """Log to ``<user log dir>/meeting-console.log`` (rotated at 1 MB, 5 kept); returns the
    path. Safe to call again (the handler is replaced, not doubled)."""
    global _handler
    folder = Path(directory) if directory is not None else log_dir()
    if not folder.exists():  # a folder that exists already is the user's: its mode stays
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    path = folder / LOG_NAME
    handler = _PrivateRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                      encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PrivacyFilter())
    logger = logging.getLogger("meeting_console")
    if _handler is not None:
        logger.removeHandler(_handler)
        logging.getLogger("py.warnings").removeHandler(_handler)
        _handler.close()
    logger.addHandler(handler)
    logger.setLevel(level)
    _handler = handler
    if stderr and not any(getattr(h, "_mc_stderr", False) for h in logger.handlers):
        err = logging.StreamHandler()
        err.setLevel(logging.WARNING)
        err.setFormatter(logging.Formatter("meeting-console: %(levelname)s %(message)s"))
        err.addFilter(PrivacyFilter())
        err._mc_stderr = True  # type: ignore[attr-defined]
        logger.addHandler(err)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addHandler(handler)
    return path


def log_file() -> Path | None:
    """The current log file, once ``setup_logging`` ran."""
    return Path(_handler.baseFilename) if isinstance(_handler, logging.FileHandler) else None
