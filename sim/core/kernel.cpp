#include "sim/core/kernel.h"

#include <algorithm>
#include <cmath>

namespace servesim {

int64_t SecondsToTicks(double seconds) {
  if (!(seconds > 0)) return 0;
  return std::max<int64_t>(1, NsToTicks(seconds * 1e9));
}

bool EventQueue::Later(const Event& a, const Event& b) {
  if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
  if (a.phase != b.phase) return a.phase > b.phase;
  return a.seq > b.seq;
}

void EventQueue::Push(int64_t time_ns, Phase phase, int32_t target) {
  heap_.push_back(Event{time_ns, phase, next_seq_++, target});
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

Event EventQueue::Pop() {
  std::pop_heap(heap_.begin(), heap_.end(), Later);
  const Event e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace servesim
