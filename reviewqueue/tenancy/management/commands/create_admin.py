"""`manage.py create_admin` — the first administrator (a Django superuser) of a real install.

Safe to run on every start (the compose `admin` step does): when the user exists, nothing
changes. The password comes from REVIEWQUEUE_ADMIN_PASSWORD when it is set (checked against the
password validators), or is generated and printed once.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

PASSWORD_ENV = "REVIEWQUEUE_ADMIN_PASSWORD"  # noqa: S105  (the variable's name, not a password)


class Command(BaseCommand):
    help = "Create the first admin (superuser) if it does not exist; print a generated password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("REVIEWQUEUE_ADMIN_USERNAME", "admin"))
        parser.add_argument("--email", default=os.environ.get("REVIEWQUEUE_ADMIN_EMAIL", ""))

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        username = username.strip()
        if not username:
            raise CommandError("--username must not be empty.")
        password = os.environ.get(PASSWORD_ENV, "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        with transaction.atomic():
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"admin {username!r} exists; unchanged")
                return
            user = User(username=username, email=email, is_staff=True, is_superuser=True)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(f"{PASSWORD_ENV} is refused: {' '.join(exc.messages)}") from None
            user.set_password(password)
            user.save()
        self.stdout.write(self.style.SUCCESS(f"admin {username!r} created"))
        if generated:
            self.stdout.write(f"password (shown once, copy it now): {password}")
