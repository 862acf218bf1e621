// libFuzzer target: the scenario loader (sim/config/scenario.h) on arbitrary bytes.
//
// The input is written as scenario.yaml into a scratch directory that also holds small fixture
// files the scenario may name by relative path (trace.csv in the Azure format, trace.jsonl in
// Mooncake's, vidur.csv, lengths.csv and config.json), so the seeds reach the trace, lengths and
// hf_config branches. Comment lines `#set a.b=value` become `--set` overrides. The target calls
// LoadScenario and MakeScenarioWorkloads, then pulls up to 256 requests from each workload
// (completing closed-loop requests as an engine would).
// InputError is the expected outcome for junk; any other exception (a yaml-cpp exception that
// escaped, std::out_of_range, ...), a crash, a hang, a sanitizer report or a broken stream
// invariant (ids 0, 1, 2, ...; lengths >= 1; open-loop arrivals non-decreasing) is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/fuzz/fuzz_common.h"
#include "models/input_error.h"
#include "sim/config/scenario.h"
#include "workloads/request.h"
#include "workloads/workload.h"

namespace servesim::fuzz {
namespace {

constexpr int kMaxPulls = 256;

void WriteFixtures() {
  WriteScratch("trace.csv",
               "TIMESTAMP,ContextTokens,GeneratedTokens\n"
               "2023-11-16 18:15:46.6805900,374,44\n"
               "2023-11-16 18:15:50.9951690,396,109\n"
               "2023-11-16 18:15:51.0000000,879,4\n");
  WriteScratch("trace.jsonl",
               "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 12, "
               "\"hash_ids\": [0, 1]}\n"
               "{\"timestamp\": 250, \"input_length\": 1030, \"output_length\": 3, "
               "\"hash_ids\": [0, 1, 2]}\n");
  WriteScratch("vidur.csv",
               "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,100,10\n0.5,2000,30\n");
  WriteScratch("lengths.csv", "num_prefill_tokens,num_decode_tokens\n100,10\n300,20\n50,5\n");
  WriteScratch("config.json",
               "{\"model_type\": \"llama\", \"hidden_size\": 512, \"num_attention_heads\": 8, "
               "\"num_key_value_heads\": 2, \"num_hidden_layers\": 2, \"intermediate_size\": "
               "1376, \"vocab_size\": 32000, \"max_position_embeddings\": 4096, "
               "\"torch_dtype\": \"bfloat16\"}\n");
}

std::vector<std::string> Overrides(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.substr(0, 5) == "#set ") out.emplace_back(line.substr(5));
    pos = end + 1;
  }
  return out;
}

void Drain(Workload& w) {
  struct Outstanding {
    Request request;
    int64_t arrival_ns;
  };
  std::deque<Outstanding> outstanding;
  Request r;
  int64_t expected_id = 0;
  int64_t last_open_arrival = 0;
  int64_t now_ns = 0;
  for (int pulls = 0; pulls < kMaxPulls; ++pulls) {
    const Pull p = w.Next(r);
    if (p == Pull::kExhausted) break;
    if (p == Pull::kBlocked) {
      if (outstanding.empty()) Violation("kBlocked with no request outstanding");
      const Outstanding done = outstanding.front();
      outstanding.pop_front();
      now_ns = std::max(now_ns, done.arrival_ns) + 1'000'000;
      Request finished;
      finished.id = done.request.id;
      finished.client = done.request.client;
      w.OnComplete(finished, now_ns);
      continue;
    }
    if (r.id != expected_id) {
      Violation("id " + std::to_string(r.id) + ", expected " + std::to_string(expected_id));
    }
    ++expected_id;
    if (r.prompt_tokens < 1 || r.output_tokens < 1) {
      Violation("lengths " + std::to_string(r.prompt_tokens) + " / " +
                std::to_string(r.output_tokens));
    }
    if (r.arrival_ns < 0) Violation("negative arrival " + std::to_string(r.arrival_ns));
    if (r.client < 0) {
      if (r.arrival_ns < last_open_arrival) {
        Violation("arrival " + std::to_string(r.arrival_ns) + " after " +
                  std::to_string(last_open_arrival));
      }
      last_open_arrival = r.arrival_ns;
    } else {
      outstanding.push_back({r, r.arrival_ns});
    }
  }
  (void)w.skipped_rows();
  (void)w.Describe();
}

}  // namespace
}  // namespace servesim::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  servesim::fuzz::WriteFixtures();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace servesim;
  const std::string path = fuzz::WriteScratch("scenario.yaml", data, size);
  const std::vector<std::string> overrides =
      fuzz::Overrides(std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const Scenario scenario = LoadScenario(path, overrides);
    for (const std::unique_ptr<Workload>& w : MakeScenarioWorkloads(scenario)) fuzz::Drain(*w);
  } catch (const InputError& e) {
    fuzz::ExpectedError(e);
  }
  return 0;
}
