#!/usr/bin/env python3
"""Hostile scenario files for tests/cli/compiled.sh (deterministic: a fixed seed).

    scenarios.py ops N > ops.csv     # tests/cli/compiled/ops: every formula kind
    scenarios.py big N > big.csv     # tests/cli/compiled/big: intermediates past __int128

Most cells are numbers written every way a cell may be (integers, decimals, fractions,
percentages, scientific notation), with negatives, zeros (divisors), ties for every
rounding mode and unit, values at and just past the ends of the inputs' ranges; a few are
not numbers, or are numbers the input refuses (not whole, not whole cents, out of range),
or are empty (the base value is kept).
"""
import csv
import random
import sys
from fractions import Fraction

rng = random.Random(20261205)

NOT_NUMBERS = ["abc", "1,000", "$5", "nan", "inf", "-inf", "0x10", "--1", ".5", "5.", "1/2/3", "1/0",
               "0/0", "1/-2", "1.5/2", "3/7%", "1e", "e5", "%", "/", "-", "0.1.2", "\u00bd", "12 34"]


def text_of(v, style=None):
    """v (a Fraction) as a cell, in a style picked at random when not given."""
    if style is None:
        style = rng.choice(["plain", "plain", "fraction", "percent", "scientific"])
    n, d = v.numerator, v.denominator
    # decimal digits, if v is a terminating decimal
    k, dd = 0, d
    while dd % 10 == 0 or dd % 2 == 0 or dd % 5 == 0:
        if dd % 10 == 0:
            dd //= 10
        elif dd % 2 == 0:
            dd //= 2
        else:
            dd //= 5
        k += 1
    terminating = dd == 1
    if style == "fraction" or not terminating:
        if d == 1 and rng.random() < 0.5:
            return str(n)
        m = rng.choice([1, 1, 2, 3])   # not always in lowest terms
        return "%d/%d" % (n * m, d * m)
    scaled = v * 10 ** k
    digits = str(abs(scaled.numerator))
    sign = "-" if v < 0 else ""
    if style == "percent":
        k2 = k - 2
        if k2 <= 0:
            return sign + digits + "0" * (-k2) + "%"
        digits = digits.rjust(k2 + 1, "0")
        return sign + digits[:-k2] + "." + digits[-k2:] + "%"
    if style == "scientific":
        e = rng.randint(-3, 3)
        # v = m × 10^e with m = scaled × 10^(-k-e)
        p = k + e
        if p <= 0:
            mant = digits + "0" * (-p)
        else:
            digits = digits.rjust(p + 1, "0")
            mant = digits[:-p] + "." + digits[-p:]
        return "%s%s%s%d" % (sign, mant, rng.choice(["e", "E"]), e)
    if k == 0:
        return sign + digits
    digits = digits.rjust(k + 1, "0")
    return sign + digits[:-k] + "." + digits[-k:]


def signed(v):
    return -v if rng.random() < 0.5 else v


def tie():
    """A value that rounds to a tie for some mode and unit of the ops plan."""
    kind = rng.choice(["one", "cent", "hundred", "third", "seventh"])
    i = rng.randint(-40, 40)
    if kind == "one":
        return Fraction(2 * i + 1, 2)
    if kind == "cent":
        return Fraction(2 * i + 1, 200)
    if kind == "hundred":
        return Fraction(100 * i + 50)
    if kind == "third":
        return Fraction(2 * i + 1, 6)
    return Fraction(7 * (2 * i + 1), 2)   # x / 7 a half


def ordinary(limit):
    kind = rng.choice(["int", "int", "dec", "frac", "tie", "tie", "small", "int", "dec", "frac", "tie", "tie", "small", "zero"])
    if kind == "int":
        return signed(Fraction(rng.randint(0, limit)))
    if kind == "dec":
        k = rng.randint(1, 4)
        return signed(Fraction(rng.randint(0, limit * 10 ** k), 10 ** k))
    if kind == "frac":
        return signed(Fraction(rng.randint(0, limit), rng.randint(1, 13)))
    if kind == "tie":
        return tie()
    if kind == "small":
        return signed(Fraction(rng.randint(1, 10), rng.randint(1, 4)))
    return Fraction(0)


def hostile(low, high, whole=False, cents=False):
    kind = rng.choice(["text", "empty", "end", "past", "huge", "unit"])
    if kind == "text":
        return rng.choice(NOT_NUMBERS)
    if kind == "empty":
        return ""
    if kind == "end":
        return text_of(rng.choice([low, high]))
    if kind == "past":
        return text_of(rng.choice([low - Fraction(1, 100), high + 1]))
    if kind == "huge":
        return rng.choice(["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "-" + "9" * 40,
                           "170141183460469231731687303715884105728", "1/170141183460469231731687303715884105727"])
    if whole:
        return text_of(Fraction(rng.randint(-50, 50) * 2 + 1, 2))
    if cents:
        return text_of(Fraction(rng.randint(-99999, 99999), 1000))
    return text_of(Fraction(1, 3))


