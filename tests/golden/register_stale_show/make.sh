#!/bin/bash
# Makes the registers of the golden cases register_stale_*, register_leave_now_* and
# register_error_grant_total from this folder's plan, run from the repository root:
#   bash tests/golden/register_stale_show/make.sh build-dev/hoshu
# (register_error_stored_count's register was made by a hoshu before `record` refused a
# director's grants past 18 digits: register_error_grant_total's steps, r2025.json recorded,
# then `register event … --director A --kind leave --date 2025-09-01`.)
set -eu
H=$1
D=tests/golden/register_stale_show
mk() {   # fiscal year, year start, grant date, extra line, A's pay, B's pay
  cat > "$7" <<TOML
fiscal_year = "FY$1"
year_start = $2
grant_date = $3
grant_price = "1000"
$4
[[directors]]
id = "A"
pay = $5
[[directors]]
id = "B"
pay = $6
TOML
}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# Stale: FY2024-FY2026 recorded, FY2025 restated (B 2000 -> 4000 shares): FY2026 is STALE.
S=$D
rm -f $S/g.db; "$H" register init $S/g.db >/dev/null
mk 2024 2024-04-01 2024-06-30 'ledger = []' 1000000 2000000 $S/fy2024.toml
mk 2025 2025-04-01 2025-06-30 '' 1000000 2000000 $S/fy2025.toml
mk 2026 2026-04-01 2026-06-30 '' 1000000 2000000 $S/fy2026.toml
mk 2025 2025-04-01 2025-06-30 '' 1000000 4000000 $S/fy2025-restated.toml
"$H" eval $D --inputs $S/fy2024.toml --format json --out "$t/r24.json"; "$H" register record $S/g.db "$t/r24.json" --by hr
"$H" eval $D --inputs $S/fy2025.toml --register $S/g.db --format json --out "$t/r25.json"; "$H" register record $S/g.db "$t/r25.json" --by hr
"$H" eval $D --inputs $S/fy2026.toml --register $S/g.db --format json --out "$t/r26.json"; "$H" register record $S/g.db "$t/r26.json" --by hr
"$H" eval $D --inputs $S/fy2025-restated.toml --register $S/g.db --format json --out "$t/r25b.json"
"$H" register record $S/g.db "$t/r25b.json" --by hr --supersede --reason "B pay corrected" || true
# A leave, then its year restated granting the leaver more: the leave recorded 2000, forfeits 4000.
L=tests/golden/register_leave_now_export_json
rm -f $L/g.db; "$H" register init $L/g.db >/dev/null
"$H" eval $D --inputs $S/fy2024.toml --format json --out "$t/l24.json"; "$H" register record $L/g.db "$t/l24.json" --by hr
"$H" register event $L/g.db --director B --kind leave --date 2024-09-01 --reason resigned --by hr
mk 2024 2024-04-01 2024-06-30 'ledger = []' 1000000 4000000 "$t/fy2024-restated.toml"
"$H" eval $D --inputs "$t/fy2024-restated.toml" --format json --out "$t/l24b.json"
"$H" register record $L/g.db "$t/l24b.json" --by hr --supersede --reason "B pay corrected"
# A granted 999999999999999999 shares in FY2024; FY2025's result grants A 1000 more.
T=tests/golden/register_error_grant_total
cp $D/plan.hoshu $T/; rm -f $T/g.db; "$H" register init $T/g.db >/dev/null
mk 2024 2024-04-01 2024-06-30 'ledger = []' '"999999999999999999000"' 2000000 $T/fy2024.toml
mk 2025 2025-04-01 2025-06-30 '' 1000000 2000000 $T/fy2025.toml
"$H" eval $T --inputs $T/fy2024.toml --format json --out "$t/t24.json"; "$H" register record $T/g.db "$t/t24.json" --by hr
"$H" eval $T --inputs $T/fy2025.toml --register $T/g.db --format json --out $T/r2025.json
