#include "workloads/workload_yaml.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>

#include "models/input_error.h"
#include "models/yaml_reader.h"
#include "models/yaml_scalar.h"
#include "workloads/synthetic.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

std::string Describe(const YAML::Node& n) { return DescribeYamlNode(n); }

std::string JoinNames(const std::vector<std::string>& names, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? std::string(sep) : "") + names[i];
  return out;
}

// Reads the values of one map, naming `source.key` in messages. The map access (Has, Get, key
// paths) is YamlMapReader's; the typed reads keep this slot's message dialect, which the bad-input
// corpus pins: "source.key: expected <what>, found ..." without a line number, and unknown keys
// rejected before any value is read, with the accepted keys listed (YamlMapReader's Finish reports
// them last, as "file:line: key: unknown key").
class MapReader {
 public:
  // `source` is the whole prefix of the map's messages ("scenario.yaml: workload"): the map
  // reader's path, with no file of its own. `node` must be a map.
  MapReader(const YAML::Node& node, const std::string& source)
      : map_(node, /*file=*/"", source), node_(node), source_(source) {}

  const std::string& source() const { return source_; }
  bool Has(const std::string& key) const { return map_.Has(key); }
  YAML::Node Get(const std::string& key) { return map_.Get(key); }
  // "source.key", the prefix of every message about `key`.
  std::string Key(const std::string& key) const { return map_.Key(key); }

  [[noreturn]] void Fail(const std::string& key, std::string_view expected,
                         const YAML::Node& found) const {
    throw InputError(Key(key) + ": expected " + std::string(expected) + ", found " +
                     Describe(found));
  }

  // Rejects keys outside `allowed`; a key of `elsewhere` (name -> where it belongs) gets that
  // explanation instead of a suggestion.
  void CheckKeys(const std::vector<std::string>& allowed,
                 const std::function<std::string(const std::string&)>& elsewhere = {}) const {
    for (const auto& member : node_) {
      if (!member.first.IsScalar()) {
        throw InputError(source_ + ": keys must be names, found " + Describe(member.first));
      }
      const std::string& key = member.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      if (elsewhere) {
        const std::string why = elsewhere(key);
        if (!why.empty()) throw InputError(Key(key) + ": " + why);
      }
      throw InputError(Key(key) + ": unknown key" + DidYouMean(key, allowed) +
                       " (accepted: " + JoinNames(allowed) + ")");
    }
  }

  void Require(const std::string& key, std::string_view why = "") const {
    if (!Has(key)) {
      throw InputError(source_ + ": missing required key '" + key + "'" +
                       (why.empty() ? "" : " (" + std::string(why) + ")"));
    }
  }

  std::string String(const std::string& key, std::string_view expected) {
    const YAML::Node n = Get(key);
    if (!n.IsScalar() || n.Scalar().empty()) Fail(key, expected, n);
    return n.Scalar();
  }

  int64_t Int(const std::string& key, int64_t min) {
    const YAML::Node n = Get(key);
    const std::string expected = min == 1   ? "a positive integer"
                                 : min == 0 ? "a non-negative integer"
                                            : "an integer >= " + std::to_string(min);
    bool out_of_range = false;
    const std::optional<int64_t> v = YamlToInt(n, &out_of_range);
    if (out_of_range) {
      throw InputError(Key(key) + ": expected " + expected + ", found '" + n.Scalar() +
                       "' (out of range)");
    }
    if (!v || *v < min) Fail(key, expected, n);
    return *v;
  }

  // A finite number; `positive` excludes 0, otherwise it must be >= 0 when `non_negative`.
  double Double(const std::string& key, bool positive, bool non_negative = true) {
    const YAML::Node n = Get(key);
    const std::string expected = positive       ? "a positive number"
                                 : non_negative ? "a number >= 0"
                                                : "a finite number";
    const std::optional<double> v = YamlToDouble(n);
    if (!v || !std::isfinite(*v)) Fail(key, expected, n);
    if ((positive && !(*v > 0)) || (non_negative && *v < 0)) Fail(key, expected, n);
    return *v;
  }

