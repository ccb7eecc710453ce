"""The access matrix: every URL pattern, as every kind of visitor, GET and POST.

The patterns come from the resolver, so a new view cannot be forgotten: each of our views
declares who may open it with ``@access(RULE)`` (mycarebudget/access.py), and a view without
a declaration fails here. Library views (sign-in, two-step, admin) are declared in LIBRARY below.
URL arguments come from SAMPLES: a new pattern with arguments needs a sample, or this fails too.
"""

import datetime
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from forum.models import Post, Report
from mycarebudget import access as rules
from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.accounts.helpers import pdf_bytes
from tests.factories import UserFactory
from wiki.models import EditProposal

ROLES = ("anonymous", "member", "owner", "suspended", "moderator_no_two_step", "moderator", "staff")

# Library views: declared here because their code is not ours. Every name a library adds must be listed.
LIBRARY = {
    "account_login": rules.PUBLIC, "account_logout": rules.PUBLIC, "account_inactive": rules.PUBLIC,
    "account_signup": rules.PUBLIC, "account_reauthenticate": rules.MEMBER, "account_email": rules.MEMBER,
    "account_email_verification_sent": rules.PUBLIC, "account_change_password": rules.MEMBER,
    "account_set_password": rules.MEMBER, "account_reset_password": rules.PUBLIC,
    "account_confirm_login_code": rules.PUBLIC, "account_confirm_email": rules.TOKEN,
    "account_reset_password_from_key_done": rules.PUBLIC, "account_reset_password_from_key": rules.TOKEN,
    "account_reset_password_done": rules.PUBLIC,
    "mfa_index": rules.MEMBER, "mfa_authenticate": rules.PUBLIC, "mfa_reauthenticate": rules.MEMBER,
    "mfa_activate_totp": rules.MEMBER, "mfa_deactivate_totp": rules.MEMBER,
    "mfa_view_recovery_codes": rules.MEMBER, "mfa_generate_recovery_codes": rules.MEMBER,
    "mfa_download_recovery_codes": rules.MEMBER,
    "admin:index": rules.STAFF,
}
# Steps of signing in or of two-step set-up that bounce a visitor who is not at that step.
SIGN_IN_STEP = "sign-in-step"
for _name in ("account_confirm_login_code", "mfa_authenticate", "mfa_deactivate_totp", "mfa_view_recovery_codes",
              "mfa_download_recovery_codes"):
    LIBRARY[_name] = SIGN_IN_STEP
# The admin's own pages are Django's; its index stands for them (StaffTwoStepMiddleware guards them all).
SKIPPED_PREFIXES = ("admin/",)


# Text that only some visitors may ever see: a hidden post (its author and moderators with two-step),
# and a private document's name (its owner).
HIDDEN_CANARY = "Hidden canary: my NHS number is 943 476 5919"
PRIVATE_CANARY = "Private canary care plan"
MAY_SEE = {HIDDEN_CANARY: {"owner", "moderator", "staff"}, PRIVATE_CANARY: {"owner"}}


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)


