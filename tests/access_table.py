"""Who may open each URL of the project: the table the URL × role test checks.

Every named URL pattern must appear here (an exact name, or a prefix ending in ``*``);
a new view without an entry fails the access test until someone decides who may see it.
The roles left out of an entry are refused both a GET and a POST.
Roles: anonymous, no_role (signed in, no role), front_desk, practitioner, manager.
"""

ANON = "anonymous"
NO_ROLE = "no_role"
FD = "front_desk"
PR = "practitioner"
MG = "manager"
ROLES = (ANON, NO_ROLE, FD, PR, MG)

PUBLIC = frozenset(ROLES)
SIGNED_IN = frozenset({NO_ROLE, FD, PR, MG})
STAFF = frozenset({FD, PR, MG})
CLINICAL = frozenset({PR, MG})
MANAGER = frozenset({MG})
NOBODY = frozenset()  # only operators (superusers), who are not a clinic role

ACCESS: dict[str, frozenset[str]] = {
    # dashboard
    "dashboard:today": STAFF,
    "dashboard:healthz": PUBLIC,
    # the load benchmark's baseline (bench/pages.py, signed in as the front desk): it shows a
    # location's name, which is for staff
    "dashboard:ping": STAFF,
    # accounts: sign-in flows are public by nature
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:invite_accept": PUBLIC,
    "accounts:password_change": SIGNED_IN,
    "accounts:profile": SIGNED_IN,
    "accounts:sign_out_everywhere": SIGNED_IN,
    "accounts:handover": SIGNED_IN,
    "accounts:two_factor": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:two_factor_disable": SIGNED_IN,
    "accounts:two_factor_recovery_codes": SIGNED_IN,
    "accounts:two_factor_verify": SIGNED_IN,
    "accounts:staff_reset_two_factor": MANAGER,
    "accounts:staff_unlock": MANAGER,
    "accounts:staff_list": MANAGER,
    "accounts:staff_invite": MANAGER,
    "accounts:staff_edit": MANAGER,
    "accounts:staff_deactivate": MANAGER,
    "accounts:staff_reactivate": MANAGER,
    "accounts:staff_resend_invite": MANAGER,
    # clients
    "clients:list": STAFF,
    "clients:create": STAFF,
    "clients:detail": STAFF,
    "clients:edit": STAFF,
    "clients:archive": STAFF,
    "clients:restore": STAFF,
    # Sections carry their own roles; tests/clients/test_sections.py checks each one. The
    # sample here is the Medical section, which is clinical only.
    "clients:section": CLINICAL,
    # Medical intake: anyone may hand the tablet over; answers, flags and clearances are
    # clinical (the front desk sees only the flag banner on the client page).
    "clients:intake_new": STAFF,
    "clients:intake_detail": CLINICAL,
    "clients:intake_review": CLINICAL,
    "clients:flag_clear": CLINICAL,
    "clients:flag_carry_forward": CLINICAL,
    "clients:clearance_document": CLINICAL,
    # Consents: any role hands the tablet over to sign. A signed consent (the clinic's
    # standard text, the client's name and signature, when, where from, who witnessed) holds
    # no health information, and giving the client a copy is a reception task, so every
    # staff role may open the printable view, its PDF and the signature image. Recording a
    # withdrawal is clinical; the consent texts are the managers'.
    "clients:consent_sign": STAFF,
    "clients:consent_detail": STAFF,
    "clients:consent_pdf": STAFF,
    "clients:consent_signature": STAFF,
    "clients:consent_withdraw": CLINICAL,
    "clients:consent_templates": MANAGER,
    "clients:consent_template": MANAGER,
    "clients:consent_version_new": MANAGER,
    # Photos are clinical records: never the front desk. Deleting one is a manager's call.
    "clients:photo_upload": CLINICAL,
    "clients:photo_review": CLINICAL,
    "clients:photo_detail": CLINICAL,
    "clients:photo_file": CLINICAL,
    "clients:photo_delete": MANAGER,
    # scheduling
    "scheduling:day": STAFF,
    "scheduling:week": STAFF,
    "scheduling:book": STAFF,
    "scheduling:client_picker": STAFF,
    "scheduling:slots": STAFF,
    "scheduling:course_plan": STAFF,
    "scheduling:appointment": STAFF,
    "scheduling:appointment_status": STAFF,
    "scheduling:appointment_reschedule": STAFF,
    "scheduling:appointment_cancel": STAFF,
    "scheduling:feed": PUBLIC,  # the secret token in the URL is the credential
    "scheduling:feed_settings": CLINICAL,
    "scheduling:feed_regenerate": CLINICAL,
    "scheduling:settings": MANAGER,
    "scheduling:location_create": MANAGER,
    "scheduling:location_edit": MANAGER,
    "scheduling:room_create": MANAGER,
    "scheduling:room_edit": MANAGER,
    "scheduling:type_edit": MANAGER,
    "scheduling:working_hours": MANAGER,
    "scheduling:time_off": frozenset({FD, MG}),
    "scheduling:time_off_delete": frozenset({FD, MG}),
    # consultations: clinical records
    "consultations:start": CLINICAL,
    "consultations:detail": CLINICAL,
    "consultations:acknowledge": CLINICAL,
    "consultations:photos": CLINICAL,  # clinical photos: never the front desk
    "consultations:plan": CLINICAL,
    "consultations:plan_book": STAFF,  # the front desk books the agreed course
    "consultations:design": CLINICAL,
    "consultations:design_image": CLINICAL,
    "consultations:design_approve": CLINICAL,
    # sessions_app: inventory and lot recall are the manager's
    "sessions_app:inventory": MANAGER,
    "sessions_app:product_create": MANAGER,
    "sessions_app:product_edit": MANAGER,
    "sessions_app:lot_receive": MANAGER,
    "sessions_app:needle_receive": MANAGER,
    "sessions_app:needle_edit": MANAGER,
    "sessions_app:lot": MANAGER,
    "sessions_app:lot_adjust": MANAGER,
    "sessions_app:lot_recall": MANAGER,
    "sessions_app:lot_recall_csv": MANAGER,
    # sessions_app: the clinical log
    "sessions_app:open": CLINICAL,
    "sessions_app:session": CLINICAL,
    "sessions_app:start": CLINICAL,
    "sessions_app:override": MANAGER,
    "sessions_app:abandon": CLINICAL,
    "sessions_app:pass_add": CLINICAL,
    "sessions_app:pass_delete": CLINICAL,
    "sessions_app:notes": CLINICAL,
    "sessions_app:amend": CLINICAL,
    "sessions_app:healing_check": CLINICAL,
    "sessions_app:book_next": CLINICAL,
    "sessions_app:photos_add": CLINICAL,
    "sessions_app:progress": CLINICAL,
    # client data rights: managers only
    "privacy:export": MANAGER,
    "privacy:erase": MANAGER,
    # audit trail
    "audit:trail": MANAGER,
    # aftercare: the front desk handles client communication; managers edit the words.
    "aftercare:outbox": frozenset({FD, MG}),
    "aftercare:message": STAFF,
    "aftercare:message_cancel": frozenset({FD, MG}),
    "aftercare:message_resend": frozenset({FD, MG}),
    "aftercare:templates": MANAGER,
    "aftercare:template_edit": MANAGER,
    "aftercare:template_preview": MANAGER,
    "aftercare:template_preview_frame": MANAGER,
    "aftercare:settings": MANAGER,
    "aftercare:plan": MANAGER,
    "aftercare:step_create": MANAGER,
    "aftercare:step_edit": MANAGER,
    "aftercare:step_delete": MANAGER,
    # Clients open these from their emails: the signed token in the URL is the credential.
    "aftercare:unsubscribe": PUBLIC,
    "aftercare:preferences": PUBLIC,
    "aftercare:healing_upload": PUBLIC,  # the signed link is the credential
    # The technical admin is for operators only; its login page is public.
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,  # POST-only and harmless: ends whatever session there is
    "admin:*": NOBODY,
}


# A POST the view judges by more than the page's roles: the body the access test posts and
# the roles that may post it. Every other URL is posted an empty body by each role that
# ACCESS refuses.
POST_ACCESS: dict[str, tuple[dict[str, str], frozenset[str]]] = {
    # The desk checks clients in; starting and completing an appointment is clinical.
    "scheduling:appointment_status": ({"status": "completed"}, CLINICAL),
}


def post_expectation(url_name: str) -> tuple[dict[str, str], frozenset[str] | None]:
    """The body to post and the roles that may post it."""
    if url_name in POST_ACCESS:
        return POST_ACCESS[url_name]
    return {}, expected_roles(url_name)


def expected_roles(url_name: str) -> frozenset[str] | None:
    if url_name in ACCESS:
        return ACCESS[url_name]
    prefixes = [key for key in ACCESS if key.endswith("*") and url_name.startswith(key[:-1])]
    if prefixes:
        return ACCESS[max(prefixes, key=len)]
    return None
