from django.urls import path

from accounts import handover, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("welcome/<uidb64>/<token>/", views.InviteAcceptView.as_view(), name="invite_accept"),
    path("handover/", handover.handover, name="handover"),
    path("me/", views.profile, name="profile"),
    path("me/two-factor/", two_factor_views.status, name="two_factor"),
    path("me/two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("me/two-factor/off/", two_factor_views.disable, name="two_factor_disable"),
    path(
        "me/two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("me/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<uuid:user_id>/", views.staff_edit, name="staff_edit"),
    path("staff/<uuid:user_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:user_id>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/<uuid:user_id>/reset-two-factor/",
        two_factor_views.staff_reset,
        name="staff_reset_two_factor",
    ),
    path("staff/<uuid:user_id>/unlock/", views.staff_unlock, name="staff_unlock"),
    path(
        "staff/<uuid:user_id>/resend-invite/", views.staff_resend_invite, name="staff_resend_invite"
    ),
]
