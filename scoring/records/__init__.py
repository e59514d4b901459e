"""Verify claims against structured records (JSON, "key: value" lines, Markdown/CSV tables).

An NLI model cannot entail "open until 8 PM on Mondays" from ``{"hours": {"Monday": "11:0-20:0"}}``
and never calls a wrong value refuted. This module is the deterministic layer in front of it:

* `parse_record` turns a passage into `Field`s (path, humanised key, raw value, value kind and the
  value's offsets in the passage, so the review page can highlight it), or None for prose.
* `field_statements` renders the non-free-text fields as short English statements for an NLI model;
  `text_fields` returns the long free-text fields that should go to the NLI as prose.
* `check_claim` finds value mentions in a claim (times and weekday schedules, money, counts and
  numbers, dates, booleans/attributes, addresses, emails, phones, ids, closed-class names),
  matches each to a field by type and nearby key words, and compares values by type, so that
  format-only differences ("20:0" vs "8 PM", "$1,200" vs "1200 USD") are never refuted.

Nothing here raises on any input; where no field plausibly matches a mention, no check is made
(a refutation is never guessed). Pure Python, stdlib only.

The package, from the bottom up (a module imports only from those above it; names with a leading
underscore are private to the package):

* `fields`: `Field`, `ValueCheck`, `RecordCheck`, `KINDS`, the shared vocabularies, field paths.
* `values`: value normalisation (times, numbers, dates, money, street words, booleans).
* `statements`: `field_statements`, `text_fields`.
* `matching`: the claim under check (`_Ctx`) and matching a mention to a field (`_pick`).
* `addresses`, `parse`: addresses and cities; `parse_record` (which finds addresses with the
  same pattern as the address checker).
* `identifiers`, `dates`, `money`, `hours`, `attributes`, `counts`, `names`: one checker family
  each (emails, phones and ids; dates; money; opening hours and weekdays, with `day_mentions`;
  booleans and listing levels; counts and numbers; closed-class and exact names).
* `coverage`: the share of a claim the record accounts for.
* `check`: `check_claim`, which runs them all.
"""

from __future__ import annotations

from scoring.records.check import SUPPORTED_COVERAGE, check_claim
from scoring.records.fields import DAYS, KINDS, MONTHS, Field, RecordCheck, ValueCheck
from scoring.records.hours import DayMention, day_mentions
from scoring.records.parse import parse_record
from scoring.records.statements import field_statements, text_fields

__all__ = [
    "DAYS",
    "KINDS",
    "MONTHS",
    "SUPPORTED_COVERAGE",
    "DayMention",
    "Field",
    "RecordCheck",
    "ValueCheck",
    "check_claim",
    "day_mentions",
    "field_statements",
    "parse_record",
    "text_fields",
]
