"""Limits on what an address may carry, checked once for every view."""

from django.http import Http404

# The largest id a database column holds (PostgreSQL bigint); a bigger number names nothing.
MAX_ID = 2**63 - 1
MAX_PAGE = 10**9


class BoundedNumbersMiddleware:
    """Huge numbers in an address are a 404, before any query could overflow on them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(value, int) and not -MAX_ID <= value <= MAX_ID
               for value in (*view_args, *view_kwargs.values())):
            raise Http404
        page = request.GET.get("page", "")
        if page.isascii() and page.isdigit() and (len(page) > 10 or int(page) > MAX_PAGE):
            raise Http404
        return None
