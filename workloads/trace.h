// Trace replay: request streams read row by row from CSV and JSON-lines files.
//
// Formats:
// - azure: the Azure LLM inference trace (AzurePublicDataset, 2023): header
//   `TIMESTAMP,ContextTokens,GeneratedTokens` (any column order), timestamps like
//   `2023-11-16 18:15:46.6805900` (UTC wall clock, 0-9 fractional digits; the files have 7, i.e.
//   100-ns precision, kept exactly).
// - mooncake: Mooncake's JSONL (FAST'25 release): one object per line with `timestamp` (ms),
//   `input_length`, `output_length` and optionally `hash_ids`, one id per 512-token block of the
//   prompt (chained: equal id = equal prefix up to that block), which become Request.prefix_hashes
//   with prefix_block_tokens = 512; their count must be ceil(input_length / 512).
// - csv / jsonl: any file with a column (key) mapping; the default mapping is Vidur's trace CSV
//   (`arrived_at` in seconds, `num_prefill_tokens`, `num_decode_tokens`). Arrival times are seconds
//   or milliseconds (TraceColumns::arrival_unit_ns).
//
// Replay: times are taken relative to the first row read, so the first request arrives at 0. The
// window [start_s, end_s) is in the trace's own time (before scaling) relative to that first row;
// requests in it are shifted so the window starts at 0, then divided by time_scale (time_scale 2
// replays twice as fast: twice the rate). max_requests stops after that many. Rows must come in
// non-decreasing time (the Azure and Mooncake files do; checked).
//
// Streaming: the file is read in 64 KiB chunks and split into lines, one line in memory; nothing
// is kept between rows except the previous time. A line longer than kMaxTraceLineBytes (1 MiB,
// without its line end) is an error "path:line: line longer than 1048576 bytes ..." raised as soon
// as the cap is passed, so a file without line breaks (binary junk, one gigantic line) costs at
// most the cap in memory; with skip_bad_rows such a line is skipped (read through to its end,
// never held) and counted. Accepted and documented: LF, CRLF and lone CR line ends, a UTF-8
// byte-order mark on the first line, blank lines, columns or JSON keys beyond the ones read
// (ignored). CSV fields may be double-quoted (RFC 4180, no line breaks inside quotes).
//
// Errors: a malformed row throws InputError "path:line: column 'X': expected ..., found '...'" (for
// JSONL "key 'X'"): non-numeric or empty values, negative or zero lengths, lengths above 2^31
// tokens, missing columns or keys, rows with more or fewer fields than the header, time going
// backwards, broken JSON, duplicate JSON keys, NUL bytes (a binary file). With skip_bad_rows such
// rows are skipped and counted (skipped_rows()). Whatever skip_bad_rows says, these are errors
// when the trace is opened: a missing file, a directory, an empty file, a header line that is
// missing, malformed or over the cap, a column read from the file that the header names twice, and
// a file with no row at all (a trace that would simulate nothing). Bytes shown in messages are
// cut to 60 characters, control and invalid UTF-8 bytes written as \xNN.
//
// Ignores: per-request metadata other than lengths and prefix hashes; multi-line CSV fields.
//
// The pieces live by concern: line_reader.h (lines, the 1 MiB cap), csv_line.h (fields and the
// header), models/json_reader.h (JSON lines), timestamp.h (Azure timestamps); this file holds
// the row formats, the replay window and the lengths file.
#ifndef SERVESIM_WORKLOADS_TRACE_H_
#define SERVESIM_WORKLOADS_TRACE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/line_reader.h"  // kMaxTraceLineBytes
#include "workloads/workload.h"

namespace servesim {

enum class TraceFormat { kAzure, kMooncake, kCsv, kJsonl };
const char* TraceFormatName(TraceFormat format);
std::optional<TraceFormat> ParseTraceFormat(std::string_view name);

// Where the csv / jsonl formats find their fields.
struct TraceColumns {
  std::string arrival = "arrived_at";
  int64_t arrival_unit_ns = 1'000'000'000;  // 1e9: seconds, 1e6: milliseconds
  std::string prompt_tokens = "num_prefill_tokens";
  std::string output_tokens = "num_decode_tokens";
};

struct TraceOptions {
  std::string path;
  TraceFormat format = TraceFormat::kAzure;
  TraceColumns columns;  // csv and jsonl only
  double time_scale = 1.0;
  double start_s = 0.0;
  double end_s = -1.0;        // < 0: to the end of the trace
  int64_t max_requests = -1;  // < 0: no limit
  bool skip_bad_rows = false;
};

// Opens the file and reads the header (CSV), throwing InputError for a missing file, a missing
// header or missing columns. `source` prefixes option errors (e.g. "scenario.yaml: workload").
std::unique_ptr<Workload> MakeTraceWorkload(const TraceOptions& options,
                                            const std::string& source = "workload");

// Rows of a lengths file (header `num_prefill_tokens,num_decode_tokens[,...]`), read whole: it is a
// distribution to sample from, not a trace. Any malformed row, and any line over
// kMaxTraceLineBytes, is an InputError; line ends and the byte-order mark as for traces.
struct LengthRow {
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;
};
std::vector<LengthRow> LoadLengthsCsv(const std::string& path);

// Largest length in tokens a trace row may give (2^31); more is taken for a corrupt row.
inline constexpr int64_t kMaxTraceTokens = int64_t{1} << 31;

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_TRACE_H_
