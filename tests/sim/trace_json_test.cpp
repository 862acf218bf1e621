// trace.json: the document is valid JSON (checked by a small independent parser here), carries one
// "X" slice per step, counters, process names and request lifecycles, honours its caps, and is
// byte-identical when the run is repeated.
#include "sim/output/trace_json.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hardware/presets.h"
#include "models/presets.h"
#include "tests/support/scheduler_harness.h"
#include "tests/support/vector_workload.h"

namespace servesim {
namespace {

// ---- a minimal JSON DOM (strict RFC 8259 syntax; numbers kept as text and double) ----

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  bool b = false;
  double number = 0;
  std::string text;  // string value, or number as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  const Json* Get(const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return &v;
    return nullptr;
  }
  const Json& At(const std::string& key) const {
    const Json* v = Get(key);
    if (!v) throw std::runtime_error("no key " + key);
    return *v;
  }
};

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}
  Json Document() {
    Json v = Value();
    Ws();
    if (i_ != s_.size()) Fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) {
    throw std::runtime_error(what + " at offset " + std::to_string(i_));
  }
  void Ws() {
    while (i_ < s_.size() && std::string(" \t\r\n").find(s_[i_]) != std::string::npos) ++i_;
  }
  bool Eat(char c) {
    Ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string String() {
    if (!Eat('"')) Fail("expected a string");
    std::string out;
    while (true) {
      if (i_ >= s_.size()) Fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) Fail("raw control character");
      if (c == '\\') {
        if (i_ >= s_.size()) Fail("bad escape");
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k)
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_++])))
              Fail("bad \\u");
          out += '?';
        } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
          Fail("bad escape");
        } else {
          out += e;
        }
      } else {
        out += c;
      }
    }
  }
  Json Value() {
    Ws();
    Json v;
    if (i_ >= s_.size()) Fail("unexpected end");
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Json::kObject;
      if (Eat('}')) return v;
      do {
        Ws();
        std::string k = String();
        if (!Eat(':')) Fail("expected ':'");
        v.fields.emplace_back(std::move(k), Value());
      } while (Eat(','));
      if (!Eat('}')) Fail("expected '}'");
    } else if (c == '[') {
      ++i_;
      v.kind = Json::kArray;
      if (Eat(']')) return v;
      do v.items.push_back(Value());
      while (Eat(','));
      if (!Eat(']')) Fail("expected ']'");
    } else if (c == '"') {
      v.kind = Json::kString;
      v.text = String();
    } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      v.kind = Json::kBool;
      v.b = s_[i_] == 't';
      i_ += v.b ? 4 : 5;
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else {
      const size_t start = i_;
      auto digits = [&] {
        const size_t d = i_;
        while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
        if (d == i_) Fail("expected digits");
      };
      if (s_[i_] == '-') ++i_;
      if (i_ < s_.size() && s_[i_] == '0')
        ++i_;
      else
        digits();
      if (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        digits();
      }
      if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
        ++i_;
        if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
        digits();
      }
      v.kind = Json::kNumber;
      v.text = s_.substr(start, i_ - start);
      v.number = std::stod(v.text);
    }
    return v;
  }
  const std::string& s_;
  size_t i_ = 0;
};

// vLLM v1 (chunked prefill, 256 sequences, 8192 tokens) with room for 10000 blocks of 16.
EngineConfig SmallConfig(int replicas = 1) {
  EngineConfig c = testing::EngineCfg("vllm_v1", true, 8192, 10000);
  c.replicas = replicas;
  return c;
}

struct TraceRun {
  std::string text;
  int64_t steps_seen = 0;
  int64_t requests_seen = 0;
  RunSummary summary;
};

TraceRun RunWithTrace(const EngineConfig& c, std::vector<Request> requests,
                      const TraceOptions& options) {
  std::vector<std::unique_ptr<Workload>> sources;
  sources.push_back(std::make_unique<testing::VectorWorkload>(std::move(requests)));
  Engine engine(c, std::move(sources));
  std::ostringstream out;
  TraceRun run;
  {
    TraceWriter trace(out, options);
    CallbackObserver outputs;
    outputs.on_step = [&](const StepRecord& r) {
      ++run.steps_seen;
      trace.OnStep(r);
    };
    outputs.on_request = [&](const RequestRecord& r) {
      ++run.requests_seen;
      trace.OnRequest(r);
    };
    run.summary = engine.Run({&outputs});
    trace.Finish();
    trace.Finish();  // idempotent
  }
  run.text = out.str();
  return run;
}

std::vector<const Json*> EventsWith(const Json& doc, const std::string& ph) {
  std::vector<const Json*> out;
  for (const Json& e : doc.At("traceEvents").items)
    if (e.At("ph").text == ph) out.push_back(&e);
  return out;
}

}  // namespace

TEST_CASE("TraceMicros prints integer nanoseconds as exact microseconds", "[trace]") {
  CHECK(TraceMicros(0) == "0");
  CHECK(TraceMicros(1) == "0.001");
  CHECK(TraceMicros(1500) == "1.5");
  CHECK(TraceMicros(5000) == "5");
  CHECK(TraceMicros(1234567) == "1234.567");
  CHECK(TraceMicros(int64_t{7200} * 1000000000 + 10) == "7200000000.01");
}

