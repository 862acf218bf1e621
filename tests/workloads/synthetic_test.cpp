#include "workloads/synthetic.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "models/input_error.h"
#include "tests/support/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::ExpectInputError;
using testing::PullAll;

using testing::TempDir;

LengthSpec Fixed(int64_t v) {
  LengthSpec s;
  s.kind = LengthKind::kFixed;
  s.value = v;
  return s;
}

SyntheticOptions Poisson(double rate, int64_t n) {
  SyntheticOptions o;
  o.arrival = ArrivalKind::kPoisson;
  o.rate_per_s = rate;
  o.num_requests = n;
  o.prompt = Fixed(100);
  o.output = Fixed(10);
  return o;
}

// Mean and coefficient of variation of the gaps between arrivals, in seconds.
std::pair<double, double> GapStats(const std::vector<Request>& rs) {
  double sum = 0, sum2 = 0;
  const size_t n = rs.size() - 1;
  for (size_t i = 1; i < rs.size(); ++i) {
    const double g = (rs[i].arrival_ns - rs[i - 1].arrival_ns) * 1e-9;
    sum += g;
    sum2 += g * g;
  }
  const double mean = sum / n;
  return {mean, std::sqrt(sum2 / n - mean * mean) / mean};
}

TEST_CASE("synthetic: arrival processes", "[workloads]") {
  SECTION("poisson: first at 0, ids dense, mean gap 1/rate, cv 1") {
    auto w = MakeSyntheticWorkload(Poisson(10.0, 100'000), 42);
    const auto rs = PullAll(*w);
    REQUIRE(rs.size() == 100'000);
    CHECK(rs[0].arrival_ns == 0);
    for (size_t i = 0; i < rs.size(); ++i) {
      REQUIRE(rs[i].id == static_cast<int64_t>(i));
      REQUIRE(rs[i].client == -1);
      if (i) REQUIRE(rs[i].arrival_ns >= rs[i - 1].arrival_ns);
    }
    const auto [mean, cv] = GapStats(rs);
    CHECK(mean == Approx(0.1).epsilon(0.02));
    CHECK(cv == Approx(1.0).epsilon(0.03));
    Request r;
    CHECK(w->Next(r) == Pull::kExhausted);
    CHECK(w->Next(r) == Pull::kExhausted);
    CHECK(Contains(w->Describe(), "poisson 10 req/s"));
  }
  SECTION("gamma: mean gap 1/rate and the requested cv") {
    SyntheticOptions o = Poisson(5.0, 100'000);
    o.arrival = ArrivalKind::kGamma;
    o.cv = 3.0;
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 42));
    const auto [mean, cv] = GapStats(rs);
    CHECK(mean == Approx(0.2).epsilon(0.04));
    CHECK(cv == Approx(3.0).epsilon(0.06));
    o.cv = 0.5;
    const auto smooth = GapStats(PullAll(*MakeSyntheticWorkload(o, 42)));
    CHECK(smooth.first == Approx(0.2).epsilon(0.02));
    CHECK(smooth.second == Approx(0.5).epsilon(0.03));
  }
  SECTION("constant: request i at exactly i / rate") {
    SyntheticOptions o = Poisson(3.0, 1000);
    o.arrival = ArrivalKind::kConstant;
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 1));
    REQUIRE(rs.size() == 1000);
    CHECK(rs[1].arrival_ns == 333'333'333);
    CHECK(rs[2].arrival_ns == 666'666'667);
    CHECK(rs[3].arrival_ns == 1'000'000'000);
    CHECK(rs[999].arrival_ns == 333'000'000'000);
  }
  SECTION("burst: everything at t = 0") {
    SyntheticOptions o = Poisson(1.0, 500);
    o.arrival = ArrivalKind::kBurst;
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 1));
    REQUIRE(rs.size() == 500);
    for (const Request& r : rs) REQUIRE(r.arrival_ns == 0);
  }
  SECTION("duration: nothing arrives at or after it") {
    SyntheticOptions o = Poisson(20.0, -1);
    o.duration_s = 100.0;
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 3));
    CHECK(std::fabs(static_cast<double>(rs.size()) - 2000.0) < 5 * std::sqrt(2000.0));
    CHECK(rs.back().arrival_ns < 100'000'000'000);
    o.num_requests = 10;  // both limits: whichever comes first
    CHECK(PullAll(*MakeSyntheticWorkload(o, 3)).size() == 10);
    o.arrival = ArrivalKind::kConstant;
    o.num_requests = -1;
    o.rate_per_s = 2.0;
    o.duration_s = 5.0;
    CHECK(PullAll(*MakeSyntheticWorkload(o, 3)).size() == 10);  // 0, 0.5, ..., 4.5
  }
}

