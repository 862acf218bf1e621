// The trace formats people have (trace.h): each parses the small real-format sample committed in
// scenarios/traces/ (scenarios/traces/README.md says where each comes from), and bad rows get
// errors that say what to change. Expected values are read off the sample files by hand.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "tests/support/shared_data.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"
#include "workloads/timestamp.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::PullAll;
using testing::TempDir;
using testing::TraceErrorOf;
using testing::TraceFile;

std::string Sample(const std::string& name) {
  return std::string(SERVESIM_SOURCE_DIR) + "/scenarios/traces/" + name;
}

std::vector<int64_t> Arrivals(const std::vector<Request>& rs) {
  std::vector<int64_t> out;
  for (const Request& r : rs) out.push_back(r.arrival_ns);
  return out;
}

TEST_CASE("trace formats: ISO timestamps with offsets (Azure 2024)", "[workloads][trace_formats]") {
  // Python: datetime(2024,5,10,tzinfo=utc).timestamp() = 1715299200.
  CHECK(ParseTimestampNs("2024-05-10 00:00:00.009930+00:00") == 1715299200009930000LL);
  CHECK(ParseTimestampNs("2024-05-10 00:00:00+00:00") == 1715299200000000000LL);
  CHECK(ParseTimestampNs("2024-05-10T00:00:00Z") == 1715299200000000000LL);
  CHECK(ParseTimestampNs("2024-05-10T02:30:00+02:30") == 1715299200000000000LL);
  CHECK(ParseTimestampNs("2024-05-09T23:00:00-0100") == 1715299200000000000LL);
  CHECK_FALSE(ParseTimestampNs("2024-05-10 00:00:00+25:00").has_value());
  CHECK_FALSE(ParseTimestampNs("2024-05-10 00:00:00 UTC").has_value());
  CHECK_FALSE(ParseTimestampNs("2024-05-10 00:00:00.+00:00").has_value());
}

TEST_CASE("trace formats: azure 2023 and 2024 samples", "[workloads][trace_formats]") {
  const auto a23 = PullAll(
      *MakeTraceWorkload(TraceFile(Sample("azure2023_conv_sample.csv"), TraceFormat::kAzure)));
  // 18:15:46.6805900 -> 18:15:50.9951690, 51.2224670, 51.3910170, 52.5732450.
  CHECK(Arrivals(a23) ==
        std::vector<int64_t>{0, 4'314'579'000, 4'541'877'000, 4'710'427'000, 5'892'655'000});
  CHECK(a23[1].prompt_tokens == 396);
  CHECK(a23[1].output_tokens == 109);
  const auto a24 = PullAll(
      *MakeTraceWorkload(TraceFile(Sample("azure2024_code_sample.csv"), TraceFormat::kAzure)));
  // .009930, .017335, .022314, .037845, .083890 and 1 s (written without a fraction).
  CHECK(Arrivals(a24) ==
        std::vector<int64_t>{0, 7'405'000, 12'384'000, 27'915'000, 73'960'000, 990'070'000});
  CHECK(a24[0].prompt_tokens == 2162);
  CHECK(a24[0].output_tokens == 5);
}

TEST_CASE("trace formats: burstgpt skips failed requests (Response tokens 0)",
          "[workloads][trace_formats]") {
  auto w = MakeTraceWorkload(TraceFile(Sample("burstgpt_sample.csv"), TraceFormat::kBurstGpt));
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 3);
  CHECK(Arrivals(rs) == std::vector<int64_t>{0, 40'000'000'000, 115'000'000'000});
  CHECK(rs[1].prompt_tokens == 1087);
  CHECK(rs[1].output_tokens == 230);
  CHECK(rs[2].prompt_tokens == 312);
  CHECK(w->skipped_rows() == 1);
}

TEST_CASE("trace formats: splitwise-sim trace CSV", "[workloads][trace_formats]") {
  const auto rs = PullAll(
      *MakeTraceWorkload(TraceFile(Sample("splitwise_sample.csv"), TraceFormat::kSplitwise)));
  CHECK(Arrivals(rs) == std::vector<int64_t>{0, 2'000'000'000, 3'000'000'000});
  CHECK(rs[0].prompt_tokens == 4096);
  CHECK(rs[0].output_tokens == 32);
  CHECK(rs[2].output_tokens == 16);
}