  bool Bool(const std::string& key) {
    const YAML::Node n = Get(key);
    const std::optional<bool> v = YamlToBool(n);
    if (!v) Fail(key, "true or false", n);
    return *v;
  }

  // One of `names`.
  std::string Choice(const std::string& key, const std::vector<std::string>& names) {
    const YAML::Node n = Get(key);
    const std::string expected = "one of " + JoinNames(names, " | ");
    if (!n.IsScalar()) Fail(key, expected, n);
    const std::string& text = n.Scalar();
    if (std::find(names.begin(), names.end(), text) != names.end()) return text;
    throw InputError(Key(key) + ": expected " + expected + ", found '" + text + "'" +
                     DidYouMean(text, names));
  }

 private:
  YamlMapReader map_;
  YAML::Node node_;  // for CheckKeys, which walks every key present
  std::string source_;
};

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  const std::filesystem::path p(path);
  if (base_dir.empty() || p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).string();
}

// ---- Key tables (documentation order).

const std::vector<std::string> kTraceKeys = {
    "impl",       "path", "format",     "columns", "time_unit", "separator",    "arrival",
    "rate_per_s", "cv",   "time_scale", "start_s", "end_s",     "max_requests", "skip_bad_rows"};
const std::vector<std::string> kSyntheticKeys = {
    "impl",          "arrival",       "rate_per_s",        "cv",
    "prompt_tokens", "output_tokens", "max_prompt_tokens", "max_output_tokens",
    "shared_prefix", "num_requests",  "duration_s"};
const std::vector<std::string> kClosedLoopKeys = {"impl",
                                                  "clients",
                                                  "think_time_s",
                                                  "think_dist",
                                                  "prompt_tokens",
                                                  "output_tokens",
                                                  "max_prompt_tokens",
                                                  "max_output_tokens",
                                                  "shared_prefix",
                                                  "requests_per_client",
                                                  "num_requests",
                                                  "duration_s"};
const std::vector<std::string> kLengthKeys = {"dist", "value", "min", "max", "mean", "std",
                                              "mu",   "sigma", "n",   "s",   "path"};
const std::vector<std::string> kSharedPrefixKeys = {"prompts", "tokens", "share", "popularity",
                                                    "zipf_s"};
const std::vector<std::string> kPopularityNames = {"uniform", "zipf"};
const std::vector<std::string> kColumnKeys = {"arrival", "arrival_s", "arrival_ms", "prompt_tokens",
                                              "output_tokens"};
const std::vector<std::string> kArrivalNames = {"poisson", "gamma", "constant", "burst"};
const std::vector<std::string> kLengthNames = {"fixed",     "uniform", "normal",
                                               "lognormal", "zipf",    "empirical"};
const std::vector<std::string> kFormatNames = [] {
  std::vector<std::string> out;
  for (TraceFormat f : TraceFormats()) out.emplace_back(TraceFormatName(f));
  return out;
}();
const std::vector<std::string> kTimeUnitNames = {"s", "ms", "us", "ns", "iso"};
const std::vector<std::string> kSeparatorNames = {"comma", "tab", "semicolon", ",", ";"};

// ---- Lengths.

// Sets spec.kind (and use_mu_sigma) for distribution `dist`; returns the keys it needs.
std::vector<std::string> SetLengthKind(const MapReader& r, const std::string& dist,
                                       LengthSpec& spec) {
  std::vector<std::string> keys;
  if (dist == "fixed") {
    spec.kind = LengthKind::kFixed;
    keys = {"value"};
  } else if (dist == "uniform") {
    spec.kind = LengthKind::kUniform;
    keys = {"min", "max"};
  } else if (dist == "normal") {
    spec.kind = LengthKind::kNormal;
    keys = {"mean", "std"};
  } else if (dist == "lognormal") {
    spec.kind = LengthKind::kLognormal;
    spec.use_mu_sigma = r.Has("mu") || r.Has("sigma");
    keys = spec.use_mu_sigma ? std::vector<std::string>{"mu", "sigma"}
                             : std::vector<std::string>{"mean", "std"};
  } else if (dist == "zipf") {
    spec.kind = LengthKind::kZipf;
    keys = {"n", "s"};
  } else {
    spec.kind = LengthKind::kEmpirical;
    keys = {"path"};
  }
  return keys;
}

