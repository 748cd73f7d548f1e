"""Procedures: deploy and versions, forms, the registry of handlers, choices and validators."""
