"""Data exchange with the notice's other systems: outbox delivery (delivery.py, internal.py), inbound
messages (inbound.py, appliers.py) and what an admin sees of them (admin.py)."""
