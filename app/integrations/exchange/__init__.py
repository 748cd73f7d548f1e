"""Data exchange with the notice's other systems: connectors behind one interface (base.py), the HTTP
connector, stand-in servers, message schemas and signatures. `make_connector(config, system)` gives the
connector the configuration names: GJY_EXCHANGE_<SYSTEM>_URL / _KEY / _TIMEOUT / _RATE (docs/operations.md)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.errors import Message
from app.integrations.exchange import reasons
from app.integrations.exchange.base import (
    Acknowledgement,
    Connector,
    DeliveryFailed,
    Health,
    OutgoingMessage,
)
from app.integrations.exchange.http import HttpConnector
from app.integrations.exchange.systems import INTERNAL, OUTBOUND_SYSTEMS, SYSTEMS, System, target_of, title_of


class UnconfiguredConnector:
    """A system without a URL outside demo mode: every delivery fails as a link refused (retried, then
    dead-lettered; the admins told once), so a forgotten setting shows instead of messages disappearing."""

    def __init__(self, system: str) -> None:
        self.system = system

    def deliver(self, message: OutgoingMessage) -> Acknowledgement:
        raise DeliveryFailed(self._missing(reasons.NOT_CONFIGURED_UNSENT), link_refused=True)

    def health(self) -> Health:
        return Health(False, self._missing(reasons.NOT_CONFIGURED))

    def _missing(self, template: str) -> str:
        return Message(template, setting=f"GJY_{self.system.upper()}_URL",
                       alternative=f"{SYSTEMS[self.system].env_prefix}_URL")


def setting(config: Mapping[str, Any], system: str, name: str, default: str = "") -> str:
    """GJY_EXCHANGE_<SYSTEM>_<NAME>, from the app config's EXCHANGE_SETTINGS (the environment's
    GJY_EXCHANGE_* variables, without the prefix); the URL also as GJY_<SYSTEM>_URL (EXCHANGE_URLS)."""
    settings: Mapping[str, str] = config.get("EXCHANGE_SETTINGS") or {}
    found = settings.get(f"{system.upper()}_{name}")
    if not found and name == "URL":
        found = (config.get("EXCHANGE_URLS") or {}).get(system.upper())
    return str(found or default)


def has_address(config: Mapping[str, Any], system: str) -> bool:
    """Whether messages to `system` have somewhere to go: its URL is set, or the demo's stand-in takes them (a
    system we send nothing to, and the app itself, need no address)."""
    if system not in SYSTEMS or not SYSTEMS[system].outbound:
        return True
    return bool(setting(config, system, "URL") or config.get("DEMO"))


def make_connector(config: Mapping[str, Any], system: str) -> Connector:
    url = setting(config, system, "URL")
    if not url and config.get("DEMO"):
        from app.integrations.exchange.standin import ExchangeStandIn

        url = ExchangeStandIn.shared(system).url  # the demo delivers to a stand-in, over HTTP as in production
    if not url:
        return UnconfiguredConnector(system)
    return HttpConnector(system, url, setting(config, system, "KEY"),
                         float(setting(config, system, "TIMEOUT", "10")), float(setting(config, system, "RATE", "0")))


__all__ = ["INTERNAL", "OUTBOUND_SYSTEMS", "SYSTEMS", "Acknowledgement", "Connector", "DeliveryFailed", "Health",
           "HttpConnector", "OutgoingMessage", "System", "UnconfiguredConnector", "has_address", "make_connector",
           "setting", "target_of", "title_of"]
