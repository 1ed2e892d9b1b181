"""``manage.py create_api_token USERNAME --name NAME [--days N] [--write]``: a new API token
for a user (for an admin scripting an integration); its secret is printed once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets.api.tokens import DEFAULT_DAYS, token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="Valid for this many days (1 to 365).")
        parser.add_argument("--write", action="store_true", help="The token may also write.")
        parser.add_argument("--allow", default="", help="Allowed IP ranges, comma-separated (default: any).")

    def handle(self, *args, username, name, days, write, allow, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token, secret = token_create(user=user, name=name, days=days, can_write=write, allowed_networks=allow)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token {token.name!r} for {username}: {'read-write' if token.can_write else 'read-only'}, "
            f"expires {token.expires_at:%Y-%m-%d}. The secret below is shown only this once."
        )
        self.stdout.write(secret)
