"""Domain errors. Raised inside the package, translated at the edges (HTTP status, CLI exit)."""

from __future__ import annotations


class QAError(Exception):
    """Base of every error a user can cause or fix. `status` is its HTTP status."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(QAError):
    """The request itself is wrong (the message says what to fix)."""

    status = 422


class NotFound(QAError):
    """The thing asked for (a chunk, a document) is not in the index."""

    status = 404


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
