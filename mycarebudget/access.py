"""Who may open each view, declared beside the view.

Every view of ours carries one rule, set with ``@access(RULE)`` above its other decorators.
``tests/test_access_matrix.py`` finds every URL pattern through the resolver and checks each
rule as every kind of visitor (anonymous, members, the owner, a suspended member, moderators
with and without two-step verification, staff), GET and POST; a view with no rule fails it.
The rule only describes: the view (and the service under it) must still enforce it.
"""

PUBLIC = "public"  # anyone may read it
MEMBER = "member"  # signed-in members; anonymous visitors are sent to sign in
POSTER = "poster"  # signed-in members who are not suspended (writes to the forum or the wiki)
OWNER = "owner"  # a member's own private object: everyone else gets 404, anonymous visitors sign in
AUTHOR = "author"  # changes to a member's own public contribution (their post): others are refused
MODERATOR = "moderator"  # moderators with two-step verification; others are refused (403 or sign-in)
STAFF = "staff"  # staff with two-step verification (operators' pages)
TOKEN = "token"  # noqa: S105 (a rule name, not a secret) - anyone holding a secret link (unsubscribe, share links, calendar feeds)
OPEN_POST = "open-post"  # endpoints machines post to without a session (CSP reports)

RULES = {PUBLIC, MEMBER, POSTER, OWNER, AUTHOR, MODERATOR, STAFF, TOKEN, OPEN_POST}


def access(rule: str):
    """Declare who may open this view (one of ``RULES``)."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def declare(view):
        view.access = rule
        return view

    return declare
