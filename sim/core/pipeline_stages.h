// The stage occupancy of one replica's pipeline (hardware.pp > 1): when each stage is free, the
// micro-batches in flight, and the bubbles.
//
// Models the schedule vLLM's engine core keeps with pipeline parallelism (a batch queue of up to
// pp batches, vllm/v1/engine/core.py step_with_batch_queue): a micro-batch enters stage 0 when
// that stage is free and fewer than pp micro-batches are in flight; it enters stage s + 1 when
// stage s has finished it, its activations have arrived (a send), and stage s + 1 is free; stage
// s is busy only for the micro-batch's stage-s time. Micro-batches complete in the order they
// started. The bubble share is the stage time left idle while the pipeline held any micro-batch:
// 1 - (sum of stage busy time) / (stages x time with a micro-batch in flight).
// Ignores: sends contending for the link, a stage's CPU work between micro-batches.
#ifndef SERVESIM_SIM_CORE_PIPELINE_STAGES_H_
#define SERVESIM_SIM_CORE_PIPELINE_STAGES_H_

#include <cstdint>
#include <vector>

namespace servesim {

class PipelineStages {
 public:
  explicit PipelineStages(int stages = 1);

  int stages() const { return static_cast<int>(free_ns_.size()); }
  int in_flight() const { return in_flight_; }
  // When stage 0 can take the next micro-batch.
  int64_t first_free_ns() const { return free_ns_.front(); }
  // Stage 0 is free at `now_ns` and fewer than `stages` micro-batches are in flight.
  bool CanStart(int64_t now_ns) const {
    return in_flight_ < stages() && free_ns_.front() <= now_ns;
  }

  // Places a micro-batch entering stage 0 at `start_ns` (CanStart) whose stage s takes
  // stage_ticks[s] and each send between stages send_ticks; returns when it leaves the last
  // stage. Counts it in flight until Retire.
  int64_t Place(int64_t start_ns, const int64_t* stage_ticks, int64_t send_ticks);
  // The oldest micro-batch in flight has completed.
  void Retire();

  // Totals over every micro-batch placed: stage busy time, time with any micro-batch in flight,
  // and the integral of the micro-batches in flight over time.
  int64_t busy_stage_ns() const { return busy_stage_ns_; }
  int64_t active_ns() const { return active_ns_; }
  double in_flight_ns() const { return in_flight_ns_; }

 private:
  std::vector<int64_t> free_ns_;  // per stage: when its last micro-batch leaves it
  int in_flight_ = 0;
  int64_t active_end_ns_ = 0;  // the last completion placed
  int64_t busy_stage_ns_ = 0;
  int64_t active_ns_ = 0;
  double in_flight_ns_ = 0;
};

// Run-wide pipeline figures (summary.json `pipeline`), summed over replicas.
struct PipelineTotals {
  int stages = 1;
  int64_t busy_stage_ns = 0;
  int64_t active_ns = 0;
  double in_flight_ns = 0;
  double send_bytes = 0;  // activations sent between stages, every TP rank
  int64_t micro_batches = 0;
  void Add(const PipelineStages& p) {
    busy_stage_ns += p.busy_stage_ns();
    active_ns += p.active_ns();
    in_flight_ns += p.in_flight_ns();
  }
  double BubbleShare() const;
  double MeanInFlight() const;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_PIPELINE_STAGES_H_
