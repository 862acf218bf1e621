// A shipped scenario run through the engine with a report collector: the rendered report.html and
// the inter-token latency figures of both the report (inferred from steps) and the engine.
#ifndef SERVESIM_TESTS_SUPPORT_REPORT_RUN_H_
#define SERVESIM_TESTS_SUPPORT_REPORT_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/core/engine.h"
#include "sim/output/report_html.h"
#include "sim/output/summary_json.h"

namespace servesim::testing {

struct ReportRun {
  std::string page;
  int64_t completed = 0;
  size_t samples = 0;
  double itl_p50_ms = 0, itl_p99_ms = 0, engine_itl_p50_ms = 0, engine_itl_p99_ms = 0;
  int64_t itl_count = 0, engine_itl_count = 0;
};

// `scenarios/NAME` with `overrides`.
inline ReportRun RunScenarioReport(const std::string& name,
                                   const std::vector<std::string>& overrides) {
  const Scenario sc =
      LoadScenario(std::string(SERVESIM_SOURCE_DIR) + "/scenarios/" + name, overrides);
  Engine engine(sc.engine, MakeScenarioWorkloads(sc));
  ReportOptions options;
  options.replicas = sc.engine.replicas;
  for (const MemoryTier& t : sc.engine.offload.tiers) options.offload_tiers.push_back(t.name);
  ReportCollector report(options);
  const RunSummary s = engine.Run({&report});
  ReportRun run;
  run.page = report.Render("test run", ScenarioYamlText(sc.root), SummaryJson(s, sc.engine, false));
  run.completed = report.completed_seen();
  run.samples = report.samples_kept();
  run.itl_p50_ms = report.ItlQuantileMs(0.5);
  run.itl_p99_ms = report.ItlQuantileMs(0.99);
  run.engine_itl_p50_ms = s.itl_s.Quantile(0.5) * 1e3;
  run.engine_itl_p99_ms = s.itl_s.Quantile(0.99) * 1e3;
  run.itl_count = report.itl_count();
  run.engine_itl_count = s.itl_s.count();
  return run;
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_REPORT_RUN_H_
