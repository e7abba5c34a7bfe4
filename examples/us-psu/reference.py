#!/usr/bin/env python3
"""Independent reference for Plan A (US performance share units, clauses A1-A10).

Reads an inputs file of rules/us-psu and prints every value the plan reports, exactly.
It shares nothing with hoshu but the inputs file: the clauses of the plan are coded here a
second time, by hand, with exact rational arithmetic (fractions.Fraction; TOML decimals are
read from their text, never through a binary float).

    python3 examples/us-psu/reference.py examples/us-psu/fy2026.toml

Values are printed as hoshu writes exact values in JSON: an integer, a terminating
decimal ("0.3025"), or a fraction ("9/14", followed by "≈ 0.642857" for the reader).
"""
import calendar
import datetime as dt
import sys
import tomllib
from fractions import Fraction as Q

# ----------------------------------------------------------------------------------------
# The plan's constants (rules/us-psu).
PERIOD_MONTHS = 36            # A2: three fiscal years; A9: "÷ 36"
TSR_WEIGHT = Q(1, 2)          # A2, A6
EPS_WEIGHT = Q(1, 2)
AVERAGE_DAYS = 20             # A1, A3
VALUE_CAP_MULTIPLE = 6        # A7
PEER_COUNT = 15               # A3


def tsr_curve(p):
    """A3: below the 25th percentile 0%; 25th 50%; 50th 100%; 75th and above 200%."""
    if p < Q(1, 4):
        return Q(0)
    if p <= Q(1, 2):
        return Q(1, 2) + (p - Q(1, 4)) / Q(1, 4) * Q(1, 2)
    if p < Q(3, 4):
        return 1 + (p - Q(1, 2)) / Q(1, 4) * 1
    return Q(2)


def eps_curve(a):
    """A5: below 90% 0%; 90% 50%; 100% 100%; 115% and above 200%."""
    if a < Q(9, 10):
        return Q(0)
    if a <= 1:
        return Q(1, 2) + (a - Q(9, 10)) / Q(1, 10) * Q(1, 2)
    if a < Q(115, 100):
        return 1 + (a - 1) / Q(15, 100) * 1
    return Q(2)


