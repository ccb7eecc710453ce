from django.conf import settings


def site(request):
    """The site's name, and the part of the site this page is in ("wiki", "forum"...) for the header."""
    return {"site_name": settings.SITE_NAME, "section": request.path.split("/", 2)[1]}
