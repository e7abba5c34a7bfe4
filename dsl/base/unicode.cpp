// The only file that sees ICU (cmake/layers.cmake).
#include "dsl/base/unicode.hpp"

#include <fmt/format.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cassert>
#include <cstring>

#include "dsl/base/source.hpp"

namespace hoshu::dsl {

namespace {

thread_local std::uint64_t calls = 0;

/// ICU's NFC normaliser (a process-wide singleton ICU builds once, safe across threads).
const icu::Normalizer2& nfc_normalizer() {
    static const icu::Normalizer2* const instance = [] {
        UErrorCode error = U_ZERO_ERROR;
        const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(error);
        // Only a missing ICU data library fails here: nothing hoshu could run without.
        assert(U_SUCCESS(error) && n);
        return n;
    }();
    return *instance;
}

/// Valid UTF-8 that is not ASCII: in NFC already?
bool quick_nfc(std::string_view s) {
    ++calls;
    UErrorCode error = U_ZERO_ERROR;
    const bool yes = nfc_normalizer().isNormalizedUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), error);
    return U_FAILURE(error) || yes;   // (an ICU failure leaves the text as it is)
}

/// A text ICU takes: not ASCII, valid UTF-8, shorter than 2 GiB (ICU counts in int32_t).
bool for_icu(std::string_view s) {
    return !is_ascii(s) && s.size() < static_cast<std::size_t>(INT32_MAX) && valid_utf8(s, nullptr);
}

}  // namespace

bool is_ascii(std::string_view s) {
    const std::size_t n = s.size();
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, 8);
        if (word & 0x8080808080808080ULL) return false;
    }
    for (; i < n; ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
    return true;
}

bool is_nfc(std::string_view s) { return !for_icu(s) || quick_nfc(s); }

std::string nfc(std::string_view s) {
    if (!for_icu(s) || quick_nfc(s)) return std::string(s);
    std::string out;
    out.reserve(s.size());
    icu::StringByteSink<std::string> sink(&out);
    UErrorCode error = U_ZERO_ERROR;
    nfc_normalizer().normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink, nullptr, error);
    if (U_FAILURE(error)) return std::string(s);
    return out;
}

void to_nfc(std::string& s) {
    if (!for_icu(s) || quick_nfc(s)) return;
    s = nfc(s);
}

std::uint64_t normalizer_calls() { return calls; }

bool zero_width_mark(char32_t c) {
    if (c < 0x300) return false;
    const auto type = u_charType(static_cast<UChar32>(c));
    return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool is_white_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::optional<EdgeSpace> edge_space(std::string_view s) {
    if (s.empty()) return std::nullopt;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
    const auto n = static_cast<std::int32_t>(std::min<std::size_t>(s.size(), INT32_MAX));
    std::int32_t i = 0;
    UChar32 c = 0;
    U8_NEXT(bytes, i, n, c);
    if (c >= 0 && is_white_space(static_cast<char32_t>(c)))
        return EdgeSpace{true, 0, static_cast<std::size_t>(i), static_cast<char32_t>(c)};
    std::int32_t end = n;
    U8_PREV(bytes, 0, end, c);
    if (c >= 0 && is_white_space(static_cast<char32_t>(c)))
        return EdgeSpace{false, static_cast<std::size_t>(end), static_cast<std::size_t>(n - end), static_cast<char32_t>(c)};
    return std::nullopt;
}

std::string describe_space(char32_t c) {
    switch (c) {
        case 0x20: return "a space";
        case 0x09: return "a tab";
        case 0x0A: return "a line feed";
        case 0x0D: return "a carriage return";
        case 0xA0: return "U+00A0 (no-break space)";
        case 0x3000: return "U+3000 (ideographic space)";
        default: return fmt::format("U+{:04X} (a space)", static_cast<std::uint32_t>(c));
    }
}

std::string_view trim_white_space(std::string_view s) {
    while (auto e = edge_space(s)) s = e->at_start ? s.substr(e->length) : s.substr(0, e->offset);
    return s;
}

std::optional<IdProblem> id_problem(std::string_view what, std::string_view id) {
    if (auto h = find_hidden_character(id)) {
        return IdProblem{fmt::format("{} \"{}\" holds the hidden character {}", what, printable(id),
                                     describe_hidden(h->code_point)),
                         "an id is written with visible characters only"};
    }
    if (auto e = edge_space(id)) {
        const std::string_view bare = trim_white_space(id);
        return IdProblem{fmt::format("{} \"{}\" {} with {}", what, printable(id), e->at_start ? "starts" : "ends",
                                     describe_space(e->code_point)),
                         bare.empty() ? std::string("an id is written with visible characters")
                                      : fmt::format("an id has no blanks around it: write \"{}\"", printable(bare))};
    }
    return std::nullopt;
}

}  // namespace hoshu::dsl