TEST_CASE("synthetic: length distributions and caps", "[workloads]") {
  SyntheticOptions o = Poisson(100.0, 50'000);
  auto stats = [](const std::vector<Request>& rs, bool prompt) {
    double sum = 0, sum2 = 0;
    int64_t lo = INT64_MAX, hi = 0;
    for (const Request& r : rs) {
      const double v = static_cast<double>(prompt ? r.prompt_tokens : r.output_tokens);
      sum += v;
      sum2 += v * v;
      lo = std::min<int64_t>(lo, static_cast<int64_t>(v));
      hi = std::max<int64_t>(hi, static_cast<int64_t>(v));
    }
    const double mean = sum / rs.size();
    return std::tuple<double, double, int64_t, int64_t>(
        mean, std::sqrt(sum2 / rs.size() - mean * mean), lo, hi);
  };
  SECTION("fixed") {
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 1));
    for (const Request& r : rs) {
      REQUIRE(r.prompt_tokens == 100);
      REQUIRE(r.output_tokens == 10);
    }
  }
  SECTION("uniform, inclusive") {
    o.prompt.kind = LengthKind::kUniform;
    o.prompt.min = 10;
    o.prompt.max = 20;
    const auto [mean, sd, lo, hi] = stats(PullAll(*MakeSyntheticWorkload(o, 1)), true);
    CHECK(lo == 10);
    CHECK(hi == 20);
    CHECK(mean == Approx(15.0).epsilon(0.01));
  }
  SECTION("normal: rounded, clipped to >= 1") {
    o.prompt.kind = LengthKind::kNormal;
    o.prompt.mean = 500;
    o.prompt.stddev = 100;
    const auto [mean, sd, lo, hi] = stats(PullAll(*MakeSyntheticWorkload(o, 1)), true);
    CHECK(mean == Approx(500).epsilon(0.01));
    CHECK(sd == Approx(100).epsilon(0.03));
    o.prompt.mean = 2;
    o.prompt.stddev = 50;
    const auto clipped = stats(PullAll(*MakeSyntheticWorkload(o, 1)), true);
    CHECK(std::get<2>(clipped) == 1);
  }
  SECTION("lognormal by the mean and std of the lengths, or by mu and sigma") {
    o.output.kind = LengthKind::kLognormal;
    o.output.mean = 300;
    o.output.stddev = 150;
    const auto [mean, sd, lo, hi] = stats(PullAll(*MakeSyntheticWorkload(o, 1)), false);
    CHECK(mean == Approx(300).epsilon(0.02));
    CHECK(sd == Approx(150).epsilon(0.05));
    o.output.use_mu_sigma = true;
    o.output.mu = std::log(100.0);
    o.output.sigma = 0.0;
    const auto exact = stats(PullAll(*MakeSyntheticWorkload(o, 1)), false);
    CHECK(std::get<2>(exact) == 100);
    CHECK(std::get<3>(exact) == 100);
  }
  SECTION("zipf over [1, n]") {
    o.prompt.kind = LengthKind::kZipf;
    o.prompt.n = 50;
    o.prompt.s = 1.0;
    const auto [mean, sd, lo, hi] = stats(PullAll(*MakeSyntheticWorkload(o, 1)), true);
    CHECK(lo == 1);
    CHECK(hi <= 50);
    double h = 0;
    for (int k = 1; k <= 50; ++k) h += 1.0 / k;
    CHECK(mean == Approx(50.0 / h).epsilon(0.03));
  }
  SECTION("caps clip, never redraw") {
    o.prompt.kind = LengthKind::kUniform;
    o.prompt.min = 1;
    o.prompt.max = 1000;
    o.max_prompt_tokens = 300;
    o.output = Fixed(50);
    o.max_output_tokens = 20;
    const auto rs = PullAll(*MakeSyntheticWorkload(o, 1));
    const auto [mean, sd, lo, hi] = stats(rs, true);
    CHECK(hi == 300);
    for (const Request& r : rs) REQUIRE(r.output_tokens == 20);
    // Same draws as without the cap: min(value, cap) of the uncapped sequence.
    o.max_prompt_tokens = 0;
    const auto uncapped = PullAll(*MakeSyntheticWorkload(o, 1));
    for (size_t i = 0; i < rs.size(); ++i) {
      REQUIRE(rs[i].prompt_tokens == std::min<int64_t>(uncapped[i].prompt_tokens, 300));
    }
  }
}

