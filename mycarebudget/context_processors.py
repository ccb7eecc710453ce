from mycarebudget.shared import page_context


def site(request):
    """The site's name, the part of the site this page is in (for the header), and whether the reader
    is a member (a shared page says so itself: mycarebudget.shared.member_page)."""
    signed_in = hasattr(request, "user") and request.user.is_authenticated  # (no user on some error pages)
    return page_context(request, signed_in=signed_in)
