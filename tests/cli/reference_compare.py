#!/usr/bin/env python3
"""Compare hoshu's JSON result with an independent reference's printout, value by value.

    reference_compare.py RESULT.json REFERENCE.txt

The reference (examples/<plan>/reference.py, which shares nothing with hoshu but the inputs)
prints sections — `plan`, `totals`, `<record> ID` — of `name = value [unit]` lines, `limit
NAME: V <= B, status` lines and `carry PATH` records. Every output hoshu reports must be
in the reference with the same exact value, every limit and every carried record too;
what the reference prints beyond hoshu's outputs (intermediate values) is not compared.
Exits 1 naming each disagreement.
"""
import json
import re
import sys
from fractions import Fraction


def exact(text):
    """A value as compared: a number as a Fraction, anything else as its text."""
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text in ("true", "false"):
        return text
    text = text.split("≈")[0].strip()
    word = text.split(" ")[0].replace(",", "")
    word = word.lstrip("$¥€")
    if word.startswith("-$"):
        word = "-" + word[2:]
    try:
        return Fraction(word)
    except ValueError:
        return text


def json_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return Fraction(str(v))
    if isinstance(v, str):
        try:
            return Fraction(v)
        except ValueError:
            return v
    return v


# `limit NAME: VALUE <= BOUND, ok` (or `violated`, or `scaled by FACTOR`)
LIMIT = re.compile(r"limit (\w+): (.+?) (<=|<) (.+?), (ok|violated|scaled by (.+))$")


def limit_of(m):
    status = "scaled" if m.group(6) else m.group(5)
    factor = exact(m.group(6)) if m.group(6) else None
    return (exact(m.group(2)), exact(m.group(4)), status, factor)


def read_reference(path):
    sections, limits, carried = {}, {}, {}
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            m = LIMIT.match(line)
            if m:
                limits[m.group(1)] = limit_of(m)
                continue
            m = re.match(r"carry (\S+)$", line)
            if m:
                current = ("carry", m.group(1))
                carried[m.group(1)] = []
                continue
            parts = line.split(" ", 1)
            key = parts[1].strip().strip('"') if len(parts) > 1 else ""
            current = (parts[0], key)
            sections.setdefault(current, {})
            continue
        body = line.strip()
        if current and current[0] == "carry":
            record = {}
            for field in re.findall(r'(\w+) = ("[^"]*"|[^,}]+)', body):
                record[field[0]] = exact(field[1])
            carried[current[1]].append(record)
            continue
        m = LIMIT.match(body)
        if m:
            limits[m.group(1)] = limit_of(m)
            continue
        m = re.match(r"(\S+)\s+= (.*)$", body)
        if m and current:
            sections[current][m.group(1)] = exact(m.group(2))
    return sections, limits, carried


def main(result_path, reference_path):
    result = json.load(open(result_path, encoding="utf-8"))
    sections, limits, carried = read_reference(reference_path)
    problems, compared = [], 0

    def check(where, name, got, table):
        nonlocal compared
        if name not in table:
            problems.append(f"{where}: `{name}` = {got} is not in the reference")
            return
        if table[name] != json_value(got):
            problems.append(f"{where}: `{name}` is {got} in hoshu, {table[name]} in the reference")
        compared += 1

    plan_wide = {}
    for (kind, _), values in sections.items():
        if kind in ("plan", "totals"):
            plan_wide.update(values)
    for name, value in (result.get("totals") or {}).items():
        check("totals", name, value, plan_wide)
    # Every list of records: a top-level array of objects other than the limits and
    # violations (the plan's collections, each under its own name).
    collections = {k: v for k, v in result.items()
                   if k not in ("limits", "violations") and isinstance(v, list) and all(isinstance(r, dict) for r in v)}
    for plural, records in collections.items():
        for record in records:
            key_field = next(iter(record))
            key = str(record[key_field])
            table = next((v for (kind, k), v in sections.items() if k == key and kind not in ("plan", "totals")), None)
            if table is None:
                problems.append(f"{plural} {key}: not in the reference")
                continue
            for name, value in record.items():
                if name == key_field or isinstance(value, (dict, list)):
                    continue
                check(f"{plural} {key}", name, value, table)
    for limit in result.get("limits", []):
        name = limit["name"]
        if name not in limits:
            problems.append(f"limit {name}: not in the reference")
            continue
        got = (json_value(limit["value"]), json_value(limit["bound"]), limit["status"],
               json_value(limit["factor"]) if "factor" in limit else None)
        if got != limits[name]:
            problems.append(f"limit {name}: {limit} in hoshu, {limits[name]} in the reference")
        compared += 1
    for path, records in (result.get("carry") or {}).items():
        got = [{k: json_value(v) for k, v in r.items()} for r in records]
        want = carried.get(path)
        if want is None:
            problems.append(f"carry {path}: not in the reference")
        elif sorted(map(repr, got)) != sorted(map(repr, want)):
            problems.append(f"carry {path}: {got} in hoshu, {want} in the reference")
        compared += 1
    for path in carried:
        if path not in (result.get("carry") or {}):
            problems.append(f"carry {path}: in the reference, not in hoshu's result")
    for p in problems:
        print(f"{reference_path}: {p}")
    if compared == 0:
        print(f"{reference_path}: nothing compared")
        return 1
    print(f"{reference_path}: {compared} values agree" if not problems else f"{len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: reference_compare.py RESULT.json REFERENCE.txt")
    sys.exit(main(sys.argv[1], sys.argv[2]))
