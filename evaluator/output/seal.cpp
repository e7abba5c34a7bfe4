#include "evaluator/output/seal.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>

#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/parse.hpp"
#include "dsl/syntax/print.hpp"

namespace hoshu::eval {

namespace fs = std::filesystem;

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

const char* to_string(SealPaths p) {
    switch (p) {
        case SealPaths::working_directory: return "working directory";
        case SealPaths::result: return "result";
    }
    return "";
}

namespace {

/// A name as it can be shown whatever it holds: control characters and bytes that are not
/// UTF-8 as \xNN.
std::string shown(std::string_view name) {
    std::string out;
    std::size_t bad = 0;
    bool utf8 = dsl::valid_utf8(name, &bad);
    for (std::size_t i = 0; i < name.size(); ++i) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) out += fmt::format("\\x{:02x}", c);
        else out += name[i];
    }
    return out;
}

bool has_control_character(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7f;
    });
}

/// `path` as seen from folder `from`, both taken from the working directory, without
/// following symbolic links (as the loader reads paths).
std::string relative_to_folder(const std::string& path, const fs::path& from) {
    std::error_code ec;
    fs::path target = fs::absolute(path, ec).lexically_normal();
    if (ec) return path;
    fs::path rel = target.lexically_relative(fs::absolute(from, ec).lexically_normal());
    return ec || rel.empty() ? target.generic_string() : rel.generic_string();
}

/// `path` as seen from the folder a result is in (result_folder()), as the file system finds
/// both (symbolic links followed: a `..` after a linked folder leads out of the folder it
/// links to), so that the path leads there from the result itself.
std::string relative_to_result(const std::string& path, const fs::path& folder) {
    std::error_code ec;
    fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
    std::error_code unresolved;
    const fs::path from = fs::weakly_canonical(fs::absolute(folder, unresolved), unresolved);
    if (ec || unresolved) return relative_to_folder(path, folder);
    fs::path rel = target.lexically_relative(from);
    return rel.empty() ? target.generic_string() : rel.generic_string();
}

}  // namespace

std::string result_folder(const std::string& result_path) {
    fs::path named = fs::path(result_path).parent_path();
    if (named.empty()) named = ".";
    // (As named where no link is on the way: messages keep the path as given. Else the
    // folder itself, as a `..` joined to the name would be taken as text.)
    std::error_code ec, same;
    // (A link to a file not yet written is followed too: the result is written there.)
    fs::path file = fs::absolute(result_path, ec);
    for (int links = 0; links < 40 && !ec; ++links) {
        std::error_code not_link;
        if (!fs::is_symlink(fs::symlink_status(file, not_link)) || not_link) break;
        const fs::path target = fs::read_symlink(file, not_link);
        if (not_link) break;
        file = target.is_absolute() ? target : file.parent_path() / target;
    }
    const fs::path real = ec ? fs::path() : fs::weakly_canonical(file.parent_path(), ec);
    if (ec || real.empty()) return named.string();
    fs::path plain = fs::absolute(named, same).lexically_normal();
    if (!plain.empty() && plain.filename().empty()) plain = plain.parent_path();   // (a trailing `/`)
    return !same && plain == real ? named.string() : real.string();
}

namespace {

/// The folder the seal's paths are relative to: `plan_dir`, or the folder of a plan file.
fs::path plan_base(const std::string& plan_dir) {
    fs::path base(plan_dir);
    std::error_code ec;
    if (!fs::is_directory(base, ec)) base = base.parent_path();
    if (base.empty()) base = ".";
    return base;
}

/// The lines of `text`, each with its line end ("a\n", "b"): joined, they are the text.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
    }
    return lines;
}

/// A line of blanks only (spaces, tabs, a CR before its LF).
bool blank_line(std::string_view line) {
    return line.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

/// A line holding a comment only, and how far it is indented.
bool comment_line(std::string_view line, std::size_t* indent = nullptr) {
    std::size_t i = line.find_first_not_of(" \t");
    if (indent) *indent = i;
    return i != std::string_view::npos && line[i] == '#';
}

/// The declarations of a parse other than tests, as the syntax printer writes them (their
/// notes and sources too): what the plan reads of the file.
std::vector<std::string> printed_definitions(const dsl::ast::File& file) {
    std::vector<std::string> out;
    for (const auto& d : file.declarations)
        if (boost::get<dsl::ast::TestDecl>(&d.get()) == nullptr) out.push_back(dsl::print(d));
    return out;
}

}  // namespace

