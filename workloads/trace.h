// Trace replay: request streams read from the files people have (scenarios/README.md, "Trace
// formats", shows each with an example).
//
// Formats (TraceFormat):
// - azure: the Azure LLM inference traces (AzurePublicDataset, 2023 and 2024; the Splitwise and
//   DynamoLLM papers' data): header `TIMESTAMP,ContextTokens,GeneratedTokens` (any column order),
//   timestamps like `2023-11-16 18:15:46.6805900` (2023) or `2024-05-10 00:00:00.009930+00:00`
//   (2024), read exactly (timestamp.h).
// - burstgpt: BurstGPT (HPMLL/BurstGPT): `Timestamp,Model,Request tokens,Response tokens,Total
//   tokens,Log Type`, Timestamp in seconds from the trace start. Rows with `Response tokens` 0 are
//   the requests that failed: skipped and counted in skipped_rows.
// - splitwise: splitwise-sim's trace CSVs: `request_id,request_type,application_id,
//   arrival_timestamp,batch_size,prompt_size,token_size`, arrival_timestamp in seconds.
// - mooncake: Mooncake's JSONL (FAST'25 release): one object per line with `timestamp` (ms),
//   `input_length`, `output_length` and optionally `hash_ids`, one id per 512-token block of the
//   prompt (chained: equal id = equal prefix up to that block), which become Request.prefix_hashes
//   with prefix_block_tokens = 512; their count must be ceil(input_length / 512).
// - vllm_bench: the result JSON of `vllm bench serve` / benchmark_serving.py with --save-result
//   --save-detailed: arrays `input_lens`, `output_lens` and optionally `start_times` (s, newer
//   vLLM) and `errors`; requests with an error or 0 output tokens failed and are skipped and
//   counted. Without start_times the arrivals are generated (below) from the file's
//   `request_rate` ("inf": all at once) and `burstiness` (gamma gaps of shape burstiness; 1 is
//   Poisson), as vLLM sent them, unless the options give an arrival process.
// - sharegpt: a ShareGPT-style JSON array of `{"conversations": [{"from", "value"}, ...]}`; as
//   vLLM's benchmark does, each conversation with at least two turns gives one request, the first
//   turn the prompt and the second the output; shorter ones are skipped (counted, logged). Token
//   counts are ESTIMATED from the text, ceil(Unicode characters / 4) (about 4 characters a token
//   for English with Llama/GPT tokenizers), at least 1, and a warning says so; for exact counts
//   use a lengths CSV. No timestamps: the arrival process is required.
// - csv / jsonl: any file with a column (key) mapping; the default mapping is Vidur's trace CSV
//   (`arrived_at` in seconds, `num_prefill_tokens`, `num_decode_tokens`).
//
// Times (TimeUnit): a numeric column in s, ms, us or ns, or iso (ISO 8601 date-times, offsets
// applied); each format has its default (TraceFormatTimeUnit), TraceOptions::time_unit overrides
// it. A time too large for int64 ns (292 years) is an error that, when the number looks like a
// time since 1970 in a finer unit (1e11 and up in s, say), names the unit to set.
// CSV separators (comma, tab, semicolon) are detected from the header unless given.
//
// Formats without timestamps (vllm_bench without start_times, sharegpt) take their arrivals from
// TraceOptions::arrival: the synthetic source's open-loop process (ArrivalClock, synthetic.h,
// stream "arrivals"), request i being the i-th read.
//
// Replay: times are taken relative to the first row read, so the first request arrives at 0. The
// window [start_s, end_s) is in the trace's own time (before scaling) relative to that first row;
// requests in it are shifted so the window starts at 0, then divided by time_scale (time_scale 2
// replays twice as fast: twice the rate). max_requests stops after that many. Rows must come in
// non-decreasing time (the Azure, BurstGPT and Mooncake files do; checked); vLLM start_times are
// sorted.
//
// Streaming: the line formats are read in 64 KiB chunks and split into lines, one line in memory;
// nothing is kept between rows except the previous time. A line longer than kMaxTraceLineBytes (1
// MiB, without its line end) is an error "path:line: line longer than 1048576 bytes ..." raised as
// soon as the cap is passed, so a file without line breaks (binary junk, one gigantic line) costs
// at most the cap in memory; with skip_bad_rows such a line is skipped (read through to its end,
// never held) and counted. Accepted and documented: LF, CRLF and lone CR line ends, a UTF-8
// byte-order mark on the first line, blank lines, columns or JSON keys beyond the ones read
// (ignored). CSV fields may be double-quoted (RFC 4180, no line breaks inside quotes). The JSON
// document formats (vllm_bench, sharegpt) are read whole (at most kMaxTraceDocumentBytes) and hold
// two lengths per request.
//
// Errors: a malformed row throws InputError "path:line: column 'X': expected ..., found '...'" (for
// JSONL "key 'X'", for the document formats "path:line:column: key 'X[i]'"), with a hint after
// "; " where one helps: non-numeric or empty values, negative or zero lengths, lengths above 2^31
// tokens, missing columns or keys, rows with more or fewer fields than the header, time going
// backwards, broken JSON, duplicate JSON keys, NUL bytes (a binary file). With skip_bad_rows such
// rows are skipped and counted (skipped_rows()). Whatever skip_bad_rows says, these are errors
// when the trace is opened: a missing file, a directory, an empty file, a header line that is
// missing, malformed or over the cap, a column read from the file that the header names twice, and
// a file with no row at all (a trace that would simulate nothing). Bytes shown in messages are
// cut to 60 characters, control and invalid UTF-8 bytes written as \xNN.
//
// Ignores: per-request metadata other than lengths, times and prefix hashes (BurstGPT's model and
// log type, vLLM's measured TTFTs and ITLs); multi-line CSV fields; vLLM's max_concurrency (the
// replay is open loop).
//
// The pieces live by concern: line_reader.h (lines, the 1 MiB cap), csv_line.h (fields, the
// header, separators), models/json_reader.h (JSON), timestamp.h (ISO timestamps); this file holds
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
#include "workloads/synthetic.h"    // ArrivalKind
#include "workloads/workload.h"

