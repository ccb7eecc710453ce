"""Requests sent at the same moment, on PostgreSQL with real connections (double submits, races)."""

import threading

from django.db import connection
from django.test import Client


def at_once(monkeypatch, module, name: str, requests: list) -> list:
    """Run the requests in threads, all held at ``module.name`` until every one has got there, so each
    has passed its first look-up before any of them stores anything. Returns their responses."""
    barrier = threading.Barrier(len(requests), timeout=20)
    original = getattr(module, name)

    def held(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    responses = [None] * len(requests)

    def run(index, request):
        try:
            responses[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def signed_in_clients(member, count: int = 2) -> list[Client]:
    """One browser each, all signed in as the same member (a double click from two tabs)."""
    clients = [Client() for _ in range(count)]
    for client in clients:
        client.force_login(member)
    return clients
