#include "workloads/synthetic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "models/input_error.h"
#include "models/sim_time.h"
#include "workloads/random.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

constexpr double kNsPerS = 1e9;

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

bool Finite(double v) { return std::isfinite(v); }

// Rounds a drawn length to tokens in [1, cap] (cap 0: kMaxTraceTokens). NaN becomes 1.
int64_t ClipLength(double v, int64_t cap) {
  const int64_t limit = cap > 0 ? cap : kMaxTraceTokens;
  if (!(v >= 1.0)) return 1;
  if (v >= static_cast<double>(limit)) return limit;
  return std::max<int64_t>(1, std::min<int64_t>(limit, std::llround(v)));
}

int64_t ClipLength(int64_t v, int64_t cap) {
  const int64_t limit = cap > 0 ? cap : kMaxTraceTokens;
  return std::max<int64_t>(1, std::min(limit, v));
}

using LengthTable = std::vector<LengthRow>;

class LengthSampler {
 public:
  LengthSampler(const LengthSpec& spec, int64_t cap, std::shared_ptr<const LengthTable> table,
                bool output_column)
      : spec_(spec), cap_(cap), table_(std::move(table)), output_column_(output_column) {
    if (spec.kind == LengthKind::kLognormal) {
      lognormal_ = spec.use_mu_sigma ? LogNormalParams{spec.mu, spec.sigma}
                                     : LogNormalFromMeanStd(spec.mean, spec.stddev);
    }
    if (spec.kind == LengthKind::kZipf) zipf_ = std::make_unique<ZipfSampler>(spec.n, spec.s);
  }

  int64_t Sample(RngStream& rng) const {
    switch (spec_.kind) {
      case LengthKind::kFixed:
        return ClipLength(spec_.value, cap_);
      case LengthKind::kUniform:
        return ClipLength(UniformInt(rng, spec_.min, spec_.max), cap_);
      case LengthKind::kNormal:
        return ClipLength(Normal(rng, spec_.mean, spec_.stddev), cap_);
      case LengthKind::kLognormal:
        return ClipLength(LogNormal(rng, lognormal_.mu, lognormal_.sigma), cap_);
      case LengthKind::kZipf:
        return ClipLength(zipf_->Sample(rng), cap_);
      case LengthKind::kEmpirical:
        return FromRow(EmpiricalIndex(rng, table_->size()));
    }
    return 1;
  }

  int64_t FromRow(size_t row) const {
    const LengthRow& r = (*table_)[row];
    return ClipLength(output_column_ ? r.output_tokens : r.prompt_tokens, cap_);
  }

  std::string Describe() const {
    std::string d = LengthKindName(spec_.kind);
    switch (spec_.kind) {
      case LengthKind::kFixed:
        d += " " + std::to_string(spec_.value);
        break;
      case LengthKind::kUniform:
        d += "[" + std::to_string(spec_.min) + ", " + std::to_string(spec_.max) + "]";
        break;
      case LengthKind::kNormal:
        d += "(mean " + Num(spec_.mean) + ", std " + Num(spec_.stddev) + ")";
        break;
      case LengthKind::kLognormal:
        d += spec_.use_mu_sigma ? "(mu " + Num(spec_.mu) + ", sigma " + Num(spec_.sigma) + ")"
                                : "(mean " + Num(spec_.mean) + ", std " + Num(spec_.stddev) + ")";
        break;
      case LengthKind::kZipf:
        d += "(n " + std::to_string(spec_.n) + ", s " + Num(spec_.s) + ")";
        break;
      case LengthKind::kEmpirical:
        d += " " + spec_.path;
        break;
    }
    if (cap_ > 0) d += " max " + std::to_string(cap_);
    return d;
  }

 private:
  LengthSpec spec_;
  int64_t cap_;
  std::shared_ptr<const LengthTable> table_;
  bool output_column_;
  LogNormalParams lognormal_;
  std::unique_ptr<ZipfSampler> zipf_;
};

std::shared_ptr<const LengthTable> LoadTable(const LengthSpec& spec, const std::string& where) {
  if (spec.kind != LengthKind::kEmpirical) return nullptr;
  try {
    return std::make_shared<const LengthTable>(LoadLengthsCsv(spec.path));
  } catch (const InputError& e) {
    throw InputError(where + ".path: " + e.what());
  }
}

