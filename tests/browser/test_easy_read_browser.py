"""An Easy Read page with its pictures, read on a 320px phone: every picture loads and axe finds nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from wiki.models import Page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def easy_read():
    call_command("load_starter_guidance", verbosity=0)
    return Page.objects.get(slug="what-is-a-personal-health-budget-easy-read")


def test_easy_read_page_with_pictures_at_320px_has_no_violations(page, easy_read, assert_accessible):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(easy_read.get_absolute_url())
    pictures = page.locator("img.app-pictogram")
    assert pictures.count() >= 10
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        assert picture.get_attribute("alt")
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), picture.get_attribute("src")
    # The picture sits beside its sentence, not above it, even on a narrow phone.
    point = page.locator(".app-easy-read p:has(> img.app-pictogram)").first
    picture_box, point_box = point.locator("img").bounding_box(), point.bounding_box()
    assert picture_box["height"] < point_box["height"] + 1 and picture_box["width"] < point_box["width"] / 2
    expect(page.get_by_role("link", name="Standard version")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Standard version").click()
    page.get_by_role("link", name="Easy Read version").click()
    assert page.url.endswith(easy_read.get_absolute_url())
