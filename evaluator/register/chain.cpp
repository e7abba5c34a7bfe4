#include "evaluator/register/chain.hpp"

#include <fmt/format.h>

#include "evaluator/output/seal.hpp"

namespace hoshu::eval {

std::string chain_origin() { return std::string(64, '0'); }

CanonicalRow& CanonicalRow::field(std::string_view name, std::string_view value) {
    text_ += fmt::format("{}:{}:", name, value.size());
    text_ += value;
    text_ += '\n';
    return *this;
}

CanonicalRow& CanonicalRow::optional_field(std::string_view name, const std::optional<std::string>& value) {
    return value ? field(name, std::string_view(*value)) : null(name);
}

CanonicalRow& CanonicalRow::null(std::string_view name) {
    text_ += fmt::format("{}!\n", name);
    return *this;
}

std::string chain_hash(std::string_view previous, const CanonicalRow& row) {
    std::string bytes(previous);
    bytes += '\n';
    bytes += row.text();
    return sha256_hex(bytes);
}

}  // namespace hoshu::eval