// Prompt and output lengths of each request, from their own streams.
class LengthDrawer {
 public:
  LengthDrawer(const LengthSpec& prompt, const LengthSpec& output, int64_t max_prompt_tokens,
               int64_t max_output_tokens, uint64_t seed, const std::string& prefix,
               const std::string& source)
      : prompt_rng_(MakeStream(seed, prefix + "prompt_lengths")),
        output_rng_(MakeStream(seed, prefix + "output_lengths")),
        joint_(prompt.kind == LengthKind::kEmpirical && output.kind == LengthKind::kEmpirical &&
               prompt.path == output.path) {
    ValidateLengthSpec(prompt, source + ".prompt_tokens");
    ValidateLengthSpec(output, source + ".output_tokens");
    auto prompt_table = LoadTable(prompt, source + ".prompt_tokens");
    auto output_table = joint_ ? prompt_table : LoadTable(output, source + ".output_tokens");
    prompt_ = std::make_unique<LengthSampler>(prompt, max_prompt_tokens, prompt_table, false);
    output_ = std::make_unique<LengthSampler>(output, max_output_tokens, output_table, true);
    table_size_ = prompt_table ? prompt_table->size() : 0;
  }

  void Draw(Request& out) {
    if (joint_) {
      const size_t row = EmpiricalIndex(prompt_rng_, table_size_);
      out.prompt_tokens = prompt_->FromRow(row);
      out.output_tokens = output_->FromRow(row);
      return;
    }
    out.prompt_tokens = prompt_->Sample(prompt_rng_);
    out.output_tokens = output_->Sample(output_rng_);
  }

  std::string Describe() const {
    return "prompt " + prompt_->Describe() + ", output " + output_->Describe() +
           (joint_ ? " (joint rows)" : "");
  }

 private:
  RngStream prompt_rng_;
  RngStream output_rng_;
  bool joint_;
  size_t table_size_ = 0;
  std::unique_ptr<LengthSampler> prompt_;
  std::unique_ptr<LengthSampler> output_;
};

uint64_t GroupHash(uint64_t base, int64_t g, int64_t length) {
  uint64_t state = base ^ (static_cast<uint64_t>(g) * 0x9E3779B97F4A7C15ULL);
  state = SplitMix64Next(state) ^ static_cast<uint64_t>(length);
  return SplitMix64Next(state);
}

bool SharedPrefixConfigured(const SharedPrefixSpec& spec) {
  return spec.prompts != 0 || !spec.tokens.empty();
}

// Adds a shared system prompt to the requests that carry one (see "Shared prefix" in the header).
class PrefixDrawer {
 public:
  PrefixDrawer(const SharedPrefixSpec& spec, uint64_t seed, const std::string& prefix)
      : spec_(spec),
        rng_(MakeStream(seed, prefix + "shared_prefix")),
        base_(Fnv1a64(prefix + "shared_prefix")) {
    if (spec.enabled() && spec.popularity == PrefixPopularity::kZipf) {
      zipf_ = std::make_unique<ZipfSampler>(spec.prompts, spec.zipf_s);
    }
  }

  // After the lengths are drawn: prepends prompt g's tokens and sets the prefix hash.
  void Apply(Request& out) {
    if (!spec_.enabled()) return;
    const bool carries = UniformDouble(rng_) < spec_.share;
    const int64_t g = zipf_ ? zipf_->Sample(rng_) - 1 : UniformInt(rng_, 0, spec_.prompts - 1);
    if (!carries) return;
    const int64_t length = spec_.Length(g);
    out.prompt_tokens += length;
    out.prefix_hashes.push_back(GroupHash(base_, g, length));
    out.prefix_block_tokens = static_cast<int32_t>(length);
  }

  std::string Describe() const {
    if (!spec_.enabled()) return "";
    const auto [lo, hi] = std::minmax_element(spec_.tokens.begin(), spec_.tokens.end());
    std::string d =
        "; shared prefix " + std::to_string(spec_.prompts) + " prompts of " +
        (*lo == *hi ? std::to_string(*lo) : std::to_string(*lo) + ".." + std::to_string(*hi)) +
        " tokens, share " + Num(spec_.share);
    if (zipf_) d += ", zipf s " + Num(spec_.zipf_s);
    return d;
  }

 private:
  SharedPrefixSpec spec_;
  RngStream rng_;
  uint64_t base_;
  std::unique_ptr<ZipfSampler> zipf_;
};

