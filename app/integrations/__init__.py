"""Outside the app: the outbox (written in a step's transaction), the exchange connectors with their stand-ins
(exchange/), notification channels, SMS gateways and the identity verifier."""
