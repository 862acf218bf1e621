#include "workloads/trace.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "tests/support/shared_data.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"
#include "workloads/timestamp.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::PullAll;
using testing::TraceErrorOf;
using testing::TraceFile;

using testing::TempDir;

TEST_CASE("trace: civil dates and timestamps", "[workloads]") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(2023, 11, 16) == 19677);
  CHECK(DaysFromCivil(2024, 2, 29) == 19782);
  CHECK(DaysFromCivil(1600, 1, 1) == -135140);
  // Python: datetime(2023,11,16,18,15,46,tzinfo=utc).timestamp() * 1e9 + 680590000.
  CHECK(ParseTimestampNs("2023-11-16 18:15:46.6805900") == 1700158546680590000LL);
  CHECK(ParseTimestampNs("2023-11-16T18:15:46") == 1700158546000000000LL);
  CHECK(ParseTimestampNs("2023-11-16 18:15:46.123456789") == 1700158546123456789LL);
  CHECK(ParseTimestampNs("2024-02-29 00:00:00").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-02-29 00:00:00").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-13-01 00:00:00").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-11-16 24:00:00").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-11-16 18:15:46.").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-11-16 18:15:46.1234567890").has_value());
  CHECK_FALSE(ParseTimestampNs("2023-11-16 18:15:4x").has_value());
  CHECK_FALSE(ParseTimestampNs("1700158546").has_value());
}

TEST_CASE("trace: azure CSV with a BOM, CRLF, a midnight crossing and no final newline",
          "[workloads]") {
  TempDir dir;
  const std::string path = dir.Write("conv.csv",
                                     "\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                     "2023-11-16 23:59:59.9999999,374,44\r\n"
                                     "2023-11-17 00:00:00.0000001,396,109\r\n"
                                     "\r\n"
                                     "2023-11-17 00:00:01.5,879,55");
  auto w = MakeTraceWorkload(TraceFile(path, TraceFormat::kAzure));
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].id == 0);
  CHECK(rs[0].arrival_ns == 0);
  CHECK(rs[0].prompt_tokens == 374);
  CHECK(rs[0].output_tokens == 44);
  CHECK(rs[0].client == -1);
  CHECK(rs[0].prefix_hashes.empty());
  CHECK(rs[0].prefix_block_tokens == 0);
  CHECK(rs[1].arrival_ns == 200);  // 100-ns precision across midnight
  CHECK(rs[2].id == 2);
  CHECK(rs[2].arrival_ns == 1'500'000'100);
  CHECK(rs[2].output_tokens == 55);
  CHECK(w->skipped_rows() == 0);
  Request r;
  CHECK(w->Next(r) == Pull::kExhausted);
  CHECK(Contains(w->Describe(), "trace azure " + path));

  // Any column order.
  const std::string swapped = dir.Write(
      "swapped.csv", "GeneratedTokens,TIMESTAMP,ContextTokens\n7,2023-01-01 00:00:00,9\n");
  const auto s = PullAll(*MakeTraceWorkload(TraceFile(swapped, TraceFormat::kAzure)));
  REQUIRE(s.size() == 1);
  CHECK(s[0].prompt_tokens == 9);
  CHECK(s[0].output_tokens == 7);
}