// Reads the parameters of spec.kind's distribution (all present: checked by the caller).
void ReadLengthParams(MapReader& r, const std::string& base_dir, LengthSpec& spec) {
  switch (spec.kind) {
    case LengthKind::kFixed:
      spec.value = r.Int("value", 1);
      break;
    case LengthKind::kUniform:
      spec.min = r.Int("min", 1);
      spec.max = r.Int("max", 1);
      break;
    case LengthKind::kNormal:
      spec.mean = r.Double("mean", true);
      spec.stddev = r.Double("std", false);
      break;
    case LengthKind::kLognormal:
      if (spec.use_mu_sigma) {
        spec.mu = r.Double("mu", false, false);
        spec.sigma = r.Double("sigma", false);
      } else {
        spec.mean = r.Double("mean", true);
        spec.stddev = r.Double("std", false);
      }
      break;
    case LengthKind::kZipf:
      spec.n = r.Int("n", 1);
      spec.s = r.Double("s", true);
      break;
    case LengthKind::kEmpirical:
      spec.path = ResolvePath(r.String("path", "the path of a lengths CSV"), base_dir);
      break;
  }
}

LengthSpec ReadLength(const YAML::Node& node, const std::string& where,
                      const std::string& base_dir) {
  LengthSpec spec;
  if (!node.IsDefined() || node.IsNull()) {
    throw InputError(where + ": expected a length in tokens or a map with 'dist', found null");
  }
  if (node.IsScalar()) {
    int64_t v = 0;
    const std::string& text = node.Scalar();
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v < 1 || v > kMaxTraceTokens) {
      throw InputError(where +
                       ": expected a length in tokens (an integer >= 1) or a map with "
                       "'dist', found '" +
                       text + "'");
    }
    spec.kind = LengthKind::kFixed;
    spec.value = v;
    return spec;
  }
  if (!node.IsMap()) {
    throw InputError(where + ": expected a length in tokens or a map with 'dist', found " +
                     Describe(node));
  }
  MapReader r(node, where);
  r.CheckKeys(kLengthKeys);
  r.Require("dist", "one of " + JoinNames(kLengthNames, " | "));
  const std::string dist = r.Choice("dist", kLengthNames);
  const std::vector<std::string> keys = SetLengthKind(r, dist, spec);
  std::vector<std::string> allowed = keys;
  allowed.insert(allowed.begin(), "dist");
  r.CheckKeys(allowed, [&](const std::string& key) -> std::string {
    if (dist == "lognormal") {
      return "give either mean and std (of the lengths) or mu and sigma (of the underlying "
             "normal), not '" +
             key + "' with " + (spec.use_mu_sigma ? "mu/sigma" : "mean/std");
    }
    return "does not apply to dist " + dist + " (its keys: " + JoinNames(keys) + ")";
  });
  for (const std::string& key : keys) r.Require(key, "dist " + dist + " needs " + JoinNames(keys));
  ReadLengthParams(r, base_dir, spec);
  ValidateLengthSpec(spec, where);
  return spec;
}

// Keys of the other impls, for "belongs to" hints.
std::function<std::string(const std::string&)> OtherImplKeys(const std::string& impl) {
  return [impl](const std::string& key) -> std::string {
    std::vector<std::string> takers;
    for (const std::string& other : WorkloadImplNames()) {
      if (other == impl) continue;
      const auto& keys = WorkloadYamlKeys(other);
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) takers.push_back(other);
    }
    if (takers.empty()) return "";
    return "does not apply to impl " + impl + " (it is a key of impl " +
           JoinNames(takers, " and ") + ")";
  };
}

// ---- The impls.

