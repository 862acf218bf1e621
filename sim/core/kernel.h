// The discrete-event kernel: integer time, the event queue and its ordering.
//
// Models: time as int64 nanoseconds; events as small PODs in a binary heap ordered by
// (time, phase, seq), seq being a 64-bit insertion counter, so simultaneous events resolve the
// same way on every run and platform. Ignores: cancellation (an event that became moot is
// recognized and dropped by its handler).
#ifndef SERVESIM_SIM_CORE_KERNEL_H_
#define SERVESIM_SIM_CORE_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/sim_time.h"

namespace servesim {

// The only conversion from cost-model seconds to ticks: rounds to the nearest nanosecond, any
// non-zero work takes at least one tick so time always advances, and work at or beyond the
// horizon (models/sim_time.h) takes kHorizonNs.
int64_t SecondsToTicks(double seconds);
// And back, for metrics and outputs (exact for any time below 2^53 ns, about 104 days).
inline double TicksToSeconds(int64_t ticks) { return static_cast<double>(ticks) * 1e-9; }

// Within one instant: steps finish first (freeing memory and completing requests), then arrivals
// are enqueued, KV transfers between pools land (sim/core/kv_handoff.h), then idle replicas plan
// their next step seeing all of them.
enum class Phase : uint8_t { kStepDone = 0, kArrival = 1, kTransferDone = 2, kStepStart = 3 };

struct Event {
  int64_t time_ns = 0;
  Phase phase = Phase::kStepDone;
  uint64_t seq = 0;
  int32_t target = 0;  // replica index (step events), source index (arrivals) or handoff slot
};

class EventQueue {
 public:
  void Push(int64_t time_ns, Phase phase, int32_t target);
  bool Empty() const { return heap_.empty(); }
  size_t Size() const { return heap_.size(); }
  const Event& Top() const { return heap_.front(); }
  Event Pop();
  uint64_t pushed() const { return next_seq_; }

 private:
  static bool Later(const Event& a, const Event& b);
  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_KERNEL_H_
