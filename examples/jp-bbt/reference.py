#!/usr/bin/env python3
"""Independent reference for Plan B (Japanese board benefit trust points, clauses B1-B7).

Reads an inputs file of rules/jp-bbt and prints every value the plan reports, exactly,
and the balances the year hands to the next (B5). It shares nothing with hoshu but the
inputs files: the clauses are coded here a second time, by hand, with exact rational
arithmetic (fractions.Fraction; TOML decimals are read from their text, never through a
binary float).

    python3 examples/jp-bbt/reference.py examples/jp-bbt/fy2025.toml
    python3 examples/jp-bbt/reference.py examples/jp-bbt/fy2026.toml --carry-from examples/jp-bbt/fy2025.toml

`--carry-from FILE …` computes those years first, in the order given, each carrying into
the next, and opens this year with the balances the last of them hands on — what
`hoshu eval … --carry RESULT.json` does with that year's result.

Values are printed as hoshu writes exact values in JSON: an integer, a terminating
decimal ("0.92"), or a fraction ("14/15", followed by "≈ 0.933333" for the reader).
"""
import datetime as dt
import sys
import tomllib
from fractions import Fraction as Q

# ----------------------------------------------------------------------------------------
# The plan's constants (rules/jp-bbt).
BASE_POINTS = {"会長": 10_000, "社長": 12_000, "副社長": 8_000, "専務": 6_000, "常務": 4_500, "取締役": 3_000}  # B1
TRUST_LIMIT = 50_000          # B4, points a year
SHARES_PER_POINT = 1          # B7
SHARE_PORTION = Q(7, 10)      # B7
TRADING_UNIT = 100            # B7, shares


def operating_profit_coefficient(a):
    """B2: below 70% 0; 70%-100% linear 0.5-1.0; 100%-130% linear 1.0-1.5; above 130% 1.5."""
    if a < Q(7, 10):
        return Q(0)
    if a <= 1:
        return Q(1, 2) + (a - Q(7, 10)) / Q(3, 10) * Q(1, 2)
    if a <= Q(13, 10):
        return 1 + (a - 1) / Q(3, 10) * Q(1, 2)
    return Q(3, 2)


def roe_step(roe):
    """B2: ROE below 8%: 0.9; 8% to below 10%: 1.0; 10% and above: 1.1."""
    if roe < Q(8, 100):
        return Q(9, 10)
    if roe < Q(10, 100):
        return Q(1)
    return Q(11, 10)


def floor(x):
    x = Q(x)
    return x.numerator // x.denominator


def floor_to(x, unit):
    return floor(Q(x) / unit) * unit


def q(v):
    if isinstance(v, bool):
        raise TypeError(v)
    return Q(v) if isinstance(v, (int, Q)) else Q(str(v))


def year_before(y):
    assert y.startswith("FY")
    return f"FY{int(y[2:]) - 1}"