std::optional<std::string> sealed_rule_text(std::string_view path, std::string_view text) {
    dsl::SourceManager sm;
    const dsl::FileId id = sm.add(std::string(path), std::string(text));
    dsl::Diagnostics diags;
    auto file = dsl::parse_file(sm, id, diags);
    // A file that does not parse is sealed whole: no plan is evaluated from it.
    if (diags.has_errors()) return std::string(text);
    std::vector<const dsl::ast::TestDecl*> tests;
    std::size_t others = 0;
    for (const auto& d : file->declarations) {
        if (auto* t = boost::get<dsl::ast::TestDecl>(&d.get())) tests.push_back(t);
        else ++others;
    }
    if (tests.empty()) return std::string(text);
    if (others == 0) return std::nullopt;   // tests only: nothing that computes

    const auto lines = lines_of(text);
    std::vector<std::size_t> starts;   // the offset of each line
    for (std::size_t i = 0, at = 0; i < lines.size(); at += lines[i].size(), ++i) starts.push_back(at);
    auto line_of = [&](std::size_t offset) {
        return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin()) - 1;
    };
    std::vector<bool> left_out(lines.size(), false);
    for (const auto* t : tests) {
        if (t->end <= t->begin) return std::string(text);
        std::size_t first = line_of(t->begin), last = line_of(t->end - 1);
        // The test has its lines to itself: nothing before `test` on its first line, nothing
        // but a comment after its last token. Else the file is sealed whole.
        const std::string_view before = text.substr(starts[first], t->begin - starts[first]);
        const std::string_view after = text.substr(t->end, starts[last] + lines[last].size() - t->end);
        if (!blank_line(before) || !(blank_line(after) || comment_line(after))) return std::string(text);
        const std::size_t column = t->begin - starts[first];
        // Comment lines indented into the test after its last line are the test's.
        std::size_t indent = 0;
        while (last + 1 < lines.size() && comment_line(lines[last + 1], &indent) && indent > column) ++last;
        // So are the comment lines right above it, and the blank lines above those (the
        // blank line that set the test apart from what comes before it).
        while (first > 0 && comment_line(lines[first - 1])) --first;
        while (first > 0 && blank_line(lines[first - 1])) --first;
        // A test that opens the file: the blank lines after it instead.
        if (first == 0)
            while (last + 1 < lines.size() && blank_line(lines[last + 1])) ++last;
        for (std::size_t i = first; i <= last; ++i) left_out[i] = true;
    }
    std::string sealed;
    if (left_out[0] && text.starts_with("\xEF\xBB\xBF")) sealed = "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!left_out[i]) sealed += lines[i];
    // Whatever the tests were, the rest must read as it does with them: every other
    // declaration the same, and nothing more. Else the file is sealed whole.
    dsl::SourceManager again;
    dsl::Diagnostics again_diags;
    auto reread = dsl::parse_file(again, again.add(std::string(path), sealed), again_diags);
    if (again_diags.has_errors() || printed_definitions(*reread) != printed_definitions(*file) ||
        reread->declarations.size() != others)
        return std::string(text);
    return sealed;
}

std::optional<std::string> sealed_rule_file_sha256(std::string_view path, std::string_view text) {
    auto sealed = sealed_rule_text(path, text);
    if (!sealed) return std::nullopt;
    return sha256_hex(*sealed);
}

Result<std::vector<SealedFile>> seal_rule_files(const Plan& plan, const dsl::SourceManager& sm,
                                                const std::string& plan_dir) {
    return seal_rule_files(plan.file_ids, sm, plan_dir);
}

Result<std::vector<SealedFile>> seal_rule_files(const std::vector<dsl::FileId>& ids, const dsl::SourceManager& sm,
                                                const std::string& plan_dir, SealTests tests) {
    const fs::path base = plan_base(plan_dir);
    std::vector<SealedFile> files;
    dsl::Diagnostics errors;
    for (dsl::FileId id : ids) {
        std::string rel = relative_to_folder(sm.file(id).path(), base);
        std::size_t bad = 0;
        if (has_control_character(rel) || !dsl::valid_utf8(rel, &bad)) {
            errors.error(dsl::SourceRange{},
                         "cannot seal the rule file `{}`: its name has a control character or is not UTF-8; rename it",
                         shown(rel));
            continue;
        }
        if (tests == SealTests::whole_files) {
            files.push_back({rel, sha256_hex(sm.file(id).text())});
        } else if (auto sha = sealed_rule_file_sha256(rel, sm.file(id).text())) {
            files.push_back({rel, std::move(*sha)});
        }
    }
    if (errors.has_errors()) return errors;
    std::sort(files.begin(), files.end(), [](const SealedFile& a, const SealedFile& b) { return a.path < b.path; });
    return files;
}

