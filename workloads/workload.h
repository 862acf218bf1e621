// Request sources: synthetic streams and trace replay, pulled lazily by the engine.
//
// Contract: Next() yields requests in non-decreasing arrival_ns with ids 0, 1, 2, ...; it never
// holds more than O(1) requests in memory for open-loop sources (traces are streamed), and
// O(clients) for closed-loop ones. A closed-loop source answers kBlocked while every client waits
// for a response; the engine calls OnComplete when a request finishes, after which Next() may
// yield that client's next request (arrival = finish + think time). Malformed input throws
// InputError naming the file and line, unless the source was told to skip bad rows, in which case
// skipped_rows() counts them.
#ifndef SERVESIM_WORKLOADS_WORKLOAD_H_
#define SERVESIM_WORKLOADS_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "workloads/request.h"

namespace servesim {

enum class Pull { kRequest, kBlocked, kExhausted };

class Workload {
 public:
  virtual ~Workload() = default;
  // Fills `out` and returns kRequest, or says why there is none now.
  virtual Pull Next(Request& out) = 0;
  // A request this source emitted finished (or was rejected) at `finish_ns`. Only `id` and
  // `client` of `request` are filled in. The engine calls Next() again afterwards whenever it
  // holds no pending request of this source.
  virtual void OnComplete(const Request& request, int64_t finish_ns) {
    (void)request;
    (void)finish_ns;
  }
  // How many requests this source would still emit after those pulled so far, counting at most
  // `cap` (-1 when there are more). The engine asks once, after the run, so that a run stopped
  // early (time limit, horizon) still accounts for every request: requested = arrived +
  // not_arrived. The default pulls Next() to the end: O(remaining) time, O(1) memory; sources
  // that know their count answer directly. Closed-loop sources count only what their limits fix.
  virtual int64_t CountRemaining(int64_t cap) {
    Request r;
    int64_t n = 0;
    while (Next(r) == Pull::kRequest) {
      if (++n > cap) return -1;
    }
    return n;
  }
  // Rows skipped as malformed (only when skipping was asked for).
  virtual int64_t skipped_rows() const { return 0; }
  // One line for reports, e.g. "trace azure ../traces/conv.csv x2.0 (rate scale)".
  virtual std::string Describe() const = 0;
};

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_WORKLOAD_H_
