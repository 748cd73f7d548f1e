"""The channels' fixtures (a real SMTP server and the SMS stand-in) live in tests/support/channels.py, shared
with the browser tests."""
from tests.support.channels import channels, smtp_server

__all__ = ["channels", "smtp_server"]
