// Checked by the layering test as if it were evaluator/analysis/probe.cpp: the grammar's
// definitions are private to dsl/syntax/, and toml++ belongs to run/inputs.cpp alone; both
// must be reported (layering.catches_a_private_header).
#include "dsl/syntax/grammar_def.hpp"
#include <toml++/toml.h>