# ----------------------------------------------------------------------------------------
# Dates and series.
def add_months(d, n):
    """d + n months, the day clamped to the end of a shorter month."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def months_between(a, b):
    """Whole months from a to b: the largest n with a + n months <= b."""
    n = (b.year - a.year) * 12 + (b.month - a.month)
    while n > 0 and add_months(a, n) > b:
        n -= 1
    while add_months(a, n + 1) <= b:
        n += 1
    return n


def series(rows, value_key):
    out = [(r["date"], q(r[value_key])) for r in rows]
    for (d1, _), (d2, _) in zip(out, out[1:]):
        if not d1 < d2:
            sys.exit(f"series out of order at {d2}")
    return out


def mean_of_last(s, n, d, inclusive):
    window = [v for (x, v) in s if (x <= d if inclusive else x < d)][-n:]
    if len(window) < n:
        sys.exit(f"fewer than {n} entries before {d}")
    return sum(window, Q(0)) / n


def last_date(s, n, d, inclusive):
    return [x for (x, _) in s if (x <= d if inclusive else x < d)][-1]


def on(s, d):
    for x, v in s:
        if x == d:
            return v
    sys.exit(f"no entry dated {d}")


def floor(x):
    return x.numerator // x.denominator


def q(v):
    if isinstance(v, bool):
        raise TypeError(v)
    return Q(v) if isinstance(v, (int, Q)) else Q(str(v))


# ----------------------------------------------------------------------------------------
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
    # Not terminating: the fraction, and 6 decimals rounded half away from zero (integers only).
    scaled = abs(v) * 10**6
    r = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    approx = ("-" if v < 0 else "") + f"{r // 10**6}.{r % 10**6:06d}"
    return f"{v.numerator}/{v.denominator} ≈ {approx}"


def show(name, value, unit=""):
    print(f"  {name:<32} = {text(value)}{(' ' + unit) if unit else ''}")


def main(path):
    with open(path, "rb") as f:
        inp = tomllib.load(f, parse_float=Q)   # a TOML decimal is read from its text, exactly

    period_start = inp["period_start"]
    period_end = inp["period_end"]
    grant_date = inp["grant_date"]
    vesting_date = inp["vesting_date"]
    close = series(inp["closes"], "close")
    dividend = series(inp["dividends"], "amount")

    print(f"# Plan A (rules/us-psu) on {path}, computed by examples/us-psu/reference.py.")
    print("# Names are those of the rule files. Exact values: an integer, a terminating decimal,")
    print("# or a fraction p/q (≈ its value to 6 places, for the reader).")
    print("plan")
    # A2: the performance period is three fiscal years (36 months).
    period_months = months_between(period_start, period_end + dt.timedelta(days=1))
    show("performance_months", period_months, "months")
    show("fiscal_years_listed", len(inp["fiscal_years"]))

    # A1: the 20 trading-day closes up to and including the last trading day before the grant date.
    grant_average = mean_of_last(close, AVERAGE_DAYS, grant_date, inclusive=False)
    show("grant_window_last_day", last_date(close, AVERAGE_DAYS, grant_date, inclusive=False))
    show("grant_average", grant_average, "USD per share")

    # A3: the company's TSR.
    start_average = mean_of_last(close, AVERAGE_DAYS, period_start, inclusive=False)
    end_average = mean_of_last(close, AVERAGE_DAYS, period_end, inclusive=True)
    period_dividends = sum((v for (d, v) in dividend if period_start <= d <= period_end), Q(0))
    company_tsr = (end_average - start_average + period_dividends) / start_average
    show("start_average", start_average, "USD per share")
    show("end_average", end_average, "USD per share")
    show("period_dividends", period_dividends, "USD per share")
    show("company_tsr", company_tsr)

    peers = inp["peers"]
    peer_tsr = {}
    for p in peers:
        s, e, dv = q(p["start_average"]), q(p["end_average"]), q(p["dividends"])
        peer_tsr[p["name"]] = (e - s + dv) / s
    n = len(peers)
    lower = sum(1 for t in peer_tsr.values() if t < company_tsr)
    tied = sum(1 for t in peer_tsr.values() if t == company_tsr)
    higher = n - lower - tied
    percentile = Q(lower, n - 1)       # a tie counts as not lower
    rank = 1 + higher + tied           # among the company and its peers, highest first, ties worst
    show("peer_count", n)
    show("peers_below", lower)
    show("peers_tied", tied)
    show("percentile", percentile)
    show("company_rank", rank)
    curve = tsr_curve(percentile)
    show("tsr_payout_curve(percentile)", curve)
    # A4: a negative company TSR caps the TSR payout at 100%.
    tsr_payout = min(curve, Q(1)) if company_tsr < 0 else curve
    show("tsr_payout", tsr_payout)

    # A5: cumulative adjusted EPS against its target.
    cumulative_eps = sum((q(y["adjusted_eps"]) for y in inp["fiscal_years"]), Q(0))
    eps_target = q(inp["eps_target"])
    eps_attainment = cumulative_eps / eps_target
    eps_payout = eps_curve(eps_attainment)
    show("cumulative_eps", cumulative_eps, "USD per share")
    show("eps_attainment", eps_attainment)
    show("eps_payout", eps_payout)

    # A6: the weighted payout.
    payout = TSR_WEIGHT * tsr_payout + EPS_WEIGHT * eps_payout
    show("payout", payout)

    # A7, A8: the close on the vesting date.
    vesting_close = on(close, vesting_date)
    show("vesting_close", vesting_close, "USD per share")

    total_units = 0
    total_value = Q(0)
    for o in inp["officers"]:
        print(f"officer {o['id']}")
        target_value = q(o["target_value"])
        target_units = floor(target_value / grant_average)                        # A1 (1 unit = 1 share)
        earned_units = floor(target_units * payout)                               # A6
        cap = VALUE_CAP_MULTIPLE * target_value                                   # A7
        capped = earned_units * vesting_close > cap
        capped_units = floor(cap / vesting_close) if capped else earned_units
        departure = o.get("departure")
        if departure == "terminated_for_cause":                                    # A9
            months_worked = 0
            vested_units = 0
        elif departure == "retired":
            months_worked = min(months_between(period_start, o["left_on"] + dt.timedelta(days=1)), PERIOD_MONTHS)
            vested_units = floor(Q(capped_units * months_worked, PERIOD_MONTHS))
        else:
            assert departure is None, departure
            months_worked = PERIOD_MONTHS
            vested_units = capped_units
        dividend_equivalents = period_dividends * vested_units                     # A8, USD
        dividend_units = floor(dividend_equivalents / vesting_close)
        delivered_units = vested_units + dividend_units
        delivered_value = delivered_units * vesting_close                          # A10, USD to the cent
        show("target_value", target_value, "USD")
        show("target_units", target_units, "PSUs")
        show("earned_units", earned_units, "PSUs")
        show("value_at_vesting", earned_units * vesting_close, "USD")
        show("value_cap", cap, "USD")
        show("value_capped", capped)
        show("capped_units", capped_units, "PSUs")
        show("months_worked", months_worked, "months")
        show("vested_units", vested_units, "PSUs")
        show("dividend_equivalents", dividend_equivalents, "USD")
        show("dividend_units", dividend_units, "PSUs")
        show("delivered_units", delivered_units, "PSUs")
        show("delivered_value", delivered_value, "USD")
        total_units += delivered_units
        total_value += delivered_value

    for p in peers:
        print(f'peer "{p["name"]}"')
        t = peer_tsr[p["name"]]
        show("peer_tsr", t)
        show("below_company", t < company_tsr)
        show("tied_with_company", t == company_tsr)

    print("totals")
    show("total_delivered_units", total_units, "PSUs")
    show("total_delivered_value", total_value, "USD")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: reference.py INPUTS.toml")
    main(sys.argv[1])