void CheckCap(int64_t cap, const std::string& where) {
  if (cap < 0)
    throw InputError(where + ": expected a positive number of tokens, found " +
                     std::to_string(cap));
}

// Requests with arrival_ns >= this are not issued; -1 when there is no duration.
int64_t DurationNs(double duration_s, const std::string& where) {
  if (duration_s < 0) return -1;
  if (!(duration_s > 0) || !(duration_s < kHorizonS)) {
    throw InputError(where + ": expected a positive duration in seconds below the simulation " +
                     "horizon (" + Num(kHorizonS) + " s), found " + Num(duration_s));
  }
  return NsToTicks(duration_s * kNsPerS);
}

class OpenLoopWorkload : public Workload {
 public:
  OpenLoopWorkload(const SyntheticOptions& o, uint64_t seed, const std::string& source)
      : options_(o),
        clock_(o.arrival, o.rate_per_s, o.cv, MakeStream(seed, o.stream_prefix + "arrivals")),
        lengths_(o.prompt, o.output, o.max_prompt_tokens, o.max_output_tokens, seed,
                 o.stream_prefix, source),
        prefix_(o.shared_prefix, seed, o.stream_prefix) {
    duration_ns_ = DurationNs(o.duration_s, source + ".duration_s");
  }

  Pull Next(Request& out) override {
    if (done_) return Pull::kExhausted;
    if (options_.num_requests >= 0 && next_id_ >= options_.num_requests) return Finish();
    const int64_t t = clock_.Next();
    if (duration_ns_ >= 0 && t >= duration_ns_) return Finish();
    out.id = next_id_++;
    out.arrival_ns = t;
    out.client = -1;
    out.prefix_hashes.clear();
    out.prefix_block_tokens = 0;
    lengths_.Draw(out);
    prefix_.Apply(out);
    return Pull::kRequest;
  }

  int64_t CountRemaining(int64_t cap) override {
    // A count without a duration is known; with a duration only drawing tells.
    if (done_ || options_.num_requests < 0 || duration_ns_ >= 0)
      return Workload::CountRemaining(cap);
    const int64_t n = options_.num_requests - next_id_;
    return n > cap ? -1 : n;
  }

  std::string Describe() const override {
    std::string d = std::string("synthetic ") + ArrivalKindName(options_.arrival);
    if (options_.arrival != ArrivalKind::kBurst) d += " " + Num(options_.rate_per_s) + " req/s";
    if (options_.arrival == ArrivalKind::kGamma) d += " cv " + Num(options_.cv);
    d += "; " + lengths_.Describe() + prefix_.Describe();
    if (options_.num_requests >= 0) d += "; " + std::to_string(options_.num_requests) + " requests";
    if (options_.duration_s >= 0) d += "; " + Num(options_.duration_s) + " s";
    return d;
  }

 private:
  Pull Finish() {
    done_ = true;
    return Pull::kExhausted;
  }

  SyntheticOptions options_;
  ArrivalClock clock_;
  LengthDrawer lengths_;
  PrefixDrawer prefix_;
  int64_t duration_ns_ = -1;
  int64_t next_id_ = 0;
  bool done_ = false;
};

class ClosedLoopWorkload : public Workload {
 public:
  ClosedLoopWorkload(const ClosedLoopOptions& o, uint64_t seed, const std::string& source)
      : options_(o),
        think_rng_(MakeStream(seed, o.stream_prefix + "think_time")),
        lengths_(o.prompt, o.output, o.max_prompt_tokens, o.max_output_tokens, seed,
                 o.stream_prefix, source),
        prefix_(o.shared_prefix, seed, o.stream_prefix),
        clients_(static_cast<size_t>(o.clients)) {
    duration_ns_ = DurationNs(o.duration_s, source + ".duration_s");
    for (int32_t c = 0; c < o.clients; ++c) Schedule(c, 0);
  }

  Pull Next(Request& out) override {
    if (pending_.empty()) return in_flight_ > 0 ? Pull::kBlocked : Pull::kExhausted;
    const auto [due_ns, c] = pending_.top();
    pending_.pop();
    // Never before the last emitted request (see "Ordering" in the header).
    const int64_t t = std::max(due_ns, last_emitted_ns_);
    last_emitted_ns_ = t;
    Client& client = clients_[static_cast<size_t>(c)];
    client.pending = false;
    client.in_flight = true;
    ++in_flight_;
    out.id = next_id_++;
    out.arrival_ns = t;
    out.client = c;
    out.prefix_hashes.clear();
    out.prefix_block_tokens = 0;
    lengths_.Draw(out);
    prefix_.Apply(out);
    return Pull::kRequest;
  }

