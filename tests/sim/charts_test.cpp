// Readable charts and pages: grouped bars for categorical sweep axes (a group per category with
// its label, error bars from _ci95 columns), legends that wrap instead of running off the chart,
// the sweep grid in a scrolling box, the formatted and grouped run summary with its load banner
// and SLO section (present and absent), the inter-token latency CDF of the run report from the
// steps, and the offload I/O section. Expected strings are worked out by hand from the inputs.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/output/html_page.h"
#include "sim/output/report_html.h"
#include "sim/output/summary_html.h"
#include "sim/output/summary_json.h"
#include "sim/output/svg_chart.h"
#include "sim/output/sweep_html.h"
#include "tests/support/report_run.h"
#include "tests/support/text.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::CountOf;

TEST_CASE("labels wrap at spaces and are cut with an ellipsis", "[charts]") {
  CHECK(WrapLabel("impl: sarathi, chunk_size: 256", 16, 3) ==
        std::vector<std::string>{"impl: sarathi,", "chunk_size: 256"});
  CHECK(WrapLabel("abcdefghij", 4, 2) == std::vector<std::string>{"abcd", "efg\u2026"});
  CHECK(WrapLabel("short", 10, 3) == std::vector<std::string>{"short"});
  CHECK(Ellipsize("hello", 5) == "hello");
  CHECK(Ellipsize("hello world", 6) == "hello\u2026");
  CHECK(Ellipsize("\u00e9t\u00e9s", 3) == "\u00e9t\u2026");  // whole UTF-8 characters
}

TEST_CASE("numbers for people: separators and three significant digits", "[charts]") {
  CHECK(Grouped(84489, 0) == "84,489");
  CHECK(Grouped(-1234567.891, 2) == "-1,234,567.89");
  CHECK(Grouped(999, 0) == "999");
  CHECK(Grouped(-0.001, 2) == "0.00");
  CHECK(ThreeDigits(2888.23) == "2,888");
  CHECK(ThreeDigits(31.19) == "31.2");
  CHECK(ThreeDigits(0.037972) == "0.0380");
  CHECK(FormatSummaryValue("kv_usage_mean", "0.037972") == "3.80 %");
  CHECK(FormatSummaryValue("mean_ttft_ms", "279.72") == "280 ms");
  CHECK(FormatSummaryValue("p99_e2el_ms", "10464.8") == "10.5 s");
  CHECK(FormatSummaryValue("total_input_tokens", "84489") == "84,489");
  CHECK(FormatSummaryValue("offload_io_bytes", "6.0e10") == "60.0 GB");
  CHECK(FormatSummaryValue("request_throughput", "3.8975") == "3.90 req/s");
  CHECK(FormatSummaryValue("duration", "37.2034") == "37.2 s");
  CHECK(FormatSummaryValue("sim.wall_seconds", "0.0123") == "12.3 ms");
  CHECK(FormatSummaryValue("slo_attainment", "null") == "n/a");
  CHECK(FormatSummaryValue("truncated", "false") == "no");
  CHECK(FormatSummaryValue("brand_new_ms", "12.5") == "12.5 ms");  // unit from the suffix
}

TEST_CASE("a bar chart draws a labelled group per category, bars to scale, error bars",
          "[charts]") {
  SvgBarChart chart("tput", {"vllm_v1", "impl: sarathi, chunk_size: 256", "orca"}, "scheduler",
                    {"req/s"}, 400, 320);
  chart.AddSeries("rate=1", "#111111", {1, 2, 3}, {0.1, NAN, 0.2});
  chart.AddSeries("rate=2", "#222222", {2, NAN, 4});
  const std::string svg = chart.Render();
  CHECK(CountOf(svg, "<g class=\"category\">") == 3);
  CHECK(CountOf(svg, "<rect class=\"bar\"") == 5);  // the NaN draws no bar
  CHECK(CountOf(svg, "<path d=\"M") == 2);          // two whiskers
  for (const char* label : {"vllm_v1", "orca", "impl: sarathi, chunk_size: 256"})
    CHECK(Contains(svg, std::string("<title>") + label + "</title>"));
  // A group of (400 - 94) / 3 px holds 18 characters: the mapping wraps at its comma.
  CHECK(Contains(svg, ">impl: sarathi,</tspan>"));
  CHECK(Contains(svg, ">chunk_size: 256</tspan>"));
  CHECK(Contains(svg, ">rate=1</text>"));
  CHECK(Contains(svg, ">rate=2</text>"));
  // One legend row: plot from y 46 to 320 - (30 + 2 label lines x 12) = 266, 220 px. The axis
  // leaves 6 % above the tallest bar for its label: 4 x 1.06 = 4.24, so it runs 0..5, 44 px a unit.
  CHECK(Contains(svg, "height=\"176.0\""));  // 4
  CHECK(Contains(svg, "height=\"132.0\""));  // 3
  CHECK(Contains(svg, "height=\"88.0\""));   // 2 (twice)
  CHECK(Contains(svg, "height=\"44.0\""));   // 1
}