// The columns map of a csv / jsonl trace; `unit` gets arrival_s / arrival_ms's unit.
void ReadTraceColumns(MapReader& r, TraceOptions& o, std::optional<TimeUnit>& unit) {
  if (o.format != TraceFormat::kCsv && o.format != TraceFormat::kJsonl) {
    throw InputError(r.Key("columns") + ": applies to formats csv and jsonl only (format " +
                     TraceFormatName(o.format) + " has fixed columns)");
  }
  const YAML::Node columns = r.Get("columns");
  if (!columns.IsMap()) r.Fail("columns", "a map of column names", columns);
  MapReader c(columns, r.Key("columns"));
  c.CheckKeys(kColumnKeys);
  const int given = c.Has("arrival") + c.Has("arrival_s") + c.Has("arrival_ms");
  if (given > 1) {
    throw InputError(c.source() +
                     ": give one of arrival (unit: time_unit), arrival_s or arrival_ms");
  }
  if (c.Has("arrival")) o.columns.arrival = c.String("arrival", "a column name");
  if (c.Has("arrival_s")) {
    o.columns.arrival = c.String("arrival_s", "a column name");
    unit = TimeUnit::kSeconds;
  }
  if (c.Has("arrival_ms")) {
    o.columns.arrival = c.String("arrival_ms", "a column name");
    unit = TimeUnit::kMilliseconds;
  }
  if (c.Has("prompt_tokens")) o.columns.prompt_tokens = c.String("prompt_tokens", "a column name");
  if (c.Has("output_tokens")) o.columns.output_tokens = c.String("output_tokens", "a column name");
}

// time_unit and separator.
void ReadTraceUnitAndSeparator(MapReader& r, TraceOptions& o, std::optional<TimeUnit> column_unit) {
  if (r.Has("time_unit")) {
    o.time_unit = ParseTimeUnit(r.Choice("time_unit", kTimeUnitNames));
    if (column_unit && *column_unit != *o.time_unit) {
      throw InputError(r.Key("time_unit") + ": " + TimeUnitName(*o.time_unit) +
                       " contradicts the unit of columns.arrival_" + TimeUnitName(*column_unit) +
                       "; name the column with columns.arrival");
    }
  } else if (column_unit) {
    o.time_unit = column_unit;
  }
  if (r.Has("separator")) {
    const std::string sep = r.Choice("separator", kSeparatorNames);
    o.separator = sep == "tab" ? '\t' : (sep == "semicolon" || sep == ";") ? ';' : ',';
  }
}

// arrival, rate_per_s and cv: the arrival process of a trace without timestamps.
void ReadTraceArrivals(MapReader& r, TraceOptions& o) {
  if (!r.Has("arrival") && !r.Has("rate_per_s") && !r.Has("cv")) return;
  TraceArrivals a;
  std::string arrival = "poisson";
  if (r.Has("arrival")) arrival = r.Choice("arrival", kArrivalNames);
  a.kind = arrival == "poisson"    ? ArrivalKind::kPoisson
           : arrival == "gamma"    ? ArrivalKind::kGamma
           : arrival == "constant" ? ArrivalKind::kConstant
                                   : ArrivalKind::kBurst;
  if (a.kind == ArrivalKind::kBurst) {
    if (r.Has("rate_per_s")) {
      throw InputError(r.Key("rate_per_s") +
                       ": does not apply to arrival burst (every request arrives at t = 0)");
    }
  } else {
    r.Require("rate_per_s", "arrival " + arrival + " needs a rate in requests per second");
    a.rate_per_s = r.Double("rate_per_s", true);
  }
  if (a.kind == ArrivalKind::kGamma) {
    r.Require("cv", "arrival gamma needs the coefficient of variation of its gaps");
    a.cv = r.Double("cv", true);
  } else if (r.Has("cv")) {
    throw InputError(r.Key("cv") + ": applies to arrival gamma only (arrival is " + arrival + ")");
  }
  if (TraceFormatTimeUnit(o.format)) {
    const std::string key = r.Has("rate_per_s") ? "rate_per_s" : "arrival";
    throw InputError(r.Key(key) + ": format " + TraceFormatName(o.format) +
                     " has its own arrival times (generated arrivals apply to formats vllm_bench "
                     "and sharegpt; to change the rate use time_scale)");
  }
  o.arrival = a;
}

