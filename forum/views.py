"""Forum pages. HTTP only: every rule lives in forum.services."""

from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.badges import moderator_ids
from forum import notifications, readers, services
from forum.forms import (
    EditPostForm,
    HideForm,
    MergeForm,
    MoveForm,
    PreferencesForm,
    ReplyForm,
    ReportForm,
    StatusForm,
    SuspendForm,
    TopicForm,
)
from forum.models import Category, IdeaStatus, Post, Preferences, Report, Support, Topic
from mycarebudget import shared, unsent
from mycarebudget.access import AUTHOR, AUTHOR_OR_MODERATOR, MEMBER, MODERATOR, POSTER, PUBLIC, TOKEN, access
from mycarebudget.forms import new_submission_key
from mycarebudget.moderation.powers import can_moderate, can_moderate_lately, is_moderator, moderator_required

User = get_user_model()

IDEA_SORTS = {
    "activity": ("Latest activity", ["-last_activity_at", "-pk"]),
    "support": ("Most supported", ["-support_count", "-last_activity_at", "-pk"]),
    "newest": ("Newest", ["-created_at", "-pk"]),
}


def _posted(request):
    """The submitted data on a POST (even an empty one), None on a GET."""
    return request.POST if request.method == "POST" else None


def _add_service_error(form, error: services.ForumError, *, text_kept: bool = False) -> None:
    """Put a service's refusal next to its field; on writing forms, say the text is safe."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, f"{error.message}. Your text is kept below." if text_kept else error.message)


def _forum_crumbs(*extra) -> list[tuple[str, str]]:
    return [("Forum", reverse("forum:index")), *extra]


def _topic_crumbs(topic: Topic, page: str = "") -> list[tuple[str, str]]:
    """Forum › category › topic, and the page within the topic if this is one."""
    category = (topic.category.name, topic.category.get_absolute_url())
    if not page:
        return _forum_crumbs(category, (topic.title, ""))
    return _forum_crumbs(category, (topic.title, topic.get_absolute_url()), (page, ""))


# --- reading -------------------------------------------------------------------------------
# Busy pages are made of shared parts (each post, each topic in a list: mycarebudget.shared),
# rendered from the objects alone, and a page around them rendered live for each reader with
# what is theirs (forum.readers): the header, their own posts' actions, follow and support state.


@access(PUBLIC)
@require_safe
@shared.anonymous_page("forum")
def forum_index(request):
    public = Q(topics__is_held=False, topics__is_hidden=False)
    categories = Category.objects.annotate(topic_count=Count("topics", filter=public))
    latest = Topic.objects.visible_to(request.user).select_related("category", "author")[:10]
    return shared.render_page(request, "forum/index.html", {
        "categories": categories, "latest": latest,
        "crumbs": [("Forum", "")],
    })


def _topic_version(topic: Topic) -> tuple:
    """Everything forum/_topic_summary.html shows."""
    author = topic.author.public_name if topic.author else None
    return (topic.pk, topic.title, topic.slug, topic.is_held, topic.is_hidden, topic.is_locked, topic.status,
            topic.support_count, topic.reply_count, topic.last_activity_at, author, topic.category.is_ideas,
            topic.answer_id is not None)


def _page_number(request) -> str:
    """The ?page= asked for, as a shared copy's name holds it: digits, or "" for the first page."""
    number = request.GET.get("page", "")[:6]
    return number if number.isdigit() else ""


def _page_of(size: tuple[int, int], per_page: int) -> Page:
    """A page of a list from its (count, number) alone. Shared copies keep those, never a Page: a
    Paginator's lazy messages cost more to unpickle than the rest of a thread (bench/results.md)."""
    return Paginator(range(size[0]), per_page).page(size[1])


class Listing(NamedTuple):
    category: Category
    size: tuple[int, int]  # how many topics, and which page of them (_page_of)
    rows: list[tuple[int, str]]  # each topic's id and shared rendering (forum/_topic_summary.html)
    unlisted_authors: frozenset[int] = frozenset()  # who reads this category unlike anyone else


