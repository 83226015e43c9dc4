"""Writes on staff accounts. Every rule that spans rows (the last manager) lives here."""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User, new_feed_token
from accounts.roles import GROUP_NAMES, Role
from smp_clinic.lib.mail import send_templated_email

logger = logging.getLogger(__name__)


def _set_group(user: User) -> None:
    if user.role:
        user.groups.set([Group.objects.get(name=GROUP_NAMES[Role(user.role)])])
    else:
        user.groups.clear()


def _lock_with_managers(user: User) -> User:
    """Lock the person and every manager row in one statement, in primary-key order, and
    return the person's fresh row.

    Two managers changing each other at once then queue on the same first row instead of
    each holding one and waiting for the other (a deadlock). PostgreSQL re-reads a row it
    waited for, so a manager demoted meanwhile is no longer in the locked set.
    """
    locked = {
        row.pk: row
        for row in User.objects.select_for_update()
        .filter(Q(pk=user.pk) | Q(role=Role.MANAGER))
        .order_by("pk")
    }
    return locked[user.pk]


def _managers_who_can_sign_in(*, excluding: User) -> int:
    # An invited manager who never chose a password cannot sign in, and a password reset
    # skips accounts without a usable password: they do not keep the clinic managed.
    return (
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(pk=excluding.pk)
        .count()
    )


def _guard_last_manager(user: User, *, action: str) -> None:
    """Call with the rows locked by ``_lock_with_managers``."""
    if (
        user.role == Role.MANAGER
        and user.is_active
        and _managers_who_can_sign_in(excluding=user) == 0
    ):
        raise ValidationError(
            f"{user} is the clinic's last active manager who can sign in, so they cannot be "
            f"{action}. Make another person a manager first (an invited manager counts once "
            "they have set their password)."
        )


def invite_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:invite_accept", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def _guard_location_grant(by: User, *, locations: Iterable, all_locations: bool) -> None:
    """A manager hands out at most their own reach: only a manager of every location may
    give every location, and a manager of some locations only those."""
    if by.all_locations:
        return
    if all_locations:
        raise ValidationError("Only a manager of every location can give access to every location.")
    own = set(by.locations.values_list("pk", flat=True))
    outside = [location for location in locations if location.pk not in own]
    if outside:
        names = ", ".join(sorted(str(location) for location in outside))
        raise ValidationError(f"You do not manage {names}, so you cannot give access to it.")


def guard_whole_account(by: User, user: User, *, action: str) -> None:
    """The account itself (its role, whether it may sign in) belongs to every location the
    person works at: a manager of some of them only cannot change it for the others."""
    if by.all_locations or user.pk == by.pk:
        return
    elsewhere = list(user.locations.exclude(pk__in=by.locations.all()))
    if user.all_locations or elsewhere:
        where = "every location" if user.all_locations else ", ".join(map(str, elsewhere))
        raise ValidationError(
            f"{user} also works at {where}, which you do not manage, so you cannot {action}. "
            "Ask a manager of every location."
        )


@dataclass
class Invitation:
    user: User
    # The email goes out once the account is committed: None until then, then whether the
    # mail server took it.
    email_sent: bool | None = None
    # When it did not: the mail server refused the address for good (a typo, no such
    # mailbox), which resending cannot mend...
    address_refused: bool = False
    # ...or why else, for the manager to read after "could not be sent:".
    failure: str = ""


