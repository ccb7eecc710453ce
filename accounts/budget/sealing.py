"""The budget's own key, and short fields encrypted with it, through accounts.crypto's public functions.

Each budget has a random 256-bit key wrapped by the document master key. Every encrypted field's
associated data names the budget, its owner, the row and the field, so a value copied to another
row, field or member no longer opens.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from accounts import crypto

from .models import Budget


def _budget_aad(budget_id: uuid.UUID, owner_id: int) -> bytes:
    return b"mcb-budget:" + budget_id.bytes + int(owner_id).to_bytes(8, "big")


def new_budget_key(budget: Budget) -> bytes:
    """Make and wrap a key for a budget that is about to be saved."""
    key = crypto.new_data_key()
    budget.key_id, budget.wrapped_key = crypto.wrap_key(key, aad=_budget_aad(budget.id, budget.owner_id))
    budget._data_key = key
    return key


def budget_key(budget: Budget) -> bytes:
    key = getattr(budget, "_data_key", None)
    if key is None:
        key = crypto.unwrap_key(budget.key_id, budget.wrapped_key, aad=_budget_aad(budget.id, budget.owner_id))
        budget._data_key = key
    return key


def seal(budget: Budget, text: str, *, row: uuid.UUID, field: str) -> bytes:
    return crypto.encrypt_text(budget_key(budget), text, aad=_budget_aad(budget.id, budget.owner_id) + row.bytes,
                               field=field)


def unseal(budget: Budget, blob, *, row: uuid.UUID, field: str) -> str:
    return crypto.decrypt_text(budget_key(budget), blob, aad=_budget_aad(budget.id, budget.owner_id) + row.bytes,
                               field=field)


def seal_json(budget: Budget, data, *, row: uuid.UUID, field: str) -> bytes:
    return seal(budget, json.dumps(data, default=str), row=row, field=field)


def unseal_json(budget: Budget, blob, *, row: uuid.UUID, field: str):
    return json.loads(unseal(budget, blob, row=row, field=field))


def fingerprint(budget: Budget, *, occurred_on, direction: str, amount_pence: int, payee: str) -> str:
    """Same day, direction, amount and payee give the same value; without the key it says nothing."""
    normal = " ".join(payee.casefold().split())
    message = f"{occurred_on.isoformat()}|{direction}|{amount_pence}|{normal}".encode()
    return hmac.new(budget_key(budget), b"fingerprint|" + message, hashlib.sha256).hexdigest()
