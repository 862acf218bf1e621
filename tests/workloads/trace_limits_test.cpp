// The trace readers' line cap (kMaxTraceLineBytes) and the line splitting around it: lines just
// over the cap are InputErrors naming file, line and cap (or skipped rows with skip_bad_rows);
// lines at the cap are read; LF, CRLF and lone-CR line ends are the same wherever the 64 KiB read
// chunks split them; files that are not traces (empty, header only, binary, a directory, a header
// naming a column twice) fail when opened.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text.h"
#include "tests/support/workloads.h"
#include "workloads/random.h"
#include "workloads/trace.h"

namespace servesim {
namespace {

using testing::Contains;
using testing::PullAll;
using testing::TraceErrorOf;
using testing::TraceFile;

using testing::TempDir;

// A JSONL row padded with spaces (legal JSON whitespace) to exactly `bytes` bytes.
std::string PaddedRow(int64_t time_ms, int64_t prompt, int64_t output, size_t bytes) {
  std::string row = "{\"arrived_at\": " + std::to_string(time_ms) +
                    ", \"num_prefill_tokens\": " + std::to_string(prompt) +
                    ", \"num_decode_tokens\": " + std::to_string(output) + "}";
  REQUIRE(row.size() <= bytes);
  row.append(bytes - row.size(), ' ');
  return row;
}

const std::string kCap = std::to_string(kMaxTraceLineBytes);

TEST_CASE("trace limits: the line cap is 1 MiB", "[workloads][reliability]") {
  // Tens of bytes per Azure row, a few KiB for a Mooncake row with hash ids of a 100k-token
  // prompt (200 ids of up to 7 digits): 1 MiB leaves two orders of magnitude.
  CHECK(kMaxTraceLineBytes == 1024 * 1024);
}

TEST_CASE("trace limits: a line over the cap is an error naming file, line and cap",
          "[workloads][reliability]") {
  TempDir dir;
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string good = "2023-11-16 18:15:46.6805900,10,2\n";
  SECTION("a 3 MiB row after good ones") {
    const std::string path =
        dir.Write("long.csv", header + good + good + std::string(3 << 20, '7') + "\n" + good);
    TraceOptions o = TraceFile(path, TraceFormat::kAzure);
    auto w = MakeTraceWorkload(o);
    Request r;
    REQUIRE(w->Next(r) == Pull::kRequest);
    REQUIRE(w->Next(r) == Pull::kRequest);
    try {
      w->Next(r);
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      const std::string msg = e.what();
      CHECK(Contains(msg, path + ":4: line longer than " + kCap + " bytes"));
    }
  }
  SECTION("one byte over: cap + 1 bytes, no line end") {
    const std::string path = dir.Write(
        "over.jsonl", PaddedRow(0, 5, 5, 100) + "\n" +
                          PaddedRow(1, 5, 5, static_cast<size_t>(kMaxTraceLineBytes)) + " ");
    CHECK(Contains(TraceErrorOf(TraceFile(path, TraceFormat::kJsonl)),
                   path + ":2: line longer than " + kCap + " bytes"));
  }
  SECTION("a header over the cap fails even with skip_bad_rows") {
    const std::string path = dir.Write(
        "header.csv", "TIMESTAMP," + std::string(2 << 20, 'x') + ",GeneratedTokens\n" + good);
    TraceOptions o = TraceFile(path, TraceFormat::kAzure);
    o.skip_bad_rows = true;
    CHECK(Contains(TraceErrorOf(o), path + ":1: header: line longer than " + kCap + " bytes"));
  }
  SECTION("a lengths file") {
    const std::string path =
        dir.Write("lengths.csv",
                  "num_prefill_tokens,num_decode_tokens\n1,2\n" + std::string(5 << 20, ',') + "\n");
    std::string msg;
    try {
      LoadLengthsCsv(path);
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK(Contains(msg, path + ":3: line longer than " + kCap + " bytes"));
  }
}

TEST_CASE("trace limits: a row of exactly the cap is read", "[workloads][reliability]") {
  TempDir dir;
  const std::string path =
      dir.Write("cap.jsonl", PaddedRow(0, 7, 3, static_cast<size_t>(kMaxTraceLineBytes)) + "\r\n" +
                                 PaddedRow(2000, 9, 4, static_cast<size_t>(kMaxTraceLineBytes)));
  auto w = MakeTraceWorkload(TraceFile(path, TraceFormat::kJsonl));
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].prompt_tokens == 7);
  CHECK(rs[1].arrival_ns == 2'000'000'000'000);
  CHECK(rs[1].output_tokens == 4);
}

TEST_CASE("trace limits: skip_bad_rows skips an over-long line without holding it",
          "[workloads][reliability]") {
  TempDir dir;
  const std::string header = "arrived_at,num_prefill_tokens,num_decode_tokens\n";
  // Over-long lines ended by LF, CRLF, a lone CR and the end of the file.
  const std::string path = dir.Write(
      "skip.csv", header + "0,1,1\n" + std::string(3 << 20, 'a') + "\n" + "1,2,2\r\n" +
                      std::string(2 << 20, 'b') + "\r\n" + "2,3,3\r" + std::string(2 << 20, 'c') +
                      "\r" + "3,4,4\n" + std::string(2 << 20, 'd'));
  TraceOptions o = TraceFile(path, TraceFormat::kCsv);
  o.skip_bad_rows = true;
  auto w = MakeTraceWorkload(o);
  const auto rs = PullAll(*w);
  REQUIRE(rs.size() == 4);
  for (size_t i = 0; i < rs.size(); ++i) {
    CHECK(rs[i].prompt_tokens == static_cast<int64_t>(i) + 1);
    CHECK(rs[i].arrival_ns == static_cast<int64_t>(i) * 1'000'000'000);
  }
  CHECK(w->skipped_rows() == 4);
  o.skip_bad_rows = false;
  CHECK(Contains(TraceErrorOf(o), path + ":3: line longer than"));
}

// Line ends on both sides of the 64 KiB read chunks' boundaries, then rows of random lengths
// with random line ends: every row is read with the right values, and an error names the right
// line whatever the splits.
TEST_CASE("trace limits: line ends split across read chunks", "[workloads][reliability]") {
  TempDir dir;
  const std::vector<std::string> ends = {"\n", "\r\n", "\r"};
  for (const std::string& end : ends) {
    for (int delta = -3; delta <= 2; ++delta) {
      const std::string text = PaddedRow(0, 11, 1, static_cast<size_t>(65536 + delta)) + end +
                               PaddedRow(1, 22, 2, 100) + end + PaddedRow(2, 33, 3, 65536) + end;
      INFO("line end " << end.size() << " bytes, first row " << 65536 + delta << " bytes");
      const std::string path = dir.Write("edge.jsonl", text);
      const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kJsonl)));
      REQUIRE(rs.size() == 3);
      CHECK(rs[0].prompt_tokens == 11);
      CHECK(rs[1].prompt_tokens == 22);
      CHECK(rs[2].prompt_tokens == 33);
    }
  }
  RngStream rng = MakeStream(7, "trace_limits");
  for (int round = 0; round < 8; ++round) {
    std::string text;
    std::vector<int64_t> prompts;
    for (int i = 0; i < 40; ++i) {
      const int64_t prompt = UniformInt(rng, 1, 100000);
      prompts.push_back(prompt);
      const size_t bytes =
          static_cast<size_t>(UniformInt(rng, 0, 3) * 65536 + UniformInt(rng, 80, 200));
      text += PaddedRow(i, prompt, 1 + i, bytes);
      text += ends[static_cast<size_t>(UniformInt(rng, 0, 2))];
      if (UniformInt(rng, 0, 4) == 0) text += ends[static_cast<size_t>(UniformInt(rng, 0, 2))];
    }
    INFO("round " << round);
    const std::string path = dir.Write("split.jsonl", text);
    const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kJsonl)));
    REQUIRE(rs.size() == prompts.size());
    for (size_t i = 0; i < rs.size(); ++i) {
      CHECK(rs[i].prompt_tokens == prompts[i]);
      CHECK(rs[i].output_tokens == static_cast<int64_t>(i) + 1);
    }
  }
  // Line numbers count LF, CRLF and lone CR alike; blank lines count too.
  const std::string path = dir.Write("lines.csv",
                                     "arrived_at,num_prefill_tokens,num_decode_tokens\r\n"
                                     "0,1,1\r"
                                     "\n"
                                     "1,2,2\r\r"
                                     "2,x,2\n");
  CHECK(Contains(TraceErrorOf(TraceFile(path, TraceFormat::kCsv)),
                 path + ":5: column 'num_prefill_tokens'"));
}

