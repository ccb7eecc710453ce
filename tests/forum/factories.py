"""Forum test data, made through forum.services so HTML, counters and the search index are real."""

import importlib
from datetime import timedelta

from django.utils import timezone

from forum import services
from forum.models import Category, Post, Topic
from tests.factories import UserFactory


def member(**kwargs):
    """A member whose account is a month old: past the new-account limits."""
    kwargs.setdefault("date_joined", timezone.now() - timedelta(days=30))
    return UserFactory(**kwargs)


def new_member(**kwargs):
    """A member who joined a minute ago."""
    kwargs.setdefault("date_joined", timezone.now() - timedelta(minutes=1))
    return UserFactory(**kwargs)


def ensure_categories() -> None:
    """The five categories come from a data migration; transactional tests flush them, so put them back."""
    from django.apps import apps

    migration = importlib.import_module("forum.migrations.0002_starter_categories")
    migration.create_categories(apps, None)
    importlib.import_module("forum.migrations.0007_questions_have_answers").questions_have_answers(apps, None)


def category(slug: str = "questions") -> Category:
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        ensure_categories()
        found = Category.objects.get(slug=slug)
    return found


def start(*, author=None, category_slug: str = "questions", title: str = "How do I pay my PA?",
          body: str = "I have a **direct payment** and a new PA.") -> Topic:
    return services.start_topic(category=category(category_slug), author=author or member(), title=title, body=body)


def idea(*, author=None, title: str = "Print a guide as a checklist",
         body: str = "A printable checklist for each guide would help me at reviews.") -> Topic:
    return start(author=author, category_slug="ideas", title=title, body=body)


def reply(topic: Topic, *, author=None, body: str = "Thank you, that helped.") -> Post:
    return services.post_reply(topic=topic, author=author or member(), body=body)


def opening_post(topic: Topic) -> Post:
    return Post.objects.get(topic=topic, is_first=True)
