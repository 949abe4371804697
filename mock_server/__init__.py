"""A stateful mock of Unleash's service-account Admin API."""

from mock_server.app import create_app
from mock_server.config import MockConfig

__all__ = ["MockConfig", "create_app"]
