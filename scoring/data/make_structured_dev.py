"""Generate ``structured_dev.jsonl``: drafts written from structured records, half with one wrong value.

    python -m scoring.data.make_structured_dev [--seed 20261201] [--n 260] [--out PATH]

Deterministic for a given seed. Each record is a business listing (Yelp-style JSON), an e-commerce
order (JSON), a customer account ("key: value" lines), a subscription plan (JSON or a Markdown
table) or a store's hours and location ("key: value" lines with an hours section, or a Markdown
table). The draft is fluent prose rendered from the record with its own phrasings (12-hour
times, spelled-out numbers, "Mon–Fri", written-out addresses, "$1,200.00" / "1200 USD"...); these
phrasings are written independently of ``scoring.records`` and do not use its tables. A bad draft
changes exactly one value to a plausible wrong one; its span is labelled ``wrong_value``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).with_name("structured_dev.jsonl")
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SPELL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]

Part = str | tuple[str, str]  # plain text, or (slot name, text of the value)

# ------------------------------------------------------------------------------------------
# Formatting in the drafts' own words
# ------------------------------------------------------------------------------------------


def fmt_time(minutes: int, style: int) -> str:
    h, m = divmod(minutes % 1440, 60)
    if style == 5:
        return f"{h:02d}:{m:02d}"
    if minutes % 1440 == 720 and style == 4:
        return "noon"
    if minutes % 1440 == 0 and style == 4:
        return "midnight"
    h12 = h % 12 or 12
    am = h < 12
    mm = f":{m:02d}" if (m or style in (1, 3)) else ""
    if style == 0:
        return f"{h12}{mm} {'AM' if am else 'PM'}"
    if style == 1:
        return f"{h12}{mm} {'a.m.' if am else 'p.m.'}"
    if style == 2:
        return f"{h12}{mm}{'am' if am else 'pm'}"
    if style == 3:
        return f"{h12}{mm} {'AM' if am else 'PM'}"
    return f"{h12}{mm} {'a.m.' if am else 'p.m.'}"


def fmt_money(x: float, style: int) -> str:
    cents = abs(x - round(x)) > 0.001
    if style == 0:
        return f"${x:,.2f}"
    if style == 1:
        return f"${x:,.2f}" if cents else f"${x:,.0f}"
    if style == 2:
        return f"{x:.2f} USD" if cents else f"{x:.0f} USD"
    if style == 3:
        return f"USD {x:,.2f}"
    return f"{x:,.2f} dollars" if cents else f"{x:,.0f} dollars"


def fmt_count(n: int, style: int) -> str:
    if style == 1 and 0 <= n < len(SPELL):
        return SPELL[n]
    return f"{n:,}" if n >= 10000 else str(n)


def fmt_date(d: date, style: int) -> str:
    if style == 0:
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == 1:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style == 2:
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == 3:
        suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
        return f"{MONTHS[d.month - 1]} {d.day}{suffix}"
    if style == 4:
        return f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"
    return d.isoformat()


def days_phrase(first: int, last: int, style: int) -> str:
    if first == 0 and last == 4 and style in (2, 3):
        return "weekdays" if style == 2 else "on weekdays"
    if first == 0 and last == 6 and style in (2, 3):
        return "every day" if style == 2 else "seven days a week"
    if style == 0:
        return f"{DAYS[first]} through {DAYS[last]}"
    if style == 1:
        return f"{SHORT[first]}–{SHORT[last]}"
    if style == 4:
        return f"from {DAYS[first]} to {DAYS[last]}"
    return f"{DAYS[first]} to {DAYS[last]}"


_WRITE_OUT = {
    "N": "North",
    "S": "South",
    "E": "East",
    "W": "West",
    "St": "Street",
    "Ave": "Avenue",
    "Rd": "Road",
    "Blvd": "Boulevard",
    "Dr": "Drive",
    "Ln": "Lane",
    "Ste": "Suite",
    "Pkwy": "Parkway",
}


def write_address(addr: str, style: int) -> str:
    if style == 0:
        return addr
    toks = addr.replace(",", " ,").split()
    out = []
    for t in toks:
        if style == 1:
            out.append(_WRITE_OUT.get(t, t))
        else:
            out.append(t + "." if t in _WRITE_OUT and t not in ("Ste",) else t)
    return " ".join(out).replace(" ,", ",")


def render(parts: list[Part]) -> tuple[str, dict[str, list[tuple[int, int]]]]:
    text = ""
    slots: dict[str, list[tuple[int, int]]] = {}
    for p in parts:
        if isinstance(p, tuple):
            name, val = p
            slots.setdefault(name, []).append((len(text), len(text) + len(val)))
            text += val
        else:
            text += p
    return text, slots


def join_sentences(sentences: list[list[Part]]) -> list[Part]:
    out: list[Part] = []
    for i, s in enumerate(sentences):
        if i:
            out.append(" ")
        for j, p in enumerate(s):
            nxt = s[j + 1] if j + 1 < len(s) else ""
            if isinstance(p, tuple) and p[1].endswith(".") and isinstance(nxt, str) and nxt.startswith("."):
                s = [*s[: j + 1], nxt[1:], *s[j + 2 :]]
        out.extend(s)
    return out


# ------------------------------------------------------------------------------------------
# Vocabularies for records
# ------------------------------------------------------------------------------------------

FIRST = ["Golden", "Blue", "Rustic", "Little", "Urban", "Happy", "Crimson", "Silver", "Old Town", "Green", "Lucky"]
SECOND = ["Spoon", "Lantern", "Fork", "Table", "Kettle", "Oven", "Garden", "Pepper", "Harbor", "Owl", "Barrel"]
CUISINE = [
    ("Mexican", "taqueria"),
    ("Thai", "Thai kitchen"),
    ("Italian", "trattoria"),
    ("Coffee & Tea", "coffee shop"),
    ("Bakeries", "bakery"),
    ("Burgers", "burger joint"),
    ("Sushi Bars", "sushi bar"),
    ("Vietnamese", "pho shop"),
    ("Breakfast & Brunch", "brunch spot"),
    ("Pizza", "pizzeria"),
]
STREETS = ["Main", "Oak", "Maple", "Elm", "Cedar", "Washington", "Lake", "Hill", "Park", "Pine", "Highland", "Mill"]
STYPES = ["St", "Ave", "Rd", "Blvd", "Dr", "Ln"]
CITIES = [
    ("Springfield", "IL", "62701"),
    ("Tempe", "AZ", "85281"),
    ("Madison", "WI", "53703"),
    ("Boise", "ID", "83702"),
    ("Reno", "NV", "89501"),
    ("Tampa", "FL", "33602"),
    ("Nashville", "TN", "37203"),
    ("Santa Barbara", "CA", "93101"),
    ("Philadelphia", "PA", "19103"),
    ("Indianapolis", "IN", "46204"),
]
PRODUCTS = [
    ("Wireless Mouse", 24.99),
    ("USB-C Hub", 39.0),
    ("Mechanical Keyboard", 89.5),
    ("Laptop Stand", 32.0),
    ("Noise-Cancelling Headphones", 149.99),
    ("HDMI Cable", 12.49),
    ("Webcam", 59.95),
    ("Desk Lamp", 27.8),
    ("Portable SSD 1TB", 109.0),
    ("Phone Charger", 19.99),
    ("Monitor Arm", 74.25),
    ("Ergonomic Chair Cushion", 44.0),
]
CARRIERS = ["UPS", "FedEx", "USPS", "DHL"]
PLANS = ["Starter", "Basic", "Pro", "Business", "Enterprise", "Premium"]
NAMES = ["Dana Whitfield", "Marcus Lee", "Priya Raman", "Owen Castillo", "Sofia Novak", "Jamal Brooks", "Elena Petrova"]
COMPANIES = ["Northwind Labs", "Brightline Dental", "Keystone Realty", "Juniper Analytics", "Harbor Freight Co-op"]


def street_address(r: random.Random, with_unit: bool = False) -> str:
    num = r.choice([r.randint(10, 99), r.randint(100, 999), r.randint(1000, 9999)])
    d = r.choice(["", "", "N ", "S ", "E ", "W "])
    addr = f"{num} {d}{r.choice(STREETS)} {r.choice(STYPES)}"
    if with_unit:
        addr += f", Ste {r.choice([100, 110, 200, 210, 305, 400])}"
    return addr


def other_number(r: random.Random, addr: str) -> str:
    num, rest = addr.split(" ", 1)
    n = int(num)
    while True:
        m = n + r.choice([-20, -10, -2, 2, 4, 10, 100, 11])
        if m > 0 and m != n:
            return f"{m} {rest}"


# ------------------------------------------------------------------------------------------
# Hours (shared by businesses and stores)
# ------------------------------------------------------------------------------------------


def make_hours(r: random.Random) -> dict[int, tuple[int, int]]:
    """Day index -> (open, close) minutes, with typical patterns."""
    wk_open = r.choice([6 * 60, 7 * 60, 8 * 60, 9 * 60, 10 * 60, 11 * 60, 11 * 60 + 30])
    wk_close = r.choice([15 * 60, 17 * 60, 18 * 60, 20 * 60, 21 * 60, 22 * 60, 20 * 60 + 30])
    pattern = r.choice(["mon_fri", "mon_sat", "tue_sun", "all", "mon_fri_sat"])
    hours: dict[int, tuple[int, int]] = {}
    if pattern == "mon_fri":
        for d in range(5):
            hours[d] = (wk_open, wk_close)
    elif pattern == "mon_sat":
        for d in range(6):
            hours[d] = (wk_open, wk_close)
    elif pattern == "tue_sun":
        for d in range(1, 7):
            hours[d] = (wk_open, wk_close)
    elif pattern == "all":
        for d in range(7):
            hours[d] = (wk_open, wk_close)
    else:
        for d in range(5):
            hours[d] = (wk_open, wk_close)
        hours[5] = (wk_open + 60, max(wk_open + 240, wk_close - 120))
    return hours


def yelp_hours(hours: dict[int, tuple[int, int]]) -> dict[str, str]:
    out = {}
    for d in range(7):
        if d in hours:
            o, c = hours[d]
            out[DAYS[d]] = f"{o // 60}:{o % 60}-{c // 60}:{c % 60}"
    return out


def shift_time(r: random.Random, t: int) -> int:
    return t + r.choice([-120, -60, 60, 120, 30, -30, 180])


def hours_sentences(r: random.Random, hours: dict[int, tuple[int, int]], subj: str, ts: int) -> list[list[Part]]:
    """Sentences about the hours; slots: main_open, main_close, sat_open, sat_close, closed_day, day_span."""
    main_days = sorted(d for d in hours if hours[d] == hours[min(hours)])
    first, last = main_days[0], main_days[-1]
    o, c = hours[first]
    dstyle = r.randint(0, 4)
    span = days_phrase(first, last, dstyle)
    opn, cls = fmt_time(o, ts), fmt_time(c, ts)
    out: list[list[Part]] = []
    form = r.randint(0, 6)
    if form == 0:
        out.append(
            [f"{subj} is open ", ("day_span", span), " from ", ("main_open", opn), " to ", ("main_close", cls), "."]
        )
    elif form == 1:
        out.append(["Hours are ", ("main_open", opn), "–", ("main_close", cls), ", ", ("day_span", span), "."])
    elif form == 2:
        out.append(
            [
                ("day_span", span[:1].upper() + span[1:]),
                ", the doors open at ",
                ("main_open", opn),
                " and close at ",
                ("main_close", cls),
                ".",
            ]
        )
    elif form == 3:
        out.append(
            [
                f"{subj} opens at ",
                ("main_open", opn),
                " and stays open until ",
                ("main_close", cls),
                " ",
                ("day_span", span),
                ".",
            ]
        )
    elif form == 4:
        day = r.choice(main_days)
        low_subj = subj[:1].lower() + subj[1:] if subj in ("It", "The store", "The shop", "The restaurant") else subj
        out.append([f"On {DAYS[day]}s, {low_subj} closes at ", ("main_close", cls), "."])
        out.append(["Opening time is ", ("main_open", opn), ", ", ("day_span", span), "."])
    elif form == 5:
        out.append(
            ["You can visit ", ("day_span", span), " between ", ("main_open", opn), " and ", ("main_close", cls), "."]
        )
    else:
        out.append(
            [f"{subj} keeps hours of ", ("main_open", opn), " to ", ("main_close", cls), " ", ("day_span", span), "."]
        )
    extra = [d for d in hours if d not in main_days]
    if extra:
        d = extra[0]
        so, sc = hours[d]
        sd = DAYS[d]
        out.append(
            r.choice(
                [
                    [
                        f"On {sd}s the hours are shorter, ",
                        ("sat_open", fmt_time(so, ts)),
                        " to ",
                        ("sat_close", fmt_time(sc, ts)),
                        ".",
                    ],
                    [
                        f"{sd} hours run from ",
                        ("sat_open", fmt_time(so, ts)),
                        " until ",
                        ("sat_close", fmt_time(sc, ts)),
                        ".",
                    ],
                ]
            )
        )
    closed = [d for d in range(7) if d not in hours]
    if closed and r.random() < 0.8:
        names = [DAYS[d] + "s" for d in closed]
        ctext = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        out.append(
            r.choice(
                [
                    [f"{subj} is closed on ", ("closed_day", ctext), "."],
                    ["Note that it's closed ", ("closed_day", ctext), "."],
                    ["It does not open on ", ("closed_day", ctext), "."],
                ]
            )
        )
    return out


def mutate_hours(r: random.Random, slot: str, hours: dict[int, tuple[int, int]], text: str, ts: int) -> str | None:
    main_days = sorted(d for d in hours if hours[d] == hours[min(hours)])
    o, c = hours[main_days[0]]
    extra = [d for d in hours if d not in main_days]
    if slot == "main_open":
        return fmt_time(shift_time(r, o), ts)
    if slot == "main_close":
        return fmt_time(shift_time(r, c), ts)
    if slot in ("sat_open", "sat_close") and extra:
        so, sc = hours[extra[0]]
        return fmt_time(shift_time(r, so if slot == "sat_open" else sc), ts)
    if slot == "closed_day":
        open_days = sorted(hours)
        return DAYS[r.choice(open_days)] + "s"
    if slot == "day_span":
        closed = [d for d in range(7) if d not in hours]
        if not closed:
            return None
        first, last = main_days[0], main_days[-1]
        if last < 6 and (last + 1) not in hours:
            return days_phrase(first, last + 1, 0 if "–" not in text else 1)
        if first > 0 and (first - 1) not in hours:
            return days_phrase(first - 1, last, 0 if "–" not in text else 1)
        return "every day" if text.lower() != "every day" else None
    return None


# ------------------------------------------------------------------------------------------
# Domains: each returns (passages, question, task, sentences builder, mutator, meta)
# ------------------------------------------------------------------------------------------

Builder = Callable[[random.Random, dict[str, Any]], list[list[Part]]]


def example(
    domain: str,
    passages: list[dict[str, str]],
    question: str,
    build: Callable[..., list[list[Part]]],
    vals: dict[str, Any],
    mutate: Any,
    *,
    task: str | None = None,
) -> dict[str, Any]:
    """One domain's draw: a question ending in "?" is a QA task, anything else data-to-text."""
    return {
        "passages": passages,
        "question": question,
        "task": task or ("qa" if question.endswith("?") else "data2text"),
        "build": build,
        "vals": vals,
        "mutate": mutate,
        "domain": domain,
    }