TEST_CASE("trace: mooncake JSONL gives prefix hashes of 512-token blocks", "[workloads]") {
  TempDir dir;
  const std::string path = dir.Write(
      "mc.jsonl",
      "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 5, \"hash_ids\": [0, 1]}\n"
      "{\"timestamp\": 3000, \"input_length\": 513, \"output_length\": 7, \"hash_ids\": [0, 2]}\r\n"
      "{\"hash_ids\":[9],\"output_length\":1,\"input_length\":512,\"timestamp\":3000.5}\n"
      "{\"timestamp\": 6000, \"input_length\": 20, \"output_length\": 3, "
      "\"extra\": {\"nested\": [1, \"two\", null]}}\n"
      "\n");
  const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kMooncake)));
  REQUIRE(rs.size() == 4);
  CHECK(rs[0].arrival_ns == 0);
  CHECK(rs[0].prompt_tokens == 1000);
  CHECK(rs[0].prefix_hashes == std::vector<uint64_t>{0, 1});
  CHECK(rs[0].prefix_block_tokens == 512);
  CHECK(rs[1].arrival_ns == 3'000'000'000);
  CHECK(rs[1].prefix_hashes == std::vector<uint64_t>{0, 2});
  CHECK(rs[2].arrival_ns == 3'000'500'000);
  CHECK(rs[2].prompt_tokens == 512);
  CHECK(rs[2].output_tokens == 1);
  CHECK(rs[2].prefix_hashes == std::vector<uint64_t>{9});
  CHECK(rs[3].prompt_tokens == 20);  // no hash_ids: no prefix information
  CHECK(rs[3].prefix_hashes.empty());
  CHECK(rs[3].prefix_block_tokens == 0);
}

TEST_CASE("trace: generic CSV and JSONL with column mappings", "[workloads]") {
  TempDir dir;
  SECTION("Vidur's CSV by default, extra columns ignored") {
    const std::string path =
        dir.Write("vidur.csv",
                  "arrived_at,num_prefill_tokens,num_decode_tokens,num_total_tokens\n"
                  "10.0,100,5,105\n10.25,\"200\",6,206\n11,300,7,307\n");
    const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kCsv)));
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].arrival_ns == 0);
    CHECK(rs[1].arrival_ns == 250'000'000);
    CHECK(rs[1].prompt_tokens == 200);
    CHECK(rs[2].arrival_ns == 1'000'000'000);
  }
  SECTION("custom columns in milliseconds, quoted header, integral floats") {
    const std::string path =
        dir.Write("custom.csv", "\"t ms\",in,out\n1000,10.0,3\n1500,20,4.00\n");
    TraceOptions o = TraceFile(path, TraceFormat::kCsv);
    o.columns.arrival = "t ms";
    o.time_unit = TimeUnit::kMilliseconds;
    o.columns.prompt_tokens = "in";
    o.columns.output_tokens = "out";
    const auto rs = PullAll(*MakeTraceWorkload(o));
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].prompt_tokens == 10);
    CHECK(rs[1].arrival_ns == 500'000'000);
    CHECK(rs[1].output_tokens == 4);
  }
  SECTION("JSONL with a mapping; other keys of any type ignored") {
    const std::string path = dir.Write(
        "generic.jsonl",
        "{\"t\": 1.5, \"in\": 10, \"out\": 20, \"meta\": {\"a\": [1, \"x\"]}, \"tag\": \"chat\"}\n"
        "{\"t\": 2.0, \"in\": 11, \"out\": 21, \"ok\": true, \"none\": null}\n");
    TraceOptions o = TraceFile(path, TraceFormat::kJsonl);
    o.columns.arrival = "t";
    o.columns.prompt_tokens = "in";
    o.columns.output_tokens = "out";
    const auto rs = PullAll(*MakeTraceWorkload(o));
    REQUIRE(rs.size() == 2);
    CHECK(rs[1].arrival_ns == 500'000'000);
    CHECK(rs[1].prompt_tokens == 11);
    CHECK(rs[1].prefix_hashes.empty());
  }
}

TEST_CASE("trace: time_scale, window and max_requests", "[workloads]") {
  TempDir dir;
  std::string csv = "arrived_at,num_prefill_tokens,num_decode_tokens\n";
  for (int i = 0; i < 10; ++i)
    csv += std::to_string(100 + i) + "," + std::to_string(i + 1) + ",1\n";
  const std::string path = dir.Write("ten.csv", csv);
  TraceOptions o = TraceFile(path, TraceFormat::kCsv);
  SECTION("window [2 s, 5 s) shifted to 0") {
    o.start_s = 2;
    o.end_s = 5;
    const auto rs = PullAll(*MakeTraceWorkload(o));
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].id == 0);
    CHECK(rs[0].arrival_ns == 0);
    CHECK(rs[0].prompt_tokens == 3);
    CHECK(rs[2].arrival_ns == 2'000'000'000);
  }
  SECTION("time_scale 2: twice the rate") {
    o.time_scale = 2;
    const auto rs = PullAll(*MakeTraceWorkload(o));
    REQUIRE(rs.size() == 10);
    CHECK(rs[9].arrival_ns == 4'500'000'000);
    o.start_s = 4;  // the window is in trace time, before scaling
    const auto w = PullAll(*MakeTraceWorkload(o));
    REQUIRE(w.size() == 6);
    CHECK(w[0].prompt_tokens == 5);
    CHECK(w[1].arrival_ns == 500'000'000);
  }
  SECTION("max_requests") {
    o.max_requests = 4;
    o.start_s = 1;
    const auto rs = PullAll(*MakeTraceWorkload(o));
    REQUIRE(rs.size() == 4);
    CHECK(rs[3].prompt_tokens == 5);
    o.max_requests = 0;
    CHECK(PullAll(*MakeTraceWorkload(o)).empty());
  }
  SECTION("option errors name the source") {
    o.time_scale = 0;
    CHECK(Contains(TraceErrorOf(o), "workload.time_scale"));
    o.time_scale = 1;
    o.start_s = 5;
    o.end_s = 5;
    CHECK(Contains(TraceErrorOf(o), "workload.end_s"));
  }
}

