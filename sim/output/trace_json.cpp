#include "sim/output/trace_json.h"

#include <string_view>

#include "hardware/cost_model.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

void AppendInt(std::string& s, int64_t v) { s += std::to_string(v); }

// `"key":value` with a leading comma unless first.
void Arg(std::string& s, bool& first, std::string_view key, std::string_view value) {
  if (!first) s += ',';
  first = false;
  s += '"';
  s += key;
  s += "\":";
  s += value;
}

}  // namespace

std::string TraceMicros(int64_t ns) {
  const bool negative = ns < 0;
  const uint64_t a = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string s = negative ? "-" : "";
  s += std::to_string(a / 1000);
  const uint64_t frac = a % 1000;
  if (frac != 0) {
    char buf[8] = {'.', static_cast<char>('0' + frac / 100),
                   static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10), 0};
    // Trailing zeros dropped: ".500" -> ".5".
    int len = 4;
    while (buf[len - 1] == '0') --len;
    s.append(buf, static_cast<size_t>(len));
  }
  return s;
}

TraceWriter::TraceWriter(std::ostream& out, const TraceOptions& options)
    : out_(out), options_(options) {
  out_ << "{\"traceEvents\":[";
  for (int r = 0; r < options_.replicas; ++r) StateOf(r);
}

void TraceWriter::BeginEvent() {
  line_.clear();
  line_ += any_event_ ? ",\n{" : "\n{";
  any_event_ = true;
}