def business(r: random.Random) -> dict[str, Any]:
    cat, noun = r.choice(CUISINE)
    name = f"{r.choice(FIRST)} {r.choice(SECOND)}"
    city, state, postal = r.choice(CITIES)
    hours = make_hours(r)
    attrs_all = {
        "BusinessAcceptsCreditCards": r.random() < 0.8,
        "RestaurantsTakeOut": r.random() < 0.75,
        "RestaurantsDelivery": r.random() < 0.5,
        "GoodForKids": r.random() < 0.6,
        "OutdoorSeating": r.random() < 0.45,
        "RestaurantsReservations": r.random() < 0.4,
        "WheelchairAccessible": r.random() < 0.7,
        "BikeParking": r.random() < 0.5,
        "HasTV": r.random() < 0.5,
    }
    keys = r.sample(sorted(attrs_all), k=r.randint(4, 7))
    attributes: dict[str, Any] = {k: str(attrs_all[k]) for k in keys}
    wifi = r.choice(["u'free'", "'no'", "u'free'", "u'paid'", None])
    if wifi:
        attributes["WiFi"] = wifi
    attributes["RestaurantsPriceRange2"] = str(r.randint(1, 3))
    stars = r.choice([3.0, 3.5, 4.0, 4.5, 5.0])
    reviews = r.randint(9, 1400)
    rec = {
        "business_id": "".join(
            r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(22)
        ),
        "name": name,
        "address": street_address(r),
        "city": city,
        "state": state,
        "postal_code": postal,
        "stars": stars,
        "review_count": reviews,
        "categories": f"{cat}, Restaurants",
        "hours": yelp_hours(hours),
        "attributes": attributes,
        "reviews": [
            {"stars": r.randint(3, 5), "text": r.choice(REVIEW_TEXTS)},
            {"stars": r.randint(2, 5), "text": r.choice(REVIEW_TEXTS)},
        ],
    }
    ts = r.choice([0, 1, 2, 3, 4, 0, 2])
    astyle = r.randint(0, 2)
    r.randint(0, 1)  # unused draw, kept so the seeded stream (and the committed file) stay the same
    bool_keys = [k for k in keys if k in BOOL_PHRASES]
    r.shuffle(bool_keys)
    chosen_bools = bool_keys[: r.randint(1, 3)]
    order = r.sample(["hours", "rating", "attrs"], 3)
    seed = r.random()

    def build(v: dict[str, Any]) -> list[list[Part]]:
        rr = random.Random(seed)
        sents: list[list[Part]] = []
        addr = write_address(v["address"], astyle)
        intro: list[Part] = rr.choice(
            [
                [f"{name} is a {noun} located at ", ("address", addr), " in ", ("city", v["city"]), f", {state}."],
                [f"You'll find {name}, a {noun}, at ", ("address", addr), ", ", ("city", v["city"]), "."],
                [
                    f"{name} sits at ",
                    ("address", addr),
                    " in downtown ",
                    ("city", v["city"]),
                    f", known for its {cat.lower()}.",
                ],
                [f"This {noun}, {name}, is at ", ("address", addr), " (", ("city", v["city"]), f", {state} {postal})."],
            ]
        )
        sents.append(intro)
        stars_txt = f"{v['stars']:g}" if rr.random() < 0.5 else f"{v['stars']:.1f}"
        rc = fmt_count(v["review_count"], 0)
        rating: list[Part] = rr.choice(
            [
                ["It holds a ", ("stars", stars_txt), "-star rating across ", ("review_count", rc), " reviews."],
                [
                    "Reviewers give it ",
                    ("stars", stars_txt),
                    " out of 5 stars, based on ",
                    ("review_count", rc),
                    " reviews.",
                ],
                ["With ", ("review_count", rc), " reviews, it averages ", ("stars", stars_txt), " stars."],
                ["It is rated ", ("stars", stars_txt), " stars by ", ("review_count", rc), " reviewers."],
            ]
        )
        attr_sents: list[list[Part]] = []
        for k in chosen_bools:
            val = v["attr_" + k]
            phrase = rr.choice(BOOL_PHRASES[k][val])
            attr_sents.append([("attr_" + k, phrase[:1].upper() + phrase[1:]), "."])
        if "wifi" in v and rr.random() < 0.7:
            phrase = rr.choice(WIFI_PHRASES[v["wifi"]])
            attr_sents.append([("wifi", phrase[:1].upper() + phrase[1:]), "."])
        hours_part = hours_sentences(rr, v["hours"], rr.choice(["It", name, "The restaurant"]), ts)
        for o in order:
            if o == "hours":
                sents.extend(hours_part)
            elif o == "rating":
                sents.append(rating)
            else:
                sents.extend(attr_sents)
        return sents[:7]

    vals: dict[str, Any] = {
        "address": rec["address"],
        "city": city,
        "stars": stars,
        "review_count": reviews,
        "hours": hours,
    }
    for k in keys:
        vals["attr_" + k] = attrs_all[k]
    if wifi:
        vals["wifi"] = wifi.strip("u'")

    def mutate(slot: str, v: dict[str, Any], text: str) -> tuple[str, str] | None:
        if slot == "address":
            v["address"] = other_number(r, v["address"])
            return "address", "address"
        if slot == "city":
            v["city"] = r.choice([c for c, _, _ in CITIES if c != v["city"]])
            return "name", "city"
        if slot == "stars":
            v["stars"] = r.choice([s for s in (3.0, 3.5, 4.0, 4.5, 5.0) if s != v["stars"]])
            return "number", "stars"
        if slot == "review_count":
            v["review_count"] = v["review_count"] + r.choice([-7, 12, 40, 100, -3])
            return "count", "review_count"
        if slot.startswith("attr_"):
            v[slot] = not v[slot]
            return "boolean", "attributes." + slot[5:]
        if slot == "wifi":
            v["wifi"] = {"free": "no", "no": "free", "paid": "free"}[v["wifi"]]
            return "boolean", "attributes.WiFi"
        new = mutate_hours(r, slot, v["hours"], text, ts)
        if new is None:
            return None
        v["override_" + slot] = new
        return ("weekday" if slot in ("closed_day", "day_span") else "time"), "hours"

    passages = [{"id": "record", "text": json.dumps(rec, indent=r.choice([None, 2]))}]
    q = r.choice(
        [
            f"Write a short description of {name} for our listings page.",
            f"Summarize the business record for {name}.",
            f"A customer asks: what are {name}'s hours and what do they offer?",
            "Turn this business record into a friendly paragraph.",
        ]
    )
    return example("business", passages, q, build, vals, mutate, task="data2text")


