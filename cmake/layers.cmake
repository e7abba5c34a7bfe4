# The layers of hoshu, bottom up: name, folder, the layers it links (directly). CMake makes
# one static library hoshu_<name> per row (CMakeLists.txt); tests/layering/check_includes.cmake
# checks every #include of the tree against the same rows: a file may include headers of its
# own folder and of the layers below it (the closure of its links), nothing above.
set(HOSHU_LAYERS
  "base      dsl/base"
  "syntax    dsl/syntax          base"
  "numbers   evaluator/numbers   base"
  "ir        evaluator/ir        numbers"
  "check     evaluator/check     ir syntax"
  "run       evaluator/run       ir"
  "analysis  evaluator/analysis  run syntax"
  "native    evaluator/native    run"
  "whatif    evaluator/whatif    run native"
  "output    evaluator/output    analysis whatif"
  "register  evaluator/register  output")

# Headers only their own folder may include.
set(HOSHU_PRIVATE_HEADERS
  dsl/syntax/grammar.hpp dsl/syntax/grammar_def.hpp dsl/syntax/config.hpp dsl/syntax/ast_adapted.hpp
  evaluator/check/checker.hpp evaluator/run/evaluator.hpp)

# Third-party headers (by prefix) and the only files that may include them. The unit tests
# and the benchmarks may include anything (an independent big-rational reference, say).
set(HOSHU_EXTERNAL_INCLUDES
  "boost/spirit/home/x3.hpp        dsl/syntax/grammar.hpp dsl/syntax/grammar_def.hpp"
  "boost/spirit/home/x3/support/   dsl/syntax/ast.hpp"
  "boost/fusion/                   dsl/syntax/ast_adapted.hpp"
  "toml++/                         evaluator/run/inputs.cpp"
  "openssl/                        evaluator/output/seal.cpp"
  "boost/multiprecision/           evaluator/numbers/rational.cpp evaluator/whatif/simulate.cpp"
  "boost/random/                   evaluator/whatif/model.cpp"
  "nlohmann/                       evaluator/output/json.cpp evaluator/output/verify.cpp"
  "CLI/                            cli/main.cpp"
  "sqlite3.h                       evaluator/register/register.cpp"
  "xlsxwriter                      evaluator/output/xlsx.cpp"
  "unicode/                        dsl/base/unicode.cpp")
