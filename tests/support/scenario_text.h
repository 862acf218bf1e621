// Scenarios given as YAML text: written to a temporary file (relative paths resolve there), loaded
// with overrides, and run.
#ifndef SERVESIM_TESTS_SUPPORT_SCENARIO_TEXT_H_
#define SERVESIM_TESTS_SUPPORT_SCENARIO_TEXT_H_

#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "tests/support/temp_dir.h"

namespace servesim::testing {

inline Scenario LoadScenarioText(const std::string& yaml,
                                 const std::vector<std::string>& overrides = {}) {
  TempDir dir;
  return LoadScenario(dir.Write("s.yaml", yaml), overrides);
}

// Runs the scenario without observers.
inline RunSummary RunScenarioText(const std::string& yaml,
                                  const std::vector<std::string>& overrides = {}) {
  TempDir dir;
  const Scenario sc = LoadScenario(dir.Write("s.yaml", yaml), overrides);
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  return engine.Run({});
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_SCENARIO_TEXT_H_