BOOL_PHRASES: dict[str, dict[bool, list[str]]] = {
    "BusinessAcceptsCreditCards": {
        True: ["they accept credit cards", "card payments are welcome", "you can pay by credit card"],
        False: ["they don't take credit cards, so bring cash", "it is cash only and does not accept credit cards"],
    },
    "RestaurantsTakeOut": {
        True: ["takeout is available", "you can order take-out", "they offer carry-out"],
        False: ["they don't do takeout", "take-out is not offered"],
    },
    "RestaurantsDelivery": {
        True: ["they also deliver", "delivery is available", "it offers delivery"],
        False: ["there's no delivery", "they do not offer delivery"],
    },
    "GoodForKids": {
        True: ["it's a kid-friendly place", "it is good for kids", "families with children are welcome"],
        False: ["it isn't really kid-friendly", "it is not a great fit for kids"],
    },
    "OutdoorSeating": {
        True: ["there's outdoor seating", "you can sit outside on the patio"],
        False: ["there's no outdoor seating", "seating is indoors only, with no outdoor seating"],
    },
    "RestaurantsReservations": {
        True: ["reservations are accepted", "you can book a table ahead", "they take reservations"],
        False: ["they don't take reservations", "reservations aren't accepted"],
    },
    "WheelchairAccessible": {
        True: ["the space is wheelchair accessible", "it is wheelchair-accessible"],
        False: ["it is not wheelchair accessible"],
    },
    "BikeParking": {
        True: ["bike parking is available out front", "there's bike parking"],
        False: ["there is no bike parking"],
    },
    "HasTV": {
        True: ["there are TVs if you want to catch a game", "it has TVs"],
        False: ["there are no TVs", "it doesn't have a TV"],
    },
}
WIFI_PHRASES = {
    "free": ["free Wi-Fi is available", "guests get free WiFi", "there's complimentary wifi"],
    "no": ["there's no Wi-Fi", "they don't offer WiFi"],
    "paid": ["Wi-Fi is available for a fee", "there is paid WiFi"],
}
REVIEW_TEXTS = [
    "Great food and friendly staff, the wait was a bit long on Saturday night but worth it.",
    "Portions were generous and prices fair. Parking can be tricky at lunch.",
    "Loved the atmosphere. The coffee was excellent and the pastries were fresh.",
    "Service was slow and my order came out cold, but the manager made it right.",
    "Solid spot for a quick bite. Nothing fancy, but consistent every time.",
    "The patio is lovely in the evening and the staff remembered our names.",
]


