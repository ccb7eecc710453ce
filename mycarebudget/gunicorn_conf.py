"""gunicorn settings for production and `make serve` (gunicorn -c python:mycarebudget.gunicorn_conf).

Threads (gthread) so that a slow client holds one thread, not a whole worker: with sync workers
two clients sending a byte every two seconds stopped health checks. In production nginx sits in
front and buffers slow clients completely (docs/deploy.md); the threads are the second line.
tests/test_slow_clients.py starts gunicorn from this file and shows it (and a sync control) under
two slow clients: change worker_class here and that test fails.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30  # a request that takes longer is stuck: the worker is replaced
graceful_timeout = 20
keepalive = 5
# Request-line and header limits: hostile input is refused before Django sees it.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
# Heartbeat files in memory, not on disk; no control socket (its default path is shared by
# every gunicorn on the machine, and we do not use gunicornc).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 -- gunicorn's own advice: heartbeats only, no data
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
control_socket_disable = True