def _sample_world(settings) -> World:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts import services as account_services
    from forum import notifications
    from forum import services as forum_services
    from tests.forum.factories import category, idea, start
    from wiki import services as wiki_services
    from wiki import watching as wiki_watching
    from wiki.models import EditProposal, Page

    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    month_ago = timezone.now() - datetime.timedelta(days=30)
    users = {name: UserFactory(display_name=name.replace("_", " ").title(), date_joined=month_ago)
             for name in ROLES if name != "anonymous"}
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    for name in ("moderator_no_two_step", "moderator"):
        users[name].groups.add(moderators)
    staff = users["staff"]
    staff.is_staff = staff.is_superuser = True
    staff.save()
    for name in ("moderator", "staff"):
        TOTP.activate(users[name], generate_totp_secret())

    owner = users["owner"]
    content = {"title": "Employing a personal assistant", "slug": "employing-a-personal-assistant",
               "summary": "What it means to employ someone.", "topic": "employing-a-pa",
               "body": "## Pay\n\nUse payroll.\n", "sources": "NHS England | https://www.england.nhs.uk/",
               "last_checked": datetime.date(2026, 11, 1), "next_review": datetime.date(2027, 5, 1)}
    version = wiki_services._publish(page=None, content=content, author=None, edit_summary="First")
    page = Page.objects.get(pk=version.page_id)
    wiki_services._publish(page=page, content={**content, "body": content["body"] + "\nMore.\n"}, author=None,
                           edit_summary="Second")
    page.refresh_from_db()
    easy = wiki_services._publish(page=None, author=None, edit_summary="First", content={
        **content, "title": "Employing a PA (Easy Read)", "slug": "employing-a-pa-easy-read"}).page
    Page.objects.filter(pk=easy.pk).update(easy_read_of=page)
    proposal = wiki_services.propose_edit(page=page, author=owner, content={**content, "summary": "Changed."},
                                          edit_summary="Shorter", base_revision=page.revision)
    assert isinstance(proposal, EditProposal)
    topic = start(author=owner, title="How do I pay my PA?")
    an_idea = idea(author=owner)
    post = forum_services.post_reply(topic=topic, author=owner, body="My own reply.")
    forum_services.suspend_member(member=users["suspended"], moderator=users["moderator"], reason="Spam",
                                  days=7)
    hidden = forum_services.post_reply(topic=topic, author=owner, body=HIDDEN_CANARY)
    forum_services.hide_post(post=hidden, moderator=users["moderator"], reason="Personal details")
    document = account_services.store_document(
        owner=owner, upload=SimpleUploadedFile("Care plan.pdf", pdf_bytes(), content_type="application/pdf"),
        kind="care_plan", name=PRIVATE_CANARY)
    from wiki.templatelib import services as template_services

    template_content = {**{k: v for k, v in content.items() if k != "topic"}, "slug": "pa-letter", "job": "recruiting-a-pa", "suits": "", "shape": "document",
                        "layout": "", "document_kind": "letter", "fields": "pa_name | PA's name | text",
                        "about": "About.", "body": "Dear {{ pa_name }}"}
    template = template_services.publish_template(template=None, content=template_content, author=None,
                                                  edit_summary="First").template
    template_services.publish_template(template=template, content={**template_content, "about": "More."},
                                       author=None, edit_summary="Second")
    template_proposal = template_services.propose_change(
        template=template, author=owner, content={**template_content, "about": "Changed."}, edit_summary="x",
        base_revision=2)
    world = World(users=users)
    world.objects.update(**_budget_world(owner, document))
    world.objects.update(**_pas_world(owner))
    world.objects.update(
        template=template, template_proposal=template_proposal,
        page=page, proposal=proposal, topic=topic, idea=an_idea, post=post, document=document,
        category=category("questions"),
        unsubscribe_token=notifications.unsubscribe_token(user_id=owner.pk, topic_id=topic.pk),
        watch_token=wiki_watching.unsubscribe_token(user_id=owner.pk, page_id=page.pk),
    )
    return world


def _budget_world(owner, document) -> dict:
    """The owner's budget (issue 16): an entry with the private canary as its payee."""
    from accounts import services as account_services
    from accounts.budget import services as budget_services

    budget = budget_services.set_up_budget(owner=owner, lines=[("PA wages", 100000)],
                                           settings=budget_services.BudgetSettings(
        management="direct_payment", payer="Example ICB", amount_pence=130000, frequency="monthly",
        starts_on=datetime.date(2026, 4, 1), opening_balance_pence=0, contingency_weeks=4, employs_pas=True))
    entry = budget_services.add_entry(budget=budget, owner=owner, direction="out", amount_pence=100,
                                      occurred_on=datetime.date(2026, 4, 2), payee=PRIVATE_CANARY,
                                      document=document)
    pending = budget_services.keep_statement(budget=budget, owner=owner,
                                             text=f"Date,Description,Amount\n02/04/2026,{PRIVATE_CANARY},-1.00\n")
    rule = budget_services.add_rule(budget=budget, owner=owner, contains="HMRC",
                                    category=budget.categories.get())
    record = budget_services.add_record(budget=budget, owner=owner, document=document, item="care_plan",
                                        relates_to=datetime.date(2026, 4, 1))
    # A link holder sees what was shared with them (this contract), never the canary document.
    contract = account_services.store_document(
        owner=owner, upload=SimpleUploadedFile("Contract.pdf", pdf_bytes(), content_type="application/pdf"),
        kind="pa_contract", name="Shared contract")
    share, token, _ = budget_services.create_share(budget=budget, owner=owner, recipient="Jo, care co-ordinator",
                                                   contents="documents", days=7, documents=[contract])
    return {"budget_entry": entry, "budget_import": pending, "budget_rule": rule, "budget_record": record,
            "budget_share": share, "budget_token": token, "budget_document": contract}


