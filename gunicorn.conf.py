"""gunicorn settings read from the project folder (`gunicorn wsgi:app` run here, or `-c gunicorn.conf.py`).

Its logger masks ID numbers and mobile numbers in the error log and in the access log (request lines,
query strings, referrers), which is off unless --access-logfile is given (docs/operations.md).
"""
logger_class = "app.log_masking.MaskingGunicornLogger"
