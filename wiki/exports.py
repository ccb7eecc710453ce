"""What the wiki holds about one member, for their "Your data" download."""

from wiki.models import EditProposal


def user_data(user) -> dict[str, object]:
    edits = [
        {"page": proposal.title, "address": f"/wiki/{proposal.slug}/", "status": proposal.status,
         "sent_at": proposal.created_at.isoformat(), "edit_summary": proposal.edit_summary,
         "decision_reason": proposal.decision_reason, "published_version": proposal.published_version,
         "text": proposal.body}
        for proposal in EditProposal.objects.filter(author=user).order_by("created_at")
    ]
    return {"wiki/edits.json": edits}