TEST_CASE("trace: skip_bad_rows skips and counts", "[workloads]") {
  TempDir dir;
  const std::string path = dir.Write("bad.csv",
                                     "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                     "2023-11-16 18:00:00.0,10,1\n"
                                     "2023-11-16 18:00:01.0,ten,1\n"
                                     "2023-11-16 18:00:02.0,30,3\n"
                                     "2023-11-16 17:00:00.0,40,4\n"
                                     "2023-11-16 18:00:03.0,50,5,extra\n"
                                     "2023-11-16 18:00:04.0,60,6\n");
  TraceOptions o = TraceFile(path, TraceFormat::kAzure);
  o.skip_bad_rows = true;
  auto w = MakeTraceWorkload(o);
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 3);
  CHECK(rs[1].prompt_tokens == 30);
  CHECK(rs[2].arrival_ns == 4'000'000'000);
  CHECK(rs[2].id == 2);
  CHECK(w->skipped_rows() == 3);
  o.skip_bad_rows = false;
  CHECK(Contains(TraceErrorOf(o), path + ":3: column 'ContextTokens'"));
}

struct BadCase {
  const char* name;
  TraceFormat format;
  const char* content;
  std::vector<std::string> expect;  // substrings after "path"
};

constexpr const char* kAzureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens\n";

TEST_CASE("trace: malformed rows are InputErrors naming file, line and column", "[workloads]") {
  const std::string h = kAzureHeader;
  const std::vector<BadCase> cases = {
      {"non-numeric prompt",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,abc,5\n",
       {":2: column 'ContextTokens': expected a positive integer", "found 'abc'"}},
      {"negative output",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,10,-3\n",
       {":2: column 'GeneratedTokens': expected a positive number", "found '-3'"}},
      {"zero prompt",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,0,3\n",
       {":2: column 'ContextTokens': expected at least 1 token", "found '0'"}},
      {"zero output",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,4,0\n",
       {":2: column 'GeneratedTokens': expected at least 1 token"}},
      {"empty field",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,,3\n",
       {":2: column 'ContextTokens'", "found ''"}},
      {"absurd length",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,2147483649,3\n",
       {":2: column 'ContextTokens': expected at most 2^31 tokens", "found '2147483649'"}},
      {"beyond int64",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,5,99999999999999999999\n",
       {":2: column 'GeneratedTokens': expected at most 2^31 tokens"}},
      {"fractional length",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,5.5,3\n",
       {":2: column 'ContextTokens': expected a whole number of tokens", "found '5.5'"}},
      {"extra field",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,5,3,9\n",
       {":2: expected 3 fields (TIMESTAMP,ContextTokens,GeneratedTokens), found 4"}},
      {"too few fields",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,5\n",
       {":2: expected 3 fields", "found 2"}},
      {"month 13",
       TraceFormat::kAzure,
       "2023-13-16 18:15:46.68,5,3\n",
       {":2: column 'TIMESTAMP': expected a timestamp like 2023-11-16 18:15:46.6805900",
        "found '2023-13-16 18:15:46.68'"}},
      {"february 30", TraceFormat::kAzure, "2023-02-30 18:15:46,5,3\n", {":2: column 'TIMESTAMP'"}},
      {"time going backwards",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.6805900,5,3\n2023-11-16 18:15:46.6805899,5,3\n",
       {":3: column 'TIMESTAMP': expected a time at or after the previous row's "
        "'2023-11-16 18:15:46.6805900'",
        "found '2023-11-16 18:15:46.6805899'"}},
      {"bad row after good ones",
       TraceFormat::kAzure,
       "2023-11-16 18:15:46.68,5,3\n2023-11-16 18:15:47.68,5,3\n2023-11-16 18:15:48.68,5,x\n",
       {":4: column 'GeneratedTokens'"}},
  };
  TempDir dir;
  for (const BadCase& c : cases) {
    INFO(c.name);
    const std::string path = dir.Write("bad.csv", h + c.content);
    const std::string msg = TraceErrorOf(TraceFile(path, c.format));
    CHECK(Contains(msg, path + c.expect[0]));  // "path:line: ..."
    for (const std::string& e : c.expect) CHECK(Contains(msg, e));
  }
}

