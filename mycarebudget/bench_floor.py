"""The benchmarks' floor: 20 KB of fixed HTML, served through the site's own middleware.

bench/run.py measures every page as a fraction of this view's requests per second in the
same run (absolute figures on a shared machine move by 15% or more between runs). It is
routed only when MCB_BENCH_FLOOR is set (settings.BENCH_FLOOR), never in a normal deployment.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

FLOOR_BYTES = 20 * 1024


def _floor_html() -> bytes:
    head = (b'<!doctype html>\n<html lang="en-GB">\n<head><meta charset="utf-8">'
            b"<title>Benchmark floor</title></head>\n<body>\n<main>\n<h1>Benchmark floor</h1>\n")
    tail = b"</main>\n</body>\n</html>\n"
    line = b"<p>A fixed paragraph of plain text, the same on every request, as heavy as a page.</p>\n"
    body = line * ((FLOOR_BYTES - len(head) - len(tail)) // len(line))
    padding = b" " * (FLOOR_BYTES - len(head) - len(body) - len(tail))
    return head + body + padding + tail


FLOOR_HTML = _floor_html()


@require_safe
def floor(request):
    """What Django itself costs: no database, no template, just the middleware and 20 KB."""
    return HttpResponse(FLOOR_HTML)