def _listing_for(user, slug: str, sort: str, status: str, number) -> Listing:
    category = get_object_or_404(Category, slug=slug)
    topics = Topic.objects.visible_to(user).filter(category=category).select_related("author")
    if category.is_ideas and status:
        topics = topics.filter(status=status)
    order = IDEA_SORTS[sort if category.is_ideas else "activity"][1]
    page_obj = Paginator(topics.order_by(*order), settings.FORUM_TOPICS_PER_PAGE).get_page(number)
    topics = list(page_obj)
    for topic in topics:
        topic.category = category  # already known: saves a join per row
    summaries = shared.parts("forum/_topic_summary.html", [
        (_topic_version(topic), {"topic": topic, "heading_level": 3}) for topic in topics])
    size = (page_obj.paginator.count, page_obj.number)
    return Listing(category, size, list(zip([topic.pk for topic in topics], summaries, strict=True)))


def _public_listing(slug: str, sort: str, status: str, number) -> Listing:
    """The category's topics as anyone reads them, and the authors of topics not everyone reads."""
    listing = _listing_for(AnonymousUser(), slug, sort, status, number)
    unlisted = (Topic.objects.filter(category=listing.category).exclude(pk__in=Topic.objects.public().values("pk"))
                .values_list("author_id", flat=True))
    return listing._replace(unlisted_authors=frozenset(unlisted))


@access(PUBLIC)
@require_safe
@shared.anonymous_page("forum")
def category_detail(request, category):
    user = request.user
    # Only picks the way: a moderator's own listing applies the real rule (Topic.objects.visible_to).
    moderator = user.is_authenticated and can_moderate_lately(user)
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in IDEA_SORTS else "activity"
    status = request.GET.get("status", "")
    status = status if status in IdeaStatus.values else ""
    number = _page_number(request)
    listing = None
    if not moderator:  # may read what anyone reads
        listing = shared.current("forum", f"category:{category}:{sort}:{status}:{number}",
                                 lambda: _public_listing(category, sort, status, number))
        if user.is_authenticated and user.pk in listing.unlisted_authors:
            listing = None  # their own held or hidden topic is theirs alone to read
    public = listing is not None
    if listing is None:
        listing = _listing_for(user, category, sort, status, number)
    category, size, rows, _ = listing
    page_obj = _page_of(size, settings.FORUM_TOPICS_PER_PAGE)
    query = {}
    if category.is_ideas:  # (other categories list by activity alone)
        query = {key: value for key, value in (("sort", sort), ("status", status))
                 if value and (key, value) != ("sort", "activity")}
    supported = set()
    if category.is_ideas and user.is_authenticated:
        supported = set(Support.objects.filter(user=user, topic__in=[pk for pk, _ in rows])
                        .values_list("topic_id", flat=True))
    context = {
        "category": category, "page_obj": page_obj,
        "rows": [(summary, pk in supported) for pk, summary in rows],
        "sort": sort, "sorts": [(key, label) for key, (label, _) in IDEA_SORTS.items()],
        "status": status, "statuses": IdeaStatus.choices, "query_prefix": urlencode(query),
        "can_start": not category.moderators_only_topics or moderator,
        "crumbs": _forum_crumbs((category.name, "")),
    }
    if public and user.is_authenticated:  # shared with every member who supports the same ideas here
        return shared.member_page(request, "forum", "forum/category_detail.html", sorted(supported), lambda: context)
    return shared.render_page(request, "forum/category_detail.html", context)


def _can_start_topic(user, category: Category) -> bool:
    return not category.moderators_only_topics or can_moderate(user)


