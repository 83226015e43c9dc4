"""The session log's data migrations, run forward and back by Django's migration executor."""

from uuid import uuid4

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions_app import services
from sessions_app.models import PassFormToken
from tests.factories import make_inventory, make_started_session, pass_data

TABLE_ONLY = ("sessions_app", "0010_pass_form_token_only_in_its_table")
ON_THE_PASS = ("sessions_app", "0008_pass_form_tokens_table")


def migrate_to(target) -> None:
    with connection.cursor() as cursor:  # rows written in this test, checked before DDL
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def token_on_pass(pass_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT form_token FROM sessions_app_layeringpass WHERE id = %s", [pass_id])
        return cursor.fetchone()[0]


def test_form_tokens_go_back_onto_their_passes_and_return_to_the_table(practitioner, location):
    session = make_started_session(practitioner=practitioner, location=location, with_pass=False)
    lot, needle = make_inventory()
    token = uuid4()
    kept = services.pass_add(
        session=session,
        by=practitioner,
        data=pass_data(lot=lot, needle=needle) | {"form_token": token},
    )

    migrate_to(ON_THE_PASS)
    assert token_on_pass(kept.pk) == token

    PassFormToken.objects.all().delete()  # as if the tokens were written before the table
    migrate_to(TABLE_ONLY)
    [row] = PassFormToken.objects.all()
    assert (row.token, row.session_id, row.layering_pass_id) == (token, session.pk, kept.pk)
    assert (
        services.pass_add(
            session=session,
            by=practitioner,
            data=pass_data(lot=lot, needle=needle) | {"form_token": token},
        )
        == kept
    )