TEST_CASE("synthetic: empirical lengths keep the prompt/output correlation", "[workloads]") {
  TempDir dir;
  const std::string joint = dir.Write(
      "pairs_lengths.csv",
      "num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio\r\n10,100,110,0.1\r\n"
      "20,200,220,0.1\r\n30,300,330,0.1\r\n");
  SyntheticOptions o = Poisson(10.0, 3000);
  o.prompt.kind = o.output.kind = LengthKind::kEmpirical;
  o.prompt.path = o.output.path = joint;
  std::vector<int> seen(4, 0);
  for (const Request& r : PullAll(*MakeSyntheticWorkload(o, 5))) {
    REQUIRE(r.output_tokens == 10 * r.prompt_tokens);
    ++seen[static_cast<size_t>(r.prompt_tokens / 10)];
  }
  CHECK(seen[1] > 900);
  CHECK(seen[2] > 900);
  CHECK(seen[3] > 900);

  // From two different files the columns are drawn independently.
  const std::string other =
      dir.Write("other.csv", "num_prefill_tokens,num_decode_tokens\n1,7\n2,8\n3,9\n");
  o.output.path = other;
  int mismatched = 0;
  for (const Request& r : PullAll(*MakeSyntheticWorkload(o, 5))) {
    REQUIRE(r.output_tokens >= 7);
    REQUIRE(r.output_tokens <= 9);
    mismatched += r.output_tokens - 6 != r.prompt_tokens / 10;
  }
  CHECK(mismatched > 1000);

  SECTION("a bad lengths file names the key, the file and the line") {
    const std::string bad =
        dir.Write("bad.csv", "num_prefill_tokens,num_decode_tokens\n5,6\n7,zero\n");
    o.output.path = bad;
    const std::string msg =
        ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "s.yaml: workload"); });
    CHECK(Contains(msg, "s.yaml: workload.output_tokens.path: "));
    CHECK(Contains(msg, bad + ":3: column 'num_decode_tokens'"));
    CHECK(Contains(msg, "found 'zero'"));
    o.output.path = dir.Write("nohdr.csv", "prompt,output\n1,2\n");
    CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1); }),
                   "column 'num_prefill_tokens': missing"));
    o.output.path = (std::filesystem::temp_directory_path() / "servesim-missing.csv").string();
    CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1); }), "cannot open"));
  }
}