TEST_CASE("a legend too wide for one row wraps and pushes the plot down", "[charts]") {
  SvgChart chart("t", {"x"}, {"y"}, 600, 300);
  for (int i = 0; i < 6; ++i) {
    chart.AddLine(std::string(29, static_cast<char>('a' + i)) + "!", "#000", {{0, 0}, {1, 1}});
  }
  chart.AddLine(std::string(200, 'z'), "#000", {{0, 0}, {1, 1}});
  const std::string svg = chart.Render();
  // 30-character entries take 30 + 30 x 6.2 = 216 px: two to a 506 px row, three rows, then the
  // long one on a fourth, cut to (506 - 18) / 6.2 = 78 characters.
  CHECK(Contains(svg, "y=\"78.0\">"));  // the fourth row's text baseline: 32 + 3 x 14 + 4
  CHECK(Contains(svg, "<rect x=\"70.0\" y=\"88.0\""));  // the plot frame: 46 + 3 x 14
  CHECK(Contains(svg, ">" + std::string(77, 'z') + "\u2026</text>"));
  CHECK(Contains(svg, "<title>" + std::string(200, 'z') + "</title>"));
}

TEST_CASE("a marker label that would leave the chart goes on the marker's left", "[charts]") {
  SvgChart chart("t", {"x", Scale::kLinear, 0, 100}, {"y"}, 600, 300);
  const std::string label = "ridge 72.92 FLOP/B";  // 18 characters at 5.6 px: 100.8 px wide
  chart.AddMarkers("right", "#000", {{100, 1}}, {label});
  chart.AddMarkers("left", "#000", {{0, 1}}, {"origin"});
  const std::string svg = chart.Render();
  auto number_after = [&](const std::string& before) {
    const size_t at = svg.find(before);
    REQUIRE(at != std::string::npos);
    return std::stod(svg.substr(at + before.size()));
  };
  const double right_cx = number_after("<circle cx=\"");
  const size_t text_at = svg.rfind("<text x=\"", svg.find(">" + label + "</text>"));
  const double text_x = std::stod(svg.substr(text_at + 9));
  CHECK(text_x == Approx(right_cx - 6 - 100.8).margin(0.05));  // flipped: ends 6 px left of it
  CHECK(text_x + 100.8 <= 600);
  // A label with room keeps the right side: 6 px right of its marker.
  const size_t origin_text = svg.rfind("<text x=\"", svg.find(">origin</text>"));
  const size_t origin_circle = svg.find("<circle cx=\"", svg.find("<circle cx=\"") + 1);
  CHECK(std::stod(svg.substr(origin_text + 9)) ==
        Approx(std::stod(svg.substr(origin_circle + 12)) + 6).margin(0.05));
}

const char* const kCategoricalCsv =
    "point,scheduler.impl,workload.rate_per_s,completed,request_throughput,mean_itl_ms,"
    "p99_itl_ms\n"
    "0,vllm_v1,1,10,0.9,12.5,30\n"
    "1,vllm_v1,2,10,1.8,14,40\n"
    "2,\"{impl: sarathi, chunk_size: 256}\",1,10,0.95,11,25\n"
    "3,\"{impl: sarathi, chunk_size: 256}\",2,10,1.9,13,35\n";

