"""dispatch_outbox: deliver committed outbox messages through their system's connector.

Per round: claim due messages (one transaction, committed: a lease), send them outside any transaction
(in parallel: a round holds at most one message per aggregate, so order is kept), record each outcome in
a transaction of its own. A dispatcher killed anywhere leaves claims that another takes over after the
lease; the receiver sees the same Idempotency-Key again and applies the message once."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from app.db import transactional
from app.errors import StaleCase
from app.integrations.exchange import INTERNAL, Acknowledgement, Connector, DeliveryFailed, make_connector
from app.services.exchange.acknowledgements import record_delivery
from app.services.exchange.delivery import Claim, Policy, claim_due, record_failure
from app.services.exchange.internal import deliver_internal

log = logging.getLogger(__name__)

BATCH = 50
SENDERS = 8
MAX_ROUNDS = 40  # one call of the job delivers at most MAX_ROUNDS * BATCH messages, then yields


def _send(connector: Connector, claim: Claim) -> Acknowledgement | DeliveryFailed:
    try:
        return connector.deliver(claim.message)
    except DeliveryFailed as exc:
        return exc
    except Exception as exc:  # a connector bug must not kill the round: retried, visible as the error
        log.exception("connector %s failed on message %s", claim.target, claim.id)
        return DeliveryFailed(f"{type(exc).__name__}: {exc}")


def dispatch_round(policy: Policy, connectors: Mapping[str, Connector], batch: int = BATCH) -> tuple[int, int]:
    """One round: (claimed, delivered)."""
    claims = transactional(claim_due)(batch, policy)
    external = [c for c in claims if c.target != INTERNAL]
    delivered = sum(transactional(deliver_internal)(c) for c in claims if c.target == INTERNAL)
    if not external:
        return len(claims), delivered
    chosen = [connectors[c.target] for c in external]  # made here, in the app context
    if len(external) == 1:
        outcomes = [_send(chosen[0], external[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(external)), thread_name_prefix="gjy-exchange") as pool:
            outcomes = list(pool.map(_send, chosen, external))
    pairs = list(zip(external, outcomes, strict=True))
    delivered += transactional(_record_plain)([(c, o) for c, o in pairs if c.case_id is None], policy)
    delivered += sum(_record(c, o, policy) for c, o in pairs if c.case_id is not None)
    return len(claims), delivered


def _record_plain(pairs: list[tuple[Claim, Acknowledgement | DeliveryFailed]], policy: Policy) -> int:
    """The outcomes of messages no case waits for, in one transaction (one commit per round)."""
    delivered = 0
    for claim, outcome in pairs:
        if isinstance(outcome, DeliveryFailed):
            _record_failure(claim, outcome, policy)
        else:
            delivered += record_delivery(claim, outcome)
    return delivered


def _record_failure(claim: Claim, failure: DeliveryFailed, policy: Policy) -> None:
    status = record_failure(claim, failure.reason, failure.retryable, policy, link_refused=failure.link_refused)
    log.warning("message %s to %s not delivered (attempt %s, now %s): %s", claim.id, claim.target, claim.attempt,
                status, failure.reason)


def _record(claim: Claim, outcome: Acknowledgement | DeliveryFailed, policy: Policy) -> bool:
    """A case's message, in a transaction of its own: delivered (and the case told, when it waits for the
    acknowledgement), or failed; a case moved meanwhile by someone else leaves the claim to expire: the
    message is sent again (the receiver dedupes) and recorded then."""
    if isinstance(outcome, DeliveryFailed):
        transactional(_record_failure)(claim, outcome, policy)
        return False
    try:
        return transactional(record_delivery)(claim, outcome)
    except StaleCase:
        log.info("message %s delivered, its case moved meanwhile: recorded on the next attempt", claim.id)
        return False


class _Connectors(dict[str, Connector]):
    """The configured connector of each system, made when first needed."""

    def __missing__(self, system: str) -> Connector:
        self[system] = make_connector(current_app.config, system)
        return self[system]


def dispatch_outbox(connectors: Mapping[str, Connector] | None = None, max_rounds: int = MAX_ROUNDS) -> int:
    """Deliver what is due, round after round until nothing is (a round holds the first due message of
    each aggregate; the next ones become due as those are delivered); the number delivered."""
    policy = Policy.from_config(current_app.config)
    chosen = connectors if connectors is not None else _Connectors()
    delivered = 0
    for _ in range(max_rounds):
        claimed, done = dispatch_round(policy, chosen)
        delivered += done
        if claimed == 0:
            break
    return delivered