def _pas_world(owner) -> dict:
    """The owner's PA records (issue 17): the private canary is the PA's note, never on a shared page."""
    from accounts.pas import services as pas_services

    pa = pas_services.add_pa(owner=owner, name="Matrix PA", notes=PRIVATE_CANARY, start_date=datetime.date(2026, 1, 5),
                             hourly_rate=13, weekly_hours=20)
    shift = pas_services.add_pattern_shift(owner=owner, pa=pa, week=1, weekday=1, start=datetime.time(9),
                                           end=datetime.time(13))
    pas_services.set_rota_link(pa=pa, owner=owner, on=True)
    return {"pa": pa, "pa_shift": shift,
            "pa_cover": pas_services.add_cover_need(owner=owner, weekday=1, start=datetime.time(8),
                                                    end=datetime.time(20)),
            "pa_change": pas_services.change_one_shift(owner=owner, date=datetime.date(2026, 12, 8),
                                                       pattern_shift=shift, pa=None),
            "pa_holiday": pas_services.book_holiday(owner=owner, pa=pa, first_day=datetime.date(2026, 12, 15),
                                                    last_day=datetime.date(2026, 12, 15), hours=4),
            "pa_timesheet": pas_services.start_timesheet(owner=owner, pa=pa, week_start=datetime.date(2026, 11, 30)),
            "pa_period": pas_services.add_pay_period(owner=owner, first_day=datetime.date(2026, 11, 1),
                                                     last_day=datetime.date(2026, 11, 30), cut_off=None),
            "pa_deadline": pas_services.add_deadline(owner=owner, kind="audit", due_on=datetime.date(2027, 1, 1),
                                                     repeats=0),
            "pa_feed": pas_services.set_feed(owner=owner, on=True).feed_token}