TEST_CASE("trace formats: mooncake sample (first 14 rows of the conversation trace)",
          "[workloads][trace_formats]") {
  const auto rs = PullAll(*MakeTraceWorkload(
      TraceFile(Sample("mooncake_conversation_sample.jsonl"), TraceFormat::kMooncake)));
  REQUIRE(rs.size() == 14);
  CHECK(rs[9].arrival_ns == 0);
  CHECK(rs[10].arrival_ns == 3'000'000'000);
  CHECK(rs[0].prompt_tokens == 6758);
  CHECK(rs[0].prefix_hashes.size() == 14);  // ceil(6758 / 512)
}

TEST_CASE("trace formats: vllm_bench with start_times skips the failed request",
          "[workloads][trace_formats]") {
  auto w = MakeTraceWorkload(TraceFile(Sample("vllm_bench_sample.json"), TraceFormat::kVllmBench));
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 6);
  CHECK(w->skipped_rows() == 1);
  CHECK(rs[0].prompt_tokens == 2358);
  CHECK(rs[0].output_tokens == 531);
  CHECK(rs[5].prompt_tokens == 399);
  // start_times 1777142838.338653 and .6237123: 285.0593 ms apart (double: within 1 us).
  CHECK(static_cast<double>(rs[1].arrival_ns) == Approx(285'059'300).margin(1'000));
  CHECK(static_cast<double>(rs[5].arrival_ns) == Approx(542'247'600).margin(1'000));
}

TEST_CASE("trace formats: vllm_bench without start_times follows request_rate",
          "[workloads][trace_formats]") {
  SECTION("request_rate inf: every request at t = 0, as vLLM sent them") {
    const auto rs = PullAll(*MakeTraceWorkload(
        TraceFile(Sample("vllm_bench_inf_sample.json"), TraceFormat::kVllmBench)));
    REQUIRE(rs.size() == 6);
    CHECK(Arrivals(rs) == std::vector<int64_t>(6, 0));
  }
  SECTION("the workload's arrival process replaces the file's") {
    TraceOptions o = TraceFile(Sample("vllm_bench_inf_sample.json"), TraceFormat::kVllmBench);
    o.arrival = TraceArrivals{ArrivalKind::kConstant, 4.0, 1.0};
    const auto rs = PullAll(*MakeTraceWorkload(o));
    CHECK(Arrivals(rs) == std::vector<int64_t>{0, 250'000'000, 500'000'000, 750'000'000,
                                               1'000'000'000, 1'250'000'000});
  }
  SECTION("request_rate 10 with burstiness 1: Poisson with mean gap 100 ms") {
    TempDir dir;
    const std::string path = dir.Write(
        "r.json", "{\"request_rate\": 10.0, \"burstiness\": 1.0, \"input_lens\": [" +
                      [] {
                        std::string s;
                        for (int i = 0; i < 2000; ++i) s += (i ? ",5" : "5");
                        return s;
                      }() +
                      "], \"output_lens\": [" +
                      [] {
                        std::string s;
                        for (int i = 0; i < 2000; ++i) s += (i ? ",3" : "3");
                        return s;
                      }() +
                      "]}");
    const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kVllmBench), "w", 7));
    REQUIRE(rs.size() == 2000);
    const double mean_gap_s = static_cast<double>(rs.back().arrival_ns) * 1e-9 / 1999;
    CHECK(mean_gap_s == Approx(0.1).epsilon(0.07));  // 2000 exponential gaps: sd 2.2 %
  }
}

TEST_CASE("trace formats: sharegpt estimates tokens as ceil(characters / 4)",
          "[workloads][trace_formats]") {
  TraceOptions o = TraceFile(Sample("sharegpt_sample.json"), TraceFormat::kShareGpt);
  o.arrival = TraceArrivals{ArrivalKind::kConstant, 2.0, 1.0};
  const auto rs = PullAll(*MakeTraceWorkload(o));
  // Conversation b2 has one turn: skipped. a1: 46 and 180 characters; c3 (Cyrillic, counted in
  // characters, not bytes): 22 and 11; d4: 27 and 74 (the newlines count).
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].prompt_tokens == 12);
  CHECK(rs[0].output_tokens == 45);
  CHECK(rs[1].prompt_tokens == 6);
  CHECK(rs[1].output_tokens == 3);
  CHECK(rs[2].prompt_tokens == 7);
  CHECK(rs[2].output_tokens == 19);
  CHECK(Arrivals(rs) == std::vector<int64_t>{0, 500'000'000, 1'000'000'000});
  CHECK(Contains(TraceErrorOf(TraceFile(Sample("sharegpt_sample.json"), TraceFormat::kShareGpt)),
                 "missing required key 'rate_per_s' (format sharegpt has no timestamps"));
}

TEST_CASE("trace formats: time_unit and separators", "[workloads][trace_formats]") {
  const std::string tsv = Sample("csv_tab_ms_sample.tsv");
  SECTION("a tab-separated file of epoch milliseconds read as seconds says to set time_unit") {
    CHECK(TraceErrorOf(TraceFile(tsv, TraceFormat::kCsv)) ==
          tsv +
              ":2: column 'arrived_at': expected a time below 292 years, found '1714521600000'; "
              "the values look like milliseconds since 1970: set time_unit: ms");
  }
  SECTION("with time_unit ms the tabs are detected and the times read") {
    TraceOptions o = TraceFile(tsv, TraceFormat::kCsv);
    o.time_unit = TimeUnit::kMilliseconds;
    const auto rs = PullAll(*MakeTraceWorkload(o));
    CHECK(Arrivals(rs) == std::vector<int64_t>{0, 250'000'000, 1'000'000'000});
    CHECK(rs[1].prompt_tokens == 1024);
  }
  SECTION("epoch microseconds read as ms, nanoseconds read as us") {
    TempDir dir;
    TraceOptions o = TraceFile(dir.Write("us.csv",
                                         "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                                         "1714521600000000,5,5\n"),
                               TraceFormat::kCsv);
    o.time_unit = TimeUnit::kMilliseconds;
    CHECK(Contains(TraceErrorOf(o), "microseconds since 1970: set time_unit: us"));
    o.path = dir.Write("ns.csv",
                       "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                       "1714521600000000000,5,5\n");
    o.time_unit = TimeUnit::kMicroseconds;
    CHECK(Contains(TraceErrorOf(o), "nanoseconds since 1970: set time_unit: ns"));
    o.time_unit = TimeUnit::kNanoseconds;
    CHECK(PullAll(*MakeTraceWorkload(o)).size() == 1);
  }
  SECTION("ISO times in a numeric column, numbers in an ISO one") {
    TempDir dir;
    TraceOptions o = TraceFile(dir.Write("iso.csv",
                                         "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                                         "2024-05-10T00:00:00Z,5,5\n"
                                         "2024-05-10T00:00:01.5Z,5,5\n"),
                               TraceFormat::kCsv);
    CHECK(Contains(TraceErrorOf(o),
                   "iso.csv:2: column 'arrived_at': expected a time in seconds >= 0, found "
                   "'2024-05-10T00:00:00Z'; a date-time: set time_unit: iso"));
    o.time_unit = TimeUnit::kIso;
    CHECK(Arrivals(PullAll(*MakeTraceWorkload(o))) == std::vector<int64_t>{0, 1'500'000'000});
    o = TraceFile(dir.Write("num.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n12.5,5,5\n"),
                  TraceFormat::kAzure);
    CHECK(Contains(TraceErrorOf(o), "found '12.5'; a number: set time_unit to s, ms, us or ns"));
    o.time_unit = TimeUnit::kSeconds;
    CHECK(PullAll(*MakeTraceWorkload(o)).size() == 1);
  }
  SECTION("a semicolon file is detected; a wrong separator says to set one, not 'did you mean'") {
    TempDir dir;
    const std::string path =
        dir.Write("semi.csv", "arrived_at;num_prefill_tokens;num_decode_tokens\n0;5;6\n0,5;7;8\n");
    TraceOptions o = TraceFile(path, TraceFormat::kCsv);
    CHECK(Contains(TraceErrorOf(o), "semi.csv:3: column 'arrived_at': expected a time in seconds"));
    o.separator = ',';
    const std::string e = TraceErrorOf(o);
    CHECK(Contains(e, "semi.csv:1: column 'arrived_at': missing from the header"));
    CHECK(Contains(e,
                   "the header is one field: if its columns are separated by another "
                   "character, set the trace's separator"));
    CHECK_FALSE(Contains(e, "did you mean"));
  }
}

TEST_CASE("trace formats: a suggestion never repeats the input", "[workloads][trace_formats]") {
  CHECK(NearestNames("arrived_at", {"arrived_at", "arrived_at2"}) ==
        std::vector<std::string>{"arrived_at2"});
  CHECK(DidYouMean("x", {"x"}).empty());
}

TEST_CASE("trace formats: bad rows and documents say what to change",
          "[workloads][trace_formats]") {
  TempDir dir;
  auto err = [&](const std::string& name, const std::string& text, TraceFormat f) {
    TraceOptions o = TraceFile(dir.Write(name, text), f);
    o.arrival = f == TraceFormat::kShareGpt
                    ? std::optional<TraceArrivals>(TraceArrivals{ArrivalKind::kBurst, 1, 1})
                    : std::nullopt;
    return TraceErrorOf(o);
  };
  const std::string burst_header =
      "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n";
  CHECK(Contains(err("b.csv", burst_header + "5,ChatGPT,abc,18,490,Conversation log\n",
                     TraceFormat::kBurstGpt),
                 "b.csv:2: column 'Request tokens': expected a positive integer (tokens), found "
                 "'abc'"));
  CHECK(Contains(err("s.csv", "request_id,arrival_timestamp,prompt_sizes,token_size\n0,1,2,3\n",
                     TraceFormat::kSplitwise),
                 "column 'prompt_size': missing from the header "
                 "'request_id,arrival_timestamp,prompt_sizes,token_size' (did you mean "
                 "'prompt_sizes'?)"));
  CHECK(Contains(
      err("v1.json", "{\"date\": \"x\", \"request_rate\": \"inf\"}\n", TraceFormat::kVllmBench),
      "v1.json: key 'input_lens': missing; save the benchmark with --save-result "
      "--save-detailed"));
  CHECK(Contains(err("v2.json", "{\"input_lens\": [1, 2, 3], \"output_lens\": [1, 2]}",
                     TraceFormat::kVllmBench),
                 "v2.json:1:42: key 'output_lens': expected 3 entries (one per input_lens "
                 "entry), found 2"));
  CHECK(err("v3.json", "{\"request_rate\": 1, \"input_lens\": [1, 2],\n \"output_lens\": [4, -4]}",
            TraceFormat::kVllmBench) ==
        dir.path().string() +
            "/v3.json:2:21: key 'output_lens[1]': expected a positive number of "
            "tokens, found '-4'");
  CHECK(Contains(
      err("v4.json", "{\"input_lens\": [1], \"output_lens\": [2]}", TraceFormat::kVllmBench),
      "no start_times and no request_rate: give the workload's rate_per_s"));
  CHECK(Contains(
      err("v5.json", "{\"input_lens\": [1], \"output_lens\": [2],", TraceFormat::kVllmBench),
      "v5.json:1:40: malformed JSON: expected a string"));
  CHECK(Contains(err("g1.json", "[{\"conversations\": [{\"from\": \"human\", \"value\": 42}, {}]}]",
                     TraceFormat::kShareGpt),
                 "g1.json:1:21: key 'conversations[0].value': expected a string (the text), "
                 "found '42'"));
  CHECK(Contains(err("g2.json", "{\"conversations\": []}", TraceFormat::kShareGpt),
                 "expected a JSON array of conversations"));
  CHECK(Contains(
      err("g3.json", "[{\"conversations\": [{\"value\": \"hi\"}]}]", TraceFormat::kShareGpt),
      "no conversation with two turns"));
}

TEST_CASE("trace formats: GuessTraceFormat recognizes each sample", "[workloads][trace_formats]") {
  const std::vector<std::pair<std::string, TraceFormat>> cases = {
      {"azure2023_conv_sample.csv", TraceFormat::kAzure},
      {"azure2024_code_sample.csv", TraceFormat::kAzure},
      {"burstgpt_sample.csv", TraceFormat::kBurstGpt},
      {"splitwise_sample.csv", TraceFormat::kSplitwise},
      {"mooncake_conversation_sample.jsonl", TraceFormat::kMooncake},
      {"vllm_bench_sample.json", TraceFormat::kVllmBench},
      {"vllm_bench_inf_sample.json", TraceFormat::kVllmBench},
      {"sharegpt_sample.json", TraceFormat::kShareGpt},
      {"csv_tab_ms_sample.tsv", TraceFormat::kCsv},
  };
  for (const auto& [file, format] : cases) {
    INFO(file);
    CHECK(GuessTraceFormat(Sample(file)) == format);
  }
  TempDir dir;
  std::string why;
  CHECK_FALSE(
      GuessTraceFormat(dir.Write("l.csv", "num_prefill_tokens,num_decode_tokens\n5,6\n"), &why)
          .has_value());
  CHECK(Contains(why, "a lengths CSV"));
  CHECK_FALSE(GuessTraceFormat(dir.path().string() + "/none.csv", &why).has_value());
  CHECK(why == "cannot read the file");
}

TEST_CASE("trace formats: the shared Azure trace reads the same with explicit unit and separator",
          "[workloads][trace_formats]") {
  const std::string path = testing::SharedDataFile("traces/azure2023_conv.csv");
  if (path.empty()) {
    WARN("../shared/data not found (set SERVESIM_DATA); skipping the real-trace check");
    return;
  }
  // The 2023 conversation trace read with an explicit ISO unit and a comma separator gives the
  // README's 19,366 requests, as the format's defaults do.
  TraceOptions o = TraceFile(path, TraceFormat::kAzure);
  o.time_unit = TimeUnit::kIso;
  o.separator = ',';
  CHECK(PullAll(*MakeTraceWorkload(o)).size() == 19'366);
}

}  // namespace
}  // namespace servesim
