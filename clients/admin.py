"""Nothing here is registered with the technical admin, on purpose.

These are client and clinical records (or the calendar that names clients). The app's own
pages check role and location and write a look into the audit trail; the admin would do
neither. Clinic staff edit all of it in the app; an operator repairing a record does so in
a reviewed data migration.
"""
