"""The forum: categories, topics and their posts, ideas and their status, follows, reports, suspensions.

A topic's opening message is its first Post (is_first), so editing, deleting, reporting
and hiding work the same for every message. Counters on Topic (reply_count,
support_count, last_activity_at) are kept by forum.services inside the transaction
that changes them, with the topic row locked.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from mycarebudget.moderation.powers import can_moderate

TITLE_MIN_LENGTH = 5
TITLE_MAX_LENGTH = 150
BODY_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 1_000

# First path segments under /forum/ that belong to fixed pages, never to a category.
RESERVED_CATEGORY_SLUGS = frozenset({
    "done", "settings", "unsubscribe", "topics", "posts", "members", "new", "search",
    "latest", "feed", "moderation",
})


def validate_category_slug(value: str) -> None:
    if value in RESERVED_CATEGORY_SLUGS:
        raise ValidationError("“%(slug)s” is the address of another forum page; choose another",
                              code="reserved", params={"slug": value})


class Category(models.Model):
    """A part of the forum. The ideas category's topics carry an idea status."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_category_slug])
    description = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    is_ideas = models.BooleanField(default=False,
                                   help_text="Topics here are ideas with a status and supporters")
    moderators_only_topics = models.BooleanField(
        default=False, help_text="Only moderators start topics here (members can still reply)")
    has_answers = models.BooleanField(
        default=False, help_text="Questions: the person who asked, or a moderator, can mark the reply that "
                                 "answered it")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category_detail", args=[self.slug])


class IdeaStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    UNDER_CONSIDERATION = "under-consideration", "Under consideration"
    PLANNED = "planned", "Planned"
    BEING_BUILT = "being-built", "Being built"
    DONE = "done", "Done"
    NOT_DOING = "not-doing", "Not doing"
    DUPLICATE = "duplicate", "Duplicate"  # set only by merging it into another idea (forum.services.merge_ideas)


# Tag colours; the status word is always written too, so colour is never the only cue.
STATUS_TAG_CLASSES = {
    IdeaStatus.PROPOSED: "app-tag--grey",
    IdeaStatus.UNDER_CONSIDERATION: "app-tag--blue",
    IdeaStatus.PLANNED: "app-tag--purple",
    IdeaStatus.BEING_BUILT: "",
    IdeaStatus.DONE: "app-tag--green",
    IdeaStatus.NOT_DOING: "app-tag--red",
    IdeaStatus.DUPLICATE: "app-tag--grey",
}
# Fider's rule: once an idea is done or declined, supporting it changes nothing.
CLOSED_STATUSES = frozenset({IdeaStatus.DONE, IdeaStatus.NOT_DOING, IdeaStatus.DUPLICATE})


