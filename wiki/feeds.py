from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from mycarebudget.access import PUBLIC
from wiki.models import PageVersion


class RecentChangesFeed(Feed):
    access = PUBLIC  # read by tests/test_access_matrix.py
    feed_type = Atom1Feed
    title = "MyCareBudget: recent changes to the guides"
    subtitle = "Every published change to MyCareBudget's guidance pages."

    def link(self):
        return reverse("wiki:recent_changes")

    def items(self):
        return (PageVersion.objects.filter(page__retired_at__isnull=True)
                .select_related("page", "author").order_by("-created_at")[:50])

    def item_title(self, item):
        return f"{item.title} (version {item.number})"

    def item_description(self, item):
        author = item.author.public_name if item.author else "MyCareBudget"
        return f"{item.edit_summary} — {author}"

    def item_link(self, item):
        return reverse("wiki:page_version", args=[item.page.slug, item.number])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at