def order(r: random.Random) -> dict[str, Any]:
    n_items = r.randint(1, 3)
    prods = r.sample(PRODUCTS, n_items)
    items: list[dict[str, Any]] = [
        {"sku": f"SKU-{r.randint(10000, 99999)}", "name": p, "quantity": r.choice([1, 1, 2, 3]), "price": pr}
        for p, pr in prods
    ]
    subtotal = round(sum(i["quantity"] * i["price"] for i in items), 2)
    shipping = r.choice([0.0, 4.99, 7.5, 9.95])
    tax = round(subtotal * r.choice([0.06, 0.0725, 0.08]), 2)
    total = round(subtotal + shipping + tax, 2)
    placed = date(2025, 1, 1) + timedelta(days=r.randint(0, 300))
    ship = placed + timedelta(days=r.randint(1, 3))
    eta = ship + timedelta(days=r.randint(2, 6))
    carrier = r.choice(CARRIERS)
    status = r.choice(["shipped", "in_transit", "delivered"])
    oid = f"ORD-{r.randint(10000, 99999)}"
    rec = {
        "order_id": oid,
        "placed_at": placed.isoformat(),
        "status": status,
        "customer": {"name": r.choice(NAMES), "email": "customer@example.com"},
        "items": items,
        "subtotal": subtotal,
        "shipping": shipping,
        "tax": tax,
        "total": total,
        "currency": "USD",
        "shipment": {
            "carrier": carrier,
            "tracking_number": f"1Z{r.randint(100000, 999999)}{r.randint(1000, 9999)}",
            "ship_date": ship.isoformat(),
            "estimated_delivery": eta.isoformat(),
        },
    }
    ms = r.randint(0, 4)
    ds = r.choice([0, 1, 3, 4, 0, 3])
    cs = r.randint(0, 1)
    seed = r.random()
    vals: dict[str, Any] = {
        "oid": oid,
        "placed": placed,
        "ship": ship,
        "eta": eta,
        "carrier": carrier,
        "total": total,
        "shipping": shipping,
    }
    for i, it in enumerate(items):
        vals[f"q{i}"] = it["quantity"]
        vals[f"p{i}"] = it["price"]

    def build(v: dict[str, Any]) -> list[list[Part]]:
        rr = random.Random(seed)
        sents: list[list[Part]] = []
        sents.append(
            rr.choice(
                [
                    ["Your order ", ("oid", v["oid"]), " was placed on ", ("placed", fmt_date(v["placed"], ds)), "."],
                    [
                        "Thanks for your patience! Order ",
                        ("oid", v["oid"]),
                        ", placed ",
                        ("placed", fmt_date(v["placed"], ds)),
                        ", is on its way.",
                    ]
                    if status != "delivered"
                    else [
                        "Order ",
                        ("oid", v["oid"]),
                        " was placed on ",
                        ("placed", fmt_date(v["placed"], ds)),
                        " and has been delivered.",
                    ],
                    ["I looked up order ", ("oid", v["oid"]), " from ", ("placed", fmt_date(v["placed"], ds)), "."],
                ]
            )
        )
        item_parts: list[Part] = []
        for i, it in enumerate(items):
            q = fmt_count(v[f"q{i}"], cs)
            pr = fmt_money(v[f"p{i}"], ms)
            nm = it["name"]
            if i:
                item_parts.append(" and " if i == len(items) - 1 else ", ")
            form = rr.randint(0, 2)
            if form == 0:
                item_parts += [(f"q{i}", q), f" × {nm} at ", (f"p{i}", pr), " each"]
            elif form == 1:
                item_parts += [
                    (f"q{i}", q),
                    f" {nm}{'s' if v[f'q{i}'] > 1 and not nm.endswith('s') else ''} (",
                    (f"p{i}", pr),
                    " apiece)",
                ]
            else:
                item_parts += [(f"q{i}", q), f" of the {nm}, priced at ", (f"p{i}", pr)]
        sents.append([rr.choice(["It includes ", "The order contains ", "You ordered "]), *item_parts, "."])
        tot = fmt_money(v["total"], ms)
        if v["shipping"] == 0:
            sents.append(
                rr.choice(
                    [
                        ["The total came to ", ("total", tot), ", and shipping was free."],
                        ["You were charged ", ("total", tot), " in total, with free shipping."],
                    ]
                )
            )
        else:
            sh = fmt_money(v["shipping"], ms)
            sents.append(
                rr.choice(
                    [
                        [
                            "The order total is ",
                            ("total", tot),
                            ", which includes ",
                            ("shipping", sh),
                            " for shipping.",
                        ],
                        [
                            "Including ",
                            ("shipping", sh),
                            " shipping and tax, the grand total was ",
                            ("total", tot),
                            ".",
                        ],
                    ]
                )
            )
        shp = fmt_date(v["ship"], ds)
        eta_t = fmt_date(v["eta"], ds)
        sents.append(
            rr.choice(
                [
                    [
                        "It shipped with ",
                        ("carrier", v["carrier"]),
                        " on ",
                        ("ship", shp),
                        " and should arrive by ",
                        ("eta", eta_t),
                        ".",
                    ],
                    [
                        ("carrier", v["carrier"]),
                        " picked it up on ",
                        ("ship", shp),
                        "; the estimated delivery date is ",
                        ("eta", eta_t),
                        ".",
                    ],
                    [
                        "The package left our warehouse on ",
                        ("ship", shp),
                        " via ",
                        ("carrier", v["carrier"]),
                        ", with delivery expected on ",
                        ("eta", eta_t),
                        ".",
                    ],
                ]
            )
        )
        if rr.random() < 0.3:
            sents.append(["You can track it with the tracking number in your confirmation email."])
        return sents

    def mutate(slot: str, v: dict[str, Any], text: str) -> tuple[str, str] | None:
        if slot in ("placed", "ship", "eta"):
            v[slot] = v[slot] + timedelta(days=r.choice([-2, -1, 1, 2, 3, 7]))
            path = {"placed": "placed_at", "ship": "shipment.ship_date", "eta": "shipment.estimated_delivery"}[slot]
            return "date", path
        if slot == "total":
            v["total"] = round(v["total"] + r.choice([-10.0, 5.0, 10.0, 20.0, 1.0, -3.5]), 2)
            return "money", "total"
        if slot == "shipping":
            v["shipping"] = round(v["shipping"] + r.choice([1.0, 2.0, 5.0]), 2)
            return "money", "shipping"
        if slot.startswith("p"):
            i = int(slot[1:])
            v[slot] = round(v[slot] + r.choice([-5.0, 5.0, 10.0, 2.5]), 2)
            return "money", f"items[{i}].price"
        if slot.startswith("q"):
            i = int(slot[1:])
            v[slot] = v[slot] + r.choice([1, 2]) if v[slot] < 3 else v[slot] - 1
            return "count", f"items[{i}].quantity"
        if slot == "carrier":
            v["carrier"] = r.choice([c for c in CARRIERS if c != v["carrier"]])
            return "name", "shipment.carrier"
        if slot == "oid":
            v["oid"] = f"ORD-{int(v['oid'][4:]) + r.choice([1, -1, 10, 100])}"
            return "id", "order_id"
        return None

    passages = [{"id": "record", "text": json.dumps(rec, indent=r.choice([None, 2]))}]
    if r.random() < 0.4:
        passages.append({"id": "policy", "text": RETURN_POLICY})
    q = r.choice(
        [
            f"Where is my order {oid}?",
            "Can you tell me what I ordered and when it will arrive?",
            "Hi, I haven't received my package yet. What's the status?",
            "Please summarize this order for the customer.",
        ]
    )
    return example("order", passages, q, build, vals, mutate)


