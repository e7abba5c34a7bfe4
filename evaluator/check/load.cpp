// Loading a plan: the .hoshu files of a folder and what they import (transitively, each file
// and folder once), each read as a regular file and checked to be UTF-8; and a plan whose
// inputs this one shares.
#include "evaluator/check/checker.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <new>
#include <set>

#include "dsl/base/files.hpp"
#include "dsl/syntax/ast.hpp"
#include "dsl/syntax/parse.hpp"

namespace hoshu::eval {

namespace {

namespace fs = std::filesystem;

/// How deeply plans are being checked for `inputs shared with`: a shared plan's own
/// `inputs shared with` is not followed (two plans may name each other).
thread_local int sharing_depth = 0;

/// A file or folder as the system knows it, whatever the path that names it: (device, inode).
using FileKey = std::pair<std::uint64_t, std::uint64_t>;

std::optional<FileKey> file_key(const fs::path& p) {
    struct ::stat st {};
    if (::stat(p.c_str(), &st) != 0) return std::nullopt;
    return FileKey{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

/// Why a path cannot be read as a rule file (empty when it can): a symbolic link that
/// loops or leads nowhere, a FIFO, a device. A folder is "a folder".
std::string unreadable_reason(const fs::path& p) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec) return ec.message();
    if (fs::is_regular_file(st)) return {};
    if (fs::is_directory(st)) return "a folder, not a file";
    return fs::is_fifo(st) ? "not a regular file (a FIFO)" : "not a regular file";
}

/// The .hoshu files of a folder, in name order, each folder listed once (`visited`: a folder
/// reached again through a symbolic link or a second import adds nothing). An entry named
/// *.hoshu that cannot be read — a looping or dangling symbolic link, a FIFO, a folder — is
/// an error naming it (at `where`, the import, if any): a rule file left out unseen would
/// leave its definitions out of the plan.
std::vector<fs::path> list_rule_files(const fs::path& dir, std::set<FileKey>& visited, dsl::Diagnostics& diags,
                                      SourceRange where) {
    std::vector<fs::path> out;
    if (auto key = file_key(dir); key && !visited.insert(*key).second) return out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() != ".hoshu") continue;
        if (!refuse_unreadable_rule_file(p.string(), diags, where)) out.push_back(p);
    }
    // Memory that ran out is no fault of the folder: said as every command says it.
    if (ec == std::errc::not_enough_memory) throw std::bad_alloc();
    if (ec) diags.error(where, "cannot read folder `{}`: {}", dir.string(), ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

bool refuse_unreadable_rule_file(const std::string& path, dsl::Diagnostics& diags, SourceRange where) {
    const std::string why = unreadable_reason(path);
    if (why.empty()) return false;
    auto& d = diags.error(where, "cannot read rule file `{}`: {}", path, why);
    if (why == "a folder, not a file") d.hint = "a name ending in .hoshu names a rule file: rename the folder";
    return true;
}

/// `plan … inputs shared with "../iij"`: check that plan too (relative to this rule file's
/// folder), and keep it for the keys it reads.
void Checker::share_inputs(const ast::StringLit& path) {
    if (sharing_depth > 0) return;
    const SourceRange where = rng(plan_decl_file_, path);
    fs::path dir = fs::path(sm_.file(plan_decl_file_).path()).parent_path() / path.value;
    dsl::Diagnostics theirs;
    ++sharing_depth;
    std::optional<Plan> other;
    try {
        other = load_plan(sm_, dir.lexically_normal().string(), theirs, {});
    } catch (...) {
        --sharing_depth;
        throw;
    }
    --sharing_depth;
    if (!other) {
        diags_.error(where, "cannot read the plan `{}` whose inputs this plan shares", path.value);
        for (auto& d : theirs.items()) {
            if (d.severity != dsl::Severity::warning) diags_.add(d.severity == dsl::Severity::error ? dsl::Severity::note : d.severity, d.range, d.message);
        }
        return;
    }
    plan_.shared_inputs = std::make_shared<const Plan>(std::move(*other));
}

std::vector<dsl::FileId> read_rule_files(dsl::SourceManager& sm, const std::string& dir, dsl::Diagnostics& diags) {
    std::error_code ec;
    fs::path root(dir);
    if (!fs::is_directory(root, ec)) {
        if (fs::is_regular_file(root, ec) && root.extension() == ".hoshu") {
            root = root.parent_path().empty() ? fs::path(".") : root.parent_path();
        } else {
            diags.error(SourceRange{}, "cannot read plan `{}`: not a folder of .hoshu files", dir);
            return {};
        }
    }
    std::set<FileKey> folders;
    std::vector<fs::path> paths = list_rule_files(root, folders, diags, SourceRange{});
    if (paths.empty() && !diags.has_errors()) {
        diags.error(SourceRange{}, "no .hoshu rule files in `{}`", dir);
        return {};
    }
    // Imports: `import "../common"` brings in a file or every .hoshu file of a folder,
    // relative to the importing file. Followed transitively, each file and folder once.
    std::vector<dsl::FileId> read;
    std::set<FileKey> seen;
    std::vector<fs::path> queue = paths;
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
        fs::path p = queue[qi].lexically_normal();
        if (auto key = file_key(p); key && !seen.insert(*key).second) continue;
        std::string text, why;
        if (!dsl::read_regular_file(p.string(), text, why)) {
            diags.error(SourceRange{}, "cannot read rule file `{}`: {}", p.string(), why);
            continue;
        }
        std::size_t bad = 0;
        dsl::FileId id = sm.add(p.string(), std::move(text));
        read.push_back(id);
        if (!dsl::valid_utf8(sm.file(id).text(), &bad)) {
            diags.error(SourceRange::in(id, static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad + 1)),
                        "this file is not valid UTF-8");
            continue;
        }
        // The imports, as the parser reads them: a line scan missed `import` followed by a
        // tab or a line break, or after another declaration on its line, and the file it
        // named was left out of the plan. Only a file that holds the word is parsed here;
        // the checker parses every file again and reports its syntax errors.
        if (sm.file(id).text().find("import") == std::string::npos) continue;
        dsl::Diagnostics syntax;   // reported by the checker
        auto parsed = dsl::parse_file(sm, id, syntax);
        for (const auto& d : parsed->declarations) {
            auto const* import = boost::get<dsl::ast::ImportDecl>(&d.get());
            if (import == nullptr) continue;
            fs::path target = p.parent_path() / import->path.value;
            SourceRange where = SourceRange::in(id, import->path.begin, import->path.end);
            std::string reason = unreadable_reason(target);
            if (reason == "a folder, not a file") {
                auto more = list_rule_files(target, folders, diags, where);
                queue.insert(queue.end(), more.begin(), more.end());
            } else if (reason.empty() && target.extension() != ".hoshu") {
                // Only .hoshu files are rules: `hoshu verify` reads no other file as one,
                // and a result sealing it could never be verified.
                diags.error(where, "cannot import `{}`: not a .hoshu file", target.string()).hint =
                    "an import names a .hoshu file or a folder of them: rename the file to end in .hoshu";
            } else if (reason.empty()) {
                queue.push_back(target);
            } else {
                diags.error(where, "cannot import `{}`: {}", target.string(), reason);
            }
        }
    }
    return read;
}

std::optional<Plan> load_plan(dsl::SourceManager& sm, const std::string& dir, dsl::Diagnostics& diags,
                              CheckOptions options) {
    std::vector<dsl::FileId> ids = read_rule_files(sm, dir, diags);
    if (diags.has_errors()) {
        diags.sort();
        return std::nullopt;
    }
    return check_files(sm, ids, diags, options);
}

}  // namespace hoshu::eval
