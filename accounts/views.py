from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.access import role_required
from accounts.forms import (
    LoginForm,
    SiteURLPasswordResetForm,
    StaffEditForm,
    StaffFilterForm,
    StaffInviteForm,
)
from accounts.models import User
from accounts.roles import MANAGERS, Role
from smp_clinic.lib.ratelimit import rate_limit


@method_decorator(rate_limit("login", per_minute=30), name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "registration/simple_form_page.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Your password has been changed."
    extra_context = {"page_title": "Change your password", "submit_label": "Change password"}


@method_decorator(rate_limit("password-reset", per_minute=5), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = SiteURLPasswordResetForm
    template_name = "registration/simple_form_page.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "page_title": "Reset your password",
        "intro": (
            "Enter the email you sign in with and we will send you a link to choose a new password."
        ),
        "submit_label": "Send the link",
        "back_url": reverse_lazy("accounts:login"),
        "back_label": "Back to sign in",
    }

    @property
    def extra_email_context(self) -> dict:
        return {
            "clinic_name": settings.CLINIC_NAME,
            "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/message_page.html"
    extra_context = {
        "page_title": "Check your email",
        "icon": "envelope-check",
        "body": (
            "If an active staff account uses that address, a link to choose a new password is "
            "on its way. It may take a minute; check the spam folder too."
        ),
        "action_url": reverse_lazy("accounts:login"),
        "action_label": "Back to sign in",
    }


class _ActiveUserLinkMixin:
    """A link sent to a since-deactivated account must not set its password."""

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is not None and not user.is_active:
            return None
        return user


@method_decorator(
    rate_limit("password-link", per_minute=20, methods=("GET", "POST")), name="dispatch"
)
class PasswordResetConfirmView(_ActiveUserLinkMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    post_reset_login = True
    post_reset_login_backend = "accounts.backends.EmailBackend"
    success_url = reverse_lazy("dashboard:today")
    extra_context = {
        "page_title": "Choose a new password",
        "invalid_help": "Password links work once and expire after a few days. Ask for a new one.",
        "invalid_action_url": reverse_lazy("accounts:password_reset"),
        "invalid_action_label": "Send a new link",
    }

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your new password is saved and you are signed in.")
        return response


@method_decorator(
    rate_limit("invite-link", per_minute=20, methods=("GET", "POST")), name="dispatch"
)
class InviteAcceptView(_ActiveUserLinkMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    post_reset_login = True
    post_reset_login_backend = "accounts.backends.EmailBackend"
    success_url = reverse_lazy("dashboard:today")
    extra_context = {
        "page_title": "Welcome: choose your password",
        "intro": "You will sign in with your email address and this password.",
        "invalid_help": (
            "Invitation links work once and expire after a few days. Ask a clinic manager to "
            "send a new invitation, or reset your password if you have already joined."
        ),
        "invalid_action_url": reverse_lazy("accounts:login"),
        "invalid_action_label": "Go to sign in",
    }

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Welcome! Your password is saved and you are signed in.")
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = User.objects.prefetch_related("locations").get(pk=request.user.pk)
    return render(request, "accounts/profile.html", {"account": user})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You are signed out on every device. Sign in again here when ready.")
    return redirect("accounts:login")


@role_required(*MANAGERS)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.staff_page(page=request.GET.get("page"), manager=request.user, **filters)
    locked = services.locked_emails([member.email for member in page.object_list])
    context = {
        "filter_form": form,
        "page_obj": page,
        "filtered": any(filters.values()),
        "locked": locked,
    }
    template = "accounts/staff_list.html#results" if request.htmx else "accounts/staff_list.html"
    return render(request, template, context)


# An account's email is its sign-in and cannot be edited, so a mistyped one is replaced.
CHECK_THE_ADDRESS = (
    "Check it for a typo: if it is mistyped, deactivate this account and invite the right address."
)


@role_required(*MANAGERS)
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.user_invite(
                invited_by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                role=Role(data["role"]),
                locations=data["locations"],
                all_locations=data["all_locations"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            email = invitation.user.email
            if invitation.address_refused:
                messages.warning(
                    request,
                    f"The account for {email} is created, but the mail server refused the "
                    f"address {email}. {CHECK_THE_ADDRESS}",
                )
            elif invitation.email_sent is False:
                messages.warning(
                    request,
                    f"The account for {email} is created, but the invitation email could not be "
                    f"sent: {invitation.failure}. Use Resend invitation in their row once email "
                    "works again.",
                )
            else:
                messages.success(request, f"Invitation sent to {email}.")
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "page_title": "Invite a staff member", "submit_label": "Send invitation"},
    )


@role_required(*MANAGERS)
def staff_edit(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    initial = {
        "full_name": member.full_name,
        "role": member.role,
        "locations": list(member.locations.all()),
        "all_locations": member.all_locations,
    }
    form = StaffEditForm(request.POST or None, initial=initial, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                user=member,
                by=request.user,
                full_name=data["full_name"],
                role=Role(data["role"]),
                locations=data["locations"],
                all_locations=data["all_locations"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{data['full_name']}'s account is updated.")
            return redirect("accounts:staff_list")
    return render(
        request,
        "accounts/staff_form.html",
        {
            "form": form,
            "member": member,
            "page_title": f"Edit {member}",
            "submit_label": "Save changes",
        },
    )


@role_required(*MANAGERS)
def staff_deactivate(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    if request.method == "POST":
        try:
            services.user_deactivate(user=member, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{member} is deactivated. Their records and history are kept."
            )
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_deactivate.html", {"member": member})


@role_required(*MANAGERS)
@require_POST
def staff_reactivate(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    try:
        services.user_reactivate(user=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member} can sign in again.")
    return redirect("accounts:staff_list")


@role_required(*MANAGERS)
@require_POST
def staff_unlock(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    services.user_unlock(user=member, by=request.user)
    messages.success(request, f"{member} can try to sign in again.")
    return redirect("accounts:staff_list")


@role_required(*MANAGERS)
@require_POST
def staff_resend_invite(request: HttpRequest, user_id) -> HttpResponse:
    member = selectors.staff_member_for(manager=request.user, public_id=user_id)
    try:
        invitation = services.user_resend_invite(user=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if invitation.address_refused:
            messages.error(
                request,
                f"The mail server refused the address {member.email}, so resending will not "
                f"help. {CHECK_THE_ADDRESS}",
            )
        elif invitation.email_sent is False:
            messages.error(
                request,
                f"The invitation email to {member.email} could not be sent: "
                f"{invitation.failure}. Try Resend invitation again later.",
            )
        else:
            messages.success(request, f"A new invitation is on its way to {member.email}.")
    return redirect(reverse("accounts:staff_list"))