TEST_CASE("trace: malformed headers and files", "[workloads]") {
  TempDir dir;
  SECTION("missing column") {
    const std::string path =
        dir.Write("h.csv", "TIMESTAMP,ContextTokens\n2023-11-16 18:15:46.68,5\n");
    const std::string msg = TraceErrorOf(TraceFile(path, TraceFormat::kAzure));
    CHECK(Contains(msg, path + ":1: column 'GeneratedTokens': missing from the header"));
  }
  SECTION("a misspelt mapped column gets a suggestion") {
    const std::string path =
        dir.Write("v.csv", "arrived_at,num_prefill_token,num_decode_tokens\n1,2,3\n");
    const std::string msg = TraceErrorOf(TraceFile(path, TraceFormat::kCsv));
    CHECK(Contains(msg, path + ":1: column 'num_prefill_tokens': missing"));
    CHECK(Contains(msg, "did you mean 'num_prefill_token'"));
  }
  SECTION("empty file") {
    const std::string path = dir.Write("e.csv", "\r\n\n");
    CHECK(Contains(TraceErrorOf(TraceFile(path, TraceFormat::kAzure)), path + ": empty file"));
  }
  SECTION("missing file") {
    const std::string path =
        (std::filesystem::temp_directory_path() / "no-such-trace.csv").string();
    CHECK(Contains(TraceErrorOf(TraceFile(path, TraceFormat::kAzure)), path + ": cannot open"));
  }
  SECTION("generic CSV values") {
    const std::string neg =
        dir.Write("n.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n-1.0,2,3\n");
    CHECK(Contains(TraceErrorOf(TraceFile(neg, TraceFormat::kCsv)),
                   neg + ":2: column 'arrived_at': expected a time in seconds >= 0, found '-1.0'"));
    const std::string word =
        dir.Write("w.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\nsoon,2,3\n");
    CHECK(Contains(TraceErrorOf(TraceFile(word, TraceFormat::kCsv)),
                   word + ":2: column 'arrived_at'"));
    const std::string quote =
        dir.Write("q.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n1,\"2,3\n");
    CHECK(Contains(TraceErrorOf(TraceFile(quote, TraceFormat::kCsv)),
                   quote + ":2: unterminated quoted field"));
  }
}

TEST_CASE("trace: malformed JSON lines name file, line and key", "[workloads]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {R"({"timestamp": 0, "output_length": 5, "hash_ids": []})",
       {":1: key 'input_length': missing"}},
      {R"({"timestamp": 0, "input_length": 5, "output_length": 5, "hash_ids": [0])",
       {":1: malformed JSON at character", "expected '}'", "found end of line"}},
      {R"({"timestamp": 0, "input_length": 5, "output_length": 5, "hash_ids": [0]} x)",
       {":1: malformed JSON", "end of line after the object"}},
      {R"({"timestamp": 0, "timestamp": 1, "input_length": 5, "output_length": 5})",
       {":1: duplicate key 'timestamp'"}},
      {R"({"timestamp": 0, "input_length": 1025, "output_length": 5, "hash_ids": [0, 1]})",
       {":1: key 'hash_ids': expected 3 ids (one per 512-token block of 1025 prompt tokens)",
        "found '2 ids'"}},
      {R"({"timestamp": 0, "input_length": 5, "output_length": 5, "hash_ids": 7})",
       {":1: key 'hash_ids': expected a list of non-negative integers", "found '7'"}},
      {R"({"timestamp": 0, "input_length": "12", "output_length": 5, "hash_ids": [0]})",
       {":1: key 'input_length': expected a number", "found '\"12\"'"}},
      {R"({"timestamp": 0, "input_length": 12.5, "output_length": 5, "hash_ids": [0]})",
       {":1: key 'input_length': expected a whole number of tokens", "found '12.5'"}},
      {R"({"timestamp": 0, "input_length": 12, "output_length": 5, "hash_ids": [-1]})",
       {":1: key 'hash_ids': expected non-negative integer ids", "found '-1'"}},
      {R"({"timestamp": -5, "input_length": 12, "output_length": 5, "hash_ids": [1]})",
       {":1: key 'timestamp': expected a time in ms >= 0", "found '-5'"}},
      {"{\"timestamp\": 9, \"input_length\": 12, \"output_length\": 5, \"hash_ids\": [1]}\n"
       "{\"timestamp\": 8, \"input_length\": 12, \"output_length\": 5, \"hash_ids\": [1]}",
       {":2: key 'timestamp': expected a time at or after the previous row's '9'", "found '8'"}},
      {R"(["timestamp", 0])", {":1: malformed JSON at character 1: expected '{'"}},
  };
  TempDir dir;
  for (const auto& [content, expect] : cases) {
    INFO(content);
    const std::string path = dir.Write("bad.jsonl", content + "\n");
    const std::string msg = TraceErrorOf(TraceFile(path, TraceFormat::kMooncake));
    CHECK(Contains(msg, path + expect[0]));  // "path:line: ..."
    for (const std::string& e : expect) CHECK(Contains(msg, e));
  }
}

