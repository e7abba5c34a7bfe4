#include "evaluator/output/seal.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>

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

}  // namespace

Result<std::vector<SealedFile>> seal_rule_files(const Plan& plan, const dsl::SourceManager& sm,
                                                const std::string& plan_dir) {
    return seal_rule_files(plan.file_ids, sm, plan_dir);
}

Result<std::vector<SealedFile>> seal_rule_files(const std::vector<dsl::FileId>& ids, const dsl::SourceManager& sm,
                                                const std::string& plan_dir) {
    fs::path base(plan_dir);
    std::error_code ec;
    if (!fs::is_directory(base, ec)) base = base.parent_path();
    if (base.empty()) base = ".";
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
        files.push_back({rel, sha256_hex(sm.file(id).text())});
    }
    if (errors.has_errors()) return errors;
    std::sort(files.begin(), files.end(), [](const SealedFile& a, const SealedFile& b) { return a.path < b.path; });
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
        fs::path folder = fs::path(result_path).parent_path();
        if (folder.empty()) folder = ".";
        seal.plan_path = relative_to_folder(plan_dir, folder);
        seal.inputs_path = relative_to_folder(inputs.path(), folder);
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
    if (!result_path.empty()) {
        fs::path folder = fs::path(result_path).parent_path();
        if (folder.empty()) folder = ".";
        seal.carried_from = relative_to_folder(carry_path, folder);
    }
}

}  // namespace hoshu::eval
