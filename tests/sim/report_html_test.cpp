// report.html and its chart primitives: hand-checked ticks, CDF points and JSON fields; the page
// has its sections and inline SVG charts, references nothing outside itself, stays small for a
// 20k-request run, and is the same for the same run; the roofline page of `analyze --html`.
#include "sim/output/report_html.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "hardware/presets.h"
#include "models/presets.h"
#include "sim/config/scenario.h"
#include "sim/output/summary_json.h"
#include "sim/output/svg_chart.h"
#include "sim/output/sweep_html.h"
#include "tests/support/report_run.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::CountOf;

void CheckSelfContained(const std::string& page) {
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  CHECK(page.find("url(") == std::string::npos);
  CHECK(CountOf(page, "<svg") == CountOf(page, "</svg>"));
  CHECK(page.find("</html>") != std::string::npos);
}

testing::ReportRun RunDefault(const std::vector<std::string>& overrides) {
  return testing::RunScenarioReport("default.yaml", overrides);
}

}  // namespace

TEST_CASE("linear ticks step by 1, 2 or 5 times a power of ten", "[report]") {
  CHECK(LinearTicks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(LinearTicks(0, 1, 5) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
  CHECK(LinearTicks(3, 47, 4) == std::vector<double>{10, 20, 30, 40});
  CHECK(LinearTicks(5, 5, 4).empty());
  CHECK(LogTicks(0.1, 1000) == std::vector<double>{0.1, 1, 10, 100, 1000});
  CHECK(LogTicks(2, 9).empty());
}

TEST_CASE("tick labels are short", "[report]") {
  CHECK(FormatTick(0) == "0");
  CHECK(FormatTick(0.25) == "0.25");
  CHECK(FormatTick(40) == "40");
  CHECK(FormatTick(1500) == "1.5k");
  CHECK(FormatTick(2e6) == "2M");
  CHECK(FormatTick(989e12) == "989T");
  CHECK(FormatTick(1e-5) == "1e-05");
  CHECK(HtmlEscape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
}

TEST_CASE("CDF points sit at evenly spaced ranks, ends included", "[report]") {
  const auto all = CdfPoints({3, 1, 2, 4}, 10);
  REQUIRE(all.size() == 4);
  CHECK(all[0].x == 1);
  CHECK(all[0].y == 0.25);
  CHECK(all[3].x == 4);
  CHECK(all[3].y == 1);
  // 5 values, 2 intervals: ranks 0, 2, 4.
  const auto some = CdfPoints({50, 10, 40, 20, 30}, 2);
  REQUIRE(some.size() == 3);
  CHECK(some[0].x == 10);
  CHECK(some[1].x == 30);
  CHECK(some[1].y == 0.6);
  CHECK(some[2].x == 50);
  CHECK(CdfPoints({}, 10).empty());
}

TEST_CASE("JsonScalarFields flattens objects, skips arrays, rejects bad JSON", "[report]") {
  const auto f = JsonScalarFields(
      R"({"a": 1, "b": {"c": "x\"y\u00e9", "d": [1, {"z": 2}]}, "e": true, "f": null, "g": -2.5e-3})");
  REQUIRE(f.size() == 5);
  CHECK(f[0] == std::make_pair(std::string("a"), std::string("1")));
  CHECK(f[1] == std::make_pair(std::string("b.c"), std::string("x\"y\xc3\xa9")));
  CHECK(f[2] == std::make_pair(std::string("e"), std::string("true")));
  CHECK(f[3] == std::make_pair(std::string("f"), std::string("null")));
  CHECK(f[4] == std::make_pair(std::string("g"), std::string("-2.5e-3")));
  CHECK_THROWS(JsonScalarFields(R"({"a": 1,})"));
  CHECK_THROWS(JsonScalarFields(R"({"a": 01})"));
  CHECK_THROWS(JsonScalarFields(R"({"a": "x)"));
  CHECK_THROWS(JsonScalarFields(R"([1, 2])"));
  CHECK_THROWS(JsonScalarFields(R"({"a": 1} x)"));
}

TEST_CASE("an SVG chart has axes, labels, one polyline per unbroken run", "[report]") {
  SvgChart chart("t<1>", {"x label"}, {"y label"}, 400, 200);
  chart.AddLine("series & co", "#123456", {{0, 0}, {1, 1}, {2, NAN}, {3, 3}, {4, 4}});
  chart.AddVerticalRule(2, "#f00", "rule");
  const std::string svg = chart.Render();
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(CountOf(svg, "<polyline") == 2);  // the NaN splits the line
  CHECK(svg.find("t&lt;1&gt;") != std::string::npos);
  CHECK(svg.find("series &amp; co") != std::string::npos);
  CHECK(svg.find("x label") != std::string::npos);
  CHECK(svg.find("y label") != std::string::npos);
  CHECK(svg.find(">rule<") != std::string::npos);
  CHECK(svg.find("xmlns") == std::string::npos);  // inline SVG in HTML needs no namespace URL
}

TEST_CASE("latency samples: all up to the cap, then a fixed-seed reservoir", "[report]") {
  ReportOptions options;
  options.max_samples = 100;
  ReportCollector a(options), b(options);
  for (int64_t i = 0; i < 1000; ++i) {
    RequestRecord r;
    r.request_id = i;
    r.replica = 0;
    r.status = RequestStatus::kCompleted;
    r.arrival_ns = i * 1000000;
    r.first_scheduled_ns = r.arrival_ns;
    r.first_token_ns = r.arrival_ns + 1000000 + i * 1000;
    r.finish_ns = r.first_token_ns + 5000000;
    r.output_tokens = 6;
    a.OnRequest(r);
    b.OnRequest(r);
    if (i == 49) CHECK(a.samples_kept() == 50);
  }
  RequestRecord rejected;
  a.OnRequest(rejected);  // not completed: ignored
  CHECK(a.completed_seen() == 1000);
  CHECK(a.samples_kept() == 100);
  CHECK(a.Render("r", "", "{}") == b.Render("r", "", "{}"));
}

TEST_CASE("time buckets double their width as the run outgrows them", "[report]") {
  ReportOptions options;
  options.time_buckets = 4;
  ReportCollector report(options);
  const int64_t w0 = report.bucket_width_ns();
  StepRecord s;
  s.start_ns = 0;
  s.duration_ns = w0;
  report.OnStep(s);
  CHECK(report.bucket_width_ns() == w0);
  // A step ending at 5 initial widths needs 4 buckets of 2 widths.
  s.start_ns = w0;
  s.duration_ns = 4 * w0;
  report.OnStep(s);
  CHECK(report.bucket_width_ns() == 2 * w0);
  s.start_ns = 5 * w0;
  s.duration_ns = 12 * w0;  // ends at 17 widths: 4 x 8 = 32 widths
  report.OnStep(s);
  CHECK(report.bucket_width_ns() == 8 * w0);
}

TEST_CASE("the run report has its sections, echoes the scenario, stays self-contained",
          "[report]") {
  const testing::ReportRun run = RunDefault({"workload.num_requests=200"});
  const std::string& p = run.page;
  CheckSelfContained(p);
  for (const char* id :
       {"id=\"summary\"", "id=\"latency\"", "id=\"timeseries\"", "id=\"scenario\""}) {
    CHECK(p.find(id) != std::string::npos);
  }
  CHECK(CountOf(p, "<svg class=\"chart\"") == 9);  // 4 CDFs + 5 time series
  for (const char* title :
       {"TTFT CDF", "TPOT CDF", "ITL CDF", "E2E latency CDF", "Token throughput",
        "Inter-token latency", "Batch size", "Queue length", "KV cache usage"}) {
    CHECK(p.find(title) != std::string::npos);
  }
  CHECK(p.find("<td class=\"key\">completed<span class=\"raw\">completed</span></td>"
               "<td class=\"num\">200</td>") != std::string::npos);
  CHECK(p.find("id=\"offload\"") == std::string::npos);  // no offload, no I/O section
  CHECK(p.find("id=\"load-banner\"") == std::string::npos);
  CHECK(p.find("num_requests: 200") != std::string::npos);  // the override is echoed
  CHECK(p.find("llama-3.1-8b") != std::string::npos);
  CHECK(run.completed == 200);
  CHECK(RunDefault({"workload.num_requests=200"}).page == p);
}

TEST_CASE("the offload chart draws one line per tier that streamed, named by the device",
          "[report]") {
  ReportOptions options;
  options.offload_tiers = {"dram", "nvme"};
  ReportCollector report(options);
  StepRecord s;
  s.duration_ns = 1000000000;
  s.io_s = 0.5;
  s.io_bytes = 3.5e9;
  s.io_tier_bytes = {2e9, 0, 1.5e9, 0};  // tier 1 idle; tier 2 has no name in the options
  for (int i = 0; i < 3; ++i) {
    s.start_ns = i * s.duration_ns;
    report.OnStep(s);
  }
  const std::string page = report.Render("r", "", "{}");
  const size_t at = page.find("aria-label=\"Bytes streamed to the device\"");
  REQUIRE(at != std::string::npos);
  const size_t next = page.find("aria-label=\"I/O share of step time\"", at);  // the next chart
  REQUIRE(next != std::string::npos);
  const std::string chart = page.substr(at, next - at);
  CHECK(CountOf(chart, "<polyline") == 2);
  CHECK(CountOf(chart, "from dram") == 1);
  CHECK(CountOf(chart, "from tier 2") == 1);
  CHECK(CountOf(chart, "from nvme") == 0);
}

TEST_CASE("the report of a 20k-request run stays under 3 MB", "[report]") {
  const testing::ReportRun run = RunDefault({"workload.num_requests=20000"});
  CHECK(run.completed == 20000);
  CHECK(run.samples == 20000);
  CHECK(run.page.size() < 3u * 1024 * 1024);
  CheckSelfContained(run.page);
}

TEST_CASE("the roofline page places operators under the device's ceilings", "[report]") {
  AnalyzeRequest r;
  r.model = ModelPresetOrThrow("llama-3.1-8b", "test");
  r.device = DevicePresetOrThrow("h100-sxm", "test");
  r.batch = 16;
  r.context = 1000;
  const std::string page = RenderRooflineHtml(r);
  CheckSelfContained(page);
  const double ridge =
      r.device.PeakFlopsFor(r.model.activation_dtype) / r.device.memory.bandwidth_bytes_per_s;
  CHECK(page.find("ridge " + FormatTick(ridge) + " FLOP/B") != std::string::npos);
  for (const RooflineOp& op : AnalyzeRoofline(r).ops)
    CHECK(page.find("<td>" + op.name + "</td>") != std::string::npos);
  CHECK(CountOf(page, "<circle") >= 5);
  r.batch = 0;
  CHECK_THROWS(RenderRooflineHtml(r));
}

}  // namespace servesim

namespace servesim {
namespace {

TEST_CASE("sweep page: a chart per metric, a line per other-key value, the grid", "[report]") {
  const std::string csv =
      "point,workload.rate_per_s,scheduler.impl,completed,request_throughput,mean_ttft_ms\n"
      "0,1,vllm_v1,10,0.9,12.5\n"
      "1,1,\"{impl: sarathi, chunk_size: 256}\",10,0.95,11\n"
      "2,2,vllm_v1,10,1.8,20\n"
      "3,2,\"{impl: sarathi, chunk_size: 256}\",10,1.9,18\n";
  const std::string html = RenderSweepHtml("t", csv, 2);
  size_t charts = 0;
  const std::string mark = "<svg class=\"chart\"";
  for (size_t at = html.find(mark); at != std::string::npos; at = html.find(mark, at + 1)) ++charts;
  CHECK(charts == 2);  // request_throughput and mean_ttft_ms are the metrics present
  CHECK(CountOf(html, "<polyline") == 4);  // a numeric first key: a line per scheduler
  CHECK(html.find("impl=vllm_v1") != std::string::npos);  // a series per scheduler
  CHECK(html.find("impl=impl: sarathi, chunk_size: 256") != std::string::npos);
  CHECK(html.find("<td>{impl: sarathi, chunk_size: 256}</td>") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

}  // namespace
}  // namespace servesim