void TraceWriter::EndEvent() {
  line_ += '}';
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

TraceWriter::ReplicaState& TraceWriter::StateOf(int32_t replica) {
  while (static_cast<int32_t>(replicas_.size()) <= replica) {
    const std::string pid = std::to_string(replicas_.size());
    replicas_.emplace_back();
    BeginEvent();
    line_ += "\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + pid +
             ",\"tid\":0,\"args\":{\"name\":\"replica " + pid + "\"}},\n";
    line_ += "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":" + pid +
             ",\"tid\":0,\"args\":{\"sort_index\":" + pid + "}},\n";
    line_ += "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + pid +
             ",\"tid\":0,\"args\":{\"name\":\"steps\"}},\n";
    line_ += "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + pid +
             ",\"tid\":1,\"args\":{\"name\":\"requests\"}";
    EndEvent();
  }
  return replicas_[static_cast<size_t>(replica)];
}

void TraceWriter::OnStep(const StepRecord& step) {
  if (finished_ || step.replica < 0) return;
  ReplicaState& st = StateOf(step.replica);
  if (options_.max_steps > 0 && steps_written_ >= options_.max_steps) {
    if (steps_omitted_++ == 0) {
      const std::string note = "trace_max_steps (" + std::to_string(options_.max_steps) +
                               ") reached at " +
                               FormatNumber(static_cast<double>(step.start_ns) * 1e-9) +
                               " s: later steps and counters are not written";
      for (size_t r = 0; r < replicas_.size(); ++r) {
        BeginEvent();
        line_ += "\"name\":\"process_labels\",\"ph\":\"M\",\"pid\":" + std::to_string(r) +
                 ",\"tid\":0,\"args\":{\"labels\":\"" + note + "\"}";
        EndEvent();
      }
    }
    return;
  }
  const std::string pid = std::to_string(step.replica);
  const std::string ts = TraceMicros(step.start_ns);
  const char* name = step.prefill_tokens > 0 ? (step.decode_seqs > 0 ? "mixed" : "prefill")
                                             : (step.decode_seqs > 0 ? "decode" : "step");
  BeginEvent();
  line_ += "\"name\":\"";
  line_ += name;
  line_ += "\",\"cat\":\"step\",\"ph\":\"X\",\"pid\":" + pid + ",\"tid\":0,\"ts\":" + ts +
           ",\"dur\":" + TraceMicros(step.duration_ns) + ",\"args\":{";
  bool first = true;
  Arg(line_, first, "batch", std::to_string(step.batch));
  Arg(line_, first, "prefill_tokens", std::to_string(step.prefill_tokens));
  Arg(line_, first, "decode_seqs", std::to_string(step.decode_seqs));
  Arg(line_, first, "new_tokens", std::to_string(step.new_tokens));
  Arg(line_, first, "kv_usage", FormatNumber(step.kv_usage));
  Arg(line_, first, "preempted", std::to_string(step.preempted));
  Arg(line_, first, "bound", "\"" + std::string(BoundName(step.bound)) + "\"");
  Arg(line_, first, "draft_ms", FormatNumber(step.draft_s * 1e3));
  Arg(line_, first, "io_ms", FormatNumber(step.io_s * 1e3));
  line_ += '}';
  EndEvent();
  ++steps_written_;

  if (step.running != st.running || step.waiting != st.waiting || step.swapped != st.swapped) {
    st.running = step.running;
    st.waiting = step.waiting;
    st.swapped = step.swapped;
    BeginEvent();
    line_ += "\"name\":\"requests\",\"ph\":\"C\",\"pid\":" + pid + ",\"tid\":0,\"ts\":" + ts +
             ",\"args\":{\"running\":";
    AppendInt(line_, step.running);
    line_ += ",\"waiting\":";
    AppendInt(line_, step.waiting);
    line_ += ",\"swapped\":";
    AppendInt(line_, step.swapped);
    line_ += '}';
    EndEvent();
  }
  if (step.kv_usage != st.kv_usage) {
    st.kv_usage = step.kv_usage;
    BeginEvent();
    line_ += "\"name\":\"kv_usage\",\"ph\":\"C\",\"pid\":" + pid + ",\"tid\":0,\"ts\":" + ts +
             ",\"args\":{\"kv_usage\":" + FormatNumber(step.kv_usage) + "}";
    EndEvent();
  }
}

void TraceWriter::OnRequest(const RequestRecord& r) {
  if (finished_ || requests_written_ >= options_.max_requests) return;
  if (r.status != RequestStatus::kCompleted || r.replica < 0 || r.first_scheduled_ns < 0 ||
      r.first_token_ns < 0 || r.finish_ns < 0) {
    return;
  }
  StateOf(r.replica);
  const std::string common = ",\"cat\":\"request\",\"pid\":" + std::to_string(r.replica) +
                             ",\"tid\":1,\"id\":" + std::to_string(requests_written_) + ",\"ts\":";
  const std::string name = "request " + std::to_string(r.request_id);
  const auto event = [&](const std::string& slice, char ph, int64_t ns, const std::string& args) {
    BeginEvent();
    line_ += "\"name\":\"" + slice + "\",\"ph\":\"";
    line_ += ph;
    line_ += '"';
    line_ += common;
    line_ += TraceMicros(ns);
    if (!args.empty()) line_ += ",\"args\":{" + args + "}";
    EndEvent();
  };
  event(name, 'b', r.arrival_ns,
        "\"request_id\":" + std::to_string(r.request_id) +
            ",\"prompt_tokens\":" + std::to_string(r.prompt_tokens) + ",\"output_tokens\":" +
            std::to_string(r.output_tokens) + ",\"preemptions\":" + std::to_string(r.preemptions));
  event("queued", 'b', r.arrival_ns, "");
  event("queued", 'e', r.first_scheduled_ns, "");
  event("prefill", 'b', r.first_scheduled_ns, "");
  event("prefill", 'e', r.first_token_ns, "");
  event("decode", 'b', r.first_token_ns, "");
  event("decode", 'e', r.finish_ns, "");
  event(name, 'e', r.finish_ns, "");
  ++requests_written_;
}

void TraceWriter::Finish() {
  if (finished_) return;
  finished_ = true;
  out_ << "\n],\n\"displayTimeUnit\":\"ms\",\n\"metadata\":{\"generator\":\"servesim\","
       << "\"trace_max_steps\":" << options_.max_steps
       << ",\"trace_requests\":" << options_.max_requests << ",\"steps_written\":" << steps_written_
       << ",\"steps_omitted\":" << steps_omitted_ << ",\"requests_written\":" << requests_written_
       << "}}\n";
}

}  // namespace servesim
