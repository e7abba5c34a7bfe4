// Checked by the layering test as if it were evaluator/numbers/probe.cpp: numbers is below
// output, so this include must be reported (layering.catches_an_upward_include).
#include "evaluator/output/seal.hpp"
