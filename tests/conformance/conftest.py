"""Shared pytest fixtures: one running vl-server per test session (see server_fixtures.py)."""

from server_fixtures import vl_server, vl_server_binary  # noqa: F401  (pytest fixtures)