RETURN_POLICY = (
    "Returns are accepted within 30 days of delivery for unused items in their original packaging. "
    "Refunds are issued to the original payment method within 5-7 business days after we receive the return."
)


def account(r: random.Random) -> dict[str, Any]:
    plan = r.choice(PLANS)
    seats = r.choice([3, 5, 10, 12, 25, 50])
    used = r.randint(1, seats)
    balance = r.choice([0.0, 120.0, 1200.0, 349.5, 2400.0, 89.99, 1875.25])
    renew = date(2025, 1, 1) + timedelta(days=r.randint(30, 500))
    since = date(2019, 1, 1) + timedelta(days=r.randint(0, 1800))
    auto = r.random() < 0.6
    cycle = r.choice(["Annual", "Monthly"])
    term = r.choice([12, 24, 36])
    name = r.choice(COMPANIES)
    email = f"billing@{name.split()[0].lower()}.example.com"
    acct = f"ACC-{r.randint(100000, 999999)}"
    lines = [
        f"Account ID: {acct}",
        f"Company: {name}",
        f"Billing email: {email}",
        f"Plan: {plan}",
        f"Billing cycle: {cycle}",
        f"Seats: {seats}",
        f"Seats used: {used}",
        f"Balance due: ${balance:,.2f}" if r.random() < 0.5 else f"Balance due: {balance:.2f} USD",
        f"Renewal date: {renew.isoformat()}",
        f"Auto-renew: {'yes' if auto else 'no'}" if r.random() < 0.5 else f"Auto renew: {'true' if auto else 'false'}",
        f"Contract term: {term} months",
        f"Customer since: {since.isoformat()}",
    ]
    text = "\n".join(lines)
    ms = r.randint(0, 4)
    ds = r.choice([0, 1, 2, 4])
    cs = r.randint(0, 1)
    seed = r.random()
    vals: dict[str, Any] = {
        "plan": plan,
        "seats": seats,
        "used": used,
        "balance": balance,
        "renew": renew,
        "auto": auto,
        "term": term,
        "since": since,
    }

    def term_text(m: int, style: int) -> str:
        if style == 0:
            return f"{m} months"
        years = {12: "one year", 24: "two years", 36: "three years"}.get(m)
        if years is None:
            return f"{m} months"
        return years if style == 1 else years.replace(" ", "-").replace("years", "year").replace("one-year", "12-month")

    tstyle = r.randint(0, 2)

    def build(v: dict[str, Any]) -> list[list[Part]]:
        rr = random.Random(seed)
        s: list[list[Part]] = []
        s.append(
            rr.choice(
                [
                    [
                        f"{name} is on the ",
                        ("plan", v["plan"]),
                        " plan with ",
                        ("seats", fmt_count(v["seats"], cs)),
                        " seats, ",
                        ("used", fmt_count(v["used"], cs)),
                        " of which are in use.",
                    ],
                    [
                        "Your team is subscribed to ",
                        ("plan", v["plan"]),
                        " and has ",
                        ("seats", fmt_count(v["seats"], cs)),
                        " seats in total.",
                    ],
                    [
                        "The account currently has ",
                        ("used", fmt_count(v["used"], cs)),
                        " of ",
                        ("seats", fmt_count(v["seats"], cs)),
                        " seats assigned on the ",
                        ("plan", v["plan"]),
                        " plan.",
                    ],
                ]
            )
        )
        bal = fmt_money(v["balance"], ms)
        if v["balance"] == 0:
            s.append(
                rr.choice(
                    [
                        ["There is no outstanding balance."],
                        ["Your balance is ", ("balance", bal), ", so nothing is due right now."],
                    ]
                )
            )
        else:
            s.append(
                rr.choice(
                    [
                        ["The outstanding balance is ", ("balance", bal), "."],
                        ["You currently owe ", ("balance", bal), "."],
                    ]
                )
            )
        rd = fmt_date(v["renew"], ds)
        if v["auto"]:
            s.append(
                rr.choice(
                    [
                        [
                            "Your subscription renews on ",
                            ("renew", rd),
                            ", and ",
                            ("auto", "auto-renew is turned on"),
                            ".",
                        ],
                        [
                            "The plan is set to renew on ",
                            ("renew", rd),
                            "; ",
                            ("auto", "it will renew automatically"),
                            ".",
                        ],
                    ]
                )
            )
        else:
            s.append(
                rr.choice(
                    [
                        [
                            "The renewal date is ",
                            ("renew", rd),
                            ", but ",
                            ("auto", "auto-renew is turned off"),
                            ", so you'll need to renew manually.",
                        ],
                        [
                            "Your plan comes up for renewal on ",
                            ("renew", rd),
                            "; ",
                            ("auto", "it will not renew automatically"),
                            ".",
                        ],
                    ]
                )
            )
        if rr.random() < 0.6:
            if tstyle == 2:
                s.append(["You're on a ", ("term", term_text(v["term"], 2)), " contract."])
            else:
                s.append(
                    rr.choice(
                        [
                            ["The contract term is ", ("term", term_text(v["term"], tstyle)), "."],
                            ["Your contract runs for ", ("term", term_text(v["term"], tstyle)), "."],
                        ]
                    )
                )
        if rr.random() < 0.5:
            s.append([f"{name} has been a customer since ", ("since", fmt_date(v["since"], ds)), "."])
        return s

    def mutate(slot: str, v: dict[str, Any], text: str) -> tuple[str, str] | None:
        if slot == "plan":
            v["plan"] = r.choice([p for p in PLANS if p != v["plan"]])
            return "name", "Plan"
        if slot == "seats":
            v["seats"] = v["seats"] + r.choice([1, 2, 5, -1])
            return "count", "Seats"
        if slot == "used":
            v["used"] = v["used"] + 1 if v["used"] < v["seats"] - 1 else max(1, v["used"] - 1)
            if v["used"] == vals["used"]:
                return None
            return "count", "Seats used"
        if slot == "balance":
            v["balance"] = round(v["balance"] + r.choice([100.0, -20.0, 50.0, 200.0]), 2)
            if v["balance"] <= 0:
                v["balance"] = 75.0
            return "money", "Balance due"
        if slot in ("renew", "since"):
            v[slot] = v[slot] + timedelta(days=r.choice([-1, 1, 7, 30, -30]))
            return "date", "Renewal date" if slot == "renew" else "Customer since"
        if slot == "auto":
            v["auto"] = not v["auto"]
            return "boolean", "Auto-renew"
        if slot == "term":
            v["term"] = r.choice([t for t in (12, 24, 36) if t != v["term"]])
            return "count", "Contract term"
        return None

    q = r.choice(
        [
            "When does my subscription renew, and how many seats do we have?",
            "Can you give me an overview of our account?",
            "Summarize this customer's account status.",
            "Do we owe anything right now?",
        ]
    )
    return example("account", [{"id": "record", "text": text}], q, build, vals, mutate)


