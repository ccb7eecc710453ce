"""What the tests ask of a page."""

import hashlib


def etag_of_its_own(response) -> bool:
    """A reader's own page may carry an ETag only of exactly what they were sent (ConditionalGetMiddleware),
    never a shared copy's: a 304 can then only tell them to keep what they have."""
    return response.get("ETag") in (None, f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"')