@access(PUBLIC)
@require_safe
@shared.anonymous_page("forum")
def ideas_done(request):
    ideas = Topic.objects.done().select_related("category", "author").order_by("-status_changed_at", "-pk")
    page_obj = Paginator(ideas, settings.FORUM_TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    return shared.render_page(request, "forum/ideas_done.html", {
        "page_obj": page_obj, "ideas": page_obj.object_list,
        "ideas_category": Category.objects.filter(is_ideas=True).first(),
        "crumbs": _forum_crumbs(("What we've done", "")),
    })


def _topic_for(user, pk: int) -> Topic:
    return get_object_or_404(Topic.objects.visible_to(user).select_related("category", "author"), pk=pk)


class Thread(NamedTuple):
    topic: Topic
    size: tuple[int, int]  # how many posts, and which page of them (_page_of)
    posts: list[Post]
    moderators: frozenset[int]  # for the badge beside authors' names


def _thread_for(user, pk: int, number) -> Thread:
    """The topic and the page of its posts this reader lists."""
    topic = _topic_for(user, pk)
    posts = Post.objects.filter(topic=topic).visible_to(user)
    if user.is_authenticated:
        posts = posts.annotate(is_reported=Exists(Report.objects.filter(post=OuterRef("pk"), reporter=user)))
    posts = posts.select_related("author").defer("body", "search_vector").order_by("created_at", "pk")
    page_obj = Paginator(posts, settings.FORUM_POSTS_PER_PAGE).get_page(number)
    return Thread(topic, (page_obj.paginator.count, page_obj.number), list(page_obj), moderator_ids())


def _public_thread(pk: int, number) -> Thread | None:
    """The thread as anyone reads it; None if anyone may not open it (each reader's own rule decides)."""
    try:
        return _thread_for(AnonymousUser(), pk, number)
    except Http404:
        return None


def _post_version(post: Post, moderator_ids: frozenset[int]) -> tuple:
    """Everything forum/_post_content.html shows of a post, for its shared rendering's key."""
    author = post.author.public_name if post.author else None
    return (post.pk, post.kind, post.is_first, post.reply_to_id is not None, post.created_at, post.edited_at,
            post.edit_count, post.is_held, post.hidden_at, post.hidden_reason, post.deleted_at, post.new_status,
            author, post.author_id in moderator_ids, post.author is not None and post.author.is_active, post.is_answer)


def _post_parts(posts: list[Post], moderators: frozenset[int], flags: dict) -> list[str]:
    """Each post's shared rendering (forum/_post.html) for readers who may do what ``flags`` say. A post this
    reader reads although others may not (their own held or hidden post; anything, for a moderator) is a
    variant of its own ("reveal"), still rendered from the objects only."""
    items = []
    for post in posts:
        context = {**flags, "own": post.is_own, "reported": getattr(post, "is_reported", False),
                   "reveal": post.is_readable and not post.is_public()}
        items.append(((*_post_version(post, moderators), *context.values()),
                      {**context, "post": post, "moderator_ids": moderators}))
    return shared.parts("forum/_post.html", items)


def _flags(topic: Topic, reader: readers.Reader | None, suspension, member: int | None) -> dict:
    """What this reader may do with the posts on the page, as forum/_post.html asks."""
    if reader is None:
        return dict.fromkeys(("signed_in", "moderator", "reporting", "quoting", "editing", "marking"), False)
    asker = topic.author_id == member
    return {"signed_in": True, "moderator": reader.can_moderate, "reporting": not suspension,
            "quoting": not suspension and (not topic.is_locked or reader.can_moderate),
            "editing": not topic.is_locked or reader.can_moderate,
            # The asker (not while suspended) or a moderator marks a question's answer (forum.services.mark_answer).
            "marking": topic.category.has_answers and (reader.can_moderate or asker and not suspension)}


def _render_topic(request, reader: readers.Reader | None, pk: int, thread: Callable[[], Thread | None], *,
                  public: bool = False, support_error: str = "", status: int = 200) -> HttpResponse | None:
    """The topic page; None if ``thread()`` finds none. A member reading the ``public`` thread (as anyone reads
    it) without moderator power or a suspension shares the page with every member who would be shown the same
    (shared.member_page): ``thread()`` is asked only when the page has to be made."""
    member = request.user.pk
    is_moderator = bool(reader and reader.can_moderate)
    suspension = services.active_suspension(request.user) if reader and reader.suspended else None

    def context() -> dict | None:
        if (found := thread()) is None:
            return None
        topic, size, posts, moderators = found
        return {
            "topic": topic, "category": topic.category,
            "page_obj": _page_of(size, settings.FORUM_POSTS_PER_PAGE),
            # each one a template's output, escaped as it was rendered
            "posts": SafeString("".join(_post_parts(posts, moderators, _flags(topic, reader, suspension, member)))),
            "reader": reader, "is_moderator": is_moderator,
            "needs_two_step": bool(reader and reader.needs_two_step), "suspension": suspension,
            "support_error": support_error, "reply_body": _empty_reply_body(), "crumbs": _topic_crumbs(topic),
        }

    live = {"reply_action": reverse("forum:reply_create", args=[pk]), "submission_key": new_submission_key()}
    if public and reader is not None and not (is_moderator or suspension or support_error):
        # What tells members' pages apart here: a writer's own posts (their actions, and asking), follow, support.
        facts = (reader.wrote and member, reader.following, reader.supports, reader.needs_two_step)
        return shared.member_page(request, "forum", "forum/topic_detail.html", facts, context, live)
    found = context()
    return None if found is None else shared.render_page(request, "forum/topic_detail.html", {**found, **live},
                                                         status=status)


@cache
def _empty_reply_body() -> tuple[str, str]:
    """The reply box as every member first sees it, and its id: rendered from the form alone, once per process.
    The box belongs to the reply form at the end of the page (includes/live_forms.html)."""
    form = ReplyForm()
    form.fields["body"].widget.attrs["form"] = "reply"
    return form["body"].as_field_group(), form["body"].auto_id


@access(PUBLIC)
@require_safe
@shared.anonymous_page("forum")
def topic_detail(request, pk, slug):
    number = _page_number(request)
    member = request.user.pk
    reader = readers.reader_of(request.user, topic_pk=pk)  # first: it says who may see what
    if reader is None or not (reader.can_moderate or reader.reported or reader.unlisted):  # reads what anyone reads

        def public_thread() -> Thread | None:
            thread = shared.current("forum", f"thread:{pk}:{number}", lambda: _public_thread(pk, number))
            if thread is None or thread.topic.slug != slug:
                return None  # not public, or an old address: this reader's own rule decides (below)
            for post in thread.posts:  # a copy of its own, from the cache
                post.is_own = member is not None and post.author_id == member  # never a deleted author's
            return thread

        if (response := _render_topic(request, reader, pk, public_thread, public=True)) is not None:
            return response
    thread = _thread_for(request.user, pk, number)
    if slug != thread.topic.slug:  # an old address: the same page of the topic at its own
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(thread.topic.get_absolute_url() + query)
    return _render_topic(request, reader, pk, lambda: thread)


def _post_location(post: Post, user) -> str:
    """The topic page that shows this post, with the post's anchor."""
    before = Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk)
    earlier = Post.objects.filter(topic_id=post.topic_id).visible_to(user).filter(before).count()
    page = earlier // settings.FORUM_POSTS_PER_PAGE + 1
    url = post.topic.get_absolute_url()
    if page > 1:
        url += f"?page={page}"
    return f"{url}#{post.anchor}"


