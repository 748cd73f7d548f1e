"""Identity verification behind one interface: the legal representative's face recognition or corporate
account micro-payment, an individual's real-name check. `http` talks to the vendor's service (or the
stand-in, `app.integrations.standin`, in tests and the demo)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.integrations.verifier.base import IdentityVerifier, Verdict, VerifierUnavailable
from app.integrations.verifier.http import HttpVerifier


def make_verifier(config: Mapping[str, Any]) -> IdentityVerifier:
    """The verifier at VERIFIER_URL; in demo mode without one, the stand-in (started once per process)."""
    url = str(config.get("VERIFIER_URL") or "")
    if not url and config.get("DEMO"):
        from app.integrations.standin import StandIn

        url = StandIn.shared().url  # the demo verifies against the stand-in, over HTTP as in production
    if not url:
        raise VerifierUnavailable("no verifier configured (GJY_VERIFIER_URL)")
    return HttpVerifier(url, str(config.get("VERIFIER_TOKEN") or ""), float(config.get("VERIFIER_TIMEOUT", 10)))


__all__ = ["HttpVerifier", "IdentityVerifier", "Verdict", "VerifierUnavailable", "make_verifier"]
