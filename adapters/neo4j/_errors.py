"""Settings and errors of the Neo4j adapter, and the driver's errors translated into them."""

from __future__ import annotations

import logging
import warnings
from typing import Any
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger("infomap_learn.adapters.neo4j")

#: Seconds to wait for a TCP connection (and Bolt handshake) to a server: drivers made here.
CONNECTION_TIMEOUT = 5.0
#: Seconds a managed transaction is retried on transient errors: drivers made here.
MAX_TRANSACTION_RETRY_TIME = 10.0
#: Records fetched per Bolt ``PULL`` while reading (the page size of a read).
FETCH_SIZE = 10_000

_MAX_NAME_LENGTH = 255


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


class Neo4jAdapterError(Exception):
    """Base class of the errors this adapter raises; the message names the problem."""


class Neo4jConnectionError(Neo4jAdapterError, ConnectionError):
    """The server cannot be reached, refused the connection or timed out."""


class Neo4jAuthError(Neo4jConnectionError):
    """The server rejected the credentials."""


class Neo4jQueryError(Neo4jAdapterError, ValueError):
    """Bad input: a missing database, an invalid name, a query the server rejects, no rows,
    or rows of the wrong shape."""


class Neo4jWriteError(Neo4jAdapterError, RuntimeError):
    """A write that failed part-way.

    Batches before ``failed_batch`` were committed (``nodes_written`` nodes); nothing after
    it was attempted. Running the same write again completes it: it is idempotent.

    Attributes
    ----------
    nodes_written : int
        Nodes whose property was written (committed) before the failure.
    failed_batch : int
        1-based number of the batch that failed.
    batches : int
        Number of batches of the whole write.
    """

    def __init__(self, message: str, *, nodes_written: int, failed_batch: int, batches: int):
        super().__init__(message)
        self.nodes_written = nodes_written
        self.failed_batch = failed_batch
        self.batches = batches


def _neo4j():
    """Import the official driver, with a clear error when it is missing."""
    try:
        import neo4j
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the Neo4j adapter needs the official neo4j driver: "
            "pip install 'infomap-learn[neo4j]' (or pip install neo4j)"
        ) from exc
    return neo4j


def _redact(uri: str) -> str:
    """``uri`` without any user info (credentials never reach a message or a log)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    if "@" not in parts.netloc:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]  # (the port as written: it may be invalid)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _where(driver: Any, database: str | None) -> str:
    """'database 'x' at bolt://host:port' for messages."""
    db = f"database {database!r}" if database is not None else "the default database"
    address = None
    try:  # the driver's initial address; never contains credentials
        address = driver._pool.address  # best effort, for messages only
    except Exception:  # pragma: no cover - a private attribute that may change
        address = None
    return f"{db} at {address}" if address is not None else db


def _translate(exc: BaseException, where: str, action: str) -> Neo4jAdapterError:
    """Turn a driver exception into one of ours with a message naming the problem."""
    neo4j = _neo4j()
    ex = neo4j.exceptions
    with warnings.catch_warnings():  # driver 5.x warns on some attributes (GQL preview)
        warnings.simplefilter("ignore")
        code = str(getattr(exc, "code", None) or "")
        text = getattr(exc, "message", None) or str(exc)
    text = " ".join(str(text).split())
    if isinstance(exc, ex.AuthError) or code.startswith("Neo.ClientError.Security.Unauthorized"):
        return Neo4jAuthError(
            f"authentication failed while {action} ({where}): wrong user name or password "
            "(set NEO4J_USERNAME / NEO4J_PASSWORD, or pass auth=(user, password))"
        )
    if "DatabaseNotFound" in code:
        return Neo4jQueryError(f"{where}: the database does not exist ({text})")
    if isinstance(exc, ex.ClientError) and (
        "Security.Forbidden" in code or "Security.AuthorizationExpired" in code
    ):
        return Neo4jAuthError(f"permission denied while {action} ({where}): {text}")
    if isinstance(exc, (ex.ServiceUnavailable, ex.SessionExpired, OSError)):
        return Neo4jConnectionError(f"cannot reach the server while {action} ({where}): {text}")
    if isinstance(exc, ex.TransientError):
        return Neo4jConnectionError(
            f"the server is temporarily unavailable while {action} ({where}): {code}: {text}"
        )
    if isinstance(exc, ex.ConfigurationError):
        return Neo4jConnectionError(f"invalid connection settings while {action}: {text}")
    if isinstance(exc, ex.Neo4jError):
        return Neo4jQueryError(f"the server rejected the query while {action} ({where}): "
                               f"{code}: {text}")
    return Neo4jAdapterError(f"{action} failed ({where}): {type(exc).__name__}: {text}")


def _driver_errors() -> tuple[type[BaseException], ...]:
    ex = _neo4j().exceptions
    return (ex.Neo4jError, ex.DriverError, OSError)