def _post_for(user, pk: int) -> Post:
    """A post the user may see in its thread (placeholders included); 404 otherwise."""
    return get_object_or_404(
        Post.objects.filter(topic__in=Topic.objects.visible_to(user)).visible_to(user)
        .select_related("topic", "topic__category", "author"), pk=pk)


@access(PUBLIC)
@require_safe
def topic_by_id(request, pk):
    """A topic's address without its title (typed, or cut short when copied): its full address."""
    return redirect(_topic_for(request.user, pk), permanent=True)


@access(PUBLIC)
@require_safe
def post_detail(request, pk):
    post = _post_for(request.user, pk)
    return redirect(_post_location(post, request.user))


# --- writing -------------------------------------------------------------------------------


@access(POSTER)
@require_http_methods(["GET", "POST"])
@login_required
def topic_create(request, category):
    category = get_object_or_404(Category, slug=category)
    if not _can_start_topic(request.user, category):
        raise PermissionDenied
    form = TopicForm(_posted(request), category=category, initial=unsent.take(request))
    if form.is_valid():
        try:
            topic = services.start_topic(category=category, author=request.user,
                                         title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                         submission_key=form.cleaned_data["submission_key"])
        except services.ForumError as error:
            _add_service_error(form, error, text_kept=True)
        else:
            if topic.is_held:
                messages.info(request, "Thank you. Your topic will appear once a moderator has checked it, "
                                       "because it has links and your account is new.")
            else:
                messages.success(request, "Your idea has been posted" if category.is_ideas
                                 else "Your topic has been posted")
            return redirect(topic)
    return render(request, "forum/topic_create.html", {
        "category": category, "form": form, "suspension": services.active_suspension(request.user),
        "crumbs": _forum_crumbs((category.name, category.get_absolute_url()),
                                ("New idea" if category.is_ideas else "New topic", "")),
    })


