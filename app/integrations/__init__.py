"""Data exchange with other government systems: the outbox written in a step's transaction."""
