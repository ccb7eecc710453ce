"""Slow clients do not starve the site: gunicorn started from our own settings (mycarebudget/gunicorn_conf.py,
gthread) keeps answering health checks within a second while two clients send a request body a byte
every two seconds. The same run with sync workers is expected to fail, which shows the test can tell
the difference: if gunicorn_conf.py went back to sync workers, the first case would fail too.

One worker process in both cases, so only the worker class differs (the threads alone must carry it).
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKS = 4
ANSWER_WITHIN = 1.0  # seconds: what a load balancer's health check allows


@pytest.mark.parametrize("worker_class, survives", [
    (None, True),  # exactly as gunicorn_conf.py says (gthread)
    ("sync", False),  # the control: gunicorn's default worker, which one slow body holds
])
def test_two_slow_clients_do_not_stop_health_checks(worker_class, survives):
    with _gunicorn(worker_class) as port:
        stop = threading.Event()
        clients = [threading.Thread(target=_slow_body, args=(port, stop)) for _ in range(2)]
        try:
            for client in clients:
                client.start()
            time.sleep(0.5)  # both are connected and sending
            latencies = []
            for _ in range(CHECKS):
                started = time.monotonic()
                status = _health(port, timeout=ANSWER_WITHIN)
                took = time.monotonic() - started
                latencies.append(took if status == 200 and took <= ANSWER_WITHIN else None)
        finally:
            stop.set()
    answered = [latency for latency in latencies if latency is not None]
    print(f"\n{worker_class or 'gunicorn_conf'}: {len(answered)}/{CHECKS} health checks answered within "
          f"{ANSWER_WITHIN} s; slowest {max(answered, default=0) * 1000:.0f} ms")
    if survives:
        assert len(answered) == CHECKS, latencies
    else:
        assert not answered, f"sync workers survived slow clients, so this test proves nothing: {latencies}"


class _gunicorn:
    """gunicorn with -c python:mycarebudget.gunicorn_conf, on a free port; the worker class overridden
    on the command line (which wins over the config file) only for the control case."""

    def __init__(self, worker_class: str | None):
        self.worker_class = worker_class

    def __enter__(self) -> int:
        from django.db import connection

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        database = connection.settings_dict
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mycarebudget.settings.test", "PORT": str(port),
               "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                               f"{database['NAME']}",
               "WEB_CONCURRENCY": "1"}
        command = [sys.executable, "-m", "gunicorn", "mycarebudget.wsgi", "-c", "python:mycarebudget.gunicorn_conf"]
        if self.worker_class:  # one thread too: with threads > 1, gunicorn quietly turns sync into gthread
            command += ["--worker-class", self.worker_class, "--threads", "1"]
        self.server = subprocess.Popen(command, cwd=Path(settings.BASE_DIR), env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _health(port, timeout=5) is None:  # the worker has booted and answers
            assert self.server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        return port

    def __exit__(self, *exc) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


def _slow_body(port: int, stop: threading.Event) -> None:
    """A form POST whose body arrives a byte every two seconds. It has a CSRF cookie, so the CSRF
    middleware reads the body (request.POST) looking for the token, as it would for any form."""
    try:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /wiki/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n\r\n")
            while not stop.is_set():
                sock.sendall(b"x")
                stop.wait(2)
    except OSError:
        return


def _health(port: int, *, timeout: float) -> int | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            reply = sock.recv(100)
    except OSError:
        return None
    return int(reply.split()[1]) if reply.startswith(b"HTTP/1.1") else None
