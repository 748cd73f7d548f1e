"""The channels' fixtures (a real SMTP server, the SMS stand-in and an SMS gateway that can be down: a stand-in of
its own) live in tests/support/channels.py, shared with the browser tests."""
from tests.support.channels import channels, sms_gateway, smtp_server

__all__ = ["channels", "sms_gateway", "smtp_server"]
