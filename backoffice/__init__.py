"""The PPOB back office: a low-code admin panel over an existing database.

Where to go to change one thing (each concept lives in one place):

- **Who may do what**: ``permissions.py``, the matrix of role x view x capability. Every endpoint
  passes the gate in ``views/gate.py``; a view joins a menu group and the matrix at once through
  ``Site.add`` in ``views/__init__.py`` (a view in no group is closed to all but administrators).
- **Secrets and masking**: ``masking.py``, the one rule for pages, search, sort and exports.
- **Exports**: ``exports.py`` (CSV, Excel, ODS, JSON, PDF; ``copy_stream.py`` for PostgreSQL's COPY).
  Every export endpoint goes through ``GateMixin.download``; a generated list's export is
  ``views/listing.py``.
- **The audit hook**: ``audit.py`` writes every record; ``views/writes.py`` calls it around the
  writes of a model view.
- **A table's configuration**: the declarative file (``backoffice.toml``, read by ``catalogue.py``,
  checked by ``checks.py`` and ``flask check``); the view it shapes is built by
  ``views/generated.py`` on the base ``views/base.py``. A table's one name is
  ``models/names.py``'s :class:`~backoffice.models.names.TableName`.
- **A generated list**: ``views/listing.py``: the request's page, sort, search, filters and cursor
  (``ListRequest``), the query built once (``Listing``), its count, estimate and export.
- **What the database is**: ``models/reflection.py`` (tables mapped without relationships),
  ``models/relations.py`` (its catalogue's facts), ``views/fields.py`` (a form field per type).
- **Words and numbers**: ``naming.py`` (labels from names), ``formatting.py`` (Rp, WIB), ``i18n.py``
  and ``translations/`` (Indonesian by default, English).
- **The money pages**: ``billers.py``, ``approvals.py`` (four eyes), ``reconciliation.py``,
  ``report.py``, with their pages in ``views/``.
- **The operator's desks**: ``agents.py`` (one agent, their operations through the database's
  functions) and ``transactions.py`` (one transaction, the stuck ones and their resolutions); each
  is also a queue of the approval page.
- **Readable values**: ``value_maps.py`` (codes shown as words, from the file or a table).
"""