def text(v):
    """An exact value as hoshu's JSON writes it, plus an approximation when it does not terminate."""
    if isinstance(v, float):
        raise TypeError("a binary float reached the output")   # never: every value is exact
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return f'"{v}"'
    v = Q(v)
    if v.denominator == 1:
        return str(v.numerator)
    den = v.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2; twos += 1
    while den % 5 == 0:
        den //= 5; fives += 1
    if den == 1:
        places = max(twos, fives)
        scaled = abs(v) * 10**places
        digits = str(scaled.numerator // scaled.denominator).rjust(places + 1, "0")
        return ("-" if v < 0 else "") + digits[:-places] + "." + digits[-places:]
    scaled = abs(v) * 10**6
    r = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    approx = ("-" if v < 0 else "") + f"{r // 10**6}.{r % 10**6:06d}"
    return f"{v.numerator}/{v.denominator} ≈ {approx}"


def evaluate(path, carried, out, carried_from=()):
    """One fiscal year. `carried` is the list of balance records the year before handed on
    (None for a year evaluated without --carry). Returns the records this year hands on."""
    with open(path, "rb") as f:
        inp = tomllib.load(f, parse_float=Q)

    def show(name, value, unit=""):
        if out:
            print(f"  {name:<44} = {text(value)}{(' ' + unit) if unit else ''}")

    year = inp["fiscal_year"]
    closes = {r["date"]: q(r["close"]) for r in inp["closes"]}
    if out:
        print(f"# Plan B (rules/jp-bbt) on {path}, computed by examples/jp-bbt/reference.py.")
        print("# Names are those of the rule files. Exact values: an integer, a terminating decimal,")
        print("# or a fraction p/q (≈ its value to 6 places, for the reader).")
        if carried_from:
            print(f"# Opening balances: those handed on by the result of {' then '.join(carried_from)}.")
        print("plan")
    show("fiscal_year", year)
    year_start = inp["year_start"]
    year_end = dt.date(year_start.year + 1, year_start.month, year_start.day) - dt.timedelta(days=1)
    show("year_end", year_end)

    # B2: the performance coefficient.
    r = inp["results"]
    achievement = q(r["operating_profit"]) / q(r["operating_profit_plan"])
    op_coeff = operating_profit_coefficient(achievement)
    roe_coeff = roe_step(q(r["roe"]))
    coefficient = op_coeff * roe_coeff
    show("achievement", achievement)
    show("operating_profit_coefficient(achievement)", op_coeff)
    show("roe_step(roe)", roe_coeff)
    show("performance_coefficient", coefficient)

    # B5: last year's balances, as carried.
    if carried is not None and "balances" in inp:
        sys.exit("the inputs may not list balances when they are carried")
    balances = carried if carried is not None else []
    opening = {}
    ids = [d["id"] for d in inp["directors"]]
    for b in balances:
        if b["director"] not in ids:
            sys.exit(f"a carried balance names {b['director']}, who is not a director this year")
        if b["fiscal_year"] != year_before(year):
            sys.exit(f"balance of {b['director']} carried from {b['fiscal_year']}, not {year_before(year)}")
        opening[b["director"]] = opening.get(b["director"], 0) + b["closing_points"]

    # B1, B3: points requested.
    requested = {}
    for d in inp["directors"]:
        base = BASE_POINTS[d["position"]]
        months = q(d["months_in_office"])
        requested[d["id"]] = floor(base * months / 12 * coefficient)
    requested_total = sum(requested.values())

    # B4: the trust limit, one factor for everyone, each rounded down.
    if requested_total > TRUST_LIMIT:
        factor = Q(TRUST_LIMIT, requested_total)
        earned = {k: floor(v * factor) for k, v in requested.items()}
        status = f"scaled by {text(factor)}"
    else:
        factor = None
        earned = dict(requested)
        status = "ok"
    granted_total = sum(earned.values())
    show("requested_total", requested_total, "points")
    show("granted_total", granted_total, "points")
    if out:
        print(f"  limit trust_points: {granted_total} points <= {TRUST_LIMIT} points, {status}")

    handed_on = []
    totals = {"delivered_shares": 0, "cash_yen": 0}
    for d in inp["directors"]:
        i = d["id"]
        if out:
            print(f"director {i}")
        misconduct = d.get("misconduct", False)
        cut = q(d["malus_cut"]) if "malus_cut" in d else None
        if misconduct and cut is not None:
            sys.exit(f"{i}: misconduct and a board cut together")
        open_ = opening.get(i, 0)
        before = open_ + earned[i]
        if misconduct:                                   # B6: the whole balance
            forfeited = before
        elif cut is not None:                            # B6: a board-resolved cut, rounded down
            forfeited = floor(before * cut)
        else:
            forfeited = 0
        balance = before - forfeited                     # B5
        retired_on = d.get("retired_on")
        if retired_on is not None:                       # B7
            entitlement = balance * SHARES_PER_POINT
            delivered = floor_to(entitlement * SHARE_PORTION, TRADING_UNIT)
            cash_shares = entitlement - delivered
            close = closes.get(retired_on)
            if close is None:
                sys.exit(f"{i}: no close on {retired_on}")
            cash = cash_shares * close
            points_delivered = balance
        else:
            entitlement = delivered = cash_shares = 0
            cash = Q(0)
            close = None
            points_delivered = 0
        closing = balance - points_delivered
        show("position", d["position"])
        show("opening_balance", open_, "points")
        show("requested_points", requested[i], "points")
        show("earned_points", earned[i], "points")
        show("points_forfeited", forfeited, "points")
        show("balance", balance, "points")
        show("entitlement", entitlement, "shares")
        show("delivered_shares", delivered, "shares")
        show("cash_shares", cash_shares, "shares")
        if close is not None:
            show("retirement_close", close, "JPY per share")
        show("cash_yen", cash, "JPY")
        show("closing_balance", closing, "points")
        totals["delivered_shares"] += delivered
        totals["cash_yen"] += cash
        if closing > 0:
            handed_on.append({"director": i, "fiscal_year": year, "closing_points": closing})
    if out:
        print("totals")
    show("delivered_shares_total", totals["delivered_shares"], "shares")
    show("cash_yen_total", totals["cash_yen"], "JPY")
    if out:
        print("carry balances")
        for b in handed_on:
            print(f'  {{ director = "{b["director"]}", fiscal_year = "{b["fiscal_year"]}", closing_points = {b["closing_points"]} }}')
    return handed_on


def main(argv):
    if len(argv) < 1 or (len(argv) > 1 and argv[1] != "--carry-from") or len(argv) == 2:
        sys.exit("usage: reference.py INPUTS.toml [--carry-from EARLIER.toml …]")
    carried = None
    for earlier in argv[2:]:
        carried = evaluate(earlier, carried, out=False)
    evaluate(argv[0], carried, out=True, carried_from=argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
