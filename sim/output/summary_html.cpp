#include "sim/output/summary_html.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "models/json_reader.h"
#include "sim/output/html_page.h"
#include "sim/output/svg_chart.h"

namespace servesim {
namespace {

enum class Unit { kCount, kNumber, kMs, kSeconds, kFraction, kReqRate, kTokRate, kRate, kBytes };

struct KeySpec {
  const char* key;
  const char* group;
  const char* label;
  Unit unit;
};

constexpr const char* kRequests = "Requests";
constexpr const char* kThroughput = "Throughput";
constexpr const char* kKv = "KV cache";
constexpr const char* kBatch = "Batch";
constexpr const char* kUtil = "Utilisation";
constexpr const char* kSpec = "Speculative decoding";
constexpr const char* kOffload = "Offload";
constexpr const char* kEnergy = "Energy and cost";
constexpr const char* kLoad = "Load";
constexpr const char* kSim = "Simulation";
constexpr const char* kSlo = "SLO";
constexpr const char* kOther = "Other";
// Groups in page order.
constexpr const char* kGroups[] = {kRequests, kThroughput, kKv,   kBatch, kUtil, kEnergy,
                                   kSpec,     kOffload,    kLoad, kSim,   kSlo,  kOther};

// The keys summary.json writes, in the order each group lists them.
constexpr KeySpec kKeys[] = {
    {"requested", kRequests, "requested", Unit::kCount},
    {"arrived", kRequests, "arrived", Unit::kCount},
    {"completed", kRequests, "completed", Unit::kCount},
    {"rejected", kRequests, "rejected", Unit::kCount},
    {"rejected_too_long", kRequests, "rejected: longer than the model allows", Unit::kCount},
    {"rejected_kv_capacity", kRequests, "rejected: KV cache too small", Unit::kCount},
    {"rejected_queue_full", kRequests, "rejected: queue full", Unit::kCount},
    {"in_flight_at_end", kRequests, "in flight at the end", Unit::kCount},
    {"not_arrived", kRequests, "not arrived (run stopped first)", Unit::kCount},
    {"preemptions", kRequests, "preemptions", Unit::kCount},
    {"skipped_rows", kRequests, "trace rows skipped", Unit::kCount},
    {"total_input_tokens", kRequests, "input tokens (served prompts)", Unit::kCount},
    {"total_output_tokens", kRequests, "output tokens", Unit::kCount},
    {"good_requests", kSlo, "requests within the SLO", Unit::kCount},
    {"slo_attainment", kSlo, "SLO attainment", Unit::kFraction},
    {"request_goodput", kSlo, "goodput", Unit::kReqRate},
    {"duration", kThroughput, "makespan (first arrival to last completion)", Unit::kSeconds},
    {"request_throughput", kThroughput, "requests", Unit::kReqRate},
    {"output_throughput", kThroughput, "output tokens", Unit::kTokRate},
    {"total_token_throughput", kThroughput, "input + output tokens", Unit::kTokRate},
    {"mean_decode_tok_per_s_per_request", kThroughput, "decode speed per request (mean)",
     Unit::kTokRate},
    {"kv_blocks", kKv, "KV blocks per replica", Unit::kCount},
    {"kv_usage_mean", kKv, "usage, time-weighted mean", Unit::kFraction},
    {"kv_usage_peak", kKv, "usage, peak", Unit::kFraction},
    {"kv_wasted_fraction_mean", kKv, "reserved but unused, mean", Unit::kFraction},
    {"prefix_cache_hit_rate", kKv, "prefix cache hit rate", Unit::kFraction},
    {"prefix_cache_hit_tokens", kKv, "prefix cache hit tokens", Unit::kCount},
    {"prefix_cache_resume_hit_tokens", kKv, "prefix cache hits on resume", Unit::kCount},
    {"prefix_cache_evicted_blocks", kKv, "prefix cache evicted blocks", Unit::kCount},
    {"swap_out_blocks", kKv, "blocks swapped out", Unit::kCount},
    {"swap_in_blocks", kKv, "blocks swapped in", Unit::kCount},
    {"swap_seconds", kKv, "step time moving swapped KV", Unit::kSeconds},
    {"mean_batch_size", kBatch, "sequences per step, mean", Unit::kNumber},
    {"peak_batch_size", kBatch, "sequences per step, peak", Unit::kCount},
    {"mean_tokens_per_step", kBatch, "tokens per step, mean", Unit::kNumber},
    {"peak_tokens_per_step", kBatch, "tokens per step, peak", Unit::kCount},
    {"mfu", kUtil, "MFU (model FLOPs / peak, over the makespan)", Unit::kFraction},
    {"mbu", kUtil, "MBU (bytes moved / bandwidth, over the makespan)", Unit::kFraction},
    {"energy.devices", kEnergy, "devices (tp x replicas)", Unit::kCount},
    {"energy.idle_power_w", kEnergy, "idle power per device (W)", Unit::kNumber},
    {"energy.max_power_w", kEnergy, "max power per device (W)", Unit::kNumber},
    {"energy.joules", kEnergy, "energy (J)", Unit::kNumber},
    {"energy.kwh", kEnergy, "energy (kWh)", Unit::kNumber},
    {"energy.step_joules", kEnergy, "energy during steps (J)", Unit::kNumber},
    {"energy.idle_joules", kEnergy, "energy at idle (J)", Unit::kNumber},
    {"energy.idle_share", kEnergy, "share of the energy at idle", Unit::kFraction},
    {"energy.mean_power_w", kEnergy, "mean power, all devices (W)", Unit::kNumber},
    {"energy.mean_power_per_device_w", kEnergy, "mean power per device (W)", Unit::kNumber},
    {"energy.joules_per_output_token", kEnergy, "J per output token", Unit::kNumber},
    {"energy.kwh_per_million_tokens", kEnergy, "kWh per million output tokens", Unit::kNumber},
    {"energy.tokens_per_joule", kEnergy, "output tokens per J", Unit::kNumber},
    {"energy.price_per_device_hour_usd", kEnergy, "price per device-hour (USD)", Unit::kNumber},
    {"energy.usd", kEnergy, "cost of the run (USD)", Unit::kNumber},
    {"energy.usd_per_million_tokens", kEnergy, "USD per million output tokens", Unit::kNumber},
    {"energy.tokens_per_dollar", kEnergy, "output tokens per USD", Unit::kNumber},
    {"spec_rounds", kSpec, "verification rounds", Unit::kCount},
    {"spec_drafts_proposed", kSpec, "drafts proposed", Unit::kCount},
    {"spec_drafts_accepted", kSpec, "drafts accepted", Unit::kCount},
    {"spec_acceptance_rate", kSpec, "acceptance rate", Unit::kFraction},
    {"spec_mean_accepted_length", kSpec, "tokens per round, mean", Unit::kNumber},
    {"spec_system_efficiency", kSpec, "tokens per verified slot", Unit::kFraction},
    {"spec_draft_time_share", kSpec, "busy time in draft passes", Unit::kFraction},
    {"spec_verify_time_share", kSpec, "busy time in verifying steps", Unit::kFraction},
    {"offload_resident_weight_bytes", kOffload, "weights resident on the device", Unit::kBytes},
    {"offload_streamed_bytes_per_pass", kOffload, "weights streamed per pass", Unit::kBytes},
    {"offload_io_bytes", kOffload, "bytes moved in all", Unit::kBytes},
    {"offload_io_seconds", kOffload, "transfer channel busy", Unit::kSeconds},
    {"offload_stall_share", kOffload, "busy time waiting on transfers", Unit::kFraction},
    {"offload_kv_host_blocks", kOffload, "KV blocks in host memory", Unit::kCount},
    {"load.status", kLoad, "status", Unit::kNumber},
    {"load.arrival_rate_per_s", kLoad, "arrival rate", Unit::kReqRate},
    {"load.service_rate_per_s", kLoad, "service rate", Unit::kReqRate},
    {"load.queue_growth_per_s", kLoad, "queue growth", Unit::kReqRate},
    {"truncated", kSim, "stopped before the workload drained", Unit::kNumber},
    {"horizon_exceeded", kSim, "stopped at the simulation horizon", Unit::kNumber},
    {"stalled", kSim, "stalled (requests no rule would run)", Unit::kNumber},
    {"sim.steps", kSim, "steps", Unit::kCount},
    {"sim.events", kSim, "events", Unit::kCount},
    {"sim.wall_seconds", kSim, "wall-clock time", Unit::kSeconds},
    {"sim.steps_per_second", kSim, "steps per wall-clock second", Unit::kRate},
};

// The latency table's rows and columns: key = column + "_" + row + "_ms".
constexpr const char* kLatencyRows[][2] = {{"ttft", "TTFT (time to first token)"},
                                           {"tpot", "TPOT (time per output token)"},
                                           {"itl", "ITL (inter-token latency)"},
                                           {"e2el", "E2E latency"},
                                           {"queue", "queue time"}};
constexpr const char* kLatencyColumns[] = {"mean", "median", "p90", "p95", "p99"};

const KeySpec* FindKey(const std::string& key) {
  for (const KeySpec& k : kKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

bool EndsWith(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A key the table does not know: its group by prefix, its unit by suffix.
KeySpec GuessKey(const std::string& key) {
  KeySpec k{"", kOther, "", Unit::kNumber};
  if (key.rfind("slo_", 0) == 0) k.group = kSlo;
  if (key.rfind("spec_", 0) == 0) k.group = kSpec;
  if (key.rfind("offload_", 0) == 0) k.group = kOffload;
  if (key.rfind("load.", 0) == 0) k.group = kLoad;
  if (key.rfind("sim.", 0) == 0) k.group = kSim;
  if (key.rfind("energy.", 0) == 0) k.group = kEnergy;
  if (EndsWith(key, "_ms")) k.unit = Unit::kMs;
  if (EndsWith(key, "_seconds") || EndsWith(key, "_s")) k.unit = Unit::kSeconds;
  if (EndsWith(key, "_per_s")) k.unit = Unit::kRate;
  if (EndsWith(key, "_bytes")) k.unit = Unit::kBytes;
  if (EndsWith(key, "_share") || EndsWith(key, "_fraction")) k.unit = Unit::kFraction;
  return k;
}

std::string WithUnit(double v, Unit unit) {
  switch (unit) {
    case Unit::kCount:
      return std::floor(v) == v ? Grouped(v, 0) : ThreeDigits(v);
    case Unit::kNumber:
      return ThreeDigits(v);
    case Unit::kMs:
      return std::fabs(v) >= 1000 ? ThreeDigits(v / 1000) + " s" : ThreeDigits(v) + " ms";
    case Unit::kSeconds:
      return std::fabs(v) < 1 && v != 0 ? ThreeDigits(v * 1000) + " ms" : ThreeDigits(v) + " s";
    case Unit::kFraction:
      return ThreeDigits(100 * v) + " %";
    case Unit::kReqRate:
      return ThreeDigits(v) + " req/s";
    case Unit::kTokRate:
      return ThreeDigits(v) + " tok/s";
    case Unit::kRate:
      return ThreeDigits(v) + " /s";
    case Unit::kBytes: {
      const double a = std::fabs(v);
      if (a >= 1e9) return ThreeDigits(v / 1e9) + " GB";
      if (a >= 1e6) return ThreeDigits(v / 1e6) + " MB";
      if (a >= 1e3) return ThreeDigits(v / 1e3) + " kB";
      return Grouped(v, 0) + " B";
    }
  }
  return ThreeDigits(v);
}

std::string FormatWith(const std::string& text, Unit unit) {
  if (text == "null") return "n/a";
  if (text == "true") return "yes";
  if (text == "false") return "no";
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return text;  // a string
  return WithUnit(v, unit);
}

void CollectScalars(const JsonReader& reader, const JsonValue& object, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  for (const JsonValue* v = reader.FirstChild(object); v; v = reader.NextSibling(object, *v)) {
    const std::string name = prefix + DecodeJsonString(v->key);
    switch (v->kind) {
      case JsonValue::Kind::kObject:
        CollectScalars(reader, *v, name + ".", out);
        break;
      case JsonValue::Kind::kArray:
        break;
      case JsonValue::Kind::kString:
        out.emplace_back(name, DecodeJsonString(v->text));
        break;
      case JsonValue::Kind::kNumber:
      case JsonValue::Kind::kLiteral:
        out.emplace_back(name, std::string(v->text));
        break;
    }
  }
}

const JsonValue& ParseOrThrow(JsonReader& reader, std::string_view json) {
  try {
    return reader.Parse(json);
  } catch (const JsonError& e) {
    throw std::runtime_error("malformed JSON at character " + std::to_string(e.offset + 1) + ": " +
                             e.message);
  }
}

using Fields = std::vector<std::pair<std::string, std::string>>;

const std::string* Lookup(const Fields& fields, const std::string& key) {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

// A table row: the label, the summary.json key in small type (and as the row's tooltip), the value.
std::string Row(const std::string& label, const std::string& key, const std::string& value) {
  return "<tr title=\"" + HtmlEscape(key) + "\"><td class=\"key\">" + HtmlEscape(label) +
         "<span class=\"raw\">" + HtmlEscape(key) + "</span></td><td class=\"num\">" +
         HtmlEscape(value) + "</td></tr>\n";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> JsonScalarFields(std::string_view json) {
  std::vector<std::pair<std::string, std::string>> out;
  JsonReader reader(JsonReader::Options{/*top_level_duplicates=*/false, false, "end of text"});
  CollectScalars(reader, ParseOrThrow(reader, json), "", out);
  return out;
}

std::vector<std::string> JsonStringArray(std::string_view json, std::string_view outer,
                                         std::string_view key) {
  std::vector<std::string> out;
  JsonReader reader(JsonReader::Options{/*top_level_duplicates=*/false, false, "end of text"});
  const JsonValue* object = &ParseOrThrow(reader, json);
  if (!outer.empty()) object = reader.Find(*object, outer);
  if (!object || object->kind != JsonValue::Kind::kObject) return out;
  const JsonValue* array = reader.Find(*object, key);
  if (!array || array->kind != JsonValue::Kind::kArray) return out;
  for (const JsonValue* v = reader.FirstChild(*array); v; v = reader.NextSibling(*array, *v)) {
    out.push_back(v->kind == JsonValue::Kind::kString ? DecodeJsonString(v->text)
                                                      : std::string(v->text));
  }
  return out;
}

std::string FormatSummaryValue(const std::string& key, const std::string& text) {
  const KeySpec* spec = FindKey(key);
  return FormatWith(text, spec ? spec->unit : GuessKey(key).unit);
}

namespace {

// The banners: the load status when not ok, an early stop, a stall.
std::string Banners(std::string_view json, const Fields& fields) {
  std::string o;
  const std::string* status = Lookup(fields, "load.status");
  if (status && *status != "ok") {
    const bool over = *status == "overloaded";
    o += std::string("<div class=\"banner") + (over ? "" : " warn") + "\" id=\"load-banner\"><h2>" +
         (over                     ? "Overloaded: requests arrive faster than they are served"
          : *status == "short_run" ? "Run too short to judge the load"
                                   : "Load: " + HtmlEscape(*status)) +
         "</h2>\n";
    std::string rates;
    for (const char* k :
         {"load.arrival_rate_per_s", "load.service_rate_per_s", "load.queue_growth_per_s"}) {
      const std::string* v = Lookup(fields, k);
      if (!v) continue;
      rates += std::string(rates.empty() ? "" : "; ") + FindKey(k)->label + " " +
               FormatSummaryValue(k, *v);
    }
    if (!rates.empty()) o += "<p>" + HtmlEscape(rates) + "</p>\n";
    const std::vector<std::string> messages = JsonStringArray(json, "load", "messages");
    if (!messages.empty()) {
      o += "<ul>\n";
      for (const std::string& m : messages) o += "<li>" + HtmlEscape(m) + "</li>\n";
      o += "</ul>\n";
    }
    o += "<p class=\"meta\">Latencies of an overloaded run grow with its length: they describe "
         "this run, not a steady state.</p>\n</div>\n";
  }
  const std::string* stalled = Lookup(fields, "stalled");
  if (stalled && *stalled == "true") {
    o += "<div class=\"banner\" id=\"stall-banner\"><h2>Stalled</h2><p>Requests were left that no "
         "scheduling rule would ever run (a configuration dead end).</p></div>\n";
  }
  const std::string* truncated = Lookup(fields, "truncated");
  if (truncated && *truncated == "true") {
    const std::string* horizon = Lookup(fields, "horizon_exceeded");
    const std::string* left = Lookup(fields, "not_arrived");
    const std::string* held = Lookup(fields, "in_flight_at_end");
    o += "<div class=\"banner warn\" id=\"stop-banner\"><h2>Stopped early</h2><p>The run reached " +
         std::string(horizon && *horizon == "true" ? "the simulation horizon"
                                                   : "simulation.max_time_s") +
         " before the workload drained" +
         (left ? "; " + FormatSummaryValue("not_arrived", *left) + " requests had not arrived"
               : "") +
         (held ? ", " + FormatSummaryValue("in_flight_at_end", *held) + " were in flight" : "") +
         ".</p></div>\n";
  }
  return o;
}

// The SLO section: attainment as a number and a bar, good requests, goodput.
std::string SloSection(const Fields& fields) {
  const std::string* attainment = Lookup(fields, "slo_attainment");
  if (!attainment) return "";
  std::string o = "<h2 id=\"slo\">SLO</h2>\n";
  if (*attainment == "null") {
    return o +
           "<p id=\"slo-result\">No SLO set: <code>output.slo</code> (ttft_ms, tpot_ms, "
           "e2e_ms) in the scenario counts the requests that meet it.</p>\n";
  }
  const double a = std::strtod(attainment->c_str(), nullptr);
  const std::string color = a >= 0.99 ? kGreen : a >= 0.9 ? kOrange : kRed;
  o += "<div class=\"slo\" id=\"slo-result\"><div><div class=\"big\" style=\"color:" + color +
       "\" title=\"slo_attainment\">" + FormatSummaryValue("slo_attainment", *attainment) +
       "</div>of completed requests met the SLO</div>\n";
  o += "<div class=\"meter\" title=\"slo_attainment\"><div style=\"width:" +
       SvgNumber(std::clamp(a, 0.0, 1.0) * 100) + "%;background:" + color + "\"></div></div>\n";
  o += "<table>\n";
  for (const auto& [key, value] : fields) {
    const KeySpec* spec = FindKey(key);
    const KeySpec guess = GuessKey(key);
    if (key == "slo_attainment" || (spec ? spec->group : guess.group) != std::string(kSlo))
      continue;
    o += Row(spec ? spec->label : key, key, FormatSummaryValue(key, value));
  }
  return o + "</table></div>\n";
}

// The latency table: a row per metric, a column per statistic.
std::string LatencyTable(const Fields& fields) {
  std::string o = "<h3>Latency</h3>\n<table class=\"latency\">\n<tr><th></th>";
  for (const char* c : kLatencyColumns) o += std::string("<th class=\"num\">") + c + "</th>";
  o += "</tr>\n";
  bool any = false;
  for (const auto& row : kLatencyRows) {
    std::string cells;
    bool have = false;
    for (const char* c : kLatencyColumns) {
      const std::string key = std::string(c) + "_" + row[0] + "_ms";
      const std::string* v = Lookup(fields, key);
      have = have || v;
      cells += "<td class=\"num\" title=\"" + key + "\">" +
               (v ? HtmlEscape(FormatWith(*v, Unit::kMs)) : "") + "</td>";
    }
    if (!have) continue;
    any = true;
    o += std::string("<tr><td class=\"key\">") + row[1] + "</td>" + cells + "</tr>\n";
  }
  o += "</table>\n";
  if (const std::string* v = Lookup(fields, "mean_normalized_latency_ms")) {
    any = true;
    o += "<table>" +
         Row("normalized latency (E2E / output tokens, mean)", "mean_normalized_latency_ms",
             FormatWith(*v, Unit::kMs)) +
         "</table>\n";
  }
  return any ? "<div class=\"group wide\">" + o + "</div>\n" : "";
}

bool IsLatencyKey(const std::string& key) {
  if (key == "mean_normalized_latency_ms") return true;
  for (const auto& row : kLatencyRows) {
    for (const char* c : kLatencyColumns) {
      if (key == std::string(c) + "_" + row[0] + "_ms") return true;
    }
  }
  return false;
}

}  // namespace

std::string RenderSummaryHtml(std::string_view summary_json) {
  const Fields fields = JsonScalarFields(summary_json);
  std::string o = Banners(summary_json, fields);
  const std::string slo = SloSection(fields);
  o += slo;
  o += "<h2 id=\"summary\">Summary</h2>\n<div class=\"groups\">\n" + LatencyTable(fields);
  for (const char* group : kGroups) {
    if (group == kSlo && !slo.empty()) continue;  // shown above
    std::string rows;
    // Known keys in the table's order, then unknown ones in the document's.
    for (const KeySpec& k : kKeys) {
      if (k.group != group) continue;
      if (const std::string* v = Lookup(fields, k.key))
        rows += Row(k.label, k.key, FormatWith(*v, k.unit));
    }
    for (const auto& [key, value] : fields) {
      if (FindKey(key) || IsLatencyKey(key) || GuessKey(key).group != group) continue;
      rows += Row(key, key, FormatSummaryValue(key, value));
    }
    if (rows.empty()) continue;
    o += std::string("<div class=\"group\"><h3>") + group + "</h3>\n<table>\n" + rows +
         "</table></div>\n";
  }
  return o + "</div>\n";
}

}  // namespace servesim