std::unique_ptr<Workload> MakeTrace(MapReader& r, const std::string& base_dir, uint64_t seed) {
  r.CheckKeys(kTraceKeys, OtherImplKeys("trace"));
  r.Require("path", "the trace file");
  r.Require("format", "one of " + JoinNames(kFormatNames, " | "));
  TraceOptions o;
  o.path = ResolvePath(r.String("path", "the path of a trace file"), base_dir);
  o.format = *ParseTraceFormat(r.Choice("format", kFormatNames));
  std::optional<TimeUnit> column_unit;
  if (r.Has("columns")) ReadTraceColumns(r, o, column_unit);
  ReadTraceUnitAndSeparator(r, o, column_unit);
  ReadTraceArrivals(r, o);
  if (r.Has("time_scale")) o.time_scale = r.Double("time_scale", true);
  if (r.Has("start_s")) o.start_s = r.Double("start_s", false);
  if (r.Has("end_s")) {
    o.end_s = r.Double("end_s", true);
    if (o.end_s <= o.start_s) {
      r.Fail("end_s", "a time after start_s (" + std::to_string(o.start_s) + " s)", r.Get("end_s"));
    }
  }
  if (r.Has("max_requests")) o.max_requests = r.Int("max_requests", 0);
  if (r.Has("skip_bad_rows")) o.skip_bad_rows = r.Bool("skip_bad_rows");
  try {
    return MakeTraceWorkload(o, r.source(), seed);
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.rfind(r.source(), 0) == 0) throw;
    throw InputError(r.Key("path") + ": " + what);
  }
}

// ---- Shared prefix.

SharedPrefixSpec ReadSharedPrefix(MapReader& parent) {
  const YAML::Node node = parent.Get("shared_prefix");
  if (!node.IsMap()) {
    parent.Fail("shared_prefix", "a map {prompts, tokens, share, popularity, zipf_s}", node);
  }
  MapReader r(node, parent.Key("shared_prefix"));
  r.CheckKeys(kSharedPrefixKeys);
  r.Require("tokens", "the length of the shared prompts, or a list of lengths");
  SharedPrefixSpec spec;
  const YAML::Node tokens = r.Get("tokens");
  if (tokens.IsSequence()) {
    if (tokens.size() == 0)
      r.Fail("tokens", "a length in tokens or a non-empty list of them", tokens);
    for (size_t i = 0; i < tokens.size(); ++i) {
      const YAML::Node item = tokens[i];
      bool out_of_range = false;
      const std::optional<int64_t> v = YamlToInt(item, &out_of_range);
      if (!v || out_of_range || *v < 1) {
        throw InputError(r.Key("tokens") + "[" + std::to_string(i) +
                         "]: expected a positive integer, found " + Describe(item) +
                         (out_of_range ? " (out of range)" : ""));
      }
      spec.tokens.push_back(*v);
    }
    spec.prompts = static_cast<int64_t>(spec.tokens.size());
    if (r.Has("prompts") && r.Int("prompts", 1) != spec.prompts) {
      r.Fail("prompts", std::to_string(spec.prompts) + " (the number of lengths in tokens)",
             r.Get("prompts"));
    }
  } else {
    r.Require("prompts", "the number of shared prompts");
    spec.prompts = r.Int("prompts", 1);
    spec.tokens.push_back(r.Int("tokens", 1));
  }
  if (r.Has("share")) {
    const YAML::Node n = r.Get("share");
    const std::optional<double> v = YamlToDouble(n);
    if (!v || !(*v >= 0 && *v <= 1)) r.Fail("share", "a fraction in [0, 1]", n);
    spec.share = *v;
  }
  std::string popularity = "uniform";
  if (r.Has("popularity")) popularity = r.Choice("popularity", kPopularityNames);
  spec.popularity = popularity == "zipf" ? PrefixPopularity::kZipf : PrefixPopularity::kUniform;
  if (r.Has("zipf_s")) {
    if (spec.popularity != PrefixPopularity::kZipf) {
      throw InputError(r.Key("zipf_s") + ": applies to popularity zipf only (popularity is " +
                       popularity + ")");
    }
    spec.zipf_s = r.Double("zipf_s", true);
  }
  ValidateSharedPrefix(spec, r.source());
  return spec;
}