def plan(r: random.Random) -> dict[str, Any]:
    tiers = ["Starter", "Team", "Pro", "Business", "Enterprise"]
    names = sorted(r.sample(tiers, 3), key=tiers.index)
    prices = sorted(r.sample([9, 12, 15, 19, 29, 39, 49, 79, 99, 149], 3))
    users = sorted(r.sample([1, 3, 5, 10, 25, 50, 100], 3))
    storage = sorted(r.sample([10, 50, 100, 250, 500, 1000], 3))
    trial = r.choice([7, 14, 30])
    rows = []
    for i in range(3):
        rows.append(
            {
                "plan": names[i],
                "price_per_month": prices[i],
                "max_users": users[i],
                "storage_gb": storage[i],
                "trial_days": trial,
                "sso": i == 2 or (i == 1 and r.random() < 0.3),
                "priority_support": i >= 1 and r.random() < 0.7,
            }
        )
    focus = r.randint(0, 2)
    fmt = r.choice(["json", "json", "table"])
    if fmt == "json":
        if r.random() < 0.5:
            text = json.dumps({"plans": rows}, indent=2)
        else:
            # a single plan record
            rows = [rows[focus]]
            focus = 0
            text = json.dumps(rows[0], indent=2)
    else:
        header = "| Plan | Price per month | Max users | Storage (GB) | Trial days | SSO | Priority support |"
        sep = "|---|---|---|---|---|---|---|"
        body = [
            f"| {x['plan']} | ${x['price_per_month']} | {x['max_users']} | {x['storage_gb']} | {x['trial_days']} | "
            f"{'yes' if x['sso'] else 'no'} | {'yes' if x['priority_support'] else 'no'} |"
            for x in rows
        ]
        text = "\n".join([header, sep, *body])
    p = rows[focus]
    ms = r.randint(0, 4)
    cs = r.randint(0, 1)
    seed = r.random()
    vals: dict[str, Any] = {
        "price": p["price_per_month"],
        "users": p["max_users"],
        "storage": p["storage_gb"],
        "trial": trial,
        "sso": p["sso"],
        "ps": p["priority_support"],
    }
    pname = p["plan"]

    def build(v: dict[str, Any]) -> list[list[Part]]:
        rr = random.Random(seed)
        s: list[list[Part]] = []
        price = fmt_money(float(v["price"]), ms)
        s.append(
            rr.choice(
                [
                    [
                        f"The {pname} plan costs ",
                        ("price", price),
                        " per month and supports up to ",
                        ("users", fmt_count(v["users"], cs)),
                        " users.",
                    ],
                    [
                        f"{pname} is priced at ",
                        ("price", price),
                        " a month, for teams of up to ",
                        ("users", fmt_count(v["users"], cs)),
                        " users.",
                    ],
                    [
                        "For ",
                        ("price", price),
                        f" monthly, {pname} gives you room for ",
                        ("users", fmt_count(v["users"], cs)),
                        " users.",
                    ],
                ]
            )
        )
        st = f"{v['storage']} GB" if v["storage"] < 1000 else rr.choice(["1,000 GB", "1000 GB"])
        s.append(
            rr.choice(
                [
                    ["It includes ", ("storage", st), " of storage."],
                    ["Each workspace gets ", ("storage", st), " of storage."],
                ]
            )
        )
        tr = v["trial"]
        s.append(
            rr.choice(
                [
                    ["You can try it free for ", ("trial", f"{fmt_count(tr, cs)} days"), "."],
                    ["There's a ", ("trial", f"{tr}-day"), " free trial."],
                    ["New customers get a ", ("trial", f"{tr}-day"), " trial before billing starts."],
                ]
            )
        )
        feats: list[list[Part]] = []
        feats.append(
            [("sso", "Single sign-on (SSO) is included" if v["sso"] else "SSO is not included on this plan"), "."]
        )
        feats.append(
            [
                (
                    "ps",
                    "Priority support is part of the package" if v["ps"] else "It does not come with priority support",
                ),
                ".",
            ]
        )
        rr.shuffle(feats)
        s.extend(feats[: rr.randint(1, 2)])
        return s

    def mutate(slot: str, v: dict[str, Any], text: str) -> tuple[str, str] | None:
        path_pre = (
            f"plans[{focus}]." if fmt == "json" and len(rows) > 1 else (f"rows[{focus}]." if fmt == "table" else "")
        )
        if slot == "price":
            v["price"] = v["price"] + r.choice([5, 10, -2, 20])
            return "money", path_pre + "price_per_month"
        if slot == "users":
            v["users"] = v["users"] + r.choice([5, 10, 2]) if v["users"] > 1 else 2
            return "count", path_pre + "max_users"
        if slot == "storage":
            v["storage"] = v["storage"] * 2
            return "count", path_pre + "storage_gb"
        if slot == "trial":
            v["trial"] = {7: 14, 14: 30, 30: 14}[v["trial"]]
            return "count", path_pre + "trial_days"
        if slot in ("sso", "ps"):
            v[slot] = not v[slot]
            return "boolean", path_pre + ("sso" if slot == "sso" else "priority_support")
        return None

    q = r.choice(
        [
            f"What do I get with the {pname} plan?",
            f"How much is {pname} and is there a free trial?",
            f"Describe the {pname} plan for the pricing page.",
        ]
    )
    return example("plan", [{"id": "record", "text": text}], q, build, vals, mutate)