TEST_CASE("trace limits: byte-order mark and line ends are accepted in every format",
          "[workloads][reliability]") {
  TempDir dir;
  const std::string bom = "\xEF\xBB\xBF";
  SECTION("azure, CRLF") {
    const std::string path = dir.Write("a.csv", bom +
                                                    "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                                    "2023-11-16 18:15:46.5,10,2\r\n"
                                                    "2023-11-16 18:15:47.5,20,3\r\n");
    const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kAzure)));
    REQUIRE(rs.size() == 2);
    CHECK(rs[1].arrival_ns == 1'000'000'000);
    CHECK(rs[1].output_tokens == 3);
  }
  SECTION("mooncake, lone CR") {
    const std::string path =
        dir.Write("m.jsonl", bom +
                                 "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 2, "
                                 "\"hash_ids\": [1, 2]}\r"
                                 "{\"timestamp\": 5, \"input_length\": 10, \"output_length\": 1, "
                                 "\"hash_ids\": [1]}\r");
    const auto rs = PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kMooncake)));
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].prefix_hashes.size() == 2);
    CHECK(rs[1].arrival_ns == 5'000'000);
  }
  SECTION("lengths CSV, CRLF") {
    const std::string path =
        dir.Write("l.csv", bom + "num_prefill_tokens,num_decode_tokens\r\n5,6\r\n");
    const auto rows = LoadLengthsCsv(path);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].output_tokens == 6);
  }
}

