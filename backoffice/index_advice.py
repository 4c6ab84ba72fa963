"""``flask index-advice``: the indexes that would make the configured lists cheap on large tables.

The panel only advises. The statements are printed for the database owner to review and run
(``CONCURRENTLY``, so the application keeps writing meanwhile); the panel itself never creates them.
"""

from flask import Flask


def index_advice(app: Flask) -> list[str]:
    """CREATE INDEX statements for every filter, sort and search of a large table that no index
    leads, and for the columns the panel's own pages look rows up by (the transaction desk's
    messages by their time)."""
    backoffice = app.extensions["backoffice"]
    desk = backoffice.money.transactions if backoffice.money else None
    looked_up = desk.looked_up() if desk is not None else {}
    statements = []
    for key, view in backoffice.views.items():
        reflected = backoffice.tables[key]
        if not view.simple_list_pager:
            continue
        column_of = {attribute: column for column, attribute in reflected.attributes.items()}
        wanted = {
            *(view.column_filters or ()),
            *(view.column_sortable_list or ()),
            *(view.column_searchable_list or ()),
            *(name for name, _ in view.column_default_sort or ()),
            *(reflected.attributes[column] for column in looked_up.get(key, ())),
        }
        for column in sorted(column_of[a] for a in wanted if a in column_of):
            if column not in reflected.indexed_columns and column != "ctid":
                name = reflected.table_name
                statements.append(
                    f'CREATE INDEX CONCURRENTLY "{name.name}_{column}_bo_idx" '
                    f'ON "{name.schema or "public"}"."{name.name}" ("{column}");'
                )
    return statements
