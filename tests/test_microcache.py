"""Anonymous readers of busy forum pages share a few seconds' rendering; nobody else does."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(settings):
    settings.MICROCACHE_SECONDS = 5
    from forum import services
    from forum.models import Category
    from tests.forum.factories import ensure_categories

    ensure_categories()
    category = Category.objects.get(slug="questions")
    author = UserFactory()
    return services.start_topic(category=category, author=author, title="Paying a PA on holiday",
                                body="How do I work out holiday pay?")


def test_second_anonymous_view_is_served_without_the_database(client, topic, django_assert_num_queries):
    url = topic.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert second["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in second  # middleware still runs on a shared copy


def test_signed_in_readers_always_get_a_fresh_page(client, topic):
    url = topic.get_absolute_url()
    client.get(url)
    client.force_login(UserFactory())
    page = client.get(url).content.decode()
    assert "Sign out" in page and 'name="csrfmiddlewaretoken"' in page


def test_a_page_that_set_a_csrf_token_is_never_shared(rf, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from mycarebudget.microcache import anonymous_microcache

    settings.MICROCACHE_SECONDS = 5
    calls = []

    @anonymous_microcache
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    for _ in range(2):
        request = rf.get("/forum/x/")
        request.user = AnonymousUser()
        view(request)
    assert len(calls) == 2