// The keys shared by synthetic and closed_loop: lengths, caps and limits.
template <typename Options>
void ReadLengthsAndLimits(MapReader& r, const std::string& base_dir, Options& o) {
  r.Require("prompt_tokens", "a length or a length distribution");
  r.Require("output_tokens", "a length or a length distribution");
  o.prompt = ReadLength(r.Get("prompt_tokens"), r.Key("prompt_tokens"), base_dir);
  o.output = ReadLength(r.Get("output_tokens"), r.Key("output_tokens"), base_dir);
  if (r.Has("max_prompt_tokens")) o.max_prompt_tokens = r.Int("max_prompt_tokens", 1);
  if (r.Has("max_output_tokens")) o.max_output_tokens = r.Int("max_output_tokens", 1);
  if (r.Has("num_requests")) o.num_requests = r.Int("num_requests", 0);
  if (r.Has("duration_s")) o.duration_s = r.Double("duration_s", true);
  if (r.Has("shared_prefix")) o.shared_prefix = ReadSharedPrefix(r);
}

// Gamma gaps have shape 1 / cv^2 and scale 1 / (rate x shape) (synthetic.h). cv is kept to
// [kMinGammaCv, kMaxGammaCv], where the shape stays within 1e-6..1e6 (beyond, the gaps are all but
// constant or all but zero); the rate must leave the scale a positive finite number of seconds.
constexpr double kMinGammaCv = 1e-3;
constexpr double kMaxGammaCv = 1e3;

// `v` in at most 4 significant digits, as a bound in a message (finite: capped at the largest double).
std::string Bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", std::min(v, std::numeric_limits<double>::max()));
  return buf;
}

void ReadGammaCv(MapReader& r, SyntheticOptions& o) {
  o.cv = r.Double("cv", true);
  if (o.cv < kMinGammaCv || o.cv > kMaxGammaCv) {
    r.Fail("cv",
           "a coefficient of variation in [" + Bound(kMinGammaCv) + ", " + Bound(kMaxGammaCv) + "]",
           r.Get("cv"));
  }
  const double shape = 1.0 / (o.cv * o.cv);
  const double scale_s = 1.0 / (o.rate_per_s * shape);
  if (!(scale_s > 0) || !std::isfinite(scale_s)) {
    const double max = std::numeric_limits<double>::max();
    r.Fail("rate_per_s",
           "a rate in [" + Bound(1.0 / max / shape) + ", " + Bound(max / shape) +
               "] requests/s with arrival gamma at cv " + Bound(o.cv) +
               " (the gaps' scale cv^2 / rate must be a positive finite number of seconds)",
           r.Get("rate_per_s"));
  }
}

std::unique_ptr<Workload> MakeSynthetic(MapReader& r, const std::string& base_dir, uint64_t seed) {
  r.CheckKeys(kSyntheticKeys, OtherImplKeys("synthetic"));
  SyntheticOptions o;
  std::string arrival = "poisson";
  if (r.Has("arrival")) arrival = r.Choice("arrival", kArrivalNames);
  o.arrival = arrival == "poisson"    ? ArrivalKind::kPoisson
              : arrival == "gamma"    ? ArrivalKind::kGamma
              : arrival == "constant" ? ArrivalKind::kConstant
                                      : ArrivalKind::kBurst;
  if (o.arrival == ArrivalKind::kBurst) {
    if (r.Has("rate_per_s")) {
      throw InputError(r.Key("rate_per_s") +
                       ": does not apply to arrival burst (every request "
                       "arrives at t = 0)");
    }
  } else {
    r.Require("rate_per_s", "arrival " + arrival + " needs a rate in requests per second");
    o.rate_per_s = r.Double("rate_per_s", true);
  }
  if (o.arrival == ArrivalKind::kGamma) {
    r.Require("cv", "arrival gamma needs the coefficient of variation of its gaps");
    ReadGammaCv(r, o);
  } else if (r.Has("cv")) {
    throw InputError(r.Key("cv") + ": applies to arrival gamma only (arrival is " + arrival + ")");
  }
  ReadLengthsAndLimits(r, base_dir, o);
  if (!r.Has("num_requests") && !r.Has("duration_s")) {
    throw InputError(r.source() +
                     ": missing required key 'num_requests' or 'duration_s' (a "
                     "synthetic source needs a limit)");
  }
  return MakeSyntheticWorkload(o, seed, r.source());
}