def _mail_failure(error: OSError) -> tuple[bool, str]:
    """(whether the server refused the address for good, what happened in a few words)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return True, f"the mail server refused the address ({min(codes)})"
        code = min(codes, default=None)
        return False, f"the mail server turned the email away for now ({code})"
    if isinstance(error, smtplib.SMTPResponseException):
        if 400 <= error.smtp_code < 500:
            return False, f"the mail server turned the email away for now ({error.smtp_code})"
        return False, f"the mail server refused to send it ({error.smtp_code})"
    # No answer: a refused connection, a timeout, a server that hung up mid-conversation.
    return False, "the mail server did not answer"


def _send_invite(invitation: Invitation, invited_by: User) -> None:
    user = invitation.user
    try:
        send_templated_email(
            template_base="accounts/email/invite",
            context={"user": user, "invited_by": invited_by, "link": invite_link(user)},
            to=[user.email],
        )
    except OSError as error:  # smtplib.SMTPException is one, as are refused connections
        # The account is saved either way; the manager is told what to do next.
        logger.warning("The invitation email to user %s could not be sent", user.pk, exc_info=True)
        invitation.email_sent = False
        invitation.address_refused, invitation.failure = _mail_failure(error)
    else:
        invitation.email_sent = True


@transaction.atomic
def user_invite(
    *,
    invited_by: User,
    email: str,
    full_name: str,
    role: Role,
    locations: Iterable = (),
    all_locations: bool = False,
) -> Invitation:
    _guard_location_grant(invited_by, locations=locations, all_locations=all_locations)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"There is already a staff account for {email}.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                full_name=full_name.strip(),
                role=role,
                all_locations=all_locations,
                invited_at=timezone.now(),
                invited_by=invited_by,
            )
    except IntegrityError:
        raise ValidationError(f"There is already a staff account for {email}.") from None
    user.locations.set(locations)
    _set_group(user)
    invitation = Invitation(user=user)
    transaction.on_commit(lambda: _send_invite(invitation, invited_by))
    return invitation


@transaction.atomic
def user_resend_invite(*, user: User, by: User) -> Invitation:
    if user.has_usable_password():
        raise ValidationError(f"{user} has already set a password; there is nothing to resend.")
    if not user.is_active:
        raise ValidationError(f"{user} is deactivated; reactivate the account first.")
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    invitation = Invitation(user=user)
    transaction.on_commit(lambda: _send_invite(invitation, by))
    return invitation


@transaction.atomic
def user_update(
    *,
    user: User,
    by: User,
    full_name: str,
    role: Role,
    locations: Iterable,
    all_locations: bool,
) -> User:
    user = _lock_with_managers(user)
    locations = list(locations)
    if not by.all_locations:
        if all_locations != user.all_locations:
            raise ValidationError(
                "Only a manager of every location can change who works at every location."
            )
        own = set(by.locations.values_list("pk", flat=True))
        current = list(user.locations.all())
        added = [loc for loc in locations if loc not in current]
        _guard_location_grant(by, locations=added, all_locations=False)
        # Where the person also works but this manager does not: kept as it was.
        locations = [loc for loc in locations if loc.pk in own] + [
            loc for loc in current if loc.pk not in own
        ]
    if role != user.role:
        guard_whole_account(by, user, action="change their role")
        _guard_last_manager(user, action="given another role")
    user.full_name = full_name.strip()
    user.role = role
    user.all_locations = all_locations
    user.save(update_fields=["full_name", "role", "all_locations"])
    user.locations.set(locations)
    _set_group(user)
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    user = _lock_with_managers(user)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account; ask another manager.")
    if not user.is_active:
        raise ValidationError(f"{user} is already deactivated.")
    guard_whole_account(by, user, action="deactivate the account")
    _guard_last_manager(user, action="deactivated")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.deactivated_by = by
    # The calendar feed address stays dead even if the account is reactivated later.
    user.feed_token = new_feed_token()
    user.save(update_fields=["is_active", "deactivated_at", "deactivated_by", "feed_token"])
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError(f"{user} is already active.")
    guard_whole_account(by, user, action="reactivate the account")
    user.is_active = True
    user.deactivated_at = None
    user.deactivated_by = None
    user.save(update_fields=["is_active", "deactivated_at", "deactivated_by"])
    return user


def user_regenerate_feed_token(*, user: User) -> User:
    user.feed_token = new_feed_token()
    user.save(update_fields=["feed_token"])
    return user


def user_create_with_password(
    *, email: str, full_name: str, role: Role, password: str, locations: Iterable = ()
) -> User:
    """For the demo seed and operators: an active account with a known password."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, full_name=full_name, role=role, password=password
        )
        user.locations.set(locations)
        _set_group(user)
    return user


@transaction.atomic
def user_restore_with_password(
    *, user: User, full_name: str, role: Role, password: str, locations: Iterable
) -> User:
    """For the demo seed: the account as it was made, whatever was done to it since (it
    was deactivated, demoted, moved, locked out, its password changed), so the login the
    seed prints works. The password is set again only when it no longer matches, so the
    person's open sessions survive a re-run that changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.full_name = full_name
    user.role = role
    user.all_locations = False
    user.is_active = True
    user.deactivated_at = None
    user.deactivated_by = None
    fields = ["full_name", "role", "all_locations", "is_active", "deactivated_at", "deactivated_by"]
    if not user.check_password(password):
        user.set_password(password)
        fields.append("password")
    user.save(update_fields=fields)
    user.locations.set(locations)
    _set_group(user)
    user_unlock(user=user, by=user)
    return user


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of this person, on every device."""
    user.session_salt = new_feed_token()
    user.save(update_fields=["session_salt"])


def user_unlock(*, user: User, by: User) -> int:
    """Lift a sign-in lockout (django-axes) on every address; returns attempts cleared."""
    from axes.utils import reset

    return reset(username=user.email.lower())


def locked_emails(emails) -> set[str]:
    """Which of these emails are locked out right now (one query)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=[e.lower() for e in emails],
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )
