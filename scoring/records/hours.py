"""Checking the opening hours, times and weekdays a claim mentions (`day_mentions` finds the weekdays)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.records.fields import DAYS, Field, _clean_value, _last_key
from scoring.records.matching import _Ctx, _pick
from scoring.records.statements import _day_index
from scoring.records.values import _claim_time_candidates, _fmt_time, _record_range, _record_time, _times_equal

# ---- hours and weekdays ----

_DAY_WORD = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?|"
    r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?"
)
_DAY_TOKEN = re.compile(r"\b(?:" + _DAY_WORD + r")", re.IGNORECASE)
_DAY_RANGE = re.compile(
    r"\b(?P<a>" + _DAY_WORD + r")\s*(?:-|–|—|to|through|thru|until|till)\s*(?P<b>" + _DAY_WORD + r")",
    re.IGNORECASE,
)
_DAY_GROUPS = re.compile(
    r"\b(?P<g>midweek|weekdays?|weekends|(?<=on\s)weekend|(?<=the\s)weekend|(?<=every\s)weekend|every\s+day|everyday|daily|all\s+week(?:\s+long)?|seven\s+days\s+a\s+week|"
    r"7\s+days\s+a\s+week|each\s+day|the\s+whole\s+week|24/7|around\s+the\s+clock|any\s+day(?:\s+of\s+the\s+week)?)\b",
    re.IGNORECASE,
)
_OPEN_CONTEXT = re.compile(
    r"\b(?:open|opens|opened|opening|close|closes|closing|closed|shuts?|hours|doors|operat(?:e|es|ing)|"
    # "visit us from 9", not "on another visit"
    r"(?<!another\s)(?<!\ba\s)(?<!one\s)(?<!my\s)(?<!our\s)(?<!each\s)(?<!this\s)(?<!last\s)(?<!first\s)visit|"
    r"serves|serving|staffed)\b",
    re.IGNORECASE,
)
# "noon" is a time, "afternoon" is not.
_T = r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?\s?m\b\.?)?|\b(?:noon|midday|midnight)\b)"
_TIME_RANGE_CLAIM = re.compile(
    r"(?P<pre>\b(?:from|between|open|opens|hours(?:\s+are)?|hours\s+of)\s+)?"
    r"(?P<a>" + _T + r")\s*(?:-|–|—|to|until|till|til|through|thru|and)\s*(?P<b>" + _T + r")(?![\d:/])",
    re.IGNORECASE,
)
_TIME_SINGLE_CLAIM = re.compile(
    r"(?P<pre>\b(?:until|till|til|closes|closing|close|closed|shuts|opens|opening|open|starts?|starting|"
    r"begins?|last\s+call|by)(?:\s+(?:at|around|by|up|from))?\s+)?(?P<a>" + _T + r")(?![\d:/])",
    re.IGNORECASE,
)
# A range of closing times, not opening hours: "closing times between 8 PM and 10 PM", "closes
# between 9 and 11 PM".
_CLOSING_WINDOW = re.compile(r"\bclos(?:e|es|ing)(?:\s+times?)?\s+(?:vary\s+)?(?:between|from)\s+$", re.IGNORECASE)
_OR_BOUND = re.compile(r"\s+or\s+(later|earlier)\b", re.IGNORECASE)
_TOUCH_AFTER = re.compile(
    r"\s*(?:or\s+(?:later|earlier|so)\s*)?(?:(?:clos|open)\w*\s*)?(?:on|for|every|each)?\s*", re.IGNORECASE
)
_TOUCH_BEFORE = re.compile(r"\s*,?\s*(?:from|at|until|till|:)?\s*", re.IGNORECASE)
_TIME_EXACT = re.compile(r"[ap]\.?\s?m\b|:|noon|midday|midnight", re.IGNORECASE)


def _day_set_from(text: str) -> set[int]:
    m = _DAY_RANGE.fullmatch(text.strip())
    if m:
        a = _day_index(m.group("a"))
        b = _day_index(m.group("b"))
        if a is None or b is None:
            return set()
        out = {a}
        i = a
        while i != b:
            i = (i + 1) % 7
            out.add(i)
        return out
    g = text.strip().lower()
    if g == "midweek":
        return {1, 2, 3}  # Tuesday to Thursday: the days every reading of "midweek" shares
    if g.startswith("weekday"):
        return {0, 1, 2, 3, 4}
    if g.startswith("weekend"):
        return {5, 6}
    if _DAY_GROUPS.fullmatch(text.strip()):
        return set(range(7))
    d = _day_index(text)
    return {d} if d is not None else set()


@dataclass
class DayMention:
    start: int
    end: int
    days: set[int]
    closed: bool
    excluded: bool


@dataclass
class _TimeMention:
    start: int
    end: int
    open_c: set[int] | None
    close_c: set[int] | None
    role: str  # range | open | close | unknown


def day_mentions(claim: str) -> list[DayMention]:
    spans: list[tuple[int, int, set[int]]] = []
    taken: list[tuple[int, int]] = []
    for rx in (_DAY_RANGE, _DAY_GROUPS):
        for m in rx.finditer(claim):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            ds = _day_set_from(m.group())
            if ds:
                spans.append((m.start(), m.end(), ds))
                taken.append((m.start(), m.end()))
    for m in _DAY_TOKEN.finditer(claim):
        if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
            continue
        word = m.group()
        if len(word.rstrip(".")) <= 4 and not word[0].isupper():
            continue
        if word.lower().rstrip(".") in ("sun", "sat", "wed") and not word[0].isupper():
            continue
        ds = _day_set_from(word)
        if ds:
            spans.append((m.start(), m.end(), ds))
    spans.sort()
    # Merge lists: "Monday, Wednesday and Friday".
    merged: list[tuple[int, int, set[int]]] = []
    for s, e, ds in spans:
        if merged:
            ps, pe, pds = merged[-1]
            gap = claim[pe:s]
            if re.fullmatch(r"\s*(?:,|&|and|or|,\s*and|,\s*or|/)\s*", gap):
                merged[-1] = (ps, e, pds | ds)
                continue
        merged.append((s, e, ds))
    out: list[DayMention] = []
    for s, e, ds in merged:
        before = claim[max(0, s - 40) : s].lower()
        after = claim[e : e + 30].lower()
        cl_before = re.split(r"[;.]|,\s*(?:but|and|while)\b|\bbut\b|\bwhile\b|\band\b", before)[-1]
        closed = bool(re.search(r"\bclosed\b|\bshut\b|\bnot open\b|\bdoes not open\b|\bdoesn't open\b", cl_before))
        closed = closed or bool(re.match(r"\s*(?:[:,-]\s*)?(?:is |are |it(?:'s| is) )?(?:closed|shut)\b", after))
        # "no Sunday hours (listed)", "without weekend hours": the days have none.
        closed = closed or bool(re.search(r"\b(?:no|without)\s*$", before) and re.match(r"\s*hours\b", after))
        excluded = bool(
            re.search(r"\b(?:except|other than|but not|excluding|apart from|besides)\s*(?:on\s+)?$", before)
        )
        out.append(DayMention(s, e, ds, closed, excluded))
    return out


def _with_bound(claim: str, end: int, c: set[int] | None) -> set[int] | None:
    """A time's candidates, widened where "or later" / "or earlier" follows it (at `end`): "until
    10 PM or later" is any time in the six hours from 10 PM, past midnight too (times compare
    modulo a day)."""
    bound = _OR_BOUND.match(claim, end)
    if c is None or bound is None:
        return c
    later = bound.group(1).lower() == "later"
    return {t for x in c for t in (range(x, x + 360) if later else range(x - 360, x + 1))}


def _time_mentions(claim: str, blocked: list[tuple[int, int]]) -> list[_TimeMention]:
    out: list[_TimeMention] = []
    taken: list[tuple[int, int]] = list(blocked)

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _TIME_RANGE_CLAIM.finditer(claim):
        s, e = m.start("a"), m.end("b")
        if not free(s, e):
            continue
        a_txt, b_txt = m.group("a"), m.group("b")
        exact = _TIME_EXACT.search(a_txt) or _TIME_EXACT.search(b_txt)
        if not exact and not m.group("pre"):
            continue
        sep = claim[m.end("a") : m.start("b")].strip().lower()
        if sep == "and" and not (m.group("pre") or "").lower().startswith("between"):
            continue
        a = _claim_time_candidates(a_txt)
        b = _with_bound(claim, e, _claim_time_candidates(b_txt))
        if a is None or b is None:
            continue
        if _CLOSING_WINDOW.search(claim[max(0, m.start() - 30) : s]):
            # "closing times between 8 PM and 10 PM": when it closes, somewhere in that window.
            window = {t for x in a for y in b if x <= y for t in range(x, y + 1)}
            out.append(_TimeMention(s, e, None, window, "close"))
        else:
            # "11 to 8 PM": the bare side takes the meridiem pattern loosely (either reading).
            out.append(_TimeMention(s, e, a, b, "range"))
        taken.append((s, e))
    for m in _TIME_SINGLE_CLAIM.finditer(claim):
        s, e = m.start("a"), m.end("a")
        if not free(s, e):
            continue
        a_txt = m.group("a")
        pre = (m.group("pre") or "").lower().strip()
        exact = _TIME_EXACT.search(a_txt)
        if not exact and not pre:
            continue
        if not exact and re.match(r"\s*(?:items?|days?|years?|months?|weeks?|stars?|reviews?|%|percent)", claim[e:]):
            continue
        c = _with_bound(claim, e, _claim_time_candidates(a_txt))
        if c is None:
            continue
        if re.match(r"(?:until|till|til|clos|shut|last|by)", pre):
            role = "close"
        elif re.match(r"(?:open|start|begin)", pre):
            role = "open"
        else:
            before = claim[max(0, s - 30) : s].lower()
            if re.search(r"\b(?:clos\w*|until|till|shuts?)\b[^,;]*$", before):
                role = "close"
            elif re.search(r"\b(?:opens?|opening|starts?)\b[^,;]*$", before):
                role = "open"
            else:
                role = "unknown"
        out.append(_TimeMention(s, e, c if role != "close" else None, c if role != "open" else None, role))
        taken.append((s, e))
    out.sort(key=lambda t: t.start)
    return out


def _record_schedule(fields: list[Field]) -> dict[int, tuple[Field, tuple[int, int] | None]]:
    sched: dict[int, tuple[Field, tuple[int, int] | None]] = {}
    for f in fields:
        if f.kind != "time_range" and not re.fullmatch(r"\s*closed\s*", _clean_value(f.value).lower()):
            continue
        d = _day_index(_last_key(f.path))
        if d is None:
            continue
        if re.fullmatch(r"\s*(?:closed|none|n/?a|-+)?\s*", _clean_value(f.value).lower()):
            continue  # listed as closed: the same as a day missing from the mapping
        r = _record_range(f.value)
        if r is not None and r[0] == r[1] == 0:
            r = None  # Yelp's "0:0-0:0": closed or open 24 hours; never compared
        sched[d] = (f, r)
    return sched


def _range_text(r: tuple[int, int] | None) -> str:
    if r is None:
        return "0:00-0:00 (closed or 24 hours)"
    return f"{_fmt_time(r[0])}-{_fmt_time(r[1])}"


def _check_hours(ctx: _Ctx) -> None:
    claim = ctx.claim
    sched = _record_schedule(ctx.fields)
    time_fields = [f for f in ctx.fields if f.kind in ("time", "time_range") and _day_index(_last_key(f.path)) is None]
    days = [d for d in day_mentions(claim) if ctx.free(d.start, d.end)]
    blocked = list(ctx.consumed) + [(d.start, d.end) for d in days]
    times = _time_mentions(claim, blocked)
    if not sched and not time_fields:
        for t in times:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
        return
    if not sched:
        _check_plain_times(ctx, times, time_fields)
        return
    hours_context = any(_OPEN_CONTEXT.search(re.sub(r"(?i)happy\s+hours?", " ", text)) for text in (claim, ctx.lead))
    if not hours_context:
        # "busiest around 7 PM", "happy hour from 3 to 6 PM": times that are not opening hours.
        for t in times:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
        return
    # Pair each time mention with a day group, in the order the claim uses.
    positive = [d for d in days if not d.closed and not d.excluded]
    first_is_day = bool(days) and (not times or days[0].start < times[0].start)
    assigned: dict[int, list[DayMention]] = {}
    own: dict[int, set[int]] = {}  # the days a time names right after it ("noon on Sundays")
    for ti, t in enumerate(times):
        prev_t_end = times[ti - 1].end if ti > 0 else -1
        next_t_start = times[ti + 1].start if ti + 1 < len(times) else len(claim) + 1
        left = [d for d in positive if prev_t_end <= d.start and d.end <= t.start]
        right = [d for d in positive if t.end <= d.start and d.end <= next_t_start]
        # A day group that touches the time is its own ("until 10 PM on Fridays", "9 PM midweek",
        # "Sundays from noon"); otherwise the claim's order decides.
        touching_right = [d for d in right[:1] if _TOUCH_AFTER.fullmatch(claim[t.end : d.start])]
        touching_left = [d for d in left[-1:] if _TOUCH_BEFORE.fullmatch(claim[d.end : t.start])]
        pick = touching_right or touching_left or ((left or right) if first_is_day else (right or left))
        if not pick and positive and len(times) == 1:
            pick = positive
        assigned[ti] = pick
        if touching_right:
            own[ti] = set().union(*(d.days for d in touching_right))
    # Exclusions ("every day except Sunday") remove days from the groups before them.
    excluded: set[int] = set()
    for d in days:
        if d.excluded:
            excluded |= d.days
    used_day_mentions: set[int] = set()
    for ti, t in enumerate(times):
        groups = assigned.get(ti) or []
        dayset: set[int] = set()
        for g in groups:
            dayset |= g.days
            used_day_mentions.add(id(g))
        dayset -= excluded
        # "Midweek" is the middle of the week the place is open ("Wednesday through Sunday: 3 to
        # 10 PM midweek" is Wednesday and Thursday).
        midweek = {d for g in groups if claim[g.start : g.end].lower() == "midweek" for d in g.days}
        if midweek - set(sched) and dayset - (midweek - set(sched)):
            dayset -= midweek - set(sched)
        # A time given for named days is the exception to one given for more ("from 11 AM (noon
        # on Sundays)", "until 10 PM Monday through Saturday and 9:30 PM on Sundays").
        narrower = set().union(*(days for tj, days in own.items() if tj != ti and _same_end(t, times[tj])))
        if dayset - narrower:
            dayset -= narrower
        _check_time_against_days(ctx, t, dayset, sched, groups)
    # Day mentions with no time: "open Monday through Saturday", "closed on Sundays".
    for d in days:
        if id(d) in used_day_mentions and not d.closed:
            continue
        if d.excluded and not d.closed:
            # "every day except Monday": the excluded day is claimed closed.
            d = DayMention(d.start, d.end, d.days, True, False)
        targets = d.days - (excluded if not d.closed else set())
        bad = None
        for day in sorted(targets):
            present = day in sched
            if d.closed:
                if present and sched[day][1] is not None:
                    bad = day
                    break
            elif not present:
                bad = day
                break
        if bad is not None:
            if d.closed:
                f = sched[bad][0]
                ctx.add(
                    d.start, d.end, "weekday", "refuted", f, f"record lists {DAYS[bad]} {_range_text(sched[bad][1])}"
                )
            else:
                f = _nearest_day_field(sched, bad)
                ctx.add(d.start, d.end, "weekday", "refuted", f, f"record has no {DAYS[bad]} hours (closed)")
            continue
        if d.closed:
            if any(day in sched for day in targets):
                ctx.take(d.start, d.end)  # listed as 0:0-0:0: not comparable
                continue
            f = next(iter(sched.values()))[0]
            ctx.add(d.start, d.end, "weekday", "supported", f, "record lists no hours for " + _day_names(targets))
        elif id(d) not in used_day_mentions:
            day0 = min(targets) if targets else None
            if day0 is None:
                continue
            f = sched[day0][0]
            ctx.add(d.start, d.end, "weekday", "supported", f, f"record lists hours for {_day_names(targets)}")


def _day_names(days: set[int]) -> str:
    return ", ".join(DAYS[d] for d in sorted(days))


def _nearest_day_field(sched: dict[int, tuple[Field, tuple[int, int] | None]], day: int) -> Field:
    for k in range(1, 8):
        for cand in ((day - k) % 7, (day + k) % 7):
            if cand in sched:
                return sched[cand][0]
    return next(iter(sched.values()))[0]


def _same_end(a: _TimeMention, b: _TimeMention) -> bool:
    """Whether two times may say the same end of the day: both an opening or both a closing (a
    time of unknown role may be either)."""
    return (a.open_c is not None and b.open_c is not None) or (a.close_c is not None and b.close_c is not None)


def _time_matches(t: _TimeMention, r: tuple[int, int]) -> bool:
    ok_open = t.open_c is None or _times_equal(t.open_c, r[0])
    ok_close = t.close_c is None or _times_equal(t.close_c, r[1])
    if t.role == "unknown":
        assert t.open_c is not None
        return _times_equal(t.open_c, r[0]) or _times_equal(t.open_c, r[1])
    return ok_open and ok_close


def _check_time_against_days(
    ctx: _Ctx,
    t: _TimeMention,
    dayset: set[int],
    sched: dict[int, tuple[Field, tuple[int, int] | None]],
    groups: list[DayMention],
) -> None:
    comparable = {d: v for d, v in sched.items() if v[1] is not None}
    if dayset:
        wrong_day = [d for d in sorted(dayset) if d not in sched]
        if wrong_day:
            d = wrong_day[0]
            g = next((g for g in groups if d in g.days), None)
            f = _nearest_day_field(sched, d)
            s, e = (g.start, g.end) if g else (t.start, t.end)
            ctx.add(s, e, "weekday", "refuted", f, f"record has no {DAYS[d]} hours (closed)")
            ctx.take(t.start, t.end)
            return
        checked = [d for d in sorted(dayset) if sched[d][1] is not None]
        if not checked:
            ctx.take(t.start, t.end)  # only 0:0-0:0 days: not comparable
            return
        for d in checked:
            f, r = sched[d]
            assert r is not None
            if not _time_matches(t, r):
                ctx.add(t.start, t.end, "time_range", "refuted", f, f"record says {DAYS[d]} {_range_text(r)}")
                return
        f, r = sched[checked[0]]
        days_txt = DAYS[checked[0]] if len(checked) == 1 else f"{DAYS[checked[0]]}-{DAYS[checked[-1]]}"
        ctx.add(t.start, t.end, "time_range", "supported", f, f"record says {days_txt} {_range_text(r)}")
        return
    # No day named: the claim is about the usual hours.
    if not comparable:
        ctx.take(t.start, t.end)
        return
    matching = [d for d, (_, r) in comparable.items() if r is not None and _time_matches(t, r)]
    if matching:
        d = min(matching)
        f, r = comparable[d]
        ctx.add(t.start, t.end, "time_range", "supported", f, f"record says {DAYS[d]} {_range_text(r)}")
        return
    d = min(comparable)
    f, r = comparable[d]
    ctx.add(
        t.start,
        t.end,
        "time_range",
        "refuted",
        f,
        f"no day in the record has these hours; {DAYS[d]} is {_range_text(r)}",
    )


def _check_plain_times(ctx: _Ctx, times: list[_TimeMention], fields: list[Field]) -> None:
    for t in times:
        if t.role == "range":
            cands = [f for f in fields if f.kind == "time_range"]

            def eq_range(f: Field, t: _TimeMention = t) -> bool:
                r = _record_range(f.value)
                return r is not None and _time_matches(t, r)

            f, ok = _pick(ctx, t.start, t.end, cands, eq_range)
            if f is not None and _record_range(f.value) in (None, (0, 0)):
                ctx.take(t.start, t.end)
                continue
        else:
            cands = [f for f in fields if f.kind in ("time", "time_range")]
            cands_t = t.open_c if t.open_c is not None else t.close_c
            assert cands_t is not None

            def eq_one(f: Field, c: set[int] = cands_t, role: str = t.role) -> bool:
                if f.kind == "time":
                    v = _record_time(f.value)
                    return v is not None and _times_equal(c, v)
                r = _record_range(f.value)
                if r is None:
                    return False
                if role == "open":
                    return _times_equal(c, r[0])
                if role == "close":
                    return _times_equal(c, r[1])
                return _times_equal(c, r[0]) or _times_equal(c, r[1])

            f, ok = _pick(ctx, t.start, t.end, cands, eq_one, fallback_single=t.role != "unknown")
        if f is None:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
            continue
        if not ok and t.role == "unknown":
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
            continue
        ctx.add(
            t.start, t.end, "time", "supported" if ok else "refuted", f, f"record says {f.key} {_clean_value(f.value)}"
        )