def ops(n):
    header = ["scenario", "x", "y", "z", "p", "m", "n",
              "members.A.w", "members.B.w", "members.C.w", "members.A.k", "members.C.k"]
    T = Fraction(10) ** 12
    ends = {"x": (-T, T), "y": (-T, T), "z": (-T, T), "p": (Fraction(0), Fraction(1)),
            "m": (Fraction(-10 ** 9), Fraction(10 ** 9)), "n": (Fraction(-10 ** 6), Fraction(10 ** 6)),
            "w": (Fraction(-10 ** 6), Fraction(10 ** 6)), "k": (Fraction(0), Fraction(1000))}
    rows = []
    for i in range(n):
        x = ordinary(rng.choice([10, 1000, 1000]))
        if rng.random() < 0.1:   # a bound of a row of `steps`, or beside it
            x = Fraction(rng.choice([-10, 0, 1, 5, 20, 1000])) + rng.choice([0, 0, Fraction(1, 10 ** 4), Fraction(-1, 10 ** 4)])
        if rng.random() < 0.03:
            x = signed(Fraction(rng.randint(1, 10 ** 12)))   # past the table's last row
        y = ordinary(rng.choice([3, 10, 100]))
        while y == 0 and rng.random() < 0.7:
            y = ordinary(10)
        if rng.random() < 0.03:
            y = Fraction(0)
        if rng.random() < 0.02:
            y = Fraction(-1, 7)
        # clamp(x, y, z) needs y <= z: crossed now and then
        z = y + abs(ordinary(100)) if rng.random() < 0.96 else y - 1 - abs(ordinary(10))
        if rng.random() < 0.02:
            z = Fraction(2, 9)
        p = Fraction(rng.randint(0, 100), 200) if rng.random() < 0.95 else Fraction(rng.randint(51, 100), 100)
        m = Fraction(rng.randint(-10 ** 8, 10 ** 8), 100)
        nn = Fraction(rng.randint(-1000, 1000))
        ws = [ordinary(rng.choice([10, 1000])) for _ in range(3)]
        if rng.random() < 0.02:
            ws[rng.randrange(3)] = signed(Fraction(rng.randint(500_001, 10 ** 6)))   # past member_share's range
        ks = [Fraction(rng.randint(0, 12)), Fraction(rng.randint(0, 1000))]
        values = {"x": x, "y": y, "z": z, "p": p, "m": m, "n": nn}
        cells = [text_of(values[c]) if c not in ("m", "n") else text_of(values[c], "plain") for c in "xyzpmn"]
        cells += [text_of(w) for w in ws] + [text_of(k, "plain") for k in ks]
        names = ["x", "y", "z", "p", "m", "n", "w", "w", "w", "k", "k"]
        # About one row in four gets one or two hostile cells.
        if rng.random() < 0.25:
            for _ in range(rng.choice([1, 1, 2])):
                j = rng.randrange(len(cells))
                low, high = ends[names[j]]
                cells[j] = hostile(low, high, whole=names[j] in ("n", "k"), cents=names[j] == "m")
        rows.append(["s%d" % (i + 1)] + cells)
    return header, rows


def big(n):
    header = ["scenario", "a", "b", "c", "d", "e", "members.P.s", "members.Q.s"]
    L = 10 ** 15
    rows = []
    for i in range(n):
        scale = rng.choice([10, 10 ** 4, 10 ** 8, 10 ** 12, L, L])
        cells = []
        for _ in range(7):
            r = rng.random()
            if r < 0.05:
                v = Fraction(0)
            elif r < 0.15:
                v = signed(Fraction(L))
            elif r < 0.25:
                v = signed(Fraction(rng.randint(1, scale), rng.randint(1, 1000)))
            else:
                v = signed(Fraction(rng.randint(1, scale)))
            cells.append(text_of(v, rng.choice(["plain", "plain", "fraction", "scientific"])))
        if rng.random() < 0.1:
            j = rng.randrange(7)
            cells[j] = hostile(Fraction(-L), Fraction(L))
        rows.append(["b%d" % (i + 1)] + cells)
    return header, rows


def main():
    which, n = sys.argv[1], int(sys.argv[2])
    header, rows = {"ops": ops, "big": big}[which](n)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(header)
    out.writerows(rows)


if __name__ == "__main__":
    main()
