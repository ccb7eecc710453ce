"""The budget's part of 'Your data' (USER_DATA_EXPORTERS): JSON for machines, CSV for people."""

from __future__ import annotations

import csv
import io

from . import services
from .figures import money
from .models import Budget


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def user_data(user) -> dict[str, object]:
    budget = Budget.objects.owned_by(user).first()
    if budget is None:
        return {}
    names = services.category_names(budget)
    entries = []
    for entry in budget.entries.prefetch_related("changes").order_by("occurred_on", "created_at"):
        details = services.read_entry(entry, budget)
        entries.append({
            "id": str(entry.id), "date": entry.occurred_on.isoformat(), "direction": entry.direction,
            "amount_pence": entry.amount_pence, "amount": money(entry.amount_pence), "payee": details.payee,
            "category": names.get(entry.category_id, ""), "note": details.note,
            "document": str(entry.document_id) if entry.document_id else None, "imported": entry.imported,
            "deleted_at": entry.deleted_at.isoformat() if entry.deleted_at else None,
            "history": [{"at": change.at.isoformat(), "action": change.action,
                         "values": services.read_change(change, budget)} for change in entry.changes.all()]})
    rules = [{"contains": services.read_rule(rule, budget), "category": names.get(rule.category_id, "")}
             for rule in budget.rules.all()]
    records = [{"document": str(record.document_id), "item": record.get_item_display(),
                "relates_to": record.relates_to.isoformat()} for record in budget.records.all()]
    shares = []
    for share in budget.shares.prefetch_related("openings", "documents"):
        shares.append({
            "for": services.read_recipient(share, budget),
            "contents": share.get_contents_display(),
            "period": [share.period_from, share.period_to], "documents": [str(d.pk) for d in share.documents.all()],
            "created_at": share.created_at.isoformat(), "expires_at": share.expires_at.isoformat(),
            "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
            "openings": [{"at": opening.at.isoformat(), "what": opening.get_action_display(),
                          "browser": opening.browser} for opening in share.openings.all()]})
    data = {
        "management": budget.get_management_display(), "paid_by": services.read_payer(budget),
        "amount_pence": budget.amount_pence, "frequency": budget.get_frequency_display(),
        "starts_on": budget.starts_on.isoformat(), "opening_balance_pence": budget.opening_balance_pence,
        "contingency_weeks": budget.contingency_weeks, "employs_pas": budget.employs_pas,
        "closed_until": budget.closed_until.isoformat() if budget.closed_until else None,
        "plan": [{"line": names[category.id], "planned_per_payment_pence": category.planned_pence}
                 for category in budget.categories.all()],
        "import_rules": rules, "records": records, "share_links": shares, "entries": entries,
    }
    readable = _csv(["Date", "Money in", "Money out", "Paid to or from", "Spending line", "Note", "Deleted"], [
        [entry["date"], entry["amount"] if entry["direction"] == "in" else "",
         entry["amount"] if entry["direction"] == "out" else "", entry["payee"], entry["category"], entry["note"],
         "yes" if entry["deleted_at"] else ""] for entry in entries])
    return {"budget/budget.json": data, "budget/money-in-and-out.csv": readable}
