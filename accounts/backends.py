from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in with an email address, case-insensitively.

    A deactivated user with the right password is returned so that the login form can say
    the account is deactivated (after the password proved who is asking); ``get_user``
    still refuses inactive users, so no session of theirs stays valid.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        email = username or kwargs.get(user_model.USERNAME_FIELD)
        if not email or password is None:
            return None
        try:
            user = user_model._default_manager.get(email__iexact=email.strip())
        except user_model.DoesNotExist:
            # Hash anyway so a missing account takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password):
            return user
        return None
