// What `hoshu register show` and `hoshu register export` write: the records, each
// director's grants with their balances on a date, and the events — as text for people,
// CSV for payroll and the share registrar (UTF-8, with a byte-order mark unless asked
// otherwise: Excel reads UTF-8 only with it), JSON for systems.
//
//   auto grants = grant_balances(results, events, as_of);
//   std::string text = format_register_text({results, events, *grants, as_of, "D03"});
//   std::string csv = format_register_csv({results, events, *grants, as_of, ""}, /*bom=*/true);
#pragma once

#include <string>
#include <vector>

#include "evaluator/register/balances.hpp"
#include "evaluator/register/register.hpp"

namespace hoshu::eval {

struct RegisterView {
    const std::vector<StoredResult>& results;
    const std::vector<StoredEvent>& events;
    const std::vector<GrantBalance>& grants;   // as of `as_of`
    std::string as_of;                          // YYYY-MM-DD, or empty: after every event
    std::string director;                       // only this director (empty: every one)
    std::string key = "director";               // the key column's name: the plan's noun for a record (`employee`)
};

/// The UTF-8 byte-order mark.
inline constexpr const char* utf8_bom = "\xEF\xBB\xBF";

std::string format_register_text(const RegisterView& view);
/// One row per grant: fiscal_year, director (the view's `key`), the director's `info` fields
/// (title, …), grant, grant_date, grant_price, shares, value_yen (shares × grant-time price,
/// exact, the column named by the price's currency: value_eur, …; `value` and `currency` when
/// the prices shown are in more than one currency or one recorded without it), restricted,
/// lifted, forfeited, clawed_back, by_plan (released or forfeited by the plan's own
/// computation in a later year), record, balance_record (the record whose carried records
/// give the balance, when one does), stale (the STALE record — computed from a record since
/// superseded — that the grant or its balance awaits, when one does), rules_sha256,
/// inputs_sha256.
std::string format_register_csv(const RegisterView& view, bool bom);
std::string format_register_json(const RegisterView& view);
/// A workbook: a grants sheet (the CSV's cells, numbers as numbers: output/xlsx.hpp), the
/// records with their seals, the events. Empty when it cannot be written (a text longer than
/// a cell holds…), with `error` saying why.
std::string format_register_xlsx(const RegisterView& view, std::string* error = nullptr);

/// The columns and rows of the CSV (for other writers: xlsx).
struct RegisterTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> numeric;   // per column: exact numbers (share counts, yen)
};
RegisterTable register_table(const RegisterView& view);

}  // namespace hoshu::eval
