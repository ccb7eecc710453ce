"""Prepared statements on PostgreSQL, for the few queries every signed-in request runs.

PostgreSQL plans a statement each time it is sent; for a query run on every request that
planning can cost more than running it. Each connection prepares such a statement once and
then only executes it. (Behind a pooler in transaction mode, such as PgBouncer, a prepared
statement does not survive from one transaction to the next: connect Django straight to
PostgreSQL, or use session mode.) Other databases run the SQL as it is.
"""

import re
import weakref

from django.db import connection

_PREPARED = weakref.WeakKeyDictionary()  # a PostgreSQL connection -> the statements prepared on it
_PARAMETER = re.compile(r"%\((\w+)\)s")


def execute_prepared(cursor, name: str, sql: str, params: dict) -> None:
    """Run ``sql`` (with %(name)s parameters) as the statement ``name``, prepared once per connection."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    names = list(dict.fromkeys(_PARAMETER.findall(sql)))
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        cursor.execute(f"PREPARE {name} AS " + _PARAMETER.sub(lambda m: f"${names.index(m[1]) + 1}", sql))
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(names))})", [params[key] for key in names])
