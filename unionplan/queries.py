"""Query shapes the planner needs spelled out."""

from django.db.models import BooleanField, F, Func, Subquery


class AmongIds(Func):
    """``column IN (subquery)``, written for PostgreSQL as ``column = ANY(ARRAY(subquery))``.

    Same rows. The planner cannot tell how many ids such an array holds, so it takes them
    as a few and looks each up in an index on ``column``, rather than walking a whole month
    of reports in id order and sifting out one branch's (the last province's first page
    read 120,000 reports). For a branch of the tree (a province, an upper level): a few
    thousand units at most."""

    arity = 2
    output_field = BooleanField()

    def __init__(self, column, ids, **extra):
        super().__init__(F(column), Subquery(ids), **extra)

    def _parts(self, compiler):
        column, ids = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        ids_sql, ids_params = compiler.compile(ids)
        return column_sql, ids_sql, (*column_params, *ids_params)

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, ids_sql, params = self._parts(compiler)
        return f"{column_sql} IN {ids_sql}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column_sql, ids_sql, params = self._parts(compiler)
        return f"{column_sql} = ANY(ARRAY{ids_sql})", params