def _quote(post: Post) -> str:
    name = post.author.public_name if post.author else "deleted user"
    quoted = "\n".join(f"> {line}" if line else ">" for line in post.body.strip().split("\n"))
    return f"> **{name}** wrote:\n>\n{quoted}\n\n"


@access(POSTER)
@require_http_methods(["GET", "POST"])
@login_required
def reply_create(request, pk):
    topic = _topic_for(request.user, pk)
    quoted = None
    if request.method == "POST":
        form = ReplyForm(request.POST)
    else:
        initial = {}
        quote_id = request.GET.get("quote", "")
        if quote_id.isdigit():
            quoted = (Post.objects.filter(topic=topic, kind=Post.Kind.MESSAGE).public()
                      .select_related("author").filter(pk=quote_id).first())
            if quoted is not None:
                initial = {"body": _quote(quoted), "reply_to": quoted.pk}
        form = ReplyForm(initial={**initial, **unsent.take(request)})
    if form.is_valid():
        reply_to = None
        if form.cleaned_data["reply_to"]:
            reply_to = Post.objects.filter(topic=topic, pk=form.cleaned_data["reply_to"]).first()
        try:
            post = services.post_reply(topic=topic, author=request.user, body=form.cleaned_data["body"],
                                       reply_to=reply_to, submission_key=form.cleaned_data["submission_key"])
        except services.ForumError as error:
            _add_service_error(form, error, text_kept=True)
        else:
            if post.submission_key != form.cleaned_data["submission_key"]:  # the same words, sent again
                messages.info(request, "You had already posted this reply, so it is here once")
            elif post.is_held:
                messages.info(request, "Thank you. Your reply will appear to others once a moderator has "
                                       "checked it, because it has links and your account is new.")
            else:
                messages.success(request, "Your reply has been posted")
            post.topic = topic
            return redirect(_post_location(post, request.user))
    return render(request, "forum/reply_create.html", {
        "topic": topic, "form": form, "suspension": services.active_suspension(request.user),
        "is_moderator": can_moderate(request.user), "crumbs": _topic_crumbs(topic, "Reply"),
    })


def _own_post(user, pk: int, *, even_deleted: bool = False) -> Post:
    """The user's own, undeleted message (or deleted too); anyone else's gets a 404."""
    posts = Post.objects.filter(author=user, kind=Post.Kind.MESSAGE).select_related("topic", "topic__category")
    return get_object_or_404(posts if even_deleted else posts.filter(deleted_at__isnull=True), pk=pk)


@access(AUTHOR)
@require_http_methods(["GET", "POST"])
@login_required
def post_edit(request, pk):
    # A post deleted in another tab while this one was editing it: the service says so, and the text sent is kept.
    post = _own_post(request.user, pk, even_deleted=request.method == "POST")
    topic = post.topic
    form = EditPostForm(_posted(request), is_first=post.is_first,
                        initial={"title": topic.title, "body": post.body, **unsent.take(request)})
    if form.is_valid():
        was_held = post.is_held
        try:
            edited = services.edit_post(post=post, editor=request.user, body=form.cleaned_data["body"],
                                        title=form.cleaned_data.get("title"))
        except services.ForumError as error:
            _add_service_error(form, error, text_kept=True)
        else:
            if edited.is_held and not was_held:  # the edit added links from a new account
                messages.info(request, "Your changes are saved. Because they add links and your account is new, "
                                       f"your {'topic' if post.is_first else 'reply'} is hidden from others "
                                       "until a moderator has checked it.")
            else:
                messages.success(request, "Your changes have been saved")
            # The title, and so the topic's address, may have changed.
            post = Post.objects.select_related("topic").get(pk=post.pk)
            return redirect(_post_location(post, request.user))
    return render(request, "forum/post_edit.html", {
        "post": post, "topic": topic, "form": form,
        "crumbs": _topic_crumbs(topic, "Edit your post"),
    })


