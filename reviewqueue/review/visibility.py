"""Who may see an item of their own queue: guards that packages built on review add.

`item_for_user` answers 404 across tenants and 403 outside the item's reviewer group; past that,
each registered guard may refuse with `Forbidden` (double review hides a resolved item's first
disposition until its blind second review is in). A guard is registered once, from its app's
`AppConfig.ready`, so review does not import the packages that add them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser, User

from reviewqueue.review.models import ReviewItem

# (item, user) → None, or raise `reviewqueue.errors.Forbidden` saying why.
VisibilityGuard = Callable[[ReviewItem, User | AnonymousUser], None]

_guards: list[VisibilityGuard] = []


def guard_register(guard: VisibilityGuard) -> None:
    """Add `guard` (once: an app's ready() may run twice in tests)."""
    if guard not in _guards:
        _guards.append(guard)


def item_visible_check(*, item: ReviewItem, user: User | AnonymousUser) -> None:
    for guard in _guards:
        guard(item, user)