TEST_CASE("sweep page: a categorical first key gives grouped bars, ITL is charted", "[charts]") {
  const std::string html = RenderSweepHtml("t", kCategoricalCsv, 2);
  CHECK(CountOf(html, "<svg class=\"chart\"") == 3);  // throughput, mean and p99 ITL
  CHECK(Contains(html, "aria-label=\"mean_itl_ms\""));
  CHECK(Contains(html, "aria-label=\"p99_itl_ms\""));
  CHECK(CountOf(html, "<g class=\"category\">") == 6);  // two per chart
  CHECK(CountOf(html, "<rect class=\"bar\"") == 12);    // 2 categories x 2 rates x 3 charts
  CHECK(CountOf(html, "<polyline") == 0);
  CHECK(CountOf(html, "<title>vllm_v1</title>") == 3);
  CHECK(CountOf(html, "<title>impl: sarathi, chunk_size: 256</title>") == 3);  // braces dropped
  CHECK(Contains(html, ">rate_per_s=1</text>"));
  CHECK(Contains(html, ">rate_per_s=2</text>"));
  CHECK(Contains(html, ">scheduler.impl</text>"));  // the x axis names the key
  // The grid scrolls inside its own box, the table whole.
  const size_t box = html.find("<div class=\"scroll\" id=\"grid-table\">");
  REQUIRE(box != std::string::npos);
  CHECK(html.find("<table>", box) == box + 37);
  CHECK(Contains(html, "<td>{impl: sarathi, chunk_size: 256}</td>"));
  CHECK(Contains(html, ".scroll{overflow:auto"));
}

TEST_CASE("sweep page: _ci95 columns draw error bars", "[charts]") {
  const std::string csv =
      "point,scheduler.impl,request_throughput,request_throughput_ci95\n"
      "0,vllm_v1,0.9,0.05\n"
      "1,sarathi,0.95,0.1\n"
      "2,orca,0.5,\n";
  const std::string html = RenderSweepHtml("t", csv, 1);
  CHECK(CountOf(html, "<rect class=\"bar\"") == 3);
  CHECK(CountOf(html, "<path d=\"M") == 2);  // orca's interval is empty
  CHECK(Contains(html, "vllm_v1: 0.9 \u00b1 0.05"));
  CHECK(Contains(html, "95 % confidence intervals"));
}

TEST_CASE("sweep page: points whose load_status is not ok are named, ringed and shaded",
          "[charts]") {
  const std::string csv =
      "point,workload.rate_per_s,request_throughput,load_status\n"
      "0,2,2,ok\n"
      "1,8,7.9,short_run\n"
      "2,60,13,overloaded\n";
  const std::string html = RenderSweepHtml("t", csv, 1);
  // The banner sits above the charts and names each point once, under its status.
  REQUIRE(Contains(html, "<div class=\"banner warn\" id=\"load\">"));
  CHECK(html.find("id=\"load\"") < html.find("<svg class=\"chart\""));
  CHECK(Contains(html, "<b>1 overloaded</b>"));
  CHECK(Contains(html, ": point 2 (rate_per_s=60)</li>"));
  CHECK(Contains(html, "<b>1 short_run</b>"));
  CHECK(Contains(html, ": point 1 (rate_per_s=8)</li>"));
  // One ring per flagged point, red for overloaded and orange for short_run; none for ok.
  CHECK(CountOf(html, "<circle class=\"ring\"") == 2);
  CHECK(Contains(html, "stroke=\"#d62728\" stroke-width=\"2\"><title>point 2: overloaded"));
  CHECK(Contains(html, "stroke=\"#e8710a\" stroke-width=\"2\"><title>point 1: short_run"));
  // Rows: flagged ones carry their status as a class; the status is text, not a number.
  CHECK(Contains(html, "<tr><td>0</td>"));
  CHECK(Contains(html, "<tr class=\"short_run\"><td>1</td>"));
  CHECK(Contains(html, "<tr class=\"overloaded\"><td>2</td>"));
  CHECK(Contains(html, "<td>overloaded</td>"));
  CHECK(Contains(html, "<th>load_status</th>"));
  CHECK(Contains(html, "tr.overloaded td{background:"));
  CHECK(RenderSweepHtml("t", csv, 1) == html);  // deterministic
}