@access(AUTHOR)
@require_http_methods(["GET", "POST"])
@login_required
def post_delete(request, pk):
    post = _own_post(request.user, pk)
    topic = post.topic
    if request.method == "POST":
        services.delete_post(post=post, user=request.user)
        messages.success(request, "Your post has been deleted")
        return redirect(_post_location(post, request.user))
    return render(request, "forum/post_delete.html", {
        "post": post, "topic": topic,
        "crumbs": _topic_crumbs(topic, "Delete your post"),
    })


@access(MEMBER)
@require_http_methods(["GET", "POST"])
@login_required
def post_report(request, pk):
    post = _post_for(request.user, pk)
    if not post.is_public() or post.is_status_change():
        raise Http404
    topic = post.topic
    form = ReportForm(_posted(request))
    if form.is_valid():
        try:
            services.report_post(post=post, reporter=request.user, reason=form.cleaned_data["reason"],
                                 details=form.cleaned_data["details"])
        except services.ForumError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, "Thank you for telling us. A moderator will look at the post")
            return redirect(_post_location(post, request.user))
    return render(request, "forum/post_report.html", {
        "post": post, "topic": topic, "form": form,
        # Opening the form again after reporting says so, instead of offering a second report.
        "reported_on": request.method == "GET" and Report.objects.filter(post=post, reporter=request.user)
        .values_list("created_at", flat=True).first(),
        "crumbs": _topic_crumbs(topic, "Report a post"),
    })


# --- ideas ---------------------------------------------------------------------------------


@access(POSTER)
@require_POST
@login_required
def idea_support(request, pk):
    topic = _topic_for(request.user, pk)
    try:
        services.support_idea(topic=topic, user=request.user)
    except services.ForumError as error:
        thread = _thread_for(request.user, topic.pk, None)
        return _render_topic(request, readers.reader_of(request.user, topic_pk=topic.pk), topic.pk,
                             lambda: thread, support_error=error.message, status=409)
    messages.success(request, "You support this idea. We will email you when its status changes")
    return redirect(topic)


@access(MEMBER)  # taking support back is allowed while suspended: it adds nothing
@require_POST
@login_required
def idea_withdraw(request, pk):
    topic = _topic_for(request.user, pk)
    services.withdraw_support(topic=topic, user=request.user)
    messages.success(request, "You no longer support this idea")
    return redirect(topic)


@access(MODERATOR)
@require_http_methods(["GET", "POST"])
@moderator_required
def idea_status(request, pk):
    topic = get_object_or_404(Topic.objects.select_related("category").filter(category__is_ideas=True), pk=pk)
    form = StatusForm(_posted(request), initial={"status": topic.status})
    if form.is_valid():
        try:
            services.change_idea_status(topic=topic, moderator=request.user,
                                        status=form.cleaned_data["status"], reason=form.cleaned_data["reason"])
        except services.StatusUnchanged as error:
            form.add_error("status", str(error))
        else:
            topic.refresh_from_db()
            messages.success(request, f"The idea is now marked {topic.get_status_display()}")
            return redirect(topic)
    return render(request, "forum/idea_status.html", {
        "topic": topic, "form": form,
        "crumbs": _topic_crumbs(topic, "Change status"),
    })


# --- following and email settings ----------------------------------------------------------


def _email_off(user) -> bool:
    return Preferences.objects.filter(user=user, email_notifications=False).exists()


@access(MEMBER)
@require_POST
@login_required
def topic_follow(request, pk):
    topic = _topic_for(request.user, pk)
    services.follow_topic(topic=topic, user=request.user)
    if _email_off(request.user):
        messages.info(request, "You are following this topic, but forum emails are turned off in your "
                               "forum settings")
    else:
        messages.success(request, "You are following this topic. We will email you about new replies")
    return redirect(topic)


@access(MEMBER)
@require_POST
@login_required
def topic_unfollow(request, pk):
    topic = _topic_for(request.user, pk)
    services.unfollow_topic(topic=topic, user=request.user)
    messages.success(request, "You have stopped following this topic")
    return redirect(topic)


