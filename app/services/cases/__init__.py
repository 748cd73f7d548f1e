"""Cases: start, read, withdraw and retry; their history, attachments, comments, overview and due timers."""