def _samples(world: World) -> dict:
    o = world.objects
    page, topic, post, document = o["page"], o["topic"], o["post"], o["document"]
    return {
        "account_confirm_email": {"key": "not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-real-key"},
        "accounts:document_detail": {"pk": document.pk},
        "accounts:profile": {"pk": world.users["owner"].pk},
        "accounts:document_edit": {"pk": document.pk},
        "accounts:document_replace": {"pk": document.pk},
        "accounts:document_delete": {"pk": document.pk},
        "accounts:document_download": {"pk": document.pk},
        "accounts:version_download": {"pk": document.pk, "number": 1},
        "moderation:review": {"pk": o["proposal"].pk},
        "moderation:approve": {"pk": o["proposal"].pk},
        "moderation:reject": {"pk": o["proposal"].pk},
        "wiki:my_edit_detail": {"pk": o["proposal"].pk},
        "wiki:my_edit_withdraw": {"pk": o["proposal"].pk},
        "wiki:page_by_id": {"pk": page.pk},
        "wiki:version_by_id": {"pk": page.pk, "number": 1},
        "wiki:page_feed": {"slug": page.slug},
        "wiki:page_watch": {"slug": page.slug},
        "wiki:unsubscribe": {"token": o["watch_token"]},
        "wiki:page_detail": {"slug": page.slug},
        "wiki:page_history": {"slug": page.slug},
        "wiki:page_version": {"slug": page.slug, "number": 1},
        "wiki:page_restore": {"slug": page.slug, "number": 1},
        "wiki:page_compare_choose": {"slug": page.slug},
        "wiki:page_compare": {"slug": page.slug, "a": 1, "b": 2},
        "wiki:page_edit": {"slug": page.slug},
        "wiki:page_retire": {"slug": page.slug},
        "templatelib:template_by_id": {"pk": o["template"].pk},
        **{f"templatelib:{name}": {"slug": o["template"].slug} for name in (
            "template_detail", "template_print", "template_fill", "template_history", "template_compare_choose",
            "template_edit")},
        "templatelib:template_download": {"slug": o["template"].slug, "fmt": "docx"},
        "templatelib:template_version": {"slug": o["template"].slug, "number": 1},
        "templatelib:template_compare": {"slug": o["template"].slug, "a": 1, "b": 2},
        **{f"templatelib:{name}": {"pk": o["template_proposal"].pk} for name in (
            "moderation_review", "moderation_approve", "moderation_reject")},
        "wiki:easy_read_check": {"slug": "employing-a-pa-easy-read"},
        "forum:unsubscribe": {"token": o["unsubscribe_token"]},
        "forum:topic_detail": {"pk": topic.pk, "slug": topic.slug},
        **{f"forum:{name}": {"pk": topic.pk} for name in (
            "topic_by_id", "reply_create", "topic_follow", "topic_unfollow", "topic_lock", "topic_unlock", "topic_move",
            "topic_unmark_answer")},
        **{f"forum:{name}": {"pk": o["idea"].pk} for name in (
            "idea_support", "idea_withdraw", "idea_status", "idea_merge")},
        **{f"forum:{name}": {"pk": post.pk} for name in (
            "post_detail", "post_edit", "post_delete", "post_report", "post_history", "post_hide",
            "post_unhide", "post_approve", "post_dismiss_reports", "post_mark_answer")},
        **{f"forum:{name}": {"pk": world.users["member"].pk} for name in ("member_suspend", "member_lift")},
        "forum:category_detail": {"category": o["category"].slug},
        **{f"budget:{name}": {"pk": o["budget_entry"].pk} for name in (
            "entry_detail", "entry_edit", "entry_delete", "entry_restore")},
        **{f"budget:{name}": {"pk": o["budget_import"].pk} for name in (
            "import_map", "import_preview", "import_confirm")},
        "budget:rule_delete": {"pk": o["budget_rule"].pk},
        "budget:record_delete": {"pk": o["budget_record"].pk},
        "budget:share_detail": {"pk": o["budget_share"].pk},
        "budget:share_revoke": {"pk": o["budget_share"].pk},
        "budget:shared": {"token": o["budget_token"]},
        "budget:shared_download": {"token": o["budget_token"]},
        "budget:shared_document": {"token": o["budget_token"], "document_id": o["budget_document"].pk},
        "forum:topic_create": {"category": o["category"].slug},
        **{f"pas:{name}": {"pk": o["pa"].pk} for name in (
            "pa_detail", "pa_edit", "pa_delete", "pa_rota_link", "holiday_book")},
        "pas:holiday_cancel": {"pk": o["pa"].pk, "booking": o["pa_holiday"].pk},
        "pas:shift_delete": {"pk": o["pa_shift"].pk},
        "pas:cover_delete": {"pk": o["pa_cover"].pk},
        "pas:change_delete": {"pk": o["pa_change"].pk},
        "pas:timesheet_edit": {"pk": o["pa_timesheet"].pk},
        **{f"pas:{name}": {"pk": o["pa_period"].pk} for name in (
            "payroll_detail", "payroll_csv", "payroll_sent", "payroll_delete", "payroll_wages")},
        "pas:deadline_delete": {"pk": o["pa_deadline"].pk},
        "pas:shared_rota": {"token": o["pa"].rota_token},
        "pas:calendar_feed": {"token": o["pa_feed"]},
        "pas:wage_rate_delete": {"pk": 1},
    }


# Sent with every POST, so that a form which would accept it really gets the chance to.
POST_DATA = {"title": "A title from the access matrix", "body": "A message from the access matrix test.",
             "summary": "A summary.", "edit_summary": "An edit.", "reason": "other", "details": "Details.",
             "status": "planned", "days": "7", "confirm": "on", "name": "A name"}


def _patterns(resolver=None, prefix="", namespace=None):
    """Every URL pattern: (route, full name, view)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            yield from _patterns(pattern, route, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern.callback


def _rule(name, view):
    return getattr(view, "access", None) or LIBRARY.get(name)


def suspended_notice(response) -> bool:
    """A page that tells a suspended member that they cannot post (the form stays, so typed text is kept)."""
    return not response.streaming and response.status_code in (200, 403) \
        and b"your account is suspended" in response.content.lower()


def _outcome(response) -> str:
    """What a visitor got, in the matrix's words."""
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path
    if status == 405:
        return "not-allowed"  # a method the view does not take: refused before anything is looked up
    if status in (301, 302, 303, 307, 308):
        if location.startswith((reverse("account_login"), reverse("admin:login"))):
            return "login"
        if location.startswith(reverse("mfa_activate_totp")):
            return "two-step"
        return "ok"
    if status == 404:
        return "missing"
    if status in (403, 409, 410):
        return "refused"
    if status == 429:
        return "ok"  # a rate limit answered: the visitor was allowed, just not so often
    return "ok" if status < 400 else "error" if status >= 500 else "ok"


