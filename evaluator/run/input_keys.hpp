// The keys a plan reads from its TOML inputs, as patterns, and the check of an inputs file
// against them: every key that no declaration reads is a located error with a "did you
// mean" hint, and every value that a declaration reads — whether this year's evaluation
// needs it or not — is handed back to be checked against that declaration's type and range.
//
// A path step computed from a text definition (`years[year].revenue`) matches any key at
// its level; `[0]`, `[-1]` the first and last element of an array; each record of a list
// (`directors at directors(id)`, `grants at ledger(director)`, `series … at prices(date,
// close)`) is matched by the keys the declarations relative to those records read, and by
// its id, director or date and value keys. Keys kept in the inputs only for people (a
// director's title) are known when the plan declares them with `info`.
//
//   KeyPatterns keys(plan);
//   dsl::Diagnostics diags;
//   keys.check(inputs, diags, [&](const KeyPatterns::Reader& r, InputFile::Node value,
//                                 KeyPatterns::Record record) { /* convert, check the range */ });
//   // diags: `divison_score` in director D03 — "did you mean `division_score`?"
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "evaluator/run/inputs.hpp"
#include "evaluator/ir/plan.hpp"

namespace hoshu::eval {

class KeyPatterns {
public:
    /// A declaration that reads a value: an input (Plan::slots[index]) or an info
    /// (Plan::infos[index]).
    struct Reader {
        enum class Kind : std::uint8_t { input, info };
        Kind kind = Kind::input;
        std::uint32_t index = 0;
    };
    /// The record a value was found in: none (Scope::plan), director `index` (the
    /// position in the list of directors), or ledger entry `index`.
    struct Record {
        Scope scope = Scope::plan;
        std::size_t index = 0;
    };
    using OnValue = std::function<void(const Reader&, InputFile::Node, Record)>;

    /// The patterns of every input, info, series, list of directors and ledger of `plan`.
    explicit KeyPatterns(const Plan& plan);
    /// Also know the keys `other` reads, without checking their values: `hoshu diff` runs
    /// two plans on one inputs file, and a key either of them reads is in its place.
    void add_keys_of(const Plan& other);

    /// Report to `diags` every key of `in` that no pattern matches (located at the key),
    /// and every value whose shape contradicts the patterns (a value where the plan reads
    /// keys in a table, an array where it reads keys); call `on_value` for every value a
    /// declaration reads. Records that are not tables are left to whoever reads the list.
    void check(const InputFile& in, dsl::Diagnostics& diags, const OnValue& on_value) const;

private:
    struct Pattern {
        std::map<std::string, std::uint32_t, std::less<>> keys;
        std::uint32_t any = none;                                  // a key computed from a text definition
        std::vector<std::pair<std::int64_t, std::uint32_t>> elements;   // [0], [-1]
        std::uint32_t records = none;                              // each record of a list
        bool leaf = false;                                         // a value is read here
        std::vector<Reader> readers;
        // On the pattern of a record: how messages name it.
        Scope record_scope = Scope::plan;
        std::string noun;                                          // "director", "item", "ledger entry", "entry"
        std::string id_key;                                        // the key that names a record, if any
    };
    struct Context;

    void add(const Plan& plan, bool with_readers);
    std::uint32_t make();
    std::uint32_t key(std::uint32_t from, const std::string& k);
    std::uint32_t any(std::uint32_t from);
    std::uint32_t element(std::uint32_t from, std::int64_t i);
    std::uint32_t records(std::uint32_t from);
    std::uint32_t follow(std::uint32_t from, const InputSpec& spec);
    void walk(const InputFile& in, InputFile::Node node, const std::vector<std::uint32_t>& set, const Context& ctx,
              dsl::Diagnostics& diags, const OnValue& on_value) const;

    std::vector<Pattern> patterns_;   // [0] is the top of the file
};

}  // namespace hoshu::eval
