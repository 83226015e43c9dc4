"""Migration operations that touch the database only on PostgreSQL.

The embedded default (SQLite) cannot hold trigram indexes or exclusion constraints. The
model state keeps them on every backend, so ``makemigrations`` stays quiet, while the
database work runs only where it can. On SQLite the booking service's own overlap check
is the guard, and SQLite's single writer serialises bookings.
"""

from django.db import migrations


class PostgresOnly(migrations.operations.base.Operation):
    """Wrap an operation: state changes always, database changes on PostgreSQL only."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, operation):
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.operation.migration_name_fragment
