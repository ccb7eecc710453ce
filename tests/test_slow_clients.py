"""Slow clients do not starve the site: gunicorn with our settings (gthread) while two clients send a
request body a byte every two seconds, health checks keep answering at once."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_two_slow_clients_do_not_stop_health_checks():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from django.db import connection

    database = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.test", "PORT": str(port),
           "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
           "WEB_CONCURRENCY": "1"}  # one process: the threads alone must carry it
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "mycarebudget.wsgi", "-c",
                               "python:mycarebudget.gunicorn_conf"], cwd=Path(settings.BASE_DIR), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()

    def slow_client():
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /csp-report/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
                         b"Content-Type: application/csp-report\r\n\r\n")
            while not stop.is_set():
                try:
                    sock.sendall(b"x")
                except OSError:
                    return
                stop.wait(2)

    try:
        deadline = time.monotonic() + 60
        while _health(port) is None:  # the worker has booted and answers
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.5)
        clients = [threading.Thread(target=slow_client) for _ in range(2)]
        for client in clients:
            client.start()
        time.sleep(1)
        answered = 0
        for _ in range(10):
            started = time.monotonic()
            if _health(port) == 200 and time.monotonic() - started < 2:
                answered += 1
            time.sleep(0.3)
        assert answered == 10
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)


def _health(port: int) -> int | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            reply = sock.recv(100)
    except OSError:
        return None
    return int(reply.split()[1]) if reply.startswith(b"HTTP/1.1") else None
