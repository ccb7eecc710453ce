"""Reading the signed-in member on every request with one prepared query.

Django's ModelBackend.get_user builds an ORM query each time; for the one query every
signed-in page runs, that costs more Python than the database spends answering it. These
backends read the same row with SQL written once (prepared on PostgreSQL) and make the
member from it exactly as the ORM would, converters included. Everything else, and the
checks around it (active account, the session's password hash), is Django's and allauth's.
"""

from functools import cache

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from mycarebudget.db import execute_prepared


@cache
def _select_member() -> tuple[str, list, list[str]]:
    User = get_user_model()
    fields = User._meta.concrete_fields
    quote = connection.ops.quote_name
    # Only the model's own names, quoted, go into the text; the member's id is a parameter.
    sql = (f"SELECT {', '.join(quote(field.column) for field in fields)} "  # noqa: S608
           f"FROM {quote(User._meta.db_table)} WHERE {quote(User._meta.pk.column)} = %(pk)s")
    columns = [field.get_col(User._meta.db_table) for field in fields]
    converters = [connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                  for column in columns]
    return sql, list(zip(columns, converters, strict=True)), [field.attname for field in fields]


def load_member(user_id):
    """The member with this primary key, or None."""
    User = get_user_model()
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    sql, converters, attnames = _select_member()
    with connection.cursor() as cursor:
        execute_prepared(cursor, "mcb_member", sql, {"pk": pk})
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column, column_converters) in zip(row, converters, strict=True):
        for converter in column_converters:
            value = converter(value, column, connection)
        values.append(value)
    return User.from_db(connection.alias, attnames, values)


class PreparedMemberMixin:
    def get_user(self, user_id):
        user = load_member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(PreparedMemberMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(PreparedMemberMixin, allauth_backends.AuthenticationBackend):
    pass
