from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing a user name longer than any account can have.

    AuthenticationForm sets the field's max_length after the field is built, so the length
    is never validated: a 300-character name went on to django-axes, whose failed-attempt
    row holds 255 characters, and PostgreSQL answered a server error. No account has such a
    name, so the usual "wrong user name or password" is the true answer, and there is
    nothing to count against a lock-out.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return super().clean()
