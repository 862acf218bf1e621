// A Workload test double: replays a fixed list of requests.
#ifndef SERVESIM_TESTS_SUPPORT_VECTOR_WORKLOAD_H_
#define SERVESIM_TESTS_SUPPORT_VECTOR_WORKLOAD_H_

#include <string>
#include <vector>

#include "workloads/workload.h"

namespace servesim::testing {

class VectorWorkload : public Workload {
 public:
  explicit VectorWorkload(std::vector<Request> requests) : requests_(std::move(requests)) {}
  Pull Next(Request& out) override {
    if (next_ >= requests_.size()) return Pull::kExhausted;
    out = requests_[next_];
    out.id = static_cast<int64_t>(next_++);
    return Pull::kRequest;
  }
  std::string Describe() const override { return "vector"; }

 private:
  std::vector<Request> requests_;
  size_t next_ = 0;
};

inline Request MakeRequest(int64_t arrival_ns, int64_t prompt, int64_t output) {
  Request r;
  r.arrival_ns = arrival_ns;
  r.prompt_tokens = prompt;
  r.output_tokens = output;
  return r;
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_VECTOR_WORKLOAD_H_