class TopicQuerySet(models.QuerySet):
    def public(self) -> "TopicQuerySet":
        """Topics anyone may see: not held for approval, opening post not hidden."""
        return self.filter(is_held=False, is_hidden=False)

    def visible_to(self, user) -> "TopicQuerySet":
        """Public topics, plus the user's own held or hidden ones; moderators see everything."""
        if can_moderate(user):
            return self.all()
        member = _member_pk(user)
        if member is not None:
            return self.filter(Q(is_held=False, is_hidden=False) | Q(author_id=member))
        return self.public()

    def ideas(self) -> "TopicQuerySet":
        return self.filter(category__is_ideas=True)

    def done(self) -> "TopicQuerySet":
        return self.ideas().public().filter(status=IdeaStatus.DONE)


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=80, blank=True, help_text="Made from the title when saved")
    # Accounts are anonymised rather than deleted; SET_NULL keeps posts if one ever is.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="forum_topics")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0, help_text="Public replies, kept by forum.services")
    is_locked = models.BooleanField(default=False)
    # Mirrors of the opening post's state, so lists filter without a join.
    is_held = models.BooleanField(default=False,
                                  help_text="Waiting for a moderator to approve its opening post")
    is_hidden = models.BooleanField(default=False, help_text="Its opening post was hidden by a moderator")
    # Ideas only.
    status = models.CharField(max_length=24, choices=IdeaStatus.choices, blank=True)
    status_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0, help_text="Supporters, kept by forum.services")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_ideas",
                                    help_text="Ideas only: the idea this duplicate was merged into")
    # Questions only. Post.is_answer says the same on the post, for its shared rendering; both are
    # kept by forum.services with the topic row locked.
    answer = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="The reply that answered the question")

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        indexes = [
            models.Index(fields=["category", "-last_activity_at"], name="forum_topic_category_activity"),
            models.Index(fields=["category", "-support_count"], name="forum_topic_category_support"),
            models.Index(fields=["status", "-status_changed_at"], name="forum_topic_status_changed"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)[:80] or "topic"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:topic_detail", kwargs={"pk": self.pk, "slug": self.slug})

    def is_idea(self) -> bool:
        return self.category.is_ideas

    def is_public(self) -> bool:
        return not self.is_held and not self.is_hidden

    def is_open_for_support(self) -> bool:
        return self.category.is_ideas and self.status not in CLOSED_STATUSES

    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES.get(self.status, "")


def _member_pk(user) -> int | None:
    """The id to match authors against: only a signed-in member's. An anonymous reader, a shared
    rendering and a deleted author (None) are never anybody's author."""
    if user is None or not user.is_authenticated or user.pk is None:
        return None
    return user.pk


class PostQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PostQuerySet":
        """The one rule for who sees a post, used by the topic page, the member query, search and exports.

        Listed: posts in topics the reader may open, held posts only for their author; hidden and
        deleted posts stay in the thread as placeholders. Annotated ``is_readable`` (may read what
        it says): everyone reads posts that are not held, hidden or deleted, in public topics; an
        author reads their own held or hidden posts; moderators with two-step verification list and read everything.
        Annotated ``is_own``: written by this reader, never true for an anonymous reader or a deleted author.
        """
        member = _member_pk(user)
        own = Q(author_id=member) if member is not None else None
        if can_moderate(user):
            return self.annotate(is_readable=Value(True), is_own=_flag(own))
        topic_open = Q(topic__is_held=False, topic__is_hidden=False)
        if member is not None:
            topic_open |= Q(topic__author_id=member)
        public = Q(is_held=False, hidden_at__isnull=True, deleted_at__isnull=True)
        listed = topic_open & Q(is_held=False)
        readable = topic_open & public
        if own is not None:
            # An author reads their own held or hidden post; what they deleted, only moderators read.
            listed, readable = listed | own, readable | (own & Q(deleted_at__isnull=True))
        return self.filter(listed).annotate(is_readable=_flag(readable), is_own=_flag(own))

    def readable_by(self, user) -> "PostQuerySet":
        """Posts whose words this reader may read (``visible_to``'s rule)."""
        return self.visible_to(user).filter(is_readable=True)

    def public(self) -> "PostQuerySet":
        """Posts anyone may read in full: ``readable_by`` an anonymous reader."""
        return self.readable_by(None)

    def counted_against(self, user) -> "PostQuerySet":
        """What posting limits count: every topic and reply the user wrote, deleted ones too."""
        return self.filter(author=user).exclude(kind=Post.Kind.STATUS)


def _flag(condition: Q | None) -> ExpressionWrapper | Value:
    if condition is None:
        return Value(False)
    return ExpressionWrapper(condition, output_field=BooleanField())


class Post(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        STATUS = "status", "Status change"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="forum_posts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    is_first = models.BooleanField(default=False, help_text="The topic's opening message")
    body = models.TextField(max_length=BODY_MAX_LENGTH, help_text="Markdown, as written")
    body_html = models.TextField(blank=True, help_text="render_markdown(body), made when saved")
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", help_text="The post this one quoted")
    new_status = models.CharField(max_length=24, choices=IdeaStatus.choices, blank=True,
                                  help_text="For status changes: the status the idea moved to. Blank on the "
                                            "note an idea gets when a duplicate is merged into it")
    is_answer = models.BooleanField(default=False, help_text="The reply that answered its question")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    hidden_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    is_held = models.BooleanField(default=False, db_index=True,
                                  help_text="Waiting for a moderator: links from a brand-new account")
    # A hidden field on the form: the same submission twice (a double click, a resend)
    # finds the post already made instead of making a second one.
    submission_key = models.CharField(max_length=40, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["topic", "created_at"], name="forum_post_topic_created"),
            models.Index(fields=["author", "created_at"], name="forum_post_author_created"),
            # "Has this member held or hidden posts in this topic?" on every signed-in topic page.
            models.Index(fields=["author", "topic"], name="forum_post_author_topic"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_key"], condition=~Q(submission_key=""),
                                    name="forum_post_unique_submission"),
            models.UniqueConstraint(fields=["topic"], condition=Q(is_first=True),
                                    name="forum_post_one_opening_post"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.topic_id}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post_detail", args=[self.pk])

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def is_public(self) -> bool:
        return not (self.is_held or self.is_hidden() or self.is_deleted())

    def is_status_change(self) -> bool:
        return self.kind == self.Kind.STATUS

    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES.get(self.new_status, "")


class PostRevision(models.Model):
    """What a post said before an edit. Moderators can read every earlier version."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True,
                             help_text="The topic title, for opening posts")
    body = models.TextField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(help_text="When this version was first written")
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"Earlier version of post {self.post_id}"


class Support(models.Model):
    """One member supports one idea, once."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="forum_supports")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="forum_support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.topic_id}"


class Follow(models.Model):
    """Whether a member gets email about a topic. is_following False records that they stopped,
    so replying again does not quietly start the emails once more."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows")
    is_following = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="forum_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {'follows' if self.is_following else 'stopped following'} {self.topic_id}"


class Preferences(models.Model):
    """A member's forum settings."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="forum_preferences")
    email_notifications = models.BooleanField(
        "Email me about topics I follow", default=True,
        help_text="New replies, and changes to the status of ideas you follow")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"Forum preferences of {self.user_id}"


class ReportQuerySet(models.QuerySet):
    def open(self) -> "ReportQuerySet":
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A member tells moderators about a post."""

    class Reason(models.TextChoices):
        SPAM = "spam", "It is spam or advertising"
        ABUSE = "abuse", "It is rude, abusive or threatening"
        PERSONAL = "personal", "It shares someone's personal information"
        WRONG = "wrong", "It gives wrong or harmful advice"
        OTHER = "other", "Something else"

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "No action needed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="forum_reports")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="forum_report_once")]

    def __str__(self) -> str:
        return f"Report on post {self.post_id}"


class SuspensionQuerySet(models.QuerySet):
    def active(self, now=None) -> "SuspensionQuerySet":
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True,
                           starts_at__lte=now)


class Suspension(models.Model):
    """A member who may read but not post, support or report until it ends or is lifted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="forum_suspensions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until a moderator lifts it")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return f"Suspension of {self.user_id}"
