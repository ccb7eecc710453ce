"""Markdown rendering within a time, memory and nesting budget.

Python-Markdown is quadratic or worse on some input (15,000 "[" took over 30 seconds; 10,000
lines of "=" never finished) and deep nesting raises RecursionError. No check of the text can
foresee every such case, so the work itself is bounded: each web process keeps one renderer
process (`python -m mycarebudget.text`, which calls `serve`), sends it the text and waits at most
MARKDOWN_RENDER_SECONDS. Past that the renderer is killed (and a new one started for the next
text) and the text is refused with a message its writer can act on. The renderer also has a
memory limit, and RecursionError there is a refusal too.

Recent results are remembered, so a form that validates the text and the service that then
stores it cost one rendering, and the service never renders under a row lock for long.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

logger = logging.getLogger(__name__)

# The budget grows with the text: the longest legitimate guides (60,000 characters) take about
# 0.5 s on one core, 40% of their budget; 15,000 hostile "[" are refused after 0.5 s.
DEFAULT_SECONDS = 0.3  # MARKDOWN_RENDER_SECONDS
SECONDS_PER_CHARACTER = 0.000015
MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for the renderer
START_SECONDS = 20  # a new renderer imports Markdown and bleach: not part of any text's budget
REMEMBERED = 32
WALL_CLOCK_CAP = 10

TOO_SLOW = ("This text is too complicated for us to format in time. Simplify the formatting (for example, "
            "remove long runs of [ brackets or * or = signs) and try again")
TOO_DEEP = ("This text has lists or quotes nested too deeply for us to format. Use fewer levels "
            "(ten is plenty) and try again")


class TextTooComplex(ValueError):
    """The text cannot be formatted within the budget. str() is a message for its writer."""


class _Renderer:
    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._ready = False
        self._lock = threading.Lock()
        self._results: OrderedDict = OrderedDict()

    def render(self, text: str, known_pages, title_slugs) -> str:
        key = (text, None if known_pages is None else frozenset(known_pages),
               None if title_slugs is None else tuple(sorted(title_slugs.items())))
        with self._lock:  # one text at a time per web process: each costs at most the budget
            if key not in self._results:
                self._results[key] = self._ask(text, known_pages, title_slugs)
                while len(self._results) > REMEMBERED:
                    self._results.popitem(last=False)
            self._results.move_to_end(key)
            outcome, value = self._results[key]
        if outcome != "ok":
            raise TextTooComplex(value)
        return value

    def _ask(self, text, known_pages, title_slugs) -> tuple[str, str]:
        from django.conf import settings

        process = self._running()
        job = {"text": text, "known_pages": None if known_pages is None else sorted(known_pages),
               "title_slugs": title_slugs}
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
        budget = getattr(settings, "MARKDOWN_RENDER_SECONDS", DEFAULT_SECONDS) + len(text) * SECONDS_PER_CHARACTER
        line = _read_within_budget(process, budget)
        if line is None:
            self._restart()
            logger.warning("Markdown of %d characters refused: over the time budget", len(text))
            return "refused", TOO_SLOW
        reply = json.loads(line)
        if reply["outcome"] == "ok":
            return "ok", reply["html"]
        if reply["outcome"] == "memory":
            self._restart()  # its heap may be in a poor state
        logger.warning("Markdown of %d characters refused: %s", len(text), reply["outcome"])
        return "refused", TOO_DEEP if reply["outcome"] == "nesting" else TOO_SLOW

    def _running(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._start()
        if not self._ready:
            if _read_line(self._process, START_SECONDS) != "ready\n":
                self._stop()
                raise RuntimeError("the Markdown renderer did not start")
            self._ready = True
        return self._process

    def _start(self) -> None:
        self._ready = False
        self._process = subprocess.Popen(
            [sys.executable, "-m", "mycarebudget.text"], cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})

    def _restart(self) -> None:
        """Kill the renderer and start the next one now, so the next text does not wait for it."""
        self._stop()
        self._start()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for stream in (self._process.stdin, self._process.stdout):
                stream.close()
            self._process = None


def _cpu_seconds(pid: int) -> float | None:
    """CPU time the process has used (Linux); None where /proc is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_within_budget(process: subprocess.Popen, budget: float) -> str | None:
    """The renderer's reply, or None once it has used `budget` seconds of CPU on this text.

    CPU time, not the clock: on a busy machine a renderer waiting for a core is not refused for
    it. The clock still caps the wait at WALL_CLOCK_CAP times the budget.
    """
    started_cpu, started = _cpu_seconds(process.pid), time.monotonic()
    while True:
        line = _read_line(process, min(budget, 0.05))
        if line is not None:
            return line
        used = _cpu_seconds(process.pid)
        cpu = used - started_cpu if used is not None and started_cpu is not None else None
        waited = time.monotonic() - started
        if (cpu if cpu is not None else waited) >= budget or waited >= budget * WALL_CLOCK_CAP:
            return None


def _read_line(process: subprocess.Popen, seconds: float) -> str | None:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            return None
    return process.stdout.readline() or None


_renderer = _Renderer()


def render_within_budget(text: str, *, known_pages=None, title_slugs=None) -> str:
    """Sanitised HTML for `text`, or TextTooComplex."""
    return _renderer.render(text, known_pages, title_slugs)


def serve(render_html) -> None:
    """The renderer process: one JSON job per line in, one JSON reply per line out.

    ``render_html`` is mycarebudget.text's renderer, handed in so that this module never imports text.
    """
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    print("ready", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        known = None if job["known_pages"] is None else set(job["known_pages"])
        try:
            reply = {"outcome": "ok", "html": render_html(job["text"], known, job["title_slugs"])}
        except RecursionError:
            reply = {"outcome": "nesting"}
        except MemoryError:
            reply = {"outcome": "memory"}
        print(json.dumps(reply), flush=True)
