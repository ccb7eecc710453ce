from django.conf import settings

from mycarebudget.shared import section_of


def site(request):
    """The site's name, the part of the site this page is in (for the header), and whether the reader
    is a member (a shared page says so itself: mycarebudget.shared.member_page)."""
    return {"site_name": settings.SITE_NAME, "section": section_of(request.path),
            "member": hasattr(request, "user") and request.user.is_authenticated}  # (no user on some error pages)
