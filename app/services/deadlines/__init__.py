"""Deadlines: working-day calendar, limits, case and task clocks, escalation."""