TEST_CASE("synthetic: determinism and independent streams", "[workloads]") {
  SyntheticOptions o = Poisson(4.0, 2000);
  o.prompt.kind = LengthKind::kLognormal;
  o.prompt.mean = 800;
  o.prompt.stddev = 400;
  o.output.kind = LengthKind::kUniform;
  o.output.min = 1;
  o.output.max = 500;
  const auto a = PullAll(*MakeSyntheticWorkload(o, 42));
  const auto b = PullAll(*MakeSyntheticWorkload(o, 42));
  const auto c = PullAll(*MakeSyntheticWorkload(o, 43));
  REQUIRE(a.size() == b.size());
  size_t arrivals_differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].arrival_ns == b[i].arrival_ns);
    REQUIRE(a[i].prompt_tokens == b[i].prompt_tokens);
    REQUIRE(a[i].output_tokens == b[i].output_tokens);
    arrivals_differ += a[i].arrival_ns != c[i].arrival_ns;
  }
  CHECK(arrivals_differ > 1990);

  // Changing the prompt distribution leaves the arrivals and output lengths alone.
  SyntheticOptions p = o;
  p.prompt.kind = LengthKind::kZipf;
  p.prompt.n = 100;
  p.prompt.s = 1.3;
  const auto d = PullAll(*MakeSyntheticWorkload(p, 42));
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].arrival_ns == d[i].arrival_ns);
    REQUIRE(a[i].output_tokens == d[i].output_tokens);
  }
  // A stream prefix gives a distinct, still deterministic, source.
  p.stream_prefix = "source1/";
  const auto e = PullAll(*MakeSyntheticWorkload(p, 42));
  CHECK(e[1].arrival_ns != d[1].arrival_ns);
  CHECK(PullAll(*MakeSyntheticWorkload(p, 42))[1].arrival_ns == e[1].arrival_ns);
}

TEST_CASE("synthetic: a million requests stream in constant memory", "[workloads]") {
  // Nothing is generated ahead: pulling 1e6 requests keeps one Request alive.
  SyntheticOptions o = Poisson(1000.0, 1'000'000);
  o.prompt.kind = LengthKind::kUniform;
  o.prompt.min = 1;
  o.prompt.max = 4096;
  auto w = MakeSyntheticWorkload(o, 9);
  Request r;
  int64_t count = 0, last_ns = -1;
  while (w->Next(r) == Pull::kRequest) {
    if (r.id != count || r.arrival_ns < last_ns) FAIL("order broken at " << count);
    last_ns = r.arrival_ns;
    ++count;
  }
  CHECK(count == 1'000'000);
  CHECK(last_ns == Approx(1e12).epsilon(0.01));  // 1e6 requests at 1000 req/s: ~1000 s
}

TEST_CASE("synthetic: option errors", "[workloads]") {
  SyntheticOptions o = Poisson(1.0, 10);
  o.rate_per_s = 0;
  CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "w"); }), "w.rate_per_s"));
  o.rate_per_s = std::nan("");
  CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "w"); }), "w.rate_per_s"));
  o = Poisson(1.0, -1);
  CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "w"); }),
                 "num_requests or duration_s"));
  o = Poisson(1.0, 10);
  o.prompt.kind = LengthKind::kUniform;
  o.prompt.min = 5;
  o.prompt.max = 4;
  CHECK(
      Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "w"); }), "w.prompt_tokens.max"));
  o = Poisson(1.0, 10);
  o.arrival = ArrivalKind::kGamma;
  o.cv = -1;
  CHECK(Contains(ExpectInputError([&] { MakeSyntheticWorkload(o, 1, "w"); }), "w.cv"));
}

// ---- Closed loop.

ClosedLoopOptions Clients(int32_t n, double think_s) {
  ClosedLoopOptions o;
  o.clients = n;
  o.think_time_s = think_s;
  o.prompt = Fixed(64);
  o.output = Fixed(8);
  return o;
}

