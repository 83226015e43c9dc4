"""Consents: versioned consent texts, signatures on the tablet, withdrawal.

``text`` turns a consent body into paragraphs and lists, ``selectors`` the reads other
features call (``client_consent_status``, ``client_has_valid_consent``), ``services`` the
writes (sign, withdraw, publish a version), ``pdf`` the printable PDF of a signed consent.
"""