namespace servesim {

enum class TraceFormat {
  kAzure,
  kBurstGpt,
  kSplitwise,
  kMooncake,
  kVllmBench,
  kShareGpt,
  kCsv,
  kJsonl
};
const char* TraceFormatName(TraceFormat format);
std::optional<TraceFormat> ParseTraceFormat(std::string_view name);
// Every format, in documentation order.
const std::vector<TraceFormat>& TraceFormats();

// The unit of a trace's time column.
enum class TimeUnit { kSeconds, kMilliseconds, kMicroseconds, kNanoseconds, kIso };
const char* TimeUnitName(TimeUnit unit);  // "s", "ms", "us", "ns", "iso"
std::optional<TimeUnit> ParseTimeUnit(std::string_view name);
// The unit `format` writes its times in; nullopt for the formats without a time column (vllm_bench
// reads start_times in seconds and sharegpt has none).
std::optional<TimeUnit> TraceFormatTimeUnit(TraceFormat format);
// True for the CSV formats (azure, burstgpt, splitwise, csv), which take a separator.
bool TraceFormatIsCsv(TraceFormat format);

// The format of the trace at `path`, guessed from its first line (a CSV header naming a format's
// columns, a JSON line with Mooncake's keys, a vLLM result's keys, a ShareGPT array) and its
// extension (.csv/.tsv, .jsonl, .json); nullopt when nothing fits (a lengths CSV, an unknown
// layout) or the file cannot be read. Reads at most 64 KiB. `why`, when given, gets a phrase for
// messages: what was recognized, or what was found instead.
std::optional<TraceFormat> GuessTraceFormat(const std::string& path, std::string* why = nullptr);

// Where the csv / jsonl formats find their fields.
struct TraceColumns {
  std::string arrival = "arrived_at";
  std::string prompt_tokens = "num_prefill_tokens";
  std::string output_tokens = "num_decode_tokens";
};

// The arrival process of a trace without timestamps (see synthetic.h, "Open loop").
struct TraceArrivals {
  ArrivalKind kind = ArrivalKind::kPoisson;
  double rate_per_s = 1.0;  // poisson, gamma, constant
  double cv = 1.0;          // gamma
};

struct TraceOptions {
  std::string path;
  TraceFormat format = TraceFormat::kAzure;
  TraceColumns columns;               // csv and jsonl only
  std::optional<TimeUnit> time_unit;  // none: the format's own (TraceFormatTimeUnit)
  char separator = 0;                 // CSV formats; 0: detected from the header
  // Formats without timestamps: how requests arrive. vllm_bench without it follows the file's
  // request_rate and burstiness; sharegpt requires it. Formats with timestamps refuse it.
  std::optional<TraceArrivals> arrival;
  double time_scale = 1.0;
  double start_s = 0.0;
  double end_s = -1.0;        // < 0: to the end of the trace
  int64_t max_requests = -1;  // < 0: no limit
  bool skip_bad_rows = false;
};

// Opens the file and reads the header (CSV), throwing InputError for a missing file, a missing
// header or missing columns. `source` prefixes option errors (e.g. "scenario.yaml: workload");
// `seed` is the scenario seed generated arrivals draw from (stream "arrivals").
std::unique_ptr<Workload> MakeTraceWorkload(const TraceOptions& options,
                                            const std::string& source = "workload",
                                            uint64_t seed = 0);

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

// Largest JSON document trace (vllm_bench, sharegpt) read whole: 2 GiB (ShareGPT's V3 file is
// about 0.7 GB).
inline constexpr int64_t kMaxTraceDocumentBytes = int64_t{2} << 30;

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_TRACE_H_
