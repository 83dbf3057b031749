"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One real Bolt server (ArcadeDB) for the whole session: started by the first test
    that needs it (skipped where the ``arcadedb-embedded`` wheel is missing)."""
    from integration.bolt_server import INSTALL_HINT, arcadedb_home, running_server

    if arcadedb_home() is None:
        pytest.skip(f"arcadedb-embedded (the Bolt test server) is not installed: {INSTALL_HINT}")
    with running_server(tmp_path_factory.mktemp("arcadedb")) as srv:
        yield srv
