"""Deprecated location of :func:`infomap_learn.io.read_network` (kept importable)."""

from .io.readers import read_network

__all__ = ["read_network"]
