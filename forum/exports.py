"""A member's own forum data, for the accounts "Your data" download."""

from forum.models import Follow, Post, Preferences, Report, Support, Suspension, Topic


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _post_kind(post: Post) -> str:
    if post.is_first:
        return "opening post"
    return "status change" if post.is_status_change() else "reply"


def user_data(user) -> dict[str, object]:
    """Everything the forum holds that the member wrote or chose. JSON-serialisable.

    Deleted and hidden posts are included (they are still the member's words); who
    reported the member's posts is not (that is other people's data).
    """
    topics = Topic.objects.filter(author=user).select_related("category").order_by("created_at", "pk")
    # The visibility rule lists every post of an author's own to them (deleted ones too).
    posts = (Post.objects.visible_to(user).filter(author=user).select_related("topic").prefetch_related("revisions")
             .order_by("created_at", "pk"))
    supports = Support.objects.filter(user=user).select_related("topic").order_by("created_at")
    follows = Follow.objects.filter(user=user).select_related("topic").order_by("changed_at")
    preferences = Preferences.objects.filter(user=user).first()
    return {
        "forum/topics.json": [
            {"id": topic.pk, "title": topic.title, "category": topic.category.name,
             "created_at": _when(topic.created_at), "status": topic.get_status_display() or None,
             "address": topic.get_absolute_url()}
            for topic in topics],
        "forum/posts.json": [
            {"id": post.pk, "topic_id": post.topic_id, "topic_title": post.topic.title,
             "kind": _post_kind(post), "text": post.body,
             "created_at": _when(post.created_at), "edited_at": _when(post.edited_at),
             "deleted_at": _when(post.deleted_at), "hidden_at": _when(post.hidden_at),
             "hidden_reason": post.hidden_reason or None, "waiting_for_approval": post.is_held,
             "earlier_versions": [
                 {"title": revision.title or None, "text": revision.body,
                  "written_at": _when(revision.created_at)}
                 for revision in post.revisions.all()]}
            for post in posts],
        "forum/supports.json": [
            {"topic_id": support.topic_id, "topic_title": support.topic.title,
             "created_at": _when(support.created_at)}
            for support in supports],
        "forum/follows.json": [
            {"topic_id": follow.topic_id, "topic_title": follow.topic.title, "following": follow.is_following,
             "changed_at": _when(follow.changed_at)}
            for follow in follows],
        "forum/reports-you-made.json": [
            {"post_id": report.post_id, "reason": report.get_reason_display(), "details": report.details,
             "created_at": _when(report.created_at), "outcome": report.get_outcome_display() or None}
            for report in Report.objects.filter(reporter=user).order_by("created_at")],
        "forum/suspensions.json": [
            {"reason": suspension.reason, "starts_at": _when(suspension.starts_at),
             "ends_at": _when(suspension.ends_at), "lifted_at": _when(suspension.lifted_at)}
            for suspension in Suspension.objects.filter(user=user).order_by("starts_at")],
        "forum/settings.json": {
            "email_notifications": preferences.email_notifications if preferences else True},
    }