  void OnComplete(const Request& request, int64_t finish_ns) override {
    if (request.client < 0 || request.client >= options_.clients ||
        !clients_[static_cast<size_t>(request.client)].in_flight) {
      throw std::logic_error("closed loop: OnComplete for request " + std::to_string(request.id) +
                             " of client " + std::to_string(request.client) +
                             ", which has no request in flight");
    }
    Client& client = clients_[static_cast<size_t>(request.client)];
    client.in_flight = false;
    --in_flight_;
    const double think_s = options_.think_exponential
                               ? Exponential(think_rng_, options_.think_time_s)
                               : options_.think_time_s;
    // A next request past the horizon is scheduled at it: the engine stops there and counts it.
    const int64_t start = std::max(finish_ns, request.arrival_ns);
    Schedule(request.client, AddTicks(start, NsToTicks(think_s * kNsPerS)));
  }

  // Requests scheduled but not pulled, and those the count limits still promise (with a duration
  // nothing more is promised: whether a next request falls inside it depends on completions).
  int64_t CountRemaining(int64_t cap) override {
    int64_t n = static_cast<int64_t>(pending_.size());
    if (duration_ns_ >= 0) {
      // Whether a later request falls inside the duration depends on completions never run.
    } else if (options_.requests_per_client >= 0) {
      int64_t promised = 0;
      for (const Client& c : clients_) promised += options_.requests_per_client - c.issued;
      if (options_.num_requests >= 0)
        promised = std::min(promised, options_.num_requests - scheduled_);
      n += promised;
    } else if (options_.num_requests >= 0) {
      n += options_.num_requests - scheduled_;
    }
    return n > cap ? -1 : n;
  }

  std::string Describe() const override {
    std::string d = "closed_loop " + std::to_string(options_.clients) + " clients, think " +
                    Num(options_.think_time_s) + " s" +
                    (options_.think_exponential ? " (exponential mean)" : "");
    d += "; " + lengths_.Describe() + prefix_.Describe();
    if (options_.requests_per_client >= 0) {
      d += "; " + std::to_string(options_.requests_per_client) + " per client";
    }
    if (options_.num_requests >= 0) d += "; " + std::to_string(options_.num_requests) + " requests";
    if (options_.duration_s >= 0) d += "; " + Num(options_.duration_s) + " s";
    return d;
  }

 private:
  struct Client {
    int64_t issued = 0;  // scheduled or emitted
    bool pending = false;
    bool in_flight = false;
  };

  // Makes client `c`'s next request pending at `t_ns`, unless a limit stops it.
  void Schedule(int32_t c, int64_t t_ns) {
    Client& client = clients_[static_cast<size_t>(c)];
    if (options_.requests_per_client >= 0 && client.issued >= options_.requests_per_client) return;
    if (options_.num_requests >= 0 && scheduled_ >= options_.num_requests) return;
    if (duration_ns_ >= 0 && t_ns >= duration_ns_) return;
    ++client.issued;
    ++scheduled_;
    client.pending = true;
    pending_.emplace(t_ns, c);
  }

  ClosedLoopOptions options_;
  RngStream think_rng_;
  LengthDrawer lengths_;
  PrefixDrawer prefix_;
  std::vector<Client> clients_;
  // Min-heap of (arrival_ns, client): the earliest pending request first, ties by client id.
  std::priority_queue<std::pair<int64_t, int32_t>, std::vector<std::pair<int64_t, int32_t>>,
                      std::greater<>>
      pending_;
  int64_t duration_ns_ = -1;
  int64_t scheduled_ = 0;
  int64_t in_flight_ = 0;
  int64_t next_id_ = 0;
  int64_t last_emitted_ns_ = 0;
};

}  // namespace

const char* ArrivalKindName(ArrivalKind kind) {
  switch (kind) {
    case ArrivalKind::kPoisson:
      return "poisson";
    case ArrivalKind::kGamma:
      return "gamma";
    case ArrivalKind::kConstant:
      return "constant";
    case ArrivalKind::kBurst:
      return "burst";
  }
  return "?";
}