TEST_CASE("sweep page: no banner or rings when every point is ok", "[charts]") {
  const std::string csv =
      "point,workload.rate_per_s,request_throughput,load_status\n0,2,2,ok\n1,4,4,ok\n";
  const std::string html = RenderSweepHtml("t", csv, 1);
  CHECK_FALSE(Contains(html, "id=\"load\""));
  CHECK(CountOf(html, "class=\"ring\"") == 0);
  CHECK(CountOf(html, "<tr class=") == 0);
}

const char* const kOverloadedSummary = R"({
  "completed": 10, "total_input_tokens": 84489, "mean_ttft_ms": 279.72, "p99_e2el_ms": 10464.8,
  "kv_usage_mean": 0.037972, "good_requests": 7, "slo_attainment": 0.875,
  "request_goodput": 1.25, "brand_new_ms": 12.5,
  "load": {"status": "overloaded", "arrival_rate_per_s": 12, "service_rate_per_s": 8,
           "queue_growth_per_s": 4,
           "messages": ["arrivals 12 req/s exceed service 8 req/s", "queue <grows>"]},
  "sim": {"events": 1234567, "steps": 42}
})";

TEST_CASE("summary: an overloaded run gets a banner with its messages, SLO attainment shows",
          "[charts]") {
  const std::string h = RenderSummaryHtml(kOverloadedSummary);
  REQUIRE(Contains(h, "<div class=\"banner\" id=\"load-banner\">"));
  CHECK(h.find("id=\"load-banner\"") < h.find("id=\"summary\""));  // on top
  CHECK(Contains(h, "Overloaded"));
  CHECK(Contains(h, "<li>arrivals 12 req/s exceed service 8 req/s</li>"));
  CHECK(Contains(h, "<li>queue &lt;grows&gt;</li>"));
  CHECK(Contains(h, "arrival rate 12.0 req/s; service rate 8.00 req/s; queue growth 4.00 req/s"));
  CHECK(Contains(h, "id=\"slo-result\""));
  CHECK(Contains(h, ">87.5 %</div>"));
  CHECK(CountOf(h, "title=\"good_requests\"") == 1);  // in the SLO section, not again below
  CHECK(Contains(h, "<td class=\"num\">7</td>"));
  CHECK(Contains(h, ">1.25 req/s</td>"));
  // Formatted values, each beside its summary.json key.
  CHECK(Contains(h,
            "usage, time-weighted mean<span class=\"raw\">kv_usage_mean</span></td>"
            "<td class=\"num\">3.80 %</td>"));
  CHECK(Contains(h, "<td class=\"num\">84,489</td>"));
  CHECK(Contains(h, "<td class=\"num\">1,234,567</td>"));
  CHECK(Contains(h, "<td class=\"num\" title=\"mean_ttft_ms\">280 ms</td>"));
  CHECK(Contains(h, "<td class=\"num\" title=\"p99_e2el_ms\">10.5 s</td>"));
  CHECK(Contains(h, "<h3>Other</h3>"));  // an unknown key is kept, in its unit
  CHECK(
      Contains(h, "brand_new_ms<span class=\"raw\">brand_new_ms</span></td><td class=\"num\">12.5 ms"));
  for (const char* group : {"Requests", "KV cache", "Load", "Simulation", "Latency"})
    CHECK(Contains(h, std::string("<h3>") + group + "</h3>"));
  CHECK_FALSE(Contains(h, "<h3>Offload</h3>"));  // absent keys, absent groups
}