def store(r: random.Random) -> dict[str, Any]:
    brand = r.choice(
        ["Fresh Market", "PageTurner Books", "Cycle Works", "Paws & Claws", "Brew Supply", "QuickFix Phones"]
    )
    city, state, postal = r.choice(CITIES)
    addr = street_address(r, with_unit=r.random() < 0.4)
    hours = make_hours(r)
    phone = f"({r.randint(200, 989)}) {r.randint(200, 989)}-{r.randint(1000, 9999)}"
    fmt = r.choice(["kv", "kv", "table"])
    if fmt == "kv":
        lines = [
            f"Store: {brand} {city}",
            f"Address: {addr}",
            f"City: {city}",
            f"State: {state}",
            f"Phone: {phone}",
            "Hours:",
        ]
        for d in range(7):
            if d in hours:
                o, c = hours[d]
                lines.append(f"  {DAYS[d]}: {o // 60:02d}:{o % 60:02d}-{c // 60:02d}:{c % 60:02d}")
            else:
                lines.append(f"  {DAYS[d]}: Closed")
        text = "\n".join(lines)
    else:
        rows = ["| Day | Hours |", "|---|---|"]
        for d in range(7):
            if d in hours:
                o, c = hours[d]
                rows.append(f"| {DAYS[d]} | {fmt_time(o, 3)} - {fmt_time(c, 3)} |")
            else:
                rows.append(f"| {DAYS[d]} | Closed |")
        text = f"{brand} — {addr}, {city}, {state} {postal}. Phone {phone}.\n\n" + "\n".join(rows)
        text = (
            "\n".join(rows) + f"\n\nAddress: {addr}, {city}, {state} {postal}\nPhone: {phone}"
            if r.random() < 0.5
            else text
        )
    ts = r.choice([0, 1, 2, 3, 4, 5])
    astyle = r.randint(0, 2)
    seed = r.random()
    vals: dict[str, Any] = {"address": addr, "hours": hours, "phone": phone}

    def build(v: dict[str, Any]) -> list[list[Part]]:
        rr = random.Random(seed)
        s: list[list[Part]] = []
        a = write_address(v["address"], astyle)
        s.append(
            rr.choice(
                [
                    [f"Our {city} store is at ", ("address", a), "."],
                    [f"The {brand} location in {city} is located at ", ("address", a), "."],
                    ["You can find us at ", ("address", a), f" in {city}, {state}."],
                ]
            )
        )
        s.extend(
            hours_sentences(rr, v["hours"], rr.choice(["The store", "It", "We're"]).replace("We're", "The shop"), ts)
        )
        if rr.random() < 0.6:
            s.append(
                rr.choice(
                    [
                        ["If you have questions, call ", ("phone", v["phone"]), "."],
                        ["The store's phone number is ", ("phone", v["phone"]), "."],
                    ]
                )
            )
        return s

    def mutate(slot: str, v: dict[str, Any], text: str) -> tuple[str, str] | None:
        if slot == "address":
            v["address"] = other_number(r, v["address"])
            return "address", "Address"
        if slot == "phone":
            digits = list(v["phone"])
            idx = [i for i, ch in enumerate(digits) if ch.isdigit()][-r.randint(1, 4)]
            digits[idx] = str((int(digits[idx]) + r.randint(1, 8)) % 10)
            v["phone"] = "".join(digits)
            return "phone", "Phone"
        new = mutate_hours(r, slot, v["hours"], text, ts)
        if new is None:
            return None
        v["override_" + slot] = new
        return ("weekday" if slot in ("closed_day", "day_span") else "time"), "hours"

    q = r.choice(
        [
            f"What are the hours for the {city} store?",
            "Where is the store and when is it open?",
            "Write a short location blurb for this store.",
            "Is the store open on weekends?",
        ]
    )
    return example("store", [{"id": "record", "text": text}], q, build, vals, mutate)


