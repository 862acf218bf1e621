#include "sim/core/pipeline_stages.h"

#include <algorithm>
#include <stdexcept>

namespace servesim {

PipelineStages::PipelineStages(int stages)
    : free_ns_(static_cast<size_t>(std::max(1, stages)), 0) {}

int64_t PipelineStages::Place(int64_t start_ns, const int64_t* stage_ticks, int64_t send_ticks) {
  if (!CanStart(start_ns)) throw std::logic_error("pipeline: stage 0 taken or the queue full");
  int64_t t = start_ns;
  for (size_t s = 0; s < free_ns_.size(); ++s) {
    if (s > 0) t = std::max(t + send_ticks, free_ns_[s]);
    t += stage_ticks[s];
    free_ns_[s] = t;
    busy_stage_ns_ += stage_ticks[s];
  }
  // Starts never decrease, so the active time grows by the part past the last completion.
  active_ns_ += t - std::max(start_ns, std::min(active_end_ns_, t));
  active_end_ns_ = std::max(active_end_ns_, t);
  in_flight_ns_ += static_cast<double>(t - start_ns);
  ++in_flight_;
  return t;
}

void PipelineStages::Retire() {
  if (in_flight_ == 0) throw std::logic_error("pipeline: no micro-batch in flight");
  --in_flight_;
}

double PipelineTotals::BubbleShare() const {
  const double stage_time = static_cast<double>(active_ns) * static_cast<double>(stages);
  return stage_time > 0 ? 1.0 - static_cast<double>(busy_stage_ns) / stage_time : 0.0;
}

double PipelineTotals::MeanInFlight() const {
  return active_ns > 0 ? in_flight_ns / static_cast<double>(active_ns) : 0.0;
}

}  // namespace servesim
