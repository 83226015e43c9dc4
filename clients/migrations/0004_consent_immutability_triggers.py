"""Row triggers that keep consent records as they were published and signed.

``save()`` already refuses these changes; the triggers also stop a bulk ``update()``, raw
SQL or a future bug from rewriting a consent text or a signature. On a signed consent only
the withdrawal columns may change, once (from empty to filled). Comparing the rows as JSON
minus those columns keeps any column added later immutable by default. SQLite, the embedded
default, has no such triggers: there ``save()`` is the guard.
"""

from django.db import migrations

from smp_clinic.lib.migrations import PostgresOnly

WITHDRAWAL_COLUMNS = "'withdrawn_at' - 'withdrawn_by_id' - 'withdrawal_reason'"

SIGNED_CONSENT_GUARD = f"""
CREATE FUNCTION clients_signed_consent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - {WITHDRAWAL_COLUMNS}) IS DISTINCT FROM (to_jsonb(OLD) - {WITHDRAWAL_COLUMNS}) THEN
        RAISE EXCEPTION 'A signed consent is never changed: only its withdrawal can be recorded.'
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.withdrawn_at IS NOT NULL
       AND (NEW.withdrawn_at, NEW.withdrawn_by_id, NEW.withdrawal_reason)
           IS DISTINCT FROM (OLD.withdrawn_at, OLD.withdrawn_by_id, OLD.withdrawal_reason) THEN
        RAISE EXCEPTION 'A withdrawal is recorded once and never changed.'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER signed_consent_guard BEFORE UPDATE ON clients_signedconsent
    FOR EACH ROW EXECUTE FUNCTION clients_signed_consent_guard();
"""

CONSENT_VERSION_GUARD = """
CREATE FUNCTION clients_consent_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'A published consent text is never changed: publish a new version.'
        USING ERRCODE = 'check_violation';
END;
$$;
CREATE TRIGGER consent_version_guard BEFORE UPDATE ON clients_consentversion
    FOR EACH ROW EXECUTE FUNCTION clients_consent_version_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_consent_templates_versions_signatures")]

    operations = [
        PostgresOnly(
            migrations.RunSQL(
                SIGNED_CONSENT_GUARD,
                reverse_sql=(
                    "DROP TRIGGER signed_consent_guard ON clients_signedconsent;"
                    "DROP FUNCTION clients_signed_consent_guard();"
                ),
            )
        ),
        PostgresOnly(
            migrations.RunSQL(
                CONSENT_VERSION_GUARD,
                reverse_sql=(
                    "DROP TRIGGER consent_version_guard ON clients_consentversion;"
                    "DROP FUNCTION clients_consent_version_guard();"
                ),
            )
        ),
    ]
