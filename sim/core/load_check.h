// Whether a run measured a steady state: overload (arrivals outpacing service, so the queue is
// still growing when arrivals end and every latency percentile depends on the run's length) and
// runs too short for their statistics.
//
// Models: the number of requests in the system N(t) = arrived - completed - rejected, sampled at
// arrivals (at most kLoadSamples samples, evenly spaced in arrival count: when the buffer fills,
// every other sample is dropped and the stride doubles, so memory is fixed and nothing is
// allocated per arrival). The verdict compares the last half of the arrival window (its middle
// to the last arrival) where a stable system is past its warm-up:
//   overloaded  completions fell short of arrivals there by at least kOverloadShare of the
//               arrivals and by at least kOverloadMinRequests requests (queued or rejected
//               for a full queue); then the completion rate there is the service rate (the
//               system was saturated). Judged only when the window spans at least
//               kOverloadMinResidences mean service residences (first scheduled -> finish), so
//               its middle lies past the warm-up.
//   short_run   fewer than kMinCompleted completed requests (a nearest-rank p99 of fewer than
//               100 values is their maximum), or an arrival window shorter than
//               kMinWindowResidences mean residences (the first residence of a window is the
//               system filling up, so the steady state is less than 90 % of it).
// Overloaded takes precedence over short_run in `status`; `messages` names every problem.
// Ignores: bursts (all requests at one time: no rate, no steady state to check; only the count
// rule applies) and closed loops' think time (their queue cannot outgrow the clients).
#ifndef SERVESIM_SIM_CORE_LOAD_CHECK_H_
#define SERVESIM_SIM_CORE_LOAD_CHECK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace servesim {

struct RunSummary;

inline constexpr int kLoadSamples = 1024;
inline constexpr int64_t kMinCompleted = 100;
inline constexpr double kMinWindowResidences = 10;
inline constexpr double kOverloadMinResidences = 4;
inline constexpr double kOverloadShare = 0.1;
inline constexpr int64_t kOverloadMinRequests = 10;

// The counts just before an arrival at t_ns.
struct LoadSample {
  int64_t t_ns = 0;
  int64_t arrived = 0, completed = 0, rejected = 0;
  int64_t InSystem() const { return arrived - completed - rejected; }
};

// Samples N(t) at arrivals; the engine calls OnArrival before counting each arrival.
class LoadTracker {
 public:
  void OnArrival(int64_t t_ns, int64_t arrived, int64_t completed, int64_t rejected) {
    const LoadSample sample{t_ns, arrived, completed, rejected};
    last_ = sample;
    if (arrived % stride_ != 0) return;
    if (size_ == kLoadSamples) Decimate();
    if (arrived % stride_ != 0) return;
    samples_[static_cast<size_t>(size_++)] = sample;
  }
  // Arrivals seen (the last sample's count + 1), 0 before any.
  int64_t arrivals() const { return size_ > 0 ? last_.arrived + 1 : 0; }
  const LoadSample& first() const { return samples_[0]; }
  const LoadSample& last() const { return last_; }
  // The sample nearest to t_ns (size() > 0).
  const LoadSample& Nearest(int64_t t_ns) const;
  int size() const { return size_; }

 private:
  void Decimate();

  std::array<LoadSample, kLoadSamples> samples_{};
  int size_ = 0;
  int64_t stride_ = 1;
  LoadSample last_;
};

enum class LoadStatus { kOk, kOverloaded, kShortRun };
const char* LoadStatusName(LoadStatus status);  // ok, overloaded, short_run

struct LoadVerdict {
  LoadStatus status = LoadStatus::kOk;
  double arrival_rate_per_s = 0;             // (arrivals - 1) / arrival window; 0 for a burst
  std::optional<double> service_rate_per_s;  // the completion rate when saturated, else unknown
  // The arrival rate over the last half of the arrival window, where service_rate_per_s is measured
  // (the overload test compares these two); unknown when the window was too short to judge.
  std::optional<double> late_arrival_rate_per_s;
  double queue_growth_per_s = 0;      // d N / dt over the last half of the arrival window
  std::vector<std::string> messages;  // one sentence per problem
};

// The verdict from the samples, the completed count and the mean residence (E2E - queue wait).
LoadVerdict CheckLoad(const LoadTracker& tracker, int64_t completed, double mean_residence_s);

// CheckLoad on a run's summary.
LoadVerdict CheckRunLoad(const RunSummary& s);

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_LOAD_CHECK_H_