const char* LengthKindName(LengthKind kind) {
  switch (kind) {
    case LengthKind::kFixed:
      return "fixed";
    case LengthKind::kUniform:
      return "uniform";
    case LengthKind::kNormal:
      return "normal";
    case LengthKind::kLognormal:
      return "lognormal";
    case LengthKind::kZipf:
      return "zipf";
    case LengthKind::kEmpirical:
      return "empirical";
  }
  return "?";
}

void ValidateLengthSpec(const LengthSpec& spec, const std::string& where) {
  auto fail = [&](const std::string& key, const std::string& expected, const std::string& found) {
    throw InputError(where + "." + key + ": expected " + expected + ", found " + found);
  };
  const std::string max_tokens = std::to_string(kMaxTraceTokens);
  switch (spec.kind) {
    case LengthKind::kFixed:
      if (spec.value < 1 || spec.value > kMaxTraceTokens) {
        fail("value", "a length in tokens in [1, " + max_tokens + "]", std::to_string(spec.value));
      }
      break;
    case LengthKind::kUniform:
      if (spec.min < 1 || spec.min > kMaxTraceTokens) {
        fail("min", "a length in tokens in [1, " + max_tokens + "]", std::to_string(spec.min));
      }
      if (spec.max < spec.min || spec.max > kMaxTraceTokens) {
        fail("max", "a length in [min = " + std::to_string(spec.min) + ", " + max_tokens + "]",
             std::to_string(spec.max));
      }
      break;
    case LengthKind::kNormal:
      if (!Finite(spec.mean) || spec.mean <= 0) fail("mean", "a positive number", Num(spec.mean));
      if (!Finite(spec.stddev) || spec.stddev < 0) fail("std", "a number >= 0", Num(spec.stddev));
      break;
    case LengthKind::kLognormal:
      if (spec.use_mu_sigma) {
        if (!Finite(spec.mu)) fail("mu", "a finite number", Num(spec.mu));
        if (!Finite(spec.sigma) || spec.sigma < 0) fail("sigma", "a number >= 0", Num(spec.sigma));
      } else {
        if (!Finite(spec.mean) || spec.mean <= 0) fail("mean", "a positive number", Num(spec.mean));
        if (!Finite(spec.stddev) || spec.stddev < 0) fail("std", "a number >= 0", Num(spec.stddev));
      }
      break;
    case LengthKind::kZipf:
      if (spec.n < 1 || spec.n > kMaxTraceTokens) {
        fail("n", "an integer in [1, " + max_tokens + "]", std::to_string(spec.n));
      }
      if (!Finite(spec.s) || spec.s <= 0) fail("s", "a positive exponent", Num(spec.s));
      break;
    case LengthKind::kEmpirical:
      if (spec.path.empty()) fail("path", "the path of a lengths CSV", "''");
      break;
  }
}

void ValidateSharedPrefix(const SharedPrefixSpec& spec, const std::string& where) {
  auto fail = [&](const std::string& key, const std::string& expected, const std::string& found) {
    throw InputError(where + "." + key + ": expected " + expected + ", found " + found);
  };
  if (spec.prompts < 1)
    fail("prompts", "a positive number of prompts", std::to_string(spec.prompts));
  if (spec.tokens.size() != 1 && spec.tokens.size() != static_cast<size_t>(spec.prompts)) {
    fail("tokens", "one length or a list of " + std::to_string(spec.prompts) + " (prompts) lengths",
         std::to_string(spec.tokens.size()) + " lengths");
  }
  const int64_t max_length = std::numeric_limits<int32_t>::max();
  for (size_t i = 0; i < spec.tokens.size(); ++i) {
    if (spec.tokens[i] < 1 || spec.tokens[i] > max_length) {
      fail(spec.tokens.size() == 1 ? std::string("tokens") : "tokens[" + std::to_string(i) + "]",
           "a length in tokens in [1, " + std::to_string(max_length) + "]",
           std::to_string(spec.tokens[i]));
    }
  }
  if (!(spec.share >= 0 && spec.share <= 1)) fail("share", "a fraction in [0, 1]", Num(spec.share));
  if (spec.popularity == PrefixPopularity::kZipf && (!Finite(spec.zipf_s) || spec.zipf_s <= 0)) {
    fail("zipf_s", "a positive exponent", Num(spec.zipf_s));
  }
}