TEST_CASE("summary: no banner when the load is ok or unknown; SLO unset or absent", "[charts]") {
  const std::string ok = RenderSummaryHtml(
      R"({"completed": 10, "load": {"status": "ok", "messages": []}, "slo_attainment": null,
          "request_goodput": null, "good_requests": null})");
  CHECK_FALSE(Contains(ok, "banner"));
  CHECK(Contains(ok, "No SLO set"));
  const std::string old = RenderSummaryHtml(R"({"completed": 10, "good_requests": 10})");
  CHECK_FALSE(Contains(old, "banner"));
  CHECK_FALSE(Contains(old, "id=\"slo\""));
  CHECK(Contains(old, "<h3>SLO</h3>"));  // good_requests still shown, in its group
  const std::string short_run = RenderSummaryHtml(
      R"({"load": {"status": "short_run", "messages": ["only 3 requests completed"]},
          "truncated": true, "not_arrived": 1200, "in_flight_at_end": 5})");
  CHECK(Contains(short_run, "<div class=\"banner warn\" id=\"load-banner\">"));
  CHECK(Contains(short_run, "<li>only 3 requests completed</li>"));
  CHECK(Contains(short_run, "id=\"stop-banner\""));
  CHECK(Contains(short_run, "1,200 requests had not arrived, 5 were in flight"));
  CHECK_THROWS(RenderSummaryHtml("{\"a\": }"));
}

StepRecord Step(int32_t replica, int64_t start_ms, int64_t end_ms, int64_t decode_seqs) {
  StepRecord s;
  s.replica = replica;
  s.start_ns = start_ms * 1000000;
  s.duration_ns = (end_ms - start_ms) * 1000000;
  s.batch = s.decode_seqs = s.new_tokens = decode_seqs;
  return s;
}

TEST_CASE("report ITL: one gap per decoding sequence since its replica's previous step",
          "[charts]") {
  ReportOptions options;
  options.replicas = 2;
  ReportCollector report(options);
  report.OnStep(Step(0, 0, 10, 4));   // no previous step: no gap
  report.OnStep(Step(1, 0, 20, 3));   // likewise
  report.OnStep(Step(0, 10, 25, 4));  // 4 x 15 ms
  report.OnStep(Step(1, 20, 40, 3));  // 3 x 20 ms
  report.OnStep(Step(0, 25, 30, 2));  // 2 x 5 ms
  report.OnStep(Step(0, 30, 31, 0));  // prefill only: no gap
  // Sorted: 5 5 15 15 15 15 20 20 20; p50 (rank 5) = 15 ms, p99 (rank 9) = 20 ms, within a bin.
  CHECK(report.itl_count() == 9);
  CHECK(report.ItlQuantileMs(0.5) == Approx(15).epsilon(0.011));
  CHECK(report.ItlQuantileMs(0.99) == Approx(20).epsilon(0.011));
  CHECK(report.ItlQuantileMs(0.2) == Approx(5).epsilon(0.011));
  const std::string page = report.Render("t", "", "{}");
  CHECK(Contains(page, "ITL CDF (9 inter-token gaps)"));
}

TEST_CASE("report ITL from steps agrees with the engine's per-token measurement", "[charts]") {
  const testing::ReportRun r =
      testing::RunScenarioReport("default.yaml", {"workload.num_requests=300"});
  // The engine times each token against the sequence's previous one; the report infers the same
  // gaps from the steps, and bins them 2 % wide.
  CHECK(r.itl_count == r.engine_itl_count);
  CHECK(r.itl_p50_ms == Approx(r.engine_itl_p50_ms).epsilon(0.03));
  CHECK(r.itl_p99_ms == Approx(r.engine_itl_p99_ms).epsilon(0.03));
}

TEST_CASE("an offload run's report charts bytes streamed and the I/O share of step time",
          "[charts]") {
  const testing::ReportRun r = testing::RunScenarioReport("offload_t4_flexgen_opt30b.yaml", {});
  CHECK(Contains(r.page, "<h2 id=\"offload\">Offload I/O</h2>"));
  CHECK(Contains(r.page, "aria-label=\"Bytes streamed to the device\""));
  // FlexGen's policy keeps weights and KV in DRAM: one tier streams, the T4's host-dram.
  CHECK(Contains(r.page, "from host-dram"));
  CHECK(Contains(r.page, "aria-label=\"I/O share of step time\""));
  CHECK(Contains(r.page, "<h3>Offload</h3>"));
  CHECK(CountOf(r.page, "<svg class=\"chart\"") == 11);  // 4 CDFs, 5 time series, 2 I/O
}

}  // namespace
}  // namespace servesim
