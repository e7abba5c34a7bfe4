// hoshu fmt [--check] FILES…: rewrite rule files in the canonical layout (dsl/syntax/format.hpp).
// A file is rewritten whole or not at all, and only when its layout changes; a file with
// a syntax error is reported and left as it is. A folder named *.hoshu inside a folder
// named is refused, as the plan loader refuses it, and then no file is rewritten.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "dsl/syntax/format.hpp"
#include "evaluator/check/check.hpp"

namespace hoshu::cli {

namespace {

namespace fs = std::filesystem;

/// The files named, in order: a folder stands for its .hoshu files, its subfolders'
/// included, in name order. False when a name is neither a file nor a folder, or a folder
/// holds a folder named *.hoshu (then `refused` is set too).
bool expand(const std::vector<std::string>& args, std::vector<std::string>& files, bool& refused) {
    bool ok = true;
    std::set<std::string> seen;
    auto add = [&](const std::string& f) {
        if (seen.insert(f).second) files.push_back(f);
    };
    for (const auto& arg : args) {
        std::error_code ec;
        fs::path path(arg);
        if (fs::is_directory(path, ec)) {
            std::vector<std::string> found;
            fs::recursive_directory_iterator it(path, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                // Every entry named *.hoshu: reading says why one is not a rule file (a
                // symbolic link that loops, a FIFO). A folder so named is refused as the
                // plan loader refuses it (and not walked into). Symbolic links to folders
                // are not followed, so the walk cannot loop.
                if (it->path().extension() != ".hoshu") continue;
                std::error_code type_ec;
                if (it->is_directory(type_ec)) {
                    it.disable_recursion_pending();
                    dsl::Diagnostics diags;
                    eval::refuse_unreadable_rule_file(it->path().lexically_normal().string(), diags);
                    print_diagnostics(dsl::SourceManager(), diags);
                    ok = false;
                    refused = true;
                    continue;
                }
                found.push_back(it->path().lexically_normal().string());
            }
            if (ec) {
                std::fprintf(stderr, "hoshu: error: cannot read folder `%s`: %s\n", arg.c_str(), ec.message().c_str());
                ok = false;
                continue;
            }
            if (found.empty()) {
                std::fprintf(stderr, "hoshu: error: no .hoshu rule files in `%s`\n", arg.c_str());
                ok = false;
            }
            std::sort(found.begin(), found.end());
            for (const auto& f : found) add(f);
        } else if (fs::exists(path, ec)) {
            add(path.lexically_normal().string());
        } else {
            std::fprintf(stderr, "hoshu: error: cannot read `%s`: %s\n", arg.c_str(),
                         ec ? ec.message().c_str() : "no such file or folder");
            ok = false;
        }
    }
    return ok;
}

}  // namespace

int run_fmt(const FmtArgs& args) {
    std::vector<std::string> files;
    bool folder_named_hoshu = false;
    bool unreadable = !expand(args.paths, files, folder_named_hoshu);
    // A folder named *.hoshu, which `check` refuses a plan for: nothing is rewritten (or
    // listed), as nothing is checked.
    if (folder_named_hoshu) return Exit::usage;
    bool failed = false;   // a syntax error, or (--check) a file that would change
    std::size_t errors = 0;
    OutputFile listing;    // --check: the files that would change, on standard output
    std::string error;
    if (!listing.open("", error)) return output_failed(error);
    for (const auto& file : files) {
        std::string text, why;
        if (!dsl::read_regular_file(file, text, why)) {
            std::fprintf(stderr, "hoshu: error: cannot read `%s`: %s\n", dsl::printable(file).c_str(), why.c_str());
            unreadable = true;
            continue;
        }
        dsl::SourceManager sm;
        dsl::FileId id = sm.add(file, text);
        Result<std::string> formatted = dsl::format_rule_file(sm, id);
        if (!formatted) {
            print_diagnostics(sm, formatted.error());
            errors += formatted.error().error_count();
            failed = true;
            continue;
        }
        if (*formatted == text) continue;
        if (args.check) {
            if (!listing.write(dsl::printable(file) + "\n", error)) return output_failed(error);
            failed = true;
            continue;
        }
        // The rewritten file keeps its mode; one that may not be written is refused.
        if (!write_output(file, *formatted, error)) {
            output_failed(error);
            unreadable = true;
        }
    }
    if (!listing.commit(error)) return output_failed(error);
    if (errors > 0) std::fprintf(stderr, "%zu error%s\n", errors, errors == 1 ? "" : "s");
    if (unreadable) return Exit::usage;
    return failed ? Exit::failure : Exit::success;
}

}  // namespace hoshu::cli