@access(MEMBER)
@require_http_methods(["GET", "POST"])
@login_required
def forum_settings(request):
    preferences = Preferences.objects.filter(user=request.user).first()
    enabled = preferences.email_notifications if preferences else True
    form = PreferencesForm(_posted(request), initial={"email_notifications": "yes" if enabled else "no"})
    if form.is_valid():
        services.set_email_notifications(user=request.user, enabled=form.cleaned_data["email_notifications"])
        messages.success(request, "Your forum settings have been saved")
        return redirect("forum:settings")
    following = (Topic.objects.visible_to(request.user)
                 .filter(follows__user=request.user, follows__is_following=True)
                 .select_related("category")[:50])
    return render(request, "forum/settings.html", {
        "form": form, "following": following, "crumbs": _forum_crumbs(("Your forum settings", "")),
    })


@access(TOKEN)
@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation (link scanners only ever GET); POST unsubscribes, no sign-in needed."""
    ids = notifications.read_unsubscribe_token(token)
    member = topic = None
    if ids is not None:
        member = User.objects.filter(pk=ids[0]).first()
        topic = Topic.objects.filter(pk=ids[1]).first()
    if member is None or topic is None:
        return render(request, "forum/unsubscribe.html", {"invalid": True}, status=404)
    title = topic.title if topic.is_public() else "a topic"
    done = ""
    if request.method == "POST":
        if request.POST.get("scope") == "all":
            services.set_email_notifications(user=member, enabled=False)
            done = "all"
        else:
            done = "topic"
        services.unfollow_topic(topic=topic, user=member)
    return render(request, "forum/unsubscribe.html", {"title": title, "done": done, "token": token})


# --- moderation ----------------------------------------------------------------------------


@access(AUTHOR_OR_MODERATOR)
@require_safe
@login_required
def post_history(request, pk):
    """A post's earlier versions: for its author, and for moderators (with two-step on)."""
    post = get_object_or_404(Post.objects.select_related("topic", "topic__category", "author"), pk=pk)
    if post.author_id == request.user.pk:
        return _post_history(request, post)
    return _moderators_post_history(request, post)


@moderator_required
def _moderators_post_history(request, post):
    return _post_history(request, post)


def _post_history(request, post):
    topic = post.topic
    return render(request, "forum/post_history.html", {
        "post": post, "topic": topic, "revisions": post.revisions.select_related("editor"),
        "crumbs": _topic_crumbs(topic, "Edit history"),
    })


@access(MODERATOR)
@require_http_methods(["GET", "POST"])
@moderator_required
def post_hide(request, pk):
    post = get_object_or_404(Post.objects.select_related("topic", "topic__category", "author"), pk=pk)
    topic = post.topic
    form = HideForm(_posted(request))
    if form.is_valid():
        services.hide_post(post=post, moderator=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "The post is hidden. Its open reports are closed")
        return redirect(_post_location(post, request.user))
    return render(request, "forum/post_hide.html", {
        "post": post, "topic": topic, "form": form,
        "crumbs": _topic_crumbs(topic, "Hide a post"),
    })


@access(MODERATOR)
@require_POST
@moderator_required
def post_unhide(request, pk):
    post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    services.unhide_post(post=post, moderator=request.user)
    messages.success(request, "The post is shown again")
    return redirect(_post_location(post, request.user))


@access(MODERATOR)
@require_POST
@moderator_required
def post_approve(request, pk):
    post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    services.approve_post(post=post, moderator=request.user)
    messages.success(request, "The post is approved and everyone can see it")
    if request.POST.get("from") == "reports":  # a fixed value, never an address to go to
        return redirect("moderation:reports")
    return redirect(_post_location(post, request.user))


@access(MODERATOR)
@require_POST
@moderator_required
def post_dismiss_reports(request, pk):
    post = get_object_or_404(Post, pk=pk)
    services.dismiss_reports(post=post, moderator=request.user)
    messages.success(request, "The reports are closed and the post is unchanged")
    return redirect("moderation:reports")