Result<std::string> sealed_text_of(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir,
                                   const std::string& path) {
    const fs::path base = plan_base(plan_dir);
    const std::string wanted = fs::path(path).lexically_normal().generic_string();
    for (dsl::FileId id : plan.file_ids) {
        std::string rel = relative_to_folder(sm.file(id).path(), base);
        if (rel != wanted) continue;
        auto text = sealed_rule_text(rel, sm.file(id).text());
        if (!text)
            return dsl::one_error({}, fmt::format("{} declares nothing but tests: it is not sealed, and `hoshu seal` "
                                                  "does not list it",
                                                  shown(rel)));
        return std::move(*text);
    }
    std::string listed;
    if (auto files = seal_rule_files(plan, sm, plan_dir))
        for (const auto& f : *files) listed += (listed.empty() ? "" : ", ") + shown(f.path);
    return dsl::one_error({}, fmt::format("the plan {} seals no rule file {}", shown(plan_dir), shown(path)),
                          fmt::format("name a file as `hoshu seal {}` lists it: {}", shown(plan_dir), listed));
}

std::vector<UnsealedFile> unsealed_rule_files(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir) {
    const fs::path base = plan_base(plan_dir);
    std::vector<UnsealedFile> files;
    for (dsl::FileId id : plan.file_ids) {
        std::string rel = relative_to_folder(sm.file(id).path(), base);
        if (!sealed_rule_text(rel, sm.file(id).text())) files.push_back({std::move(rel), std::string(sm.file(id).text())});
    }
    return files;
}

std::string seal_listing(const std::vector<SealedFile>& files) {
    std::string listing;
    for (const auto& f : files) {
        if (f.path.find('\\') == std::string::npos) {
            listing += f.sha256 + "  " + f.path + "\n";
            continue;
        }
        listing += "\\" + f.sha256 + "  ";
        for (char c : f.path) listing += c == '\\' ? std::string("\\\\") : std::string(1, c);
        listing += "\n";
    }
    return listing;
}

Result<Seal> make_seal(const Plan& plan, const dsl::SourceManager& sm, const std::string& plan_dir,
                       const InputFile& inputs, const EvalOptions& options, const std::string& result_path) {
    auto files = seal_rule_files(plan, sm, plan_dir);
    if (!files) return files.error();
    Seal seal;
    seal.rule_files = std::move(*files);
    seal.rules_sha256 = sha256_hex(seal_listing(seal.rule_files));
    seal.inputs_sha256 = sha256_hex(inputs.bytes());
    seal.plan_path = plan_dir;
    seal.inputs_path = inputs.path();
    if (!result_path.empty()) {
        const fs::path folder = result_folder(result_path);
        seal.plan_path = relative_to_result(plan_dir, folder);
        seal.inputs_path = relative_to_result(inputs.path(), folder);
        seal.relative_to = SealPaths::result;
    }
    dsl::Diagnostics errors;
    for (const std::string* p : {&seal.plan_path, &seal.inputs_path}) {
        std::size_t bad = 0;
        if (!dsl::valid_utf8(*p, &bad))
            errors.error(dsl::SourceRange{}, "cannot seal the path `{}`: it is not UTF-8; rename it", shown(*p));
    }
    if (errors.has_errors()) return errors;
    if (options.as_of) seal.as_of = options.as_of->to_string();
    seal.engine = std::string("hoshu ") + HOSHU_VERSION;
    return seal;
}

void seal_carry(Seal& seal, const std::string& carry_path, std::string_view carry_bytes, const std::string& result_path) {
    seal.carried_sha256 = sha256_hex(carry_bytes);
    seal.carried_from = carry_path;
    if (!result_path.empty()) seal.carried_from = relative_to_result(carry_path, result_folder(result_path));
}

}  // namespace hoshu::eval
