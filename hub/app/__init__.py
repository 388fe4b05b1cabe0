"""The composition root: settings, wiring, the HTTP app, the CLI and the Celery worker.

Only this package imports adapters and optional packages; the hub core never does.
"""