TEST_CASE("a small run's trace parses and has one X slice per step", "[trace]") {
  // 8 identical requests at t = 0 with room for all: one prefill step of 8 x 100 tokens, then 9
  // decode steps of 8 sequences.
  const std::vector<Request> reqs(8, testing::MakeRequest(0, 100, 10));
  TraceOptions options;
  const TraceRun run = RunWithTrace(SmallConfig(), reqs, options);
  REQUIRE(run.steps_seen == 10);
  const Json doc = Parser(run.text).Document();
  REQUIRE(doc.kind == Json::kObject);
  REQUIRE(doc.At("traceEvents").kind == Json::kArray);

  const auto slices = EventsWith(doc, "X");
  REQUIRE(slices.size() == 10);
  CHECK(slices[0]->At("name").text == "prefill");
  CHECK(slices[0]->At("args").At("batch").number == 8);
  CHECK(slices[0]->At("args").At("prefill_tokens").number == 800);
  CHECK(slices[0]->At("args").At("new_tokens").number == 800);
  for (size_t i = 1; i < slices.size(); ++i) {
    const Json& args = slices[i]->At("args");
    CHECK(slices[i]->At("name").text == "decode");
    CHECK(args.At("decode_seqs").number == 8);
    CHECK(args.At("prefill_tokens").number == 0);
    for (const char* key : {"kv_usage", "preempted", "bound", "draft_ms", "io_ms"})
      CHECK(args.Get(key) != nullptr);
    // A busy replica runs its steps back to back: each starts where the previous ended (exact,
    // since both are printed from integer nanoseconds; compared in ns to avoid rounding).
    const double prev_end_ns =
        std::round((slices[i - 1]->At("ts").number + slices[i - 1]->At("dur").number) * 1000);
    CHECK(std::round(slices[i]->At("ts").number * 1000) == prev_end_ns);
    CHECK(slices[i]->At("pid").number == 0);
  }

  // Process and thread names.
  bool named = false;
  for (const Json* m : EventsWith(doc, "M")) {
    if (m->At("name").text == "process_name" && m->At("pid").number == 0)
      named = m->At("args").At("name").text == "replica 0";
  }
  CHECK(named);
  // Counters: queue lengths and KV usage.
  std::map<std::string, int> counters;
  for (const Json* c : EventsWith(doc, "C")) ++counters[c->At("name").text];
  CHECK(counters["requests"] >= 1);
  CHECK(counters["kv_usage"] >= 1);
  const Json* first_counter = EventsWith(doc, "C").front();
  CHECK(first_counter->At("args").At("running").number == 8);

  // Lifecycles: 8 requests x (request, queued, prefill, decode) begin/end pairs that nest.
  const auto begins = EventsWith(doc, "b");
  const auto ends = EventsWith(doc, "e");
  CHECK(begins.size() == 32);
  CHECK(ends.size() == 32);
  std::map<std::pair<double, std::string>, double> open;  // (id, name) -> begin ts
  for (const Json& e : doc.At("traceEvents").items) {
    const std::string ph = e.At("ph").text;
    if (ph != "b" && ph != "e") continue;
    const auto key = std::make_pair(e.At("id").number, e.At("name").text);
    if (ph == "b") {
      open[key] = e.At("ts").number;
    } else {
      REQUIRE(open.count(key) == 1);
      CHECK(e.At("ts").number >= open[key]);
      open.erase(key);
    }
  }
  CHECK(open.empty());
  CHECK(doc.At("metadata").At("steps_written").number == 10);
  CHECK(doc.At("metadata").At("requests_written").number == 8);
}

TEST_CASE("the same run writes the same trace bytes", "[trace]") {
  std::vector<Request> reqs;
  for (int i = 0; i < 30; ++i) reqs.push_back(testing::MakeRequest(i * 7000000, 200 + 13 * i, 20));
  const TraceRun a = RunWithTrace(SmallConfig(2), reqs, {2, 200000, 1000});
  const TraceRun b = RunWithTrace(SmallConfig(2), reqs, {2, 200000, 1000});
  CHECK(a.text == b.text);
  const Json doc = Parser(a.text).Document();
  int named = 0;
  for (const Json* m : EventsWith(doc, "M"))
    if (m->At("name").text == "process_name") ++named;
  CHECK(named == 2);
  CHECK(static_cast<int64_t>(EventsWith(doc, "X").size()) == a.steps_seen);
}

TEST_CASE("the step and request caps stop slices and say so", "[trace]") {
  const std::vector<Request> reqs(8, testing::MakeRequest(0, 100, 10));
  TraceOptions options;
  options.max_steps = 3;
  options.max_requests = 2;
  const TraceRun run = RunWithTrace(SmallConfig(), reqs, options);
  const Json doc = Parser(run.text).Document();
  CHECK(EventsWith(doc, "X").size() == 3);
  CHECK(EventsWith(doc, "b").size() == 2 * 4);
  CHECK(doc.At("metadata").At("steps_omitted").number == 10 - 3);
  bool labelled = false;
  for (const Json* m : EventsWith(doc, "M"))
    labelled = labelled || m->At("name").text == "process_labels";
  CHECK(labelled);
  // No counter after the last written slice.
  const double last_ts = EventsWith(doc, "X").back()->At("ts").number;
  for (const Json* c : EventsWith(doc, "C")) CHECK(c->At("ts").number <= last_ts);

  options.max_requests = 0;  // none
  const TraceRun none = RunWithTrace(SmallConfig(), reqs, options);
  CHECK(EventsWith(Parser(none.text).Document(), "b").empty());
}

TEST_CASE("an empty run is still a valid trace", "[trace]") {
  std::ostringstream out;
  TraceWriter trace(out, {0, 10, 10});
  trace.Finish();
  const Json doc = Parser(out.str()).Document();
  CHECK(doc.At("traceEvents").items.empty());
}

}  // namespace servesim