DOMAINS = [business, order, account, plan, store]


def apply_overrides(parts: list[Part], v: dict[str, Any]) -> list[Part]:
    out: list[Part] = []
    for p in parts:
        if isinstance(p, tuple) and "override_" + p[0] in v:
            out.append((p[0], v["override_" + p[0]]))
        else:
            out.append(p)
    return out


def make_record(r: random.Random, n: int, bad: bool) -> dict[str, Any] | None:
    dom = DOMAINS[n % len(DOMAINS)](r)
    vals = dom["vals"]
    good_parts = join_sentences(dom["build"](dict(vals)))
    good_text, good_slots = render(good_parts)
    label = 0
    spans: list[dict[str, Any]] = []
    meta: dict[str, Any] = {"domain": dom["domain"]}
    text = good_text
    if bad:
        candidates = [k for k, occ in good_slots.items() if len(occ) == 1]
        r.shuffle(candidates)
        for slot in candidates:
            v = dict(vals)
            s0, e0 = good_slots[slot][0]
            res = dom["mutate"](slot, v, good_text[s0:e0])
            if res is None:
                continue
            kind, path = res
            parts = apply_overrides(join_sentences(dom["build"](v)), v)
            text, slots = render(parts)
            if slot not in slots or text == good_text:
                continue
            s, e = slots[slot][0]
            if text[s:e] == good_text[s0:e0]:
                continue
            label = 1
            spans = [{"start": s, "end": e, "label": "wrong_value", "text": text[s:e]}]
            meta.update({"kind": kind, "field": path})
            break
        if not label:
            return None
    else:
        meta.update({"kind": None, "field": None})
    return {
        "id": f"structured:{n}",
        "dataset": "structured",
        "task": dom["task"],
        "question": dom["question"],
        "passages": dom["passages"],
        "response": text,
        "label": label,
        "spans": spans,
        "meta": meta,
    }


def generate(seed: int, n: int) -> list[dict[str, Any]]:
    r = random.Random(seed)
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < n and i < n * 3:
        bad = r.random() < 0.5
        rec = make_record(r, len(out), bad)
        i += 1
        if rec is not None:
            out.append(rec)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--n", type=int, default=260)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    recs = generate(args.seed, args.n)
    with open(args.out, "w", encoding="utf-8") as fh:
        for rec in recs:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    bad = sum(r["label"] for r in recs)
    print(f"wrote {len(recs)} records ({bad} with a wrong value) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
