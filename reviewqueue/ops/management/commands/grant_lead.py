"""`manage.py grant_lead --tenant acme USERNAME [--revoke]` — the ops lead role for real installs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewqueue.ops.services import lead_grant, lead_revoke
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Make a user an ops lead of a tenant (or, with --revoke, a reviewer again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--tenant", required=True, help="the tenant's slug")
        parser.add_argument("--revoke", action="store_true", help="take the lead role back")

    def handle(self, *args: Any, username: str, tenant: str, revoke: bool, **options: Any) -> None:
        try:
            tenant_obj = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant {tenant!r}.") from None
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if revoke:
            lead_revoke(user=user, tenant=tenant_obj)
            self.stdout.write(f"{username} is no longer an ops lead of {tenant}.")
            return
        lead_grant(user=user, tenant=tenant_obj)
        self.stdout.write(self.style.SUCCESS(f"{username} is an ops lead of {tenant}."))