@access(MODERATOR)
@require_POST
@moderator_required
def topic_lock(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    services.lock_topic(topic=topic, moderator=request.user)
    messages.success(request, "The topic is locked. Nobody but moderators can reply")
    return redirect(topic)


@access(MODERATOR)
@require_POST
@moderator_required
def topic_unlock(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    services.unlock_topic(topic=topic, moderator=request.user)
    messages.success(request, "The topic is unlocked")
    return redirect(topic)


@access(MODERATOR)
@require_http_methods(["GET", "POST"])
@moderator_required
def topic_move(request, pk):
    topic = get_object_or_404(Topic.objects.select_related("category"), pk=pk)
    form = MoveForm(_posted(request), initial={"category": topic.category_id})
    if form.is_valid():
        topic = services.move_topic(topic=topic, moderator=request.user, **form.cleaned_data)
        messages.success(request, f"The topic is now in {topic.category.name}")
        return redirect(topic)
    return render(request, "forum/topic_move.html", {
        "topic": topic, "form": form,
        "crumbs": _topic_crumbs(topic, "Move"),
    })


@access(MODERATOR)
@require_http_methods(["GET", "POST"])
@moderator_required
def member_suspend(request, pk):
    member = get_object_or_404(User, pk=pk, is_active=True)
    form = SuspendForm(_posted(request))
    if form.is_valid():
        try:
            services.suspend_member(member=member, moderator=request.user, reason=form.cleaned_data["reason"],
                                    days=form.days())
        except services.ForumError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, f"{member.public_name} is suspended. They can read but not post")
            return redirect("moderation:reports")
    return render(request, "forum/member_suspend.html", {
        "member": member, "form": form, "is_member_moderator": is_moderator(member),
        "recent_posts": (Post.objects.filter(author=member).select_related("topic")
                         .order_by("-created_at")[:5]),
        "crumbs": [("Moderation", reverse("moderation:reports")), ("Suspend a member", "")],
    })


@access(MODERATOR)
@require_POST
@moderator_required
def member_lift(request, pk):
    member = get_object_or_404(User, pk=pk)
    services.lift_suspension(member=member, moderator=request.user)
    messages.success(request, f"{member.public_name} can post again")
    return redirect("moderation:reports")


# --- answers to questions and merged ideas ----------------------------------------------------


@access(AUTHOR_OR_MODERATOR)  # the question's author (not the reply's), or a moderator
@require_POST
@login_required
def post_mark_answer(request, pk):
    post = _post_for(request.user, pk)
    try:
        services.mark_answer(post=post, user=request.user)
    except services.ForumError as error:
        messages.error(request, error.message)
    else:
        author = post.author.public_name if post.author else "a deleted user"
        messages.success(request, f"The reply by {author} is marked as the answer to this question")
    return redirect(_post_location(post, request.user))


@access(AUTHOR_OR_MODERATOR)
@require_POST
@login_required
def topic_unmark_answer(request, pk):
    topic = _topic_for(request.user, pk)
    services.unmark_answer(topic=topic, user=request.user)
    messages.success(request, "No reply is marked as the answer now")
    return redirect(topic)


@access(MODERATOR)
@require_http_methods(["GET", "POST"])
@moderator_required
def idea_merge(request, pk):
    """Name the idea to merge this duplicate into, check both, then confirm (a second POST)."""
    duplicate = get_object_or_404(Topic.objects.select_related("category").filter(category__is_ideas=True), pk=pk)
    form = MergeForm(_posted(request))
    target = None
    if form.is_valid():
        target = Topic.objects.select_related("category", "author").filter(pk=form.cleaned_data["target"]).first()
        refusal = ("We cannot find an idea at that address. Copy the address of the other idea from your browser"
                   if target is None else services.merge_refusal(duplicate=duplicate, target=target))
        if refusal:
            form.add_error("target", refusal)
            target = None
        elif form.cleaned_data["confirmed"]:
            try:
                services.merge_ideas(duplicate=duplicate, target=target, moderator=request.user,
                                     reason=form.cleaned_data["reason"])
            except services.ForumError as error:
                _add_service_error(form, error)
                target = None
            else:
                messages.success(request, f"“{duplicate.title}” is merged into this idea. Its supporters now "
                                          "support this one, and its followers follow it")
                return redirect(target)
    return render(request, "forum/idea_merge.html", {
        "topic": duplicate, "target": target, "form": form,
        "crumbs": _topic_crumbs(duplicate, "Merge into another idea"),
    })
