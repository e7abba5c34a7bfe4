// The register's hash chain: every row of the register (a recorded result, an event)
// carries the SHA-256 of the previous row's hash and of a canonical form of its own
// content, so that an edit to any row, a row removed or rows reordered changes a hash
// that `hoshu register verify` recomputes.
//
// The canonical form is a list of named fields, each written `name:LENGTH:bytes\n` (a
// missing value `name!\n`), in a fixed order: no separator or escaping can make two
// contents serialize alike.
//
//   CanonicalRow row;
//   row.field("fiscal_year", "FY2024").field("result_json", text).null("supersedes");
//   std::string hash = chain_hash(previous_hash, row);   // 64 lowercase hexadecimal digits
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hoshu::eval {

/// The hash before the first row of a register: 64 zeros.
std::string chain_origin();

class CanonicalRow {
public:
    CanonicalRow& field(std::string_view name, std::string_view value);
    CanonicalRow& optional_field(std::string_view name, const std::optional<std::string>& value);
    CanonicalRow& null(std::string_view name);
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

/// SHA-256 (hex) of `previous` (the previous row's hash), a newline and the row's canonical text.
std::string chain_hash(std::string_view previous, const CanonicalRow& row);

}  // namespace hoshu::eval
