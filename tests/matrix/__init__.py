"""Tests of the Matrix front-end against a real Synapse homeserver.

The harness lives in :mod:`tests.matrix.synapse`; the fixtures in
``tests/matrix/conftest.py``.
"""