TEST_CASE("trace limits: files that are not traces fail when opened", "[workloads][reliability]") {
  TempDir dir;
  auto open_error = [](const TraceOptions& o) {
    try {
      MakeTraceWorkload(o);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  SECTION("empty JSONL") {
    const std::string path = dir.Write("e.jsonl", "\n\r\n  \n");
    CHECK(Contains(open_error(TraceFile(path, TraceFormat::kMooncake)),
                   path + ": empty file, expected one JSON object per line with keys 'timestamp'"));
  }
  SECTION("a header and no rows") {
    const std::string path = dir.Write("h.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n\n");
    CHECK(Contains(open_error(TraceFile(path, TraceFormat::kAzure)),
                   path + ": no rows after the header"));
  }
  SECTION("a directory") {
    dir.Write("d/x", "");
    const std::string path = (dir.path() / "d").string();
    CHECK(Contains(open_error(TraceFile(path, TraceFormat::kCsv)),
                   path + ": is a directory, expected a trace file"));
  }
  SECTION("binary header") {
    const std::string path = dir.Write("b.csv", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
    CHECK(Contains(open_error(TraceFile(path, TraceFormat::kAzure)),
                   path + ":1: header: byte 0x89 at character 1 is not text"));
  }
  SECTION("NUL bytes in a row") {
    const std::string path = dir.Write(
        "n.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n" + std::string("1,2\0,3\n", 7));
    CHECK(Contains(TraceErrorOf(TraceFile(path, TraceFormat::kCsv)),
                   path + ":2: NUL byte at character 4: a binary file"));
  }
  SECTION("a column read twice") {
    const std::string path =
        dir.Write("t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens,ContextTokens\n");
    CHECK(Contains(open_error(TraceFile(path, TraceFormat::kAzure)),
                   path + ":1: column 'ContextTokens': expected once in the header, found it as "
                          "fields 2 and 4"));
  }
  SECTION("a column not read may repeat") {
    const std::string path = dir.Write(
        "r.csv",
        "TIMESTAMP,ContextTokens,GeneratedTokens,note,note\n2023-11-16 18:15:46,1,1,a,b\n");
    CHECK(PullAll(*MakeTraceWorkload(TraceFile(path, TraceFormat::kAzure))).size() == 1);
  }
  SECTION("binary junk in messages is escaped") {
    const std::string path = dir.Write("j.csv",
                                       "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                                       "1,\x01\xff\xfe,2\n");
    const std::string msg = TraceErrorOf(TraceFile(path, TraceFormat::kCsv));
    CHECK(Contains(msg, "found '\\x01\\xFF\\xFE'"));
  }
}

}  // namespace
}  // namespace servesim