def _expected(rule: str, role: str, method: str) -> set:
    """The outcomes each kind of visitor may get. "ok" means served (any status below 400 but a sign-in bounce)."""
    signed_in = role != "anonymous"
    served = {"ok"} if method == "GET" else {"ok", "refused", "missing"}  # a form may refuse a bad POST
    if rule == rules.PUBLIC:
        return served | ({"refused"} if method == "POST" else set())
    if rule == rules.TOKEN:
        return served | {"missing", "refused"}  # a wrong or used token answers like a missing page
    if rule == rules.OPEN_POST:
        return {"refused"} if method == "GET" else {"ok"}
    if not signed_in:
        return {"login"}
    if rule == rules.MEMBER:
        return served
    if rule == rules.POSTER:
        return {"refused", "suspended-notice"} if role == "suspended" else served
    if rule == rules.OWNER:
        return served if role == "owner" else {"missing"}
    if rule == rules.AUTHOR:
        return served if role == "owner" else {"refused", "missing"}
    if rule == rules.AUTHOR_OR_MODERATOR:
        if role in ("owner", "moderator", "staff"):
            return served
        return {"two-step", "refused"} if role == "moderator_no_two_step" else {"refused", "missing"}
    if rule == rules.MODERATOR:
        if role in ("moderator", "staff"):
            return served
        if role == "moderator_no_two_step":
            return {"two-step", "refused"}
        return {"refused", "missing"}
    if rule == SIGN_IN_STEP:
        return {"ok", "login", "missing", "refused"}
    if rule == rules.STAFF:
        return served if role == "staff" else {"refused", "missing", "login", "two-step"}
    raise AssertionError(f"no expectations for rule {rule!r}")


@pytest.mark.django_db
def test_every_view_declares_who_may_open_it_and_means_it(settings, document_root):  # noqa: F811
    world = _sample_world(settings)
    samples = _samples(world)
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)

    undeclared, unsampled, wrong, cells = [], [], [], 0
    checked = []
    for route, name, view in _patterns():
        if route.startswith(SKIPPED_PREFIXES) and name not in LIBRARY:
            continue
        rule = _rule(name, view)
        if rule is None:
            undeclared.append(f"{name} ({route})")
        elif rule == rules.OPEN_POST or "<" not in route and "(?P" not in route:
            checked.append((name, rule, reverse(name)))
        elif name in samples:
            checked.append((name, rule, reverse(name, kwargs=samples[name])))
        else:
            unsampled.append(f"{name} ({route})")
    # Every GET first, then every POST: a POST may change the world (delete, withdraw, suspend).
    for method in ("GET", "POST"):
        for name, rule, url in checked:
            for role in ROLES:
                client = clients[role]
                response = client.get(url) if method == "GET" else client.post(url, POST_DATA)
                if role != "anonymous" and "_auth_user_id" not in client.session:
                    client.force_login(world.users[role])  # signing out (or deleting) is a cell of its own
                got = _outcome(response)
                if method == "GET" and not response.streaming:
                    for canary, readers in MAY_SEE.items():
                        if role not in readers and canary.encode() in response.content:
                            wrong.append(f"GET {url} [{name}] as {role} shows {canary!r}")
                if rule == rules.POSTER and role == "suspended" and got == "ok" and suspended_notice(response):
                    got = "suspended-notice"
                cells += 1
                allowed = _expected(rule, role, method) | {"not-allowed"}
                if got not in allowed:
                    wrong.append(f"{method} {url} [{name}, {rule}] as {role}: {response.status_code} "
                                 f"{response.get('Location', '')} (expected {sorted(allowed)})")
    suspended = world.users["suspended"]
    made = {"posts": Post.objects.filter(author=suspended).count(),
            "edits": EditProposal.objects.filter(author=suspended).count(),
            "reports": Report.objects.filter(reporter=suspended).count()}
    if os.environ.get("ACCESS_MATRIX_REPORT"):
        print(f"\naccess matrix: {cells} cells checked, {len(wrong)} wrong")
    assert not undeclared, "views with no @access rule:\n" + "\n".join(undeclared)
    assert not unsampled, "URL patterns with arguments but no sample in SAMPLES:\n" + "\n".join(unsampled)
    assert made == {"posts": 0, "edits": 0, "reports": 0}, f"a suspended member wrote: {made}"
    assert not wrong, f"{len(wrong)} of {cells} cells wrong:\n" + "\n".join(wrong)