TEST_CASE("closed loop: blocked until a completion, then finish + think", "[workloads]") {
  ClosedLoopOptions o = Clients(2, 1.0);
  o.requests_per_client = 2;
  auto w = MakeClosedLoopWorkload(o, 42);
  Request a, b, c, d, x;
  REQUIRE(w->Next(a) == Pull::kRequest);
  REQUIRE(w->Next(b) == Pull::kRequest);
  CHECK(a.id == 0);
  CHECK(a.client == 0);
  CHECK(a.arrival_ns == 0);
  CHECK(b.id == 1);
  CHECK(b.client == 1);
  CHECK(b.arrival_ns == 0);
  CHECK(w->Next(x) == Pull::kBlocked);

  w->OnComplete(b, 3'000'000'000);  // client 1 first
  REQUIRE(w->Next(c) == Pull::kRequest);
  CHECK(c.id == 2);
  CHECK(c.client == 1);
  CHECK(c.arrival_ns == 4'000'000'000);
  CHECK(w->Next(x) == Pull::kBlocked);

  w->OnComplete(a, 5'000'000'000);
  REQUIRE(w->Next(d) == Pull::kRequest);
  CHECK(d.client == 0);
  CHECK(d.arrival_ns == 6'000'000'000);
  CHECK(d.prompt_tokens == 64);
  CHECK(d.output_tokens == 8);

  // Every client has issued its two: completions now end the source.
  CHECK(w->Next(x) == Pull::kBlocked);
  w->OnComplete(c, 7'000'000'000);
  CHECK(w->Next(x) == Pull::kBlocked);
  w->OnComplete(d, 8'000'000'000);
  CHECK(w->Next(x) == Pull::kExhausted);
  CHECK_THROWS_AS(w->OnComplete(d, 9'000'000'000), std::logic_error);
  CHECK(Contains(w->Describe(), "closed_loop 2 clients"));
}

// A toy engine: one server that takes `service_ns` per request, first come first served.
std::vector<Request> Drive(Workload& w, int64_t service_ns) {
  std::vector<Request> issued;
  std::vector<std::pair<int64_t, Request>> queue;  // (arrival, request), served in order
  int64_t server_free = 0;
  while (true) {
    Request r;
    const Pull p = w.Next(r);
    if (p == Pull::kRequest) {
      issued.push_back(r);
      queue.emplace_back(r.arrival_ns, r);
      continue;
    }
    if (queue.empty()) {
      REQUIRE(p == Pull::kExhausted);
      break;
    }
    std::sort(queue.begin(), queue.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first : x.second.id < y.second.id;
    });
    const auto [t, req] = queue.front();
    queue.erase(queue.begin());
    server_free = std::max(server_free, t) + service_ns;
    w.OnComplete(req, server_free);
  }
  return issued;
}

TEST_CASE("closed loop: limits and the response-time law", "[workloads]") {
  SECTION("requests_per_client") {
    ClosedLoopOptions o = Clients(4, 0.5);
    o.requests_per_client = 5;
    const auto rs = Drive(*MakeClosedLoopWorkload(o, 1), 100'000'000);
    CHECK(rs.size() == 20);
    std::vector<int> per(4, 0);
    for (size_t i = 0; i < rs.size(); ++i) {
      REQUIRE(rs[i].id == static_cast<int64_t>(i));
      if (i) REQUIRE(rs[i].arrival_ns >= rs[i - 1].arrival_ns);  // fixed think: in order
      ++per[static_cast<size_t>(rs[i].client)];
    }
    for (int n : per) CHECK(n == 5);
  }
  SECTION("num_requests across clients, fewer than the clients") {
    ClosedLoopOptions o = Clients(8, 0.0);
    o.num_requests = 3;
    const auto rs = Drive(*MakeClosedLoopWorkload(o, 1), 1000);
    CHECK(rs.size() == 3);
  }
  SECTION("duration: a single client, service 1 s, think 1 s, 10 s -> 5 requests") {
    ClosedLoopOptions o = Clients(1, 1.0);
    o.duration_s = 10.0;
    const auto rs = Drive(*MakeClosedLoopWorkload(o, 1), 1'000'000'000);
    REQUIRE(rs.size() == 5);
    CHECK(rs[4].arrival_ns == 8'000'000'000);
  }
  SECTION("exponential think times have the requested mean") {
    ClosedLoopOptions o = Clients(1, 2.0);
    o.think_exponential = true;
    o.requests_per_client = 20'000;
    const auto rs = Drive(*MakeClosedLoopWorkload(o, 1), 1'000'000);
    REQUIRE(rs.size() == 20'000);
    const double cycle_s = (rs.back().arrival_ns - rs.front().arrival_ns) * 1e-9 / 19'999;
    CHECK(cycle_s - 0.001 == Approx(2.0).epsilon(0.03));
  }
  SECTION("exponential think times: arrivals stay non-decreasing") {
    ClosedLoopOptions o = Clients(2, 1.0);
    o.think_exponential = true;
    o.requests_per_client = 50;
    auto w = MakeClosedLoopWorkload(o, 3);
    // An engine holding one pending arrival: client 0 finishes first but thinks long, client 1
    // finishes later with a short think; the later-due request must not come out earlier.
    Request a, b, c, d;
    REQUIRE(w->Next(a) == Pull::kRequest);
    REQUIRE(w->Next(b) == Pull::kRequest);
    int64_t last = 0;
    for (int i = 0; i < 40; ++i) {
      w->OnComplete(a, last + 1'000'000);
      REQUIRE(w->Next(c) == Pull::kRequest);
      w->OnComplete(b, last + 2'000'000);
      REQUIRE(w->Next(d) == Pull::kRequest);
      REQUIRE(c.arrival_ns >= last);
      REQUIRE(d.arrival_ns >= c.arrival_ns);
      last = d.arrival_ns;
      a = c.client == 0 ? c : d;
      b = c.client == 0 ? d : c;
    }
    ClosedLoopOptions many = Clients(16, 0.3);
    many.think_exponential = true;
    many.requests_per_client = 50;
    const auto rs = Drive(*MakeClosedLoopWorkload(many, 5), 10'000'000);
    REQUIRE(rs.size() == 800);
    for (size_t i = 1; i < rs.size(); ++i) REQUIRE(rs[i].arrival_ns >= rs[i - 1].arrival_ns);
  }
  SECTION("lengths do not depend on completion order: request i as in open loop") {
    ClosedLoopOptions o = Clients(3, 0.1);
    o.requests_per_client = 10;
    o.prompt.kind = LengthKind::kUniform;
    o.prompt.min = 1;
    o.prompt.max = 1000;
    const auto closed = Drive(*MakeClosedLoopWorkload(o, 77), 50'000'000);
    SyntheticOptions s = Poisson(1.0, 30);
    s.prompt = o.prompt;
    const auto open = PullAll(*MakeSyntheticWorkload(s, 77));
    REQUIRE(closed.size() == 30);
    for (size_t i = 0; i < 30; ++i) REQUIRE(closed[i].prompt_tokens == open[i].prompt_tokens);
  }
  SECTION("option errors") {
    ClosedLoopOptions o = Clients(0, 1.0);
    o.num_requests = 1;
    CHECK(Contains(ExpectInputError([&] { MakeClosedLoopWorkload(o, 1, "w"); }), "w.clients"));
    o = Clients(2, -1.0);
    o.num_requests = 1;
    CHECK(Contains(ExpectInputError([&] { MakeClosedLoopWorkload(o, 1, "w"); }), "w.think_time_s"));
    o = Clients(2, 1.0);
    CHECK(Contains(ExpectInputError([&] { MakeClosedLoopWorkload(o, 1, "w"); }), "needs a limit"));
  }
}

}  // namespace
}  // namespace servesim
