"""Erasure on request may take the personal details off a signed consent: the typed name,
the signature image, the address and browser it was signed from. Everything else (which
text, when, the witness, a withdrawal) is the kept fact. The guard allows that one change
only inside a transaction that has set ``smp.erasure`` (privacy.erasure does, with
SET LOCAL); anywhere else a signed consent stays unchangeable."""

from django.db import migrations

from smp_clinic.lib.migrations import PostgresOnly

KEPT = "'withdrawn_at' - 'withdrawn_by_id' - 'withdrawal_reason'"
ERASABLE = "'typed_name' - 'signature' - 'ip_address' - 'user_agent' - 'erased_at'"

GUARD_WITH_ERASURE = f"""
CREATE OR REPLACE FUNCTION clients_signed_consent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    erasing boolean := coalesce(current_setting('smp.erasure', true), '') = 'on';
BEGIN
    IF erasing THEN
        IF (to_jsonb(NEW) - {KEPT} - {ERASABLE}) IS DISTINCT FROM (to_jsonb(OLD) - {KEPT} - {ERASABLE}) THEN
            RAISE EXCEPTION 'Erasure may only remove the personal details of a signed consent.'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - {KEPT}) IS DISTINCT FROM (to_jsonb(OLD) - {KEPT}) THEN
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
"""

GUARD_WITHOUT_ERASURE = f"""
CREATE OR REPLACE FUNCTION clients_signed_consent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (to_jsonb(NEW) - {KEPT}) IS DISTINCT FROM (to_jsonb(OLD) - {KEPT}) THEN
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
"""


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_client_erasure")]

    operations = [
        PostgresOnly(migrations.RunSQL(GUARD_WITH_ERASURE, reverse_sql=GUARD_WITHOUT_ERASURE)),
    ]
