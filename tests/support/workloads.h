// Helpers for tests of workloads: drain a workload, trace options for a file, the error reading a
// whole trace raises.
#ifndef SERVESIM_TESTS_SUPPORT_WORKLOADS_H_
#define SERVESIM_TESTS_SUPPORT_WORKLOADS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "tests/support/input_error.h"
#include "workloads/trace.h"
#include "workloads/workload.h"

namespace servesim::testing {

// Every request `w` yields, at most `limit` (a guard against a workload that never ends).
inline std::vector<Request> PullAll(Workload& w, size_t limit = 10'000'000) {
  std::vector<Request> out;
  Request r;
  while (out.size() < limit && w.Next(r) == Pull::kRequest) out.push_back(r);
  return out;
}

inline TraceOptions TraceFile(const std::string& path, TraceFormat format) {
  TraceOptions o;
  o.path = path;
  o.format = format;
  return o;
}

// Opens and reads the whole trace, returning the InputError's message ("" when none).
inline std::string TraceErrorOf(const TraceOptions& o) {
  return InputErrorOf([&] {
    auto w = MakeTraceWorkload(o);
    PullAll(*w);
  });
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_WORKLOADS_H_
