// The front end's entry point, free of Boost: parse one rule file into its syntax tree.
//
//   dsl::SourceManager sm;
//   auto id = sm.add("rules/iij/annual.hoshu", text);
//   dsl::Diagnostics diags;
//   std::shared_ptr<dsl::ast::File> file = dsl::parse_file(sm, id, diags);
//
// Every syntax error is reported, not just the first: after an error the parser resumes
// at the next line that starts a declaration.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/base/diagnostics.hpp"
#include "dsl/base/source.hpp"

namespace hoshu::dsl {

namespace ast {
struct File;
}

/// The declarations that parsed (never null), and a diagnostic for each syntax error.
std::shared_ptr<ast::File> parse_file(const SourceManager& sm, FileId file, Diagnostics& diags);

/// The words that begin a declaration (`param`, `input`, …), for messages and recovery.
const char* declaration_keywords();
/// The same, showing `per RECORD` with the plan's record words (`per officer, …`).
std::string declaration_keywords(const std::vector<std::string>& records);

}  // namespace hoshu::dsl
