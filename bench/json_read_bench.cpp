// JSON reading speed: the hand-written JSON reader (models/json_reader.h) against yaml-cpp (which
// reads JSON as YAML flow style) on Mooncake-style JSON lines like those of a large trace: one
// object per line with timestamp, input_length, output_length and hash_ids (one id per 512-token
// block). Each path parses the line and reads the three numbers and every hash id. Prints rows/s
// for both and for the whole trace path (file -> requests through MakeTraceWorkload). Usage:
//   json_read_bench [rows] [yaml rows]
// rows defaults to 1,000,000 (the 10-million-row streaming test's kind of input, scaled to keep
// the run short); yaml-cpp reads the first `yaml rows` (default 100,000) of them, as it is slow.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/json_reader.h"
#include "workloads/request.h"
#include "workloads/trace.h"

namespace {

// Row i: arrives at i ms, 1-4000 prompt tokens, 1-500 output tokens, ceil(prompt / 512) hash ids.
std::string MooncakeLines(int64_t rows) {
  std::string out;
  out.reserve(static_cast<size_t>(rows) * 96);
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t prompt = 1 + (i * 7919) % 4000;
    const int64_t output = 1 + (i * 31) % 500;
    out += "{\"timestamp\": " + std::to_string(i) +
           ", \"input_length\": " + std::to_string(prompt) +
           ", \"output_length\": " + std::to_string(output) + ", \"hash_ids\": [";
    for (int64_t b = 0; b < (prompt + 511) / 512; ++b) {
      out += (b ? ", " : "") + std::to_string(i % 97 * 8 + b);
    }
    out += "]}\n";
  }
  return out;
}

template <typename ParseLine>
double RowsPerSecond(const std::string& text, int64_t rows, ParseLine parse, int64_t& checksum) {
  const auto start = std::chrono::steady_clock::now();
  size_t pos = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const size_t end = text.find('\n', pos);
    checksum += parse(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(rows) / s;
}

int64_t ToInt(std::string_view t) {
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int64_t yaml_rows = std::min<int64_t>(rows, argc > 2 ? std::atoll(argv[2]) : 100'000);
  const std::string text = MooncakeLines(rows);
  std::printf("%lld Mooncake rows, %.1f MB\n", static_cast<long long>(rows), text.size() / 1e6);

  servesim::JsonReader reader;
  int64_t hand_sum = 0;
  const double hand = RowsPerSecond(
      text, rows,
      [&](std::string_view line) {
        const servesim::JsonValue& root = reader.Parse(line);
        int64_t sum = ToInt(reader.Find(root, "timestamp")->text) +
                      ToInt(reader.Find(root, "input_length")->text) +
                      ToInt(reader.Find(root, "output_length")->text);
        const servesim::JsonValue* ids = reader.Find(root, "hash_ids");
        for (const servesim::JsonValue* id = reader.FirstChild(*ids); id != nullptr;
             id = reader.NextSibling(*ids, *id)) {
          sum += ToInt(id->text);
        }
        return sum;
      },
      hand_sum);
  std::printf("hand-written JsonReader: %12.0f rows/s\n", hand);

  int64_t yaml_sum = 0;
  const double yaml = RowsPerSecond(
      text, yaml_rows,
      [&](std::string_view line) {
        const YAML::Node root = YAML::Load(std::string(line));
        int64_t sum = root["timestamp"].as<int64_t>() + root["input_length"].as<int64_t>() +
                      root["output_length"].as<int64_t>();
        for (const YAML::Node& id : root["hash_ids"]) sum += id.as<int64_t>();
        return sum;
      },
      yaml_sum);
  std::printf("yaml-cpp YAML::Load:     %12.0f rows/s (first %lld rows)\n", yaml,
              static_cast<long long>(yaml_rows));

  // The whole trace path: a Mooncake file streamed into requests.
  const std::string path =
      (std::filesystem::temp_directory_path() / "servesim_json_read_bench.jsonl").string();
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  servesim::TraceOptions options;
  options.path = path;
  options.format = servesim::TraceFormat::kMooncake;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<servesim::Workload> trace = servesim::MakeTraceWorkload(options, "bench");
  servesim::Request r;
  int64_t count = 0;
  while (trace->Next(r) == servesim::Pull::kRequest) ++count;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove(path);
  std::printf("mooncake trace (file -> requests): %12.0f rows/s (%lld rows)\n", count / s,
              static_cast<long long>(count));
  std::printf("checksums %lld %lld\n", static_cast<long long>(hand_sum),
              static_cast<long long>(yaml_sum));
  return 0;
}
