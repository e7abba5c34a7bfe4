// Texts as Unicode: the one place that says when two texts are the same. hoshu compares
// texts — text values and ids in the inputs, CSV cells, rule-file literals and table keys,
// names, the ids given on the command line — in Normalization Form C (NFC), so that
// canonically equivalent spellings are one text: `Zürich` with the precomposed ü (U+00FC)
// and `Zürich` written as u + U+0308 (as macOS and some editors write it) are the same.
// Never NFKC: compatibility forms mean something else (full-width `Ａ`, `①`, `ｶ` stay as
// they are). ASCII text is NFC as it is and never reaches ICU (the common case, batch
// and simulate read many cells).
//
//   nfc("Zu\u0308rich")              // "Z\u00fcrich"
//   nfc("D03")                       // "D03", without a call to ICU
//   std::string s = …; to_nfc(s);    // in place; left alone when already NFC
//   edge_space("D03 ")               // {at_start = false, offset = 3, length = 1, code_point = 0x20}
//   id_problem("the director id", "D03 ")->hint   // "an id has no blanks around it: write \"D03\""
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hoshu::dsl {

/// Whether every byte of `s` is below 0x80: such a text is in NFC as it is.
bool is_ascii(std::string_view s);

/// Whether `s` is in NFC. ASCII: true without ICU. Text that is not valid UTF-8: true (it is
/// left as it is, for the diagnostic that refuses it to show its bytes).
bool is_nfc(std::string_view s);

/// `s` in NFC: the same bytes when it already is (ASCII text always). Every reader of a
/// text validates UTF-8 first; bytes that are not valid UTF-8 are returned unchanged, never
/// replaced.
std::string nfc(std::string_view s);
/// The same in place: `s` untouched (no allocation) when it is already in NFC.
void to_nfc(std::string& s);

/// How many texts were given to ICU on this thread (for the tests: ASCII text never is).
std::uint64_t normalizer_calls();

/// Whether a code point is a mark that draws on the character before it and takes no
/// column of its own on a terminal (general category Mn or Me: U+0301, U+0308, the kana
/// voiced mark U+3099): a caret under `Zu\u0308rich` is six columns wide, not seven.
bool zero_width_mark(char32_t cp);

/// Whether a code point is Unicode White_Space: tab, line feed, vertical tab, form feed,
/// carriage return, space, U+0085, the no-break space U+00A0, U+1680, U+2000–U+200A,
/// U+2028, U+2029, U+202F, U+205F and the ideographic space U+3000.
bool is_white_space(char32_t cp);

/// A white space character at the start or the end of a text (an id " D03" or "D03 ").
struct EdgeSpace {
    bool at_start = false;
    std::size_t offset = 0;   // byte offset of its first byte
    std::size_t length = 0;   // its length in bytes
    char32_t code_point = 0;
};
/// The first white space at the start of `s`, else the last at its end; nullopt when `s`
/// neither starts nor ends with one.
std::optional<EdgeSpace> edge_space(std::string_view s);
/// "a space", "a tab", "U+00A0 (no-break space)", "U+3000 (ideographic space)": for a message.
std::string describe_space(char32_t code_point);
/// `s` without the white space at either end.
std::string_view trim_white_space(std::string_view s);

/// What is wrong with an id (a director's, a record's, a scenario's): a hidden character
/// in it (source.hpp: a control, bidirectional or zero-width character) or white space at
/// either end, either of which makes it another id than the one it shows. `what` opens the
/// message: "the director id".
///
///   id_problem("the director id", "D03 ")
///   // {"the director id \"D03 \" ends with a space", "an id has no blanks around it: write \"D03\""}
struct IdProblem {
    std::string message;
    std::string hint;
};
std::optional<IdProblem> id_problem(std::string_view what, std::string_view id);

}  // namespace hoshu::dsl
