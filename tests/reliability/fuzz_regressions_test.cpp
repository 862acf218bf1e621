// Replays the minimized inputs of tests/reliability/regressions (README there) the way the bench/fuzz
// targets run them: InputError is the only acceptable failure. Runs in every build, so the bugs
// they showed stay fixed (the sanitizer build would also report a signed overflow).
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "bench/fuzz/trace_mode.h"
#include "models/hf_config.h"
#include "models/input_error.h"
#include "sim/config/scenario.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

using testing::ReadFile;

// What bench/fuzz/fuzz_trace.cpp does with one input: the first byte picks format and options.
void ReplayTrace(const std::string& bytes) {
  if (bytes.empty()) return;
  const auto mode = static_cast<unsigned char>(bytes[0]);
  const testing::TempDir dir;
  const TraceOptions options = fuzz::TraceOptionsForMode(mode, dir.Write("trace", bytes.substr(1)));
  try {
    std::unique_ptr<Workload> w = MakeTraceWorkload(options, "regression");
    Request r;
    while (w->Next(r) == Pull::kRequest) {
    }
  } catch (const InputError&) {
  }
}

TEST_CASE("reliability: fuzzing regressions end in requests or an InputError",
          "[reliability][fuzz-regressions]") {
  const std::filesystem::path dir =
      std::filesystem::path(SERVESIM_SOURCE_DIR) / "tests/reliability/regressions";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    INFO(name);
    if (name.rfind("fuzz_trace-", 0) == 0) {
      CHECK_NOTHROW(ReplayTrace(ReadFile(entry.path())));
    } else if (name.rfind("fuzz_scenario-", 0) == 0) {
      CHECK_NOTHROW([&] {
        try {
          const Scenario scenario = LoadScenario(entry.path().string(), {});
          (void)MakeScenarioWorkloads(scenario);
        } catch (const InputError&) {
        }
      }());
    } else if (name.rfind("fuzz_hf_config-", 0) == 0) {
      CHECK_NOTHROW([&] {
        try {
          (void)ModelSpecFromHfConfigText(ReadFile(entry.path()), name);
        } catch (const InputError&) {
        }
      }());
    } else {
      FAIL(
          "unknown regression target prefix (expected fuzz_trace-, fuzz_scenario-, "
          "fuzz_hf_config-)");
    }
  }
}

}  // namespace
}  // namespace servesim
