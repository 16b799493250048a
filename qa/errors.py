"""Domain errors. Raised inside the package, translated at the edges (HTTP status, CLI exit)."""

from __future__ import annotations

from typing import Any


class QAError(Exception):
    """Base of every error a user can cause or fix. `status` is its HTTP status; `extra`
    holds fields the HTTP error shape carries beside the message."""

    status = 500

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class BadRequest(QAError):
    """The request itself is wrong (the message says what to fix)."""

    status = 422


class NotFound(QAError):
    """The thing asked for (a chunk, a document) is not in the index."""

    status = 404


class UnknownDocument(NotFound):
    """A `doc` that names no indexed document; `extra["documents"]` lists the names."""


class UnknownModel(NotFound):
    """A `/v1` request naming a model `qa` does not serve (`GET /v1/models` lists them)."""


class TooLarge(QAError):
    """An upload over the size limit."""

    status = 413


class UnsupportedFormat(QAError):
    """An upload of a file type no converter reads."""

    status = 415


class Conflict(QAError):
    """The request clashes with what is there (an upload whose content is already indexed)."""

    status = 409


class PortInUse(QAError):
    """`qa serve` cannot listen where the settings say."""


class IndexMissing(QAError):
    """No built index where the settings point."""

    status = 503


class IndexMismatch(QAError):
    """The index was built with other settings (model, chunker) than the ones in force."""

    status = 503


class IndexCorrupt(QAError):
    """An index file is missing, truncated or does not match its manifest."""

    status = 503


class IndexUnwritable(QAError):
    """The index folder cannot be written (permissions, not a folder, disk full)."""

    status = 503


class BuildFailed(QAError):
    """A build stopped for a reason outside the corpus (its child process died)."""

    status = 500


class ModelUnavailable(QAError):
    """The embedding model cannot be loaded from local files."""

    status = 503


class Unauthorized(QAError):
    """A protected endpoint was called without a token."""

    status = 401


class Forbidden(QAError):
    """A protected endpoint was called with a wrong token."""

    status = 403


class Disabled(QAError):
    """The feature is switched off by the settings."""

    status = 404
