"""An approved design version is the record of what the client signed: a row trigger
refuses any change to it, and its deletion, however it is attempted (bulk update, raw SQL,
a future bug). Erasure on request may take the personal parts off (the photo, the drawn
composite, the signature, the typed name, the address) inside a transaction that has set
``smp.erasure`` (privacy.erasure does, with SET LOCAL). SQLite, the embedded default, has
no such trigger: the services are the guard there."""

from django.db import migrations

from smp_clinic.lib.migrations import PostgresOnly

ERASABLE = (
    "'photo_id' - 'composite' - 'approval_signature' - 'approved_typed_name' - 'approval_ip'"
)

GUARD = f"""
CREATE FUNCTION consultations_approved_design_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    erasing boolean := coalesce(current_setting('smp.erasure', true), '') = 'on';
BEGIN
    IF OLD.approved_at IS NULL THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'An approved design is kept: it is what the client signed.'
            USING ERRCODE = 'check_violation';
    END IF;
    IF erasing AND (to_jsonb(NEW) - {ERASABLE}) IS NOT DISTINCT FROM (to_jsonb(OLD) - {ERASABLE}) THEN
        RETURN NEW;
    END IF;
    IF to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD) THEN
        RAISE EXCEPTION 'An approved design is never changed: save a new version instead.'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER approved_design_guard BEFORE UPDATE OR DELETE ON consultations_designplan
    FOR EACH ROW EXECUTE FUNCTION consultations_approved_design_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS approved_design_guard ON consultations_designplan;
DROP FUNCTION IF EXISTS consultations_approved_design_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_design_photo_after_erasure")]

    operations = [PostgresOnly(migrations.RunSQL(GUARD, reverse_sql=DROP))]
