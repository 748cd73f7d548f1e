"""Use cases: plain functions taking (actor, ids, data); they flush, never commit."""
