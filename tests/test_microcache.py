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


@pytest.fixture
def two_tiers(settings):
    """As with Redis: a shared cache, and each worker's memory in front of it."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker"},
    }
    from django.core.cache import caches

    yield caches["default"], caches["local"]
    caches["default"].clear()
    caches["local"].clear()


def test_what_a_worker_read_is_kept_in_its_memory_for_a_second(two_tiers):
    from mycarebudget import microcache

    shared, local = two_tiers
    shared.set("k", "first")
    assert microcache.cached("k") == "first"
    shared.set("k", "second")
    assert microcache.cached("k") == "first"  # from this worker's memory
    local.clear()  # the second has passed
    assert microcache.cached("k") == "second"


def test_a_change_moves_the_generation_on_for_this_worker_at_once(two_tiers, django_capture_on_commit_callbacks):
    from mycarebudget import microcache

    before = microcache.generation()
    assert microcache.generation() == before  # now kept in memory
    with django_capture_on_commit_callbacks(execute=True):
        microcache.bump()
    assert microcache.generation() == before + 1


def test_a_shared_anonymous_page_may_be_kept_by_a_cdn_as_long_as_we_keep_it(client, topic):
    for _ in range(2):  # rendered, then from the shared copy
        response = client.get(topic.get_absolute_url())
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=5"}
