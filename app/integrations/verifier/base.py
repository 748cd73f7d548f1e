"""The one interface every identity verifier implements, and its answers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class VerifierUnavailable(Exception):
    """The verifier failed or did not answer in time: nothing was decided, the user may try again."""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str = ""  # the verifier's words when refused (shown to the user)
    reference: str = ""  # the verifier's id of the check or the transfer


class IdentityVerifier(Protocol):
    def check_face(self, name: str, id_number: str) -> Verdict:
        """The person's live face against the ID photo of record (实名刷脸认证)."""

    def send_micro_payment(self, enterprise_name: str, credit_code: str, bank_account: str) -> Verdict:
        """Transfer a small random amount to the enterprise's corporate account (对公账户打款); the reference
        names the transfer. A refusal: the account does not belong to the enterprise."""

    def confirm_micro_payment(self, reference: str, amount_cents: int) -> Verdict:
        """Does the amount the enterprise reports match the transfer?"""

    def check_real_name(self, name: str, id_number: str, phone: str) -> Verdict:
        """An individual's name, ID number and mobile number belong together (实名核验)."""
