"""The page clients of tests/web for the security tests."""
from tests.web.conftest import web

__all__ = ["web"]