ArrivalClock::ArrivalClock(ArrivalKind kind, double rate_per_s, double cv, RngStream rng)
    : kind_(kind), rate_per_s_(rate_per_s), rng_(rng) {
  if (kind == ArrivalKind::kGamma) {
    gamma_shape_ = 1.0 / (cv * cv);
    gamma_scale_s_ = 1.0 / (rate_per_s * gamma_shape_);
  }
}

int64_t ArrivalClock::Next() {
  int64_t t = 0;
  if (count_ > 0) {
    switch (kind_) {
      case ArrivalKind::kBurst:
        t = 0;
        break;
      case ArrivalKind::kConstant:
        // Arrivals past the horizon arrive at it: the engine stops there and counts them.
        t = NsToTicks(static_cast<double>(count_) * kNsPerS / rate_per_s_);
        break;
      case ArrivalKind::kPoisson:
      case ArrivalKind::kGamma: {
        const double gap_s = kind_ == ArrivalKind::kPoisson
                                 ? Exponential(rng_, 1.0 / rate_per_s_)
                                 : Gamma(rng_, gamma_shape_, gamma_scale_s_);
        t = AddTicks(last_ns_, NsToTicks(gap_s * kNsPerS));
        break;
      }
    }
  }
  ++count_;
  last_ns_ = t;
  return t;
}

uint64_t PrefixGroupHash(const std::string& stream_prefix, int64_t g, int64_t length) {
  return GroupHash(Fnv1a64(stream_prefix + "shared_prefix"), g, length);
}

std::unique_ptr<Workload> MakeSyntheticWorkload(const SyntheticOptions& o, uint64_t seed,
                                                const std::string& source) {
  if (o.arrival != ArrivalKind::kBurst) {
    if (!Finite(o.rate_per_s) || o.rate_per_s <= 0) {
      throw InputError(source +
                       ".rate_per_s: expected a positive rate in requests per second, "
                       "found " +
                       Num(o.rate_per_s));
    }
  }
  if (o.arrival == ArrivalKind::kGamma && (!Finite(o.cv) || o.cv <= 0)) {
    throw InputError(source + ".cv: expected a positive coefficient of variation, found " +
                     Num(o.cv));
  }
  if (o.num_requests < 0 && o.duration_s < 0) {
    throw InputError(source +
                     ": give num_requests or duration_s (or both): a synthetic source "
                     "needs a limit");
  }
  if (o.arrival == ArrivalKind::kBurst && o.num_requests < 0) {
    throw InputError(source + ": a burst (every request at t = 0) needs num_requests");
  }
  CheckCap(o.max_prompt_tokens, source + ".max_prompt_tokens");
  CheckCap(o.max_output_tokens, source + ".max_output_tokens");
  if (SharedPrefixConfigured(o.shared_prefix)) {
    ValidateSharedPrefix(o.shared_prefix, source + ".shared_prefix");
  }
  return std::make_unique<OpenLoopWorkload>(o, seed, source);
}

std::unique_ptr<Workload> MakeClosedLoopWorkload(const ClosedLoopOptions& o, uint64_t seed,
                                                 const std::string& source) {
  if (o.clients < 1) {
    throw InputError(source + ".clients: expected a positive number of clients, found " +
                     std::to_string(o.clients));
  }
  if (!(o.think_time_s >= 0) || !(o.think_time_s < kHorizonS)) {
    throw InputError(source + ".think_time_s: expected a time in seconds from 0 to below the " +
                     "simulation horizon (" + Num(kHorizonS) + " s), found " + Num(o.think_time_s));
  }
  if (o.think_exponential && o.think_time_s <= 0) {
    throw InputError(source +
                     ".think_time_s: an exponential think time needs a positive mean, "
                     "found " +
                     Num(o.think_time_s));
  }
  if (o.requests_per_client < 0 && o.num_requests < 0 && o.duration_s < 0) {
    throw InputError(source +
                     ": give requests_per_client, num_requests or duration_s: a closed "
                     "loop needs a limit");
  }
  CheckCap(o.max_prompt_tokens, source + ".max_prompt_tokens");
  CheckCap(o.max_output_tokens, source + ".max_output_tokens");
  if (SharedPrefixConfigured(o.shared_prefix)) {
    ValidateSharedPrefix(o.shared_prefix, source + ".shared_prefix");
  }
  return std::make_unique<ClosedLoopWorkload>(o, seed, source);
}

}  // namespace servesim