// ---- The real traces in ../shared/data/traces (skipped when absent).

struct TraceSummary {
  int64_t count = 0;
  double mean_prompt = 0;
  double mean_output = 0;
  double last_s = 0;
  int64_t with_hashes = 0;
};

TraceSummary Summarize(const std::string& path, TraceFormat format) {
  auto w = MakeTraceWorkload(TraceFile(path, format));
  TraceSummary s;
  Request r;
  int64_t last = 0;
  double prompt = 0, output = 0;
  while (w->Next(r) == Pull::kRequest) {
    REQUIRE(r.id == s.count);
    REQUIRE(r.arrival_ns >= last);
    last = r.arrival_ns;
    prompt += static_cast<double>(r.prompt_tokens);
    output += static_cast<double>(r.output_tokens);
    s.with_hashes += !r.prefix_hashes.empty();
    ++s.count;
  }
  CHECK(w->skipped_rows() == 0);
  s.mean_prompt = prompt / static_cast<double>(s.count);
  s.mean_output = output / static_cast<double>(s.count);
  s.last_s = static_cast<double>(last) * 1e-9;
  return s;
}

TEST_CASE("trace: the shared real traces parse fully and match their README", "[workloads]") {
  const std::string conv = testing::SharedDataFile("traces/azure2023_conv.csv");
  if (conv.empty()) {
    WARN("../shared/data/traces not found (set SERVESIM_DATA); skipping the real-trace checks");
    return;
  }
  SECTION("azure conv: 19,366 requests, input mean 1,155, output mean 211, 58 min") {
    const TraceSummary s = Summarize(conv, TraceFormat::kAzure);
    CHECK(s.count == 19'366);
    CHECK(std::abs(s.mean_prompt - 1155) <= 1);
    CHECK(std::abs(s.mean_output - 211) <= 1);
    CHECK(s.last_s == Approx(3501.721937).margin(1e-6));
    CHECK(s.count / s.last_s == Approx(5.53).margin(0.01));
  }
  SECTION("azure code: 8,819 requests, input mean 2,048, output mean 28") {
    const std::string code = testing::SharedDataFile("traces/azure2023_code.csv");
    REQUIRE_FALSE(code.empty());
    const TraceSummary s = Summarize(code, TraceFormat::kAzure);
    CHECK(s.count == 8'819);
    CHECK(std::abs(s.mean_prompt - 2048) <= 1);
    CHECK(std::abs(s.mean_output - 28) <= 1);
  }
  SECTION("mooncake conversation: 12,031 requests, input mean 12,035, output mean 343") {
    const std::string mc = testing::SharedDataFile("traces/mooncake_conversation.jsonl");
    REQUIRE_FALSE(mc.empty());
    const TraceSummary s = Summarize(mc, TraceFormat::kMooncake);
    CHECK(s.count == 12'031);
    CHECK(std::abs(s.mean_prompt - 12'035) <= 1);
    CHECK(std::abs(s.mean_output - 343) <= 1);
    CHECK(s.with_hashes == s.count);
    CHECK(s.last_s == Approx(3536.999));
  }
  SECTION("mooncake synthetic: 3,993 requests, input mean 15,325") {
    const std::string mc = testing::SharedDataFile("traces/mooncake_synthetic.jsonl");
    REQUIRE_FALSE(mc.empty());
    const TraceSummary s = Summarize(mc, TraceFormat::kMooncake);
    CHECK(s.count == 3'993);
    CHECK(std::abs(s.mean_prompt - 15'325) <= 1);
  }
  SECTION("the lengths files load whole") {
    for (const auto& [file, rows] :
         std::vector<std::pair<std::string, size_t>>{{"traces/sharegpt8k_lengths.csv", 30'731},
                                                     {"traces/arxiv4k_lengths.csv", 28'257},
                                                     {"traces/bwb4k_lengths.csv", 33'768}}) {
      const std::string path = testing::SharedDataFile(file);
      REQUIRE_FALSE(path.empty());
      CHECK(LoadLengthsCsv(path).size() == rows);
    }
  }
}

}  // namespace
}  // namespace servesim