std::unique_ptr<Workload> MakeClosedLoop(MapReader& r, const std::string& base_dir, uint64_t seed) {
  r.CheckKeys(kClosedLoopKeys, OtherImplKeys("closed_loop"));
  ClosedLoopOptions o;
  r.Require("clients", "the number of concurrent clients");
  const int64_t clients = r.Int("clients", 1);
  if (clients > 10'000'000) r.Fail("clients", "at most 10,000,000 clients", r.Get("clients"));
  o.clients = static_cast<int32_t>(clients);
  if (r.Has("think_time_s")) o.think_time_s = r.Double("think_time_s", false);
  if (r.Has("think_dist")) {
    o.think_exponential = r.Choice("think_dist", {"fixed", "exponential"}) == "exponential";
  }
  ReadLengthsAndLimits(r, base_dir, o);
  if (r.Has("requests_per_client")) o.requests_per_client = r.Int("requests_per_client", 0);
  if (!r.Has("requests_per_client") && !r.Has("num_requests") && !r.Has("duration_s")) {
    throw InputError(r.source() +
                     ": missing required key 'requests_per_client', 'num_requests' "
                     "or 'duration_s' (a closed loop needs a limit)");
  }
  return MakeClosedLoopWorkload(o, seed, r.source());
}

// The impl table: name, keys, factory.
struct WorkloadImpl {
  const char* name;
  const std::vector<std::string>* keys;
  std::unique_ptr<Workload> (*make)(MapReader&, const std::string&, uint64_t);
};

const WorkloadImpl kImpls[] = {
    {"trace", &kTraceKeys, MakeTrace},
    {"synthetic", &kSyntheticKeys, MakeSynthetic},
    {"closed_loop", &kClosedLoopKeys, MakeClosedLoop},
};

}  // namespace

const std::vector<std::string>& WorkloadImplNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const WorkloadImpl& impl : kImpls) out.emplace_back(impl.name);
    return out;
  }();
  return names;
}

const std::vector<std::string>& WorkloadYamlKeys(std::string_view impl) {
  static const std::vector<std::string> kNone;
  for (const WorkloadImpl& i : kImpls) {
    if (impl == i.name) return *i.keys;
  }
  return kNone;
}

const std::vector<std::string>& LengthYamlKeys() { return kLengthKeys; }

const std::vector<std::string>& SharedPrefixYamlKeys() { return kSharedPrefixKeys; }

const std::vector<std::string>& TraceColumnKeys() { return kColumnKeys; }

std::unique_ptr<Workload> MakeWorkload(const YAML::Node& node, std::string_view source,
                                       const std::string& base_dir, uint64_t seed) {
  const std::string src(source);
  if (!node.IsDefined() || node.IsNull()) {
    throw InputError(src + ": expected a map {impl: " + JoinNames(WorkloadImplNames(), " | ") +
                     ", ...}, found null");
  }
  if (!node.IsMap()) {
    throw InputError(src + ": expected a map {impl: " + JoinNames(WorkloadImplNames(), " | ") +
                     ", ...}, found " + Describe(node));
  }
  MapReader r(node, src);
  r.Require("impl", "one of " + JoinNames(WorkloadImplNames(), " | "));
  const std::string impl = r.Choice("impl", WorkloadImplNames());
  for (const WorkloadImpl& i : kImpls) {
    if (impl == i.name) return i.make(r, base_dir, seed);
  }
  return nullptr;  // unreachable: Choice accepted a listed name
}

}  // namespace servesim
