#include "sim/output/csv_writers.h"

#include "sim/core/kernel.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

const char* StatusName(RequestStatus status) {
  switch (status) {
    case RequestStatus::kCompleted:
      return "completed";
    case RequestStatus::kRejected:
      return "rejected";
    case RequestStatus::kInFlight:
      return "in_flight";
  }
  return "?";
}

}  // namespace

RequestsCsvWriter::RequestsCsvWriter(std::ostream& out) : out_(out) {
  out_ << "id,arrival_s,prompt_tokens,output_tokens,status,replica,first_scheduled_s,"
          "first_token_s,finish_s,ttft_ms,tpot_ms,e2e_ms,queue_ms,preemptions\n";
}

void RequestsCsvWriter::OnRequest(const RequestRecord& r) {
  std::ostream& o = out_;
  auto opt_s = [&o](int64_t ns) {
    if (ns >= 0) o << FormatNumber(TicksToSeconds(ns));
    o << ',';
  };
  o << r.request_id << ',' << FormatNumber(TicksToSeconds(r.arrival_ns)) << ',' << r.prompt_tokens
    << ',' << r.output_tokens << ',' << StatusName(r.status) << ',' << r.replica << ',';
  opt_s(r.first_scheduled_ns);
  opt_s(r.first_token_ns);
  opt_s(r.finish_ns);
  if (r.first_token_ns >= 0 && r.finish_ns >= 0) {
    const double ttft = TicksToSeconds(r.first_token_ns - r.arrival_ns);
    const double e2e = TicksToSeconds(r.finish_ns - r.arrival_ns);
    o << FormatNumber(ttft * 1e3) << ',';
    if (r.output_tokens > 1)
      o << FormatNumber((e2e - ttft) / static_cast<double>(r.output_tokens - 1) * 1e3);
    o << ',' << FormatNumber(e2e * 1e3) << ','
      << FormatNumber(TicksToSeconds(r.first_scheduled_ns - r.arrival_ns) * 1e3);
  } else {
    o << ",,,";
  }
  o << ',' << r.preemptions << '\n';
}

StepsCsvWriter::StepsCsvWriter(std::ostream& out) : out_(out) {
  out_ << "replica,start_s,duration_ms,batch_size,prefill_tokens,decode_seqs,kv_usage,preempted,"
          "swapped_blocks,bound\n";
}

void StepsCsvWriter::OnStep(const StepRecord& r) {
  out_ << r.replica << "," << FormatNumber(TicksToSeconds(r.start_ns)) << ","
       << FormatNumber(TicksToSeconds(r.duration_ns) * 1e3) << "," << r.batch << ","
       << r.prefill_tokens << "," << r.decode_seqs << "," << FormatNumber(r.kv_usage) << ","
       << r.preempted << "," << r.swap_blocks << "," << BoundName(r.bound) << "\n";
}

}  // namespace servesim
