#include "sim/app/sweep.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "models/input_error.h"
#include "models/log.h"
#include "models/printable_text.h"
#include "models/yaml_reader.h"
#include "sim/app/cli_common.h"
#include "sim/app/confidence.h"
#include "sim/config/scenario.h"
#include "sim/core/load_check.h"
#include "sim/output/json_writer.h"
#include "sim/output/sweep_html.h"
#include "workloads/csv_line.h"

namespace servesim {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// True when `key` occurs in `text` as a whole dotted key (not part of a longer key or word).
bool MentionsKey(const std::string& text, const std::string& key) {
  auto is_key_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  for (size_t pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + 1)) {
    const bool left_ok = pos == 0 || !is_key_char(text[pos - 1]);
    const size_t end = pos + key.size();
    const bool right_ok = end == text.size() || !is_key_char(text[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

}  // namespace

// The axis whose key, or the longest prefix of it, the message names: an unknown top-level key
// `sched` of `--vary sched.x=1` is reported as "sched: unknown key".
std::string SweepPointError(const std::vector<SweepAxis>& axes, int64_t point,
                            const std::string& message, const std::string& what) {
  if (axes.empty()) return message;
  const std::vector<std::string> assignment = SweepAssignment(axes, point);
  for (size_t i = 0; i < axes.size(); ++i) {
    const std::string value = assignment[i].substr(axes[i].key.size() + 1);
    const std::string head = "--vary " + axes[i].key + " (value '" + value + "', " + what + " " +
                             std::to_string(point) + "): ";
    // The loader named the override already ("--vary KEY=VALUE: ..."): add the point.
    const std::string named = "--vary " + assignment[i] + ": ";
    if (message.rfind(named, 0) == 0) return head + message.substr(named.size());
    std::string key = axes[i].key;
    while (!key.empty()) {
      if (MentionsKey(message, key)) return head + message;
      const auto dot = key.find_last_of('.');
      key = dot == std::string::npos ? "" : key.substr(0, dot);
    }
  }
  return what + " " + std::to_string(point) + " (" + Join(assignment, ", ") + "): " + message;
}

namespace {

std::string ReadFileOrThrow(const std::filesystem::path& path, const std::string& what) {
  CheckInputFileSize(path.string(), std::uintmax_t{1} << 30, what + " input");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(what + ": cannot open " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A hash of everything that decides the grid's rows: the scenario's bytes, --set, the axes and the
// seed mode. Shards of one sweep share it; MergeSweeps refuses to combine different ones.
std::string Fingerprint(const SweepOptions& o) {
  std::string content;
  try {
    content = ReadFileOrThrow(o.scenario_path, "sweep");
  } catch (const InputError&) {
    content = o.scenario_path;  // LoadScenario reports the missing file
  }
  uint64_t h = Fnv1a(kFnvOffset, content);
  for (const auto& s : o.overrides) h = Fnv1a(Fnv1a(h, "\x1fset="), s);
  for (const auto& a : o.axes) {
    h = Fnv1a(Fnv1a(h, "\x1fvary="), a.key);
    for (const auto& v : a.values) h = Fnv1a(Fnv1a(h, "\x1f,"), v);
  }
  h = Fnv1a(h, o.independent_seeds ? "\x1fseed=derived" : "\x1fseed=common");
  // One run per point hashes as before replications existed, so such shards still merge.
  if (o.replications > 1) h = Fnv1a(h, "\x1freplications=" + std::to_string(o.replications));
  return Hex64(h);
}

std::string InfoJson(const SweepOptions& o, const std::string& fingerprint, int64_t grid_points,
                     const ShardSpec& shard, int64_t points_in_file) {
  JsonWriter j;
  j.BeginObject();
  j.Field("scenario", o.scenario_path).Field("fingerprint", fingerprint);
  j.Field("grid_points", grid_points);
  j.Field("shard_index", shard.index).Field("shard_count", shard.count);
  j.Field("points_in_file", points_in_file).Field("common_seed", !o.independent_seeds);
  if (o.replications > 1) j.Field("replications", static_cast<int64_t>(o.replications));
  j.Key("set").BeginArray();
  for (const auto& s : o.overrides) j.String(s);
  j.EndArray();
  j.Key("vary").BeginArray();
  for (const auto& a : o.axes) {
    j.BeginObject().Field("key", a.key).Key("values").BeginArray();
    for (const auto& v : a.values) j.String(v);
    j.EndArray().EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str() + "\n";
}

std::string CsvHeader(const std::vector<SweepAxis>& axes, int replications) {
  std::string h = "point";
  for (const auto& a : axes) h += "," + CsvField(a.key);
  for (const auto& c : SweepCsvMetricColumns(replications)) h += "," + c;
  return h + "," + kSweepLoadColumn + "\n";
}

bool HasSlo(const EngineConfig& c) {
  return c.slo_ttft_s > 0 || c.slo_tpot_s > 0 || c.slo_e2e_s > 0;
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

LoadStatus WorseLoad(LoadStatus a, LoadStatus b) {
  auto rank = [](LoadStatus s) {
    return s == LoadStatus::kOverloaded ? 2 : s == LoadStatus::kShortRun ? 1 : 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

std::optional<LoadStatus> ParseLoadStatus(std::string_view name) {
  for (const LoadStatus s : {LoadStatus::kOk, LoadStatus::kOverloaded, LoadStatus::kShortRun}) {
    if (name == LoadStatusName(s)) return s;
  }
  return std::nullopt;
}

std::string SweepLoadNote(const std::vector<SweepAxis>& axes, const std::vector<int64_t>& points,
                          const std::vector<LoadStatus>& load) {
  std::string note;
  for (const LoadStatus status : {LoadStatus::kOverloaded, LoadStatus::kShortRun}) {
    std::vector<std::string> named;
    for (size_t i = 0; i < points.size(); ++i) {
      if (load[i] != status) continue;
      if (named.size() < kLoadNotePoints) {
        named.push_back("point " + std::to_string(points[i]) + " (" +
                        Join(SweepAssignment(axes, points[i]), " ") + ")");
      } else {
        named.emplace_back();
      }
    }
    if (named.empty()) continue;
    const size_t count = named.size();
    if (count > kLoadNotePoints) {
      named.resize(kLoadNotePoints);
      named.push_back("and " + std::to_string(count - kLoadNotePoints) + " more");
    }
    note += "load: " + std::to_string(count) + " of " + std::to_string(points.size()) + " points " +
            LoadStatusName(status) +
            (status == LoadStatus::kOverloaded
                 ? " (arrivals outpaced service: their latencies grow with the run's length)"
                 : " (too few requests or too short an arrival window for steady statistics)") +
            ": " + Join(named, ", ") + "\n";
  }
  return note;
}

SweepAxis ParseSweepAxis(const std::string& text, const std::string& flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw InputError(flag + " " + text + ": expected key=v1,v2,..., found no '='");
  }
  SweepAxis axis;
  axis.key = text.substr(0, eq);
  if (axis.key.empty())
    throw InputError(flag + " " + text + ": expected key=v1,v2,..., found no key");
  const std::string list = text.substr(eq + 1);
  if (list.empty()) {
    throw InputError(flag + " " + axis.key + "=: empty value list; expected " + axis.key +
                     "=v1,v2,...");
  }
  if (list.find_first_of("\n\r") != std::string::npos) {
    throw InputError(flag + " " + axis.key + ": values may not contain line breaks");
  }
  // Split at top-level commas: not inside {}, [] or quotes.
  int depth = 0;
  char quote = 0;
  std::string current;
  auto finish = [&]() {
    if (current.empty()) {
      throw InputError(flag + " " + text +
                       ": empty value (a doubled or trailing comma?); expected " + axis.key +
                       "=v1,v2,...");
    }
    if (std::find(axis.values.begin(), axis.values.end(), current) != axis.values.end()) {
      throw InputError(flag + " " + text + ": value '" + current + "' is listed twice");
    }
    axis.values.push_back(current);
    current.clear();
  };
  for (const char c : list) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      finish();
      continue;
    }
    current += c;
  }
  finish();
  return axis;
}

std::vector<SweepAxis> ParseSweepAxes(const std::vector<std::string>& texts,
                                      const std::string& flag) {
  std::vector<SweepAxis> axes;
  for (const auto& t : texts) {
    SweepAxis a = ParseSweepAxis(t, flag);
    for (const auto& b : axes) {
      if (b.key == a.key) {
        throw InputError(flag + " " + a.key + ": key given twice; list all its values in one " +
                         flag + " " + a.key + "=v1,v2,...");
      }
    }
    axes.push_back(std::move(a));
  }
  return axes;
}

int64_t SweepGridSize(const std::vector<SweepAxis>& axes, int64_t max_points) {
  int64_t size = 1;
  double exact = 1;
  std::string shape;
  for (const auto& a : axes) {
    const auto n = static_cast<int64_t>(a.values.size());
    exact *= static_cast<double>(n);
    shape += (shape.empty() ? "" : " x ") + std::to_string(n);
    size = size > max_points ? size : size * n;
  }
  if (size > max_points) {
    char total[32];
    std::snprintf(total, sizeof(total), "%.0f", exact);
    throw InputError("--vary: the grid has " + std::string(total) + " points (" + shape +
                     "), more than the limit of " + std::to_string(max_points) +
                     "; vary fewer values or split the grid into several sweeps");
  }
  return size;
}

std::vector<std::string> SweepAssignment(const std::vector<SweepAxis>& axes, int64_t point) {
  std::vector<std::string> out(axes.size());
  for (size_t i = axes.size(); i-- > 0;) {
    const auto n = static_cast<int64_t>(axes[i].values.size());
    out[i] = axes[i].key + "=" + axes[i].values[static_cast<size_t>(point % n)];
    point /= n;
  }
  return out;
}

uint64_t PointSeed(uint64_t scenario_seed, std::vector<std::string> assignment) {
  if (assignment.empty()) return scenario_seed;
  std::sort(assignment.begin(), assignment.end());
  const uint64_t h = Fnv1a(kFnvOffset, Join(assignment, "\n"));
  return SplitMix64(scenario_seed ^ h) & 0x7fffffffffffffffull;
}

uint64_t ReplicationSeed(uint64_t point_seed, int64_t replication) {
  if (replication == 0) return point_seed;
  return PointSeed(point_seed, {"replication=" + std::to_string(replication)});
}

int ParseReplications(const std::string& text, const std::string& flag) {
  int n = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || n < 1 ||
      n > kMaxReplications) {
    throw InputError(flag + ": expected an integer from 1 to " + std::to_string(kMaxReplications) +
                     ", found " + QuoteBytes(text));
  }
  return n;
}

ShardSpec ParseShard(const std::string& text) {
  const std::string expected = "expected i/N with integers 0 <= i < N (e.g. --shard 0/4)";
  const auto slash = text.find('/');
  auto parse = [&](std::string_view s, int64_t& out) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  ShardSpec spec;
  if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), spec.index) ||
      !parse(std::string_view(text).substr(slash + 1), spec.count)) {
    throw InputError("--shard " + text + ": " + expected + ", found '" + text + "'");
  }
  if (spec.count < 1) {
    throw InputError("--shard " + text + ": expected a shard count N >= 1, found " +
                     std::to_string(spec.count));
  }
  if (spec.index < 0 || spec.index >= spec.count) {
    throw InputError("--shard " + text + ": shard index out of range: expected 0 <= i < " +
                     std::to_string(spec.count) + ", found " + std::to_string(spec.index));
  }
  return spec;
}

void ParallelFor(int64_t n, int jobs, const std::function<void(int64_t)>& body) {
  if (n <= 0) return;
  int64_t threads = jobs > 0 ? jobs : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, n);
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  int64_t error_index = std::numeric_limits<int64_t>::max();
  std::exception_ptr error;
  auto worker = [&]() {
    while (!failed.load(std::memory_order_relaxed)) {
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (i < error_index) {
          error_index = i;
          error = std::current_exception();
        }
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

std::vector<Override> SweepPointOverrides(const SweepOptions& options, uint64_t scenario_seed,
                                          int64_t point) {
  std::vector<Override> out = FlagOverrides("--set", options.overrides);
  const std::vector<std::string> assignment = SweepAssignment(options.axes, point);
  for (Override& o : FlagOverrides("--vary", assignment)) out.push_back(std::move(o));
  const bool seed_varied = std::any_of(options.axes.begin(), options.axes.end(),
                                       [](const SweepAxis& a) { return a.key == "seed"; });
  if (options.independent_seeds && !seed_varied) {
    const std::string seed = "seed=" + std::to_string(PointSeed(scenario_seed, assignment));
    out.push_back({seed, "the point's derived " + seed});
  }
  return out;
}

uint64_t ValidateSweepGrid(const SweepOptions& options, std::vector<uint64_t>* point_seeds) {
  const int64_t size = SweepGridSize(options.axes, options.max_points);
  // The scenario seed (after --set) is the same at every point unless `seed` itself is varied,
  // in which case it is not used; read it from point 0 without a derived seed.
  uint64_t seed = 0;
  {
    std::vector<Override> first = FlagOverrides("--set", options.overrides);
    for (Override& o : FlagOverrides("--vary", SweepAssignment(options.axes, 0))) {
      first.push_back(std::move(o));
    }
    try {
      seed = LoadScenarioWithOrigins(options.scenario_path, first).seed;
    } catch (const InputError& e) {
      if (options.axes.empty()) throw;
      throw InputError(SweepPointError(options.axes, 0, e.what(), "grid point"));
    }
  }
  std::vector<std::vector<std::string>> warnings(static_cast<size_t>(size));
  if (point_seeds) point_seeds->assign(static_cast<size_t>(size), seed);
  ParallelFor(size, options.jobs, [&](int64_t p) {
    try {
      const Scenario sc =
          LoadScenarioWithOrigins(options.scenario_path, SweepPointOverrides(options, seed, p));
      MakeScenarioWorkloads(sc);  // opens traces and checks the workload keys
      warnings[static_cast<size_t>(p)] = sc.warnings;
      if (point_seeds) (*point_seeds)[static_cast<size_t>(p)] = sc.seed;
    } catch (const InputError& e) {
      throw InputError(SweepPointError(options.axes, p, e.what(), "grid point"));
    }
  });
  std::set<std::string> logged;
  for (const auto& point : warnings) {
    for (const std::string& w : point) {
      if (logged.insert(w).second) CliLog().warn("{}", w);
    }
  }
  return seed;
}

RunSummary RunScenarioOnce(const std::string& path, const std::vector<Override>& overrides,
                           EngineConfig* config) {
  Scenario sc = LoadScenarioWithOrigins(path, overrides);
  auto sources = MakeScenarioWorkloads(sc);
  if (config) *config = sc.engine;
  Engine engine(sc.engine, std::move(sources));
  return engine.Run({});
}

namespace {

// Points x replications must stay within the grid limit: each is a run.
void CheckRunCount(const SweepOptions& o, int64_t grid_points) {
  if (o.replications < 1 || o.replications > kMaxReplications) {
    throw InputError("--replications: expected an integer from 1 to " +
                     std::to_string(kMaxReplications) + ", found " +
                     std::to_string(o.replications));
  }
  if (grid_points * o.replications > o.max_points) {
    throw InputError("--replications " + std::to_string(o.replications) + ": " +
                     std::to_string(grid_points) + " points x " + std::to_string(o.replications) +
                     " replications make " + std::to_string(grid_points * o.replications) +
                     " runs, more than the limit of " + std::to_string(o.max_points) +
                     "; run fewer replications or points");
  }
}

// The overrides of replication k of point p: the point's, then for k > 0 the replication seed.
std::vector<Override> ReplicationOverrides(const SweepOptions& o, uint64_t scenario_seed,
                                           uint64_t point_seed, int64_t p, int64_t k) {
  std::vector<Override> out = SweepPointOverrides(o, scenario_seed, p);
  if (k > 0) {
    const std::string seed = "seed=" + std::to_string(ReplicationSeed(point_seed, k));
    out.push_back({seed, "replication " + std::to_string(k) + "'s " + seed});
  }
  return out;
}

// One column of the terminal table: "mean +- half" with 4 significant digits.
std::string MeanPlusMinus(const std::string& mean, const std::string& half) {
  if (mean.empty()) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4g +- %.3g", std::strtod(mean.c_str(), nullptr),
                std::strtod(half.c_str(), nullptr));
  return mean == "null" ? "null" : buf;
}

// The terminal table of a replicated sweep: the varied values and the headline metrics' 95 % CIs.
std::string ReplicationTable(const SweepOptions& o, const std::vector<int64_t>& points,
                             const std::vector<std::vector<std::string>>& values,
                             const std::vector<LoadStatus>& load) {
  const std::vector<std::string> headline = {"request_throughput", "median_ttft_ms", "p99_ttft_ms",
                                             "median_tpot_ms",     "p99_tpot_ms",    "p99_itl_ms"};
  const std::vector<std::string> columns = SweepCsvMetricColumns(o.replications);
  const size_t metrics = SweepMetricColumns().size();
  std::string t =
      "mean +- 95 % CI half-width over " + std::to_string(o.replications) + " replications\n";
  char cell[96];
  std::string head;
  for (const auto& a : o.axes) head += (head.empty() ? "" : " ") + a.key;
  std::vector<std::string> varied(points.size());
  size_t width = head.size();
  for (size_t i = 0; i < points.size(); ++i) {
    for (const auto& a : SweepAssignment(o.axes, points[i])) {
      varied[i] += (varied[i].empty() ? "" : " ") + a.substr(a.find('=') + 1);
    }
    width = std::max(width, varied[i].size());
  }
  t += head + std::string(width - head.size(), ' ');
  for (const auto& h : headline) {
    std::snprintf(cell, sizeof(cell), " %22s", h.c_str());
    t += cell;
  }
  t += "  load\n";
  for (size_t i = 0; i < points.size(); ++i) {
    t += varied[i] + std::string(width - varied[i].size(), ' ');
    for (const auto& h : headline) {
      const auto j =
          static_cast<size_t>(std::find(columns.begin(), columns.end(), h) - columns.begin());
      const std::string c = MeanPlusMinus(values[i][j], values[i][j + metrics]);
      std::snprintf(cell, sizeof(cell), " %22s", c.c_str());
      t += cell;
    }
    t += std::string("  ") + LoadStatusName(load[i]) + "\n";
  }
  return t;
}

}  // namespace

SweepResult RunSweep(const SweepOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.axes.empty()) {
    throw InputError("servesim sweep: expected at least one --vary key=v1,v2,...");
  }
  CheckRunCount(options, SweepGridSize(options.axes, options.max_points));
  std::vector<uint64_t> point_seeds;
  const uint64_t seed = ValidateSweepGrid(options, &point_seeds);
  if (options.before_runs) options.before_runs();
  SweepResult result;
  result.grid_points = SweepGridSize(options.axes, options.max_points);
  std::vector<int64_t> points;
  for (int64_t p = options.shard.index; p < result.grid_points; p += options.shard.count) {
    points.push_back(p);
  }
  const int64_t reps = options.replications;
  // runs[i * reps + k]: replication k of points[i].
  std::vector<std::vector<std::optional<double>>> runs(points.size() * static_cast<size_t>(reps));
  std::vector<std::vector<std::string>> single(reps == 1 ? points.size() : 0);
  std::vector<LoadStatus> run_load(runs.size(), LoadStatus::kOk);
  ParallelFor(static_cast<int64_t>(runs.size()), options.jobs, [&](int64_t r) {
    const int64_t i = r / reps, k = r % reps;
    const int64_t p = points[static_cast<size_t>(i)];
    EngineConfig config;
    RunSummary s;
    try {
      s = RunScenarioOnce(
          options.scenario_path,
          ReplicationOverrides(options, seed, point_seeds[static_cast<size_t>(p)], p, k), &config);
    } catch (const InputError& e) {
      throw InputError(SweepPointError(options.axes, p, e.what(), "grid point"));
    }
    run_load[static_cast<size_t>(r)] = CheckRunLoad(s).status;
    if (reps == 1) {
      single[static_cast<size_t>(i)] = SweepMetricValues(s, config);  // integers stay integers
    } else {
      runs[static_cast<size_t>(r)] = SweepMetricNumbers(s, config);
    }
  });
  std::vector<std::vector<std::string>> values = single;
  for (size_t i = 0; reps > 1 && i < points.size(); ++i) {
    values.push_back(SweepReplicatedValues(
        {runs.begin() + static_cast<std::ptrdiff_t>(i * static_cast<size_t>(reps)),
         runs.begin() + static_cast<std::ptrdiff_t>((i + 1) * static_cast<size_t>(reps))}));
  }
  std::vector<LoadStatus> load(points.size(), LoadStatus::kOk);  // the worst replication's
  for (size_t r = 0; r < run_load.size(); ++r) {
    LoadStatus& l = load[r / static_cast<size_t>(reps)];
    l = WorseLoad(l, run_load[r]);
  }
  result.csv = CsvHeader(options.axes, options.replications);
  for (size_t i = 0; i < points.size(); ++i) {
    std::string row = std::to_string(points[i]);
    for (const auto& a : SweepAssignment(options.axes, points[i])) {
      row += "," + CsvField(std::string_view(a).substr(a.find('=') + 1));
    }
    for (const auto& v : values[i]) row += "," + v;
    result.csv += row + "," + LoadStatusName(load[i]) + "\n";
  }
  if (reps > 1) result.table = ReplicationTable(options, points, values, load);
  result.load_note = SweepLoadNote(options.axes, points, load);
  result.points_run = static_cast<int64_t>(points.size());
  result.info_json =
      InfoJson(options, Fingerprint(options), result.grid_points, options.shard, result.points_run);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

const std::vector<std::string>& SweepOutputFiles() {
  static const std::vector<std::string> kFiles = {kSweepMarker, "sweep.csv", "sweep.html"};
  return kFiles;
}

void WriteSweepOutputs(OutputDir& out, const std::string& csv, const std::string& info_json) {
  // The page: varied-key columns sit between `point` and the first metric column.
  const std::string header = csv.substr(0, csv.find('\n'));
  const std::string first_metric = "," + SweepMetricColumns().front() + ",";
  const size_t at = ("," + header + ",").find(first_metric);
  const size_t varied =
      at == std::string::npos
          ? 0
          : static_cast<size_t>(std::count(header.begin(), header.begin() + at, ',')) - 1;
  out.Write("sweep.csv", csv);
  out.Write("sweep.html", RenderSweepHtml("servesim sweep " + out.path().string(), csv, varied));
  out.Write(kSweepMarker, info_json);
}

void WriteSweepOutputs(const std::string& dir, const std::string& csv, const std::string& info_json,
                       const std::string& flag) {
  OutputDir out(dir, SweepOutputFiles(), kSweepMarker, flag);
  WriteSweepOutputs(out, csv, info_json);
  out.Commit();
}

namespace {

// The options of the unsharded run, read back from a shard's sweep_info.json.
SweepOptions UnshardedOptions(const YAML::Node& info) {
  SweepOptions o;
  o.scenario_path = info["scenario"].as<std::string>("");
  o.independent_seeds = !info["common_seed"].as<bool>(false);
  o.replications = info["replications"].as<int>(1);
  for (const auto& s : info["set"]) o.overrides.push_back(s.as<std::string>());
  for (const auto& a : info["vary"]) {
    SweepAxis axis;
    axis.key = a["key"].as<std::string>();
    for (const auto& v : a["values"]) axis.values.push_back(v.as<std::string>());
    o.axes.push_back(axis);
  }
  return o;
}

// One shard directory as read by merge: its sweep.csv (and the header line) and the identity its
// sweep_info.json declares.
struct ShardFiles {
  std::string csv, head, fingerprint;
  int64_t grid_points = 0, shard_count = 0, shard_index = 0, points_in_file = -1;
  YAML::Node info;
  SweepOptions options;  // the grid sweep_info.json describes: its axes check every row
};

// What merge has gathered so far: the first shard's identity and each point's row.
struct MergeState {
  std::string header, fingerprint, first_dir;
  int64_t grid_points = -1, shard_count = 1;
  YAML::Node first_info;
  std::vector<std::string> rows;
  std::vector<int> owner;        // index into dirs of the file that gave each point; -1: none yet
  std::vector<LoadStatus> load;  // each point's load_status
};

// The grid sweep_info.json describes agrees with itself and with sweep.csv's header.
void CheckShardInfo(const ShardFiles& f, const std::string& what) {
  if (f.shard_count < 1 || f.shard_index < 0 || f.shard_index >= f.shard_count) {
    throw InputError(what + "/sweep_info.json: shard_index " + std::to_string(f.shard_index) +
                     " and shard_count " + std::to_string(f.shard_count) +
                     ": expected 0 <= shard_index < shard_count");
  }
  int64_t points = 1;
  for (const SweepAxis& a : f.options.axes) {
    points *= static_cast<int64_t>(a.values.size());
    if (points > kMaxSweepPoints) break;
  }
  if (points != f.grid_points) {
    throw InputError(what + "/sweep_info.json: grid_points " + std::to_string(f.grid_points) +
                     ", but its vary lists make " + std::to_string(points) + " points");
  }
  const std::string header = CsvHeader(f.options.axes, f.options.replications);
  if (f.head == header) return;
  std::vector<std::string> want, found;
  try {
    SplitCsv(std::string_view(header).substr(0, header.size() - 1), want);
    SplitCsv(std::string_view(f.head).substr(0, f.head.find('\n')), found);
  } catch (const RowError& e) {
    throw InputError(what + "/sweep.csv:1: " + e.message);
  }
  size_t i = 0;
  while (i < want.size() && i < found.size() && want[i] == found[i]) ++i;
  if (i == want.size() && i == found.size()) {
    throw InputError(what + "/sweep.csv:1: the header has no line end (the file is cut short?)");
  }
  throw InputError(what + "/sweep.csv:1: header field " + std::to_string(i + 1) + ": expected " +
                   (i < want.size() ? QuoteBytes(want[i]) : std::string("the end of the line")) +
                   " (the sweep in sweep_info.json), found " +
                   (i < found.size() ? QuoteBytes(found[i]) : std::string("the end of the line")));
}

// Reads DIR/sweep.csv and DIR/sweep_info.json; `what` prefixes the errors.
ShardFiles ReadShard(const std::filesystem::path& dir, const std::string& what) {
  ShardFiles f;
  f.csv = ReadFileOrThrow(dir / "sweep.csv", what + " (not a sweep output directory?)");
  const std::string info_text =
      ReadFileOrThrow(dir / "sweep_info.json", what + " (not a sweep output directory?)");
  try {
    f.info = LoadYamlText(info_text, what + "/sweep_info.json");
    f.fingerprint = f.info["fingerprint"].as<std::string>();
    f.grid_points = f.info["grid_points"].as<int64_t>();
    f.shard_count = f.info["shard_count"].as<int64_t>();
    f.shard_index = f.info["shard_index"].as<int64_t>(0);
    f.points_in_file = f.info["points_in_file"].as<int64_t>(-1);
    f.options = UnshardedOptions(f.info);
  } catch (const YAML::Exception&) {
    throw InputError(what +
                     "/sweep_info.json: expected fingerprint, grid_points, shard_count and vary "
                     "(written by servesim sweep), found something else");
  }
  if (f.grid_points < 0 || f.grid_points > kMaxSweepPoints) {
    throw InputError(
        what + "/sweep_info.json: grid_points out of range: " + std::to_string(f.grid_points));
  }
  const auto eol = f.csv.find('\n');
  f.head = f.csv.substr(0, eol == std::string::npos ? f.csv.size() : eol + 1);
  return f;
}

// The first shard sets the sweep's identity; every later one must match it.
void CheckSameSweep(const ShardFiles& f, const std::string& dir, const std::string& what,
                    bool first, MergeState& m) {
  if (first) {
    m.header = f.head;
    m.fingerprint = f.fingerprint;
    m.grid_points = f.grid_points;
    m.shard_count = f.shard_count;
    m.first_dir = dir;
    m.first_info = f.info;
    m.rows.assign(static_cast<size_t>(f.grid_points), "");
    m.owner.assign(static_cast<size_t>(f.grid_points), -1);
    m.load.assign(static_cast<size_t>(f.grid_points), LoadStatus::kOk);
  } else if (f.head != m.header) {
    throw InputError(what + "/sweep.csv: its header differs from " + m.first_dir +
                     "/sweep.csv's (shards of different sweeps?)");
  } else if (f.fingerprint != m.fingerprint || f.grid_points != m.grid_points) {
    throw InputError(what + ": a different sweep than " + m.first_dir + " (fingerprint " +
                     f.fingerprint + " vs " + m.fingerprint +
                     ": another scenario, --set or --vary)");
  }
}

// The metric columns SweepMetricValues writes as integers; the others are numbers.
bool IntegerMetricColumn(std::string_view name) {
  for (const char* c : {"completed", "rejected", "in_flight_at_end", "truncated", "preemptions",
                        "kv_blocks", "steps"}) {
    if (name == c) return true;
  }
  return false;
}

// A value as SweepMetricValues writes it: an integer, or a FormatNumber ("null" for a non-finite
// value); request_goodput is empty without an SLO. Means over replications are numbers.
bool IsMetricValue(std::string_view column, std::string_view v, bool replicated) {
  const char* end = v.data() + v.size();
  if (IntegerMetricColumn(column) && !replicated) {
    int64_t i = 0;
    const auto r = std::from_chars(v.data(), end, i);
    return !v.empty() && r.ec == std::errc() && r.ptr == end;
  }
  if (v == "null" ||
      (v.empty() && (column == "request_goodput" || column == "request_goodput_ci95"))) {
    return true;
  }
  double d = 0;
  const auto r = std::from_chars(v.data(), end, d);
  return !v.empty() && r.ec == std::errc() && r.ptr == end && std::isfinite(d);
}

// A row's varied values are point p's in sweep_info.json, its metrics are numbers and its last
// field a load status (returned); `at` is "DIR/sweep.csv:LINE".
LoadStatus CheckRowValues(const std::vector<std::string>& fields, int64_t p,
                          const std::vector<SweepAxis>& axes, int replications,
                          const std::string& at) {
  const std::vector<std::string> assignment = SweepAssignment(axes, p);
  for (size_t i = 0; i < axes.size(); ++i) {
    const std::string expected = assignment[i].substr(axes[i].key.size() + 1);
    if (fields[1 + i] != expected) {
      throw InputError(at + ": column '" + axes[i].key + "': expected '" + expected + "' (point " +
                       std::to_string(p) + " in sweep_info.json), found " +
                       QuoteBytes(fields[1 + i]));
    }
  }
  const std::vector<std::string> metrics = SweepCsvMetricColumns(replications);
  for (size_t j = 0; j < metrics.size(); ++j) {
    const std::string& v = fields[1 + axes.size() + j];
    if (!IsMetricValue(metrics[j], v, replications > 1)) {
      const bool integer = IntegerMetricColumn(metrics[j]) && replications == 1;
      throw InputError(at + ": column '" + metrics[j] + "': expected " +
                       (integer ? "an integer" : "a number") + ", found " + QuoteBytes(v));
    }
  }
  const std::string& status = fields.back();
  const std::optional<LoadStatus> load = ParseLoadStatus(status);
  if (!load) {
    throw InputError(at + ": column '" + kSweepLoadColumn +
                     "': expected ok, overloaded or short_run, found " + QuoteBytes(status));
  }
  return *load;
}

// One row of a shard's sweep.csv (without its line end) split into fields: as many as the header
// has, the first a point of the grid and of this shard. Returns the point.
int64_t ParseShardRow(std::string_view row, const ShardFiles& f, const std::string& at,
                      std::vector<std::string>& fields) {
  try {
    SplitCsv(row, fields);
  } catch (const RowError& e) {
    throw InputError(at + ": " + e.message);
  }
  const size_t columns =
      2 + f.options.axes.size() + SweepCsvMetricColumns(f.options.replications).size();
  if (fields.size() != columns) {
    throw InputError(at + ": expected " + std::to_string(columns) +
                     " fields (as the header), found " + std::to_string(fields.size()));
  }
  int64_t p = -1;
  const std::string& first = fields[0];
  const auto r = std::from_chars(first.data(), first.data() + first.size(), p);
  if (first.empty() || r.ec != std::errc() || r.ptr != first.data() + first.size()) {
    throw InputError(at + ": column 'point': expected a point index, found " + QuoteBytes(first));
  }
  if (p < 0 || p >= f.grid_points) {
    throw InputError(at + ": point " + std::to_string(p) + " out of range (the grid has " +
                     std::to_string(f.grid_points) + " points)");
  }
  if (p % f.shard_count != f.shard_index) {
    throw InputError(at + ": point " + std::to_string(p) + " does not belong to shard " +
                     std::to_string(f.shard_index) + "/" + std::to_string(f.shard_count) +
                     " (sweep_info.json)");
  }
  return p;
}

// Files the rows of dirs[d]'s sweep.csv under their point indices after checking each (fields,
// point, varied values, metrics); a point given twice is an InputError.
void AddShardRows(const ShardFiles& f, const std::vector<std::string>& dirs, size_t d,
                  const std::string& what, MergeState& m) {
  std::vector<std::string> fields;
  size_t pos = f.head.size();
  int64_t line = 1;
  while (pos < f.csv.size()) {
    const std::string at = what + "/sweep.csv:" + std::to_string(++line);
    const auto end = f.csv.find('\n', pos);
    if (end == std::string::npos) {
      throw InputError(at + ": the last row has no line end (the file is cut short?)");
    }
    const std::string row = f.csv.substr(pos, end + 1 - pos);
    pos = end + 1;
    const int64_t p = ParseShardRow(std::string_view(row).substr(0, row.size() - 1), f, at, fields);
    const LoadStatus load = CheckRowValues(fields, p, f.options.axes, f.options.replications, at);
    const auto i = static_cast<size_t>(p);
    if (m.owner[i] >= 0) {
      throw InputError("servesim merge: point " + std::to_string(p) + " appears in both " +
                       dirs[static_cast<size_t>(m.owner[i])] + " and " + dirs[d] +
                       " (the same shard given twice?)");
    }
    m.owner[i] = static_cast<int>(d);
    m.rows[i] = row;
    m.load[i] = load;
  }
  if (f.points_in_file >= 0 && line - 1 != f.points_in_file) {
    throw InputError(what + "/sweep.csv: " + std::to_string(line - 1) +
                     " rows, but sweep_info.json says points_in_file " +
                     std::to_string(f.points_in_file) + " (the file is cut short?)");
  }
}

// InputError naming the first missing point, its shard and how many are missing.
void CheckNoneMissing(const MergeState& m) {
  int64_t missing = 0, first_missing = -1;
  for (int64_t p = 0; p < m.grid_points; ++p) {
    if (m.owner[static_cast<size_t>(p)] < 0) {
      if (first_missing < 0) first_missing = p;
      ++missing;
    }
  }
  if (missing > 0) {
    throw InputError(
        "servesim merge: point " + std::to_string(first_missing) +
        " is missing (it belongs to shard " + std::to_string(first_missing % m.shard_count) + "/" +
        std::to_string(m.shard_count) + "; was that directory given?); " + std::to_string(missing) +
        " of " + std::to_string(m.grid_points) + " points missing");
  }
}

}  // namespace

SweepResult MergeSweeps(const std::vector<std::string>& dirs) {
  const auto start = std::chrono::steady_clock::now();
  if (dirs.empty()) {
    throw InputError(
        "servesim merge: expected shard directories: servesim merge DIR1 DIR2 ... --out DIR");
  }
  MergeState m;
  for (size_t d = 0; d < dirs.size(); ++d) {
    const std::string what = "servesim merge: " + dirs[d];
    const ShardFiles f = ReadShard(dirs[d], what);
    CheckSameSweep(f, dirs[d], what, d == 0, m);
    CheckShardInfo(f, what);
    AddShardRows(f, dirs, d, what, m);
  }
  CheckNoneMissing(m);
  SweepResult result;
  result.grid_points = m.grid_points;
  result.csv = m.header;
  for (const auto& r : m.rows) result.csv += r;
  result.points_run = m.grid_points;
  std::vector<int64_t> points(static_cast<size_t>(m.grid_points));
  for (int64_t p = 0; p < m.grid_points; ++p) points[static_cast<size_t>(p)] = p;
  result.load_note = SweepLoadNote(UnshardedOptions(m.first_info).axes, points, m.load);
  // The unsharded run's sweep_info.json.
  result.info_json = InfoJson(UnshardedOptions(m.first_info), m.fingerprint, m.grid_points,
                              ShardSpec{}, m.grid_points);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

const std::vector<std::string>& SweepMetricColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> c = {
        "completed",      "rejected",           "in_flight_at_end",  "truncated",
        "duration",       "request_throughput", "output_throughput", "total_token_throughput",
        "request_goodput"};
    for (const char* m : {"ttft", "tpot", "itl", "e2el"}) {
      for (const char* s : {"mean", "median", "p99"}) c.push_back(std::string(s) + "_" + m + "_ms");
    }
    for (const char* k : {"preemptions", "kv_usage_mean", "kv_usage_peak", "mean_batch_size",
                          "kv_blocks", "steps"}) {
      c.push_back(k);
    }
    return c;
  }();
  return kColumns;
}

std::vector<std::optional<double>> SweepMetricNumbers(const RunSummary& s,
                                                      const EngineConfig& config) {
  const double dur = s.duration_s > 0 ? s.duration_s : 1.0;
  auto count = [](int64_t v) { return static_cast<double>(v); };
  std::vector<std::optional<double>> v = {
      count(s.completed),
      count(s.rejected),
      count(s.in_flight_at_end),
      s.truncated ? 1.0 : 0.0,
      s.duration_s,
      count(s.completed) / dur,
      count(s.output_tokens) / dur,
      count(s.input_tokens + s.output_tokens) / dur,
      HasSlo(config) ? std::optional<double>(count(s.good_requests) / dur) : std::nullopt};
  for (const char* m : {"ttft", "tpot", "itl", "e2el"}) {
    for (const char* st : {"mean", "median", "p99"}) {
      v.push_back(*LatencyMetricMs(s, std::string(st) + "_" + m + "_ms"));
    }
  }
  const double steps = s.steps > 0 ? static_cast<double>(s.steps) : 1.0;
  v.push_back(count(s.preemptions));
  v.push_back(s.busy_s > 0 ? s.kv_usage_time_weighted / s.busy_s : 0.0);
  v.push_back(s.kv_usage_peak);
  v.push_back(s.batch_size_sum / steps);
  v.push_back(count(s.kv_blocks_per_replica));
  v.push_back(count(s.steps));
  return v;
}

std::vector<std::string> SweepMetricValues(const RunSummary& s, const EngineConfig& config) {
  const std::vector<std::optional<double>> numbers = SweepMetricNumbers(s, config);
  const std::vector<std::string>& columns = SweepMetricColumns();
  std::vector<std::string> v;
  for (size_t j = 0; j < numbers.size(); ++j) {
    if (!numbers[j]) {
      v.emplace_back();
    } else if (IntegerMetricColumn(columns[j])) {
      v.push_back(std::to_string(static_cast<int64_t>(*numbers[j])));  // counts below 2^53
    } else {
      v.push_back(FormatNumber(*numbers[j]));
    }
  }
  return v;
}

std::vector<std::string> SweepCsvMetricColumns(int replications) {
  std::vector<std::string> c = SweepMetricColumns();
  if (replications > 1) {
    for (const auto& m : SweepMetricColumns()) c.push_back(m + "_ci95");
  }
  return c;
}

std::vector<std::string> SweepReplicatedValues(
    const std::vector<std::vector<std::optional<double>>>& runs) {
  const size_t n = SweepMetricColumns().size();
  std::vector<std::string> means(n), halves(n);
  for (size_t j = 0; j < n; ++j) {
    std::vector<double> values;
    for (const auto& r : runs) {
      if (r[j]) values.push_back(*r[j]);
    }
    if (values.size() != runs.size()) continue;  // request_goodput without an SLO: empty
    const MeanCi ci = MeanCi95(values);
    means[j] = FormatNumber(ci.mean);
    halves[j] = std::isfinite(ci.mean) ? FormatNumber(ci.half_width) : "null";
  }
  means.insert(means.end(), halves.begin(), halves.end());
  return means;
}

const std::vector<std::string>& LatencyMetricNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> n;
    for (const char* m : {"ttft", "tpot", "itl", "e2el", "queue"}) {
      for (const char* s : {"mean", "median", "p90", "p95", "p99"}) {
        n.push_back(std::string(s) + "_" + m + "_ms");
      }
    }
    return n;
  }();
  return kNames;
}

std::optional<double> LatencyMetricMs(const RunSummary& s, std::string_view name) {
  const std::string_view suffix = "_ms";
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  const auto us = name.find('_');
  const std::string_view stat = name.substr(0, us);
  const std::string_view metric = name.substr(us + 1, name.size() - suffix.size() - us - 1);
  const LogHistogram* h = metric == "ttft"    ? &s.ttft_s
                          : metric == "tpot"  ? &s.tpot_s
                          : metric == "itl"   ? &s.itl_s
                          : metric == "e2el"  ? &s.e2e_s
                          : metric == "queue" ? &s.queue_s
                                              : nullptr;
  if (!h) return std::nullopt;
  if (stat == "mean") return h->Mean() * 1e3;
  if (stat == "median") return h->Quantile(0.5) * 1e3;
  if (stat == "p90") return h->Quantile(0.9) * 1e3;
  if (stat == "p95") return h->Quantile(0.95) * 1e3;
  if (stat == "p99") return h->Quantile(0.99) * 1e3;
  return std::nullopt;
}

}  // namespace servesim
