"""The channels' fixtures (a real SMTP server and the SMS stand-in) live in tests/support/channels.py, shared
with the browser tests; an SMS gateway that can be down in tests/support/sms_gateway.py."""
from tests.support.channels import channels, smtp_server
from tests.support.sms_gateway import sms_gateway

__all__ = ["channels", "sms_gateway", "smtp_server"]
