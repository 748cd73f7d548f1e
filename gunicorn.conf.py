"""gunicorn settings read from the project folder (`gunicorn wsgi:app` run here, or `-c gunicorn.conf.py`).

Its logger masks ID numbers and mobile numbers in the error log and in the access log (request lines,
query strings, referrers), which is off unless --access-logfile is given (docs/operations.md).
"""
logger_class = "app.log_masking.MaskingGunicornLogger"

# gunicorn 27 opens a control socket at one default path per host (~/.gunicorn/gunicorn.ctl): a second instance
# on the same host (another port, a staging copy) took it over, and stopping either removed the other's. The
# app does not use the control interface; pass --control-socket PATH to an instance that should have one.
control_socket_disable = True
