"""A real Bolt server for tests and benchmarks: ArcadeDB from the ``arcadedb-embedded`` wheel.

The wheel ships the ArcadeDB server, its Bolt plugin and a JRE, so no Java install and no
Neo4j are needed; the official ``neo4j`` Python driver talks to it over Bolt and Cypher.

>>> from integration.bolt_server import running_server
>>> with running_server(tmp_dir) as server:                       # doctest: +SKIP
...     driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)
...     driver.session(database=server.database)

The server listens on free loopback ports (Bolt and HTTP), keeps its databases under
``<dir>/root`` and writes its log to ``<dir>/arcadedb-<n>.log`` (outside the root path, where
the server makes a ``log/`` folder of its own). :meth:`BoltServer.kill` stops it hard
(SIGKILL) and :meth:`BoltServer.start` starts it again on the same root path and ports.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BoltServer", "arcadedb_home", "free_port", "running_server"]

INSTALL_HINT = "pip install arcadedb-embedded"


def arcadedb_home() -> Path | None:
    """Folder of the installed ``arcadedb_embedded`` package (with ``jre/`` and ``jars/``),
    or None if the wheel is not installed. Does not import it (no JVM is started)."""
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    home = Path(next(iter(spec.submodule_search_locations)))
    if not (home / "jars").is_dir() or not _java(home).exists():
        return None
    return home


def _java(home: Path) -> Path:
    return home / "jre" / "bin" / ("java.exe" if os.name == "nt" else "java")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class BoltServer:
    """One ArcadeDB server process with its Bolt plugin, on loopback.

    Attributes
    ----------
    directory : Path
        Holds ``root/`` (the server's root path) and the log files.
    password : str
        The root user's password.
    database : str
        Name of the database created at the first start.
    bolt_port, http_port : int
        Free loopback ports, chosen at the first start and kept across restarts.
    heap : str
        The JVM's ``-Xmx``.
    """

    directory: Path
    password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(8))
    database: str = "graph"
    bolt_port: int = 0
    http_port: int = 0
    heap: str = "1g"
    process: subprocess.Popen | None = field(default=None, repr=False)
    log_path: Path | None = None
    starts: int = 0

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        return ("root", self.password)

    @property
    def root(self) -> Path:
        return self.directory / "root"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    # ---- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> BoltServer:
        """Start the server (again, on the same root path and ports), wait until Bolt
        accepts connections, and create the database if it does not exist yet."""
        home = arcadedb_home()
        if home is None:
            raise RuntimeError(f"arcadedb-embedded is not installed: {INSTALL_HINT}")
        if self.process is not None and self.process.poll() is None:
            return self
        first = not self.bolt_port
        for attempt in range(3):
            if first:
                self.bolt_port, self.http_port = free_port(), free_port()
                while self.http_port == self.bolt_port:
                    self.http_port = free_port()
            try:
                self._launch(home, timeout)
                break
            except _PortTaken:
                if not first or attempt == 2:
                    raise
        self._ensure_database()
        return self

    def _launch(self, home: Path, timeout: float) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.log_path = self.directory / f"arcadedb-{self.starts}.log"
        cmd = [
            str(_java(home)),
            f"-Xmx{self.heap}",
            "-cp",
            str(home / "jars" / "*"),
            f"-Darcadedb.server.rootPassword={self.password}",
            f"-Darcadedb.server.rootPath={self.root}",
            f"-Darcadedb.server.databaseDirectory={self.root / 'databases'}",
            "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "-Darcadedb.bolt.host=127.0.0.1",
            f"-Darcadedb.bolt.port={self.bolt_port}",
            "-Darcadedb.server.httpIncomingHost=127.0.0.1",
            f"-Darcadedb.server.httpIncomingPort={self.http_port}",
            "com.arcadedb.server.ArcadeDBServer",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the test run does not reach it
            )
        _live.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                text = self.log()
                self.process = None
                _live.discard(self)
                if "Address already in use" in text or "BindException" in text:
                    raise _PortTaken(text[-2000:])
                raise RuntimeError(
                    f"ArcadeDB exited at start with code {code}; log {self.log_path}:\n"
                    f"{text[-3000:]}"
                )
            if _listening(self.bolt_port) and _listening(self.http_port):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"ArcadeDB did not accept Bolt connections on port {self.bolt_port} within "
            f"{timeout:.0f} s; log {self.log_path}:\n{self.log()[-3000:]}"
        )

    def log(self) -> str:
        """The server's output of its latest start."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def http(self, method: str, path: str, body: dict | None = None) -> dict:
        """One call to the server's HTTP API as root; returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}{path}", data=data, method=method
        )
        token = base64.b64encode(f"root:{self.password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")

    def _ensure_database(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                existing = self.http("GET", "/api/v1/databases").get("result", [])
                if self.database not in existing:
                    self.http(
                        "POST", "/api/v1/server", {"command": f"create database {self.database}"}
                    )
                return
            except (urllib.error.URLError, ConnectionError) as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"cannot create database {self.database!r}: {exc}") from exc
                time.sleep(0.3)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server: SIGTERM, wait, then SIGKILL."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        _live.discard(self)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would, and wait until it is gone."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
        _live.discard(self)

    def __hash__(self) -> int:
        return id(self)


class _PortTaken(RuntimeError):
    pass


_live: set[BoltServer] = set()


@atexit.register
def _stop_all() -> None:  # a crashed test run still leaves no server behind
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.kill()


@contextlib.contextmanager
def running_server(
    directory: str | os.PathLike, *, database: str = "graph", heap: str = "1g"
) -> Iterator[BoltServer]:
    """Start an ArcadeDB server with Bolt in ``directory``, yield it, stop it.

    Yields
    ------
    BoltServer
        With ``uri`` (``bolt://127.0.0.1:<port>``), ``auth`` (``("root", <password>)``) and
        ``database``.
    """
    server = BoltServer(Path(directory), database=database, heap=heap)
    server.start()
    try:
        yield server
    finally:
        server.stop()
