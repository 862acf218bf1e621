#include "sim/core/load_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/core/records.h"

namespace servesim {
namespace {

// Three significant digits, as people read rates and times in a sentence; whole numbers from
// 1,000 up (9890, not 9.89e+03).
std::string G3(double v) {
  char buf[400];
  std::snprintf(buf, sizeof(buf), std::fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
  return buf;
}

std::string ShortCountMessage(int64_t completed) {
  return "short run: only " + std::to_string(completed) +
         " request(s) completed, and a p99 of fewer than " + std::to_string(kMinCompleted) +
         " requests is simply the slowest one; raise workload.num_requests (or use a longer "
         "trace) to at least " +
         std::to_string(kMinCompleted);
}

std::string ShortWindowMessage(double window_s, double residence_s) {
  return "short run: requests arrive over only " + G3(window_s) + " s, under " +
         G3(kMinWindowResidences) + " x the " + G3(residence_s) +
         " s a request spends being served, so the run is mostly warm-up and drain rather than "
         "steady state; use more requests or a longer trace";
}

std::string OverloadMessage(double arrive_per_s, double serve_per_s, double growth_per_s,
                            const LoadSample& last, int64_t rejected_late) {
  std::string m = "overloaded: over the last half of the arrivals, requests arrived at " +
                  G3(arrive_per_s) + " req/s but completed at only " + G3(serve_per_s) +
                  " req/s; the queue grew by " + G3(growth_per_s) + " req/s to " +
                  std::to_string(last.InSystem()) + " requests in the system";
  if (rejected_late > 0) {
    m += " (and " + std::to_string(rejected_late) + " were rejected for a full queue)";
  }
  return m +
         ", so latencies grow with the run's length and its percentiles describe that length, "
         "not this rate; lower the rate or add capacity (servesim capacity finds the highest "
         "sustained rate)";
}

// The overload rule over the last half of the arrival window (see the header).
void CheckOverload(const LoadTracker& t, LoadVerdict& v) {
  const LoadSample& last = t.last();
  const LoadSample& mid = t.Nearest(t.first().t_ns + (last.t_ns - t.first().t_ns) / 2);
  if (mid.t_ns >= last.t_ns) return;
  const double dt_s = static_cast<double>(last.t_ns - mid.t_ns) * 1e-9;
  const int64_t arrivals = last.arrived - mid.arrived;
  const int64_t completions = last.completed - mid.completed;
  const int64_t deficit = arrivals - completions;
  v.queue_growth_per_s = static_cast<double>(last.InSystem() - mid.InSystem()) / dt_s;
  v.late_arrival_rate_per_s = static_cast<double>(arrivals) / dt_s;
  const double need = std::max(static_cast<double>(kOverloadMinRequests),
                               kOverloadShare * static_cast<double>(arrivals));
  if (static_cast<double>(deficit) < need) return;
  v.status = LoadStatus::kOverloaded;
  v.service_rate_per_s = static_cast<double>(completions) / dt_s;
  v.messages.insert(v.messages.begin(),
                    OverloadMessage(*v.late_arrival_rate_per_s, *v.service_rate_per_s,
                                    v.queue_growth_per_s, last, last.rejected - mid.rejected));
}

}  // namespace

const LoadSample& LoadTracker::Nearest(int64_t t_ns) const {
  const auto end = samples_.begin() + size_;
  auto it = std::lower_bound(samples_.begin(), end, t_ns,
                             [](const LoadSample& s, int64_t t) { return s.t_ns < t; });
  if (it == end) return *(end - 1);
  if (it != samples_.begin() && std::llabs(t_ns - (it - 1)->t_ns) <= std::llabs(it->t_ns - t_ns))
    --it;
  return *it;
}

void LoadTracker::Decimate() {
  for (int i = 0; i < size_ / 2; ++i) {
    samples_[static_cast<size_t>(i)] = samples_[static_cast<size_t>(2 * i)];
  }
  size_ = (size_ + 1) / 2;
  stride_ *= 2;
}

const char* LoadStatusName(LoadStatus status) {
  switch (status) {
    case LoadStatus::kOk:
      return "ok";
    case LoadStatus::kOverloaded:
      return "overloaded";
    case LoadStatus::kShortRun:
      return "short_run";
  }
  return "?";
}

LoadVerdict CheckLoad(const LoadTracker& t, int64_t completed, double mean_residence_s) {
  LoadVerdict v;
  if (completed < kMinCompleted) v.messages.push_back(ShortCountMessage(completed));
  const int64_t n = t.arrivals();
  const double window_s = n >= 2 ? static_cast<double>(t.last().t_ns - t.first().t_ns) * 1e-9 : 0.0;
  if (window_s > 0) {
    v.arrival_rate_per_s = static_cast<double>(n - 1) / window_s;
    if (window_s < kMinWindowResidences * mean_residence_s) {
      v.messages.push_back(ShortWindowMessage(window_s, mean_residence_s));
    }
  }
  if (!v.messages.empty()) v.status = LoadStatus::kShortRun;
  if (window_s > 0 && window_s >= kOverloadMinResidences * mean_residence_s) CheckOverload(t, v);
  return v;
}

LoadVerdict CheckRunLoad(const RunSummary& s) {
  const double residence_s = s.completed > 0 ? s.e2e_s.Mean() - s.queue_s.Mean() : 0.0;
  return CheckLoad(s.load, s.completed, std::max(0.0, residence_s));
}

}  // namespace servesim
