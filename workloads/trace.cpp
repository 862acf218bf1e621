#include "workloads/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <utility>

#include "models/input_error.h"
#include "models/json_reader.h"
#include "models/printable_text.h"
#include "models/sim_time.h"
#include "workloads/csv_line.h"
#include "workloads/line_reader.h"
#include "workloads/timestamp.h"

namespace servesim {
namespace {

std::string FormatSeconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", s);
  return buf;
}

// A RowError "<what> '<name>': expected <expected>, found '<found>'" (what: "column" or "key").
[[noreturn]] void FailField(std::string_view what, std::string_view name, std::string_view expected,
                            std::string_view found) {
  throw RowError{std::string(what) + " '" + std::string(name) + "': expected " +
                 std::string(expected) + ", found " + QuoteBytes(found)};
}

// A token count: a positive integer (an integral decimal like "512.0" is accepted) up to
// kMaxTraceTokens.
int64_t ParseTokens(std::string_view text, std::string_view what, std::string_view name) {
  const std::string_view t = TrimBlanks(text);
  std::string_view digits = t;
  if (const size_t dot = t.find('.'); dot != std::string_view::npos) {
    const std::string_view frac = t.substr(dot + 1);
    if (frac.empty() || frac.find_first_not_of('0') != std::string_view::npos) {
      FailField(what, name, "a whole number of tokens", text);
    }
    digits = t.substr(0, dot);
  }
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (!digits.empty() && digits.front() == '-' && digits.size() > 1 &&
      digits.find_first_not_of("0123456789", 1) == std::string_view::npos) {
    FailField(what, name, "a positive number of tokens", text);
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    FailField(what, name, "a positive integer (tokens)", text);
  }
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range || v > kMaxTraceTokens) {
    FailField(what, name, "at most 2^31 tokens", text);
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    FailField(what, name, "a positive integer (tokens)", text);
  }
  if (v == 0) FailField(what, name, "at least 1 token", text);
  return v;
}

// A time in `unit_ns` units as integer nanoseconds; integers are converted exactly.
int64_t ParseTimeNs(std::string_view text, int64_t unit_ns, std::string_view what,
                    std::string_view name) {
  const std::string_view t = TrimBlanks(text);
  const char* unit = unit_ns == 1'000'000'000 ? "a time in seconds >= 0" : "a time in ms >= 0";
  if (t.empty()) FailField(what, name, unit, text);
  if (t.front() == '-') FailField(what, name, unit, text);
  int64_t whole = 0;
  const auto [iptr, iec] = std::from_chars(t.data(), t.data() + t.size(), whole);
  if (iec == std::errc() && iptr == t.data() + t.size()) {
    if (whole > std::numeric_limits<int64_t>::max() / unit_ns) {
      FailField(what, name, "a time below 292 years", text);
    }
    return whole * unit_ns;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) {
    FailField(what, name, unit, text);
  }
  if (v < 0) FailField(what, name, unit, text);
  const double ns = v * static_cast<double>(unit_ns);
  if (ns >= 9.2e18) FailField(what, name, "a time below 292 years", text);
  return std::llround(ns);
}

// ---- One parsed row, before windowing, and the row formats.

struct Row {
  int64_t time_ns = 0;
  std::string time_text;  // as written, for messages
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;
  std::vector<uint64_t> hashes;
  bool has_hashes = false;
};

// The rows of a file in one format. Parse() throws RowError.
class RowParser {
 public:
  virtual ~RowParser() = default;
  // Reads the header, if the format has one; throws InputError.
  virtual void ReadHeader(LineReader& lines) { (void)lines; }
  virtual void Parse(std::string_view line, Row& row) = 0;
  // The name of the time field, for messages.
  virtual std::string TimeName() const = 0;
  virtual std::string_view What() const { return "column"; }
  // What a file without rows lacks, after "path: ".
  virtual std::string NoRowsMessage() const { return "no rows after the header"; }
};

// CSV with named columns: the arrival column is either an Azure timestamp or a number of units.
class CsvRowParser : public RowParser {
 public:
  CsvRowParser(std::string arrival, int64_t unit_ns, bool azure_timestamp, std::string prompt,
               std::string output)
      : arrival_(std::move(arrival)),
        prompt_(std::move(prompt)),
        output_(std::move(output)),
        unit_ns_(unit_ns),
        azure_timestamp_(azure_timestamp) {}

  void ReadHeader(LineReader& lines) override {
    ReadCsvHeader(lines, arrival_ + "," + prompt_ + "," + output_, header_);
    auto index_of = [&](const std::string& name) { return ColumnIndex(lines, header_, name); };
    arrival_index_ = index_of(arrival_);
    prompt_index_ = index_of(prompt_);
    output_index_ = index_of(output_);
  }

  void Parse(std::string_view line, Row& row) override {
    SplitCsv(line, fields_);
    CheckFieldCount(line, fields_, header_);
    const std::string& time = fields_[arrival_index_];
    row.time_text = time;
    if (azure_timestamp_) {
      const std::optional<int64_t> ns = ParseTimestampNs(TrimBlanks(time));
      if (!ns) {
        FailField("column", arrival_,
                  "a timestamp like 2023-11-16 18:15:46.6805900 (years 1970-2200)", time);
      }
      row.time_ns = *ns;
    } else {
      row.time_ns = ParseTimeNs(time, unit_ns_, "column", arrival_);
    }
    row.prompt_tokens = ParseTokens(fields_[prompt_index_], "column", prompt_);
    row.output_tokens = ParseTokens(fields_[output_index_], "column", output_);
    row.has_hashes = false;
  }

  std::string TimeName() const override { return arrival_; }

 private:
  std::string arrival_, prompt_, output_;
  int64_t unit_ns_;
  bool azure_timestamp_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  size_t arrival_index_ = 0, prompt_index_ = 0, output_index_ = 0;
};

// JSON lines with named keys; `hash_key` (may be empty) gives per-block prefix hashes.
class JsonlRowParser : public RowParser {
 public:
  JsonlRowParser(std::string arrival, int64_t unit_ns, std::string prompt, std::string output,
                 std::string hash_key, int64_t block_tokens)
      : arrival_(std::move(arrival)),
        prompt_(std::move(prompt)),
        output_(std::move(output)),
        hash_key_(std::move(hash_key)),
        unit_ns_(unit_ns),
        block_tokens_(block_tokens) {}

  void Parse(std::string_view line, Row& row) override {
    const JsonValue& root = ParseLine(line);
    const JsonValue& time = Number(root, arrival_);
    row.time_text = std::string(time.text);
    row.time_ns = ParseTimeNs(time.text, unit_ns_, "key", arrival_);
    row.prompt_tokens = ParseTokens(Number(root, prompt_).text, "key", prompt_);
    row.output_tokens = ParseTokens(Number(root, output_).text, "key", output_);
    row.hashes.clear();
    row.has_hashes = false;
    if (hash_key_.empty()) return;
    const JsonValue* h = json_.Find(root, hash_key_);
    if (h == nullptr) return;
    ReadHashes(*h, row);
  }

  std::string TimeName() const override { return arrival_; }
  std::string_view What() const override { return "key"; }
  std::string NoRowsMessage() const override {
    return "empty file, expected one JSON object per line with keys '" + arrival_ + "', '" +
           prompt_ + "', '" + output_ + "'";
  }

 private:
  // The row's object; a syntax error or duplicate key becomes the row's error.
  const JsonValue& ParseLine(std::string_view line) {
    try {
      return json_.Parse(line);
    } catch (const JsonError& e) {
      if (e.kind == JsonError::Kind::kDuplicateKey) throw RowError{e.message};
      throw RowError{"malformed JSON at character " + std::to_string(e.offset + 1) + ": " +
                     e.message};
    }
  }

  // The prefix hashes of `h`: one non-negative integer per block of the prompt.
  void ReadHashes(const JsonValue& h, Row& row) const {
    bool numeric = h.kind == JsonValue::Kind::kArray;
    for (const JsonValue* id = json_.FirstChild(h); numeric && id != nullptr;
         id = json_.NextSibling(h, *id)) {
      numeric = id->kind == JsonValue::Kind::kNumber;
    }
    if (!numeric) FailField("key", hash_key_, "a list of non-negative integers", Shown(h));
    const int64_t want = (row.prompt_tokens + block_tokens_ - 1) / block_tokens_;
    if (static_cast<int64_t>(h.size) != want) {
      FailField("key", hash_key_,
                std::to_string(want) + " ids (one per " + std::to_string(block_tokens_) +
                    "-token block of " + std::to_string(row.prompt_tokens) + " prompt tokens)",
                std::to_string(h.size) + " ids");
    }
    for (const JsonValue* id = json_.FirstChild(h); id != nullptr; id = json_.NextSibling(h, *id)) {
      const std::string_view t = id->text;
      uint64_t v = 0;
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || ptr != t.data() + t.size()) {
        FailField("key", hash_key_, "non-negative integer ids", t);
      }
      row.hashes.push_back(v);
    }
    row.has_hashes = true;
  }

  static std::string Shown(const JsonValue& f) {
    switch (f.kind) {
      case JsonValue::Kind::kString:
        return "\"" + std::string(f.text) + "\"";
      case JsonValue::Kind::kArray:
        return "a list";
      case JsonValue::Kind::kObject:
        return "an object";
      default:
        return std::string(f.text);
    }
  }
  const JsonValue& Number(const JsonValue& root, const std::string& key) const {
    const JsonValue* f = json_.Find(root, key);
    if (f == nullptr) throw RowError{"key '" + key + "': missing"};
    if (f->kind != JsonValue::Kind::kNumber) FailField("key", key, "a number", Shown(*f));
    return *f;
  }

  std::string arrival_, prompt_, output_, hash_key_;
  int64_t unit_ns_;
  int64_t block_tokens_;
  JsonReader json_;
};

constexpr int64_t kMooncakeBlockTokens = 512;

class TraceWorkload : public Workload {
 public:
  TraceWorkload(const TraceOptions& options, std::unique_ptr<RowParser> parser)
      : options_(options), lines_(options.path), parser_(std::move(parser)) {
    std::error_code ec;
    if (std::filesystem::is_directory(options.path, ec)) {
      throw InputError(options.path + ": is a directory, expected a trace file");
    }
    if (!lines_.is_open()) {
      throw InputError(options.path + ": cannot open the trace file");
    }
    parser_->ReadHeader(lines_);
    // A trace without a single row would simulate nothing: say so now (servesim validate too).
    std::string_view line;
    LineReader::Status status;
    while ((status = lines_.Next(line)) == LineReader::Status::kLine && IsBlank(line)) {
    }
    if (status == LineReader::Status::kEnd) {
      throw InputError(options.path + ": " + parser_->NoRowsMessage());
    }
    lines_.Unread();
    start_ns_ = NsToTicks(options.start_s * 1e9);
    end_ns_ = options.end_s < 0 ? -1 : NsToTicks(options.end_s * 1e9);
  }

  Pull Next(Request& out) override {
    while (!done_) {
      if (options_.max_requests >= 0 && emitted_ >= options_.max_requests) break;
      std::string_view line;
      const LineReader::Status status = lines_.Next(line);
      if (status == LineReader::Status::kEnd) break;
      if (status == LineReader::Status::kLine && IsBlank(line)) continue;
      try {
        if (status == LineReader::Status::kTooLong) throw RowError{LineReader::TooLongMessage()};
        CheckText(line);
        parser_->Parse(line, row_);
        if (have_last_ && row_.time_ns < last_ns_) {
          throw RowError{std::string(parser_->What()) + " '" + parser_->TimeName() +
                         "': expected a time at or after the previous row's " +
                         QuoteBytes(last_text_) + " (rows must be sorted by time), found " +
                         QuoteBytes(row_.time_text)};
        }
      } catch (const RowError& e) {
        if (options_.skip_bad_rows) {
          ++skipped_;
          continue;
        }
        throw InputError(lines_.Where() + ": " + e.message);
      }
      if (!have_last_) first_ns_ = row_.time_ns;
      have_last_ = true;
      last_ns_ = row_.time_ns;
      last_text_ = row_.time_text;
      const int64_t rel_ns = row_.time_ns - first_ns_;
      if (rel_ns < start_ns_) continue;
      if (end_ns_ >= 0 && rel_ns >= end_ns_) break;
      const int64_t shifted = rel_ns - start_ns_;
      out.id = emitted_++;
      // Past the horizon (a tiny time_scale, a trace spanning centuries) arrives at it: the
      // engine stops there and counts the rest as not arrived.
      out.arrival_ns = options_.time_scale == 1.0
                           ? std::min(shifted, kHorizonNs)
                           : NsToTicks(static_cast<double>(shifted) / options_.time_scale);
      out.prompt_tokens = row_.prompt_tokens;
      out.output_tokens = row_.output_tokens;
      out.client = -1;
      out.prefix_hashes.assign(row_.hashes.begin(), row_.hashes.end());
      out.prefix_block_tokens = row_.has_hashes ? static_cast<int32_t>(kMooncakeBlockTokens) : 0;
      return Pull::kRequest;
    }
    done_ = true;
    return Pull::kExhausted;
  }

  int64_t skipped_rows() const override { return skipped_; }

  std::string Describe() const override {
    std::string d = std::string("trace ") + TraceFormatName(options_.format) + " " + options_.path;
    if (options_.time_scale != 1.0)
      d += " x" + FormatSeconds(options_.time_scale) + " (rate scale)";
    if (options_.start_s > 0 || options_.end_s >= 0) {
      d += " window [" + FormatSeconds(options_.start_s) + " s, " +
           (options_.end_s >= 0 ? FormatSeconds(options_.end_s) + " s)" : "end)");
    }
    if (options_.max_requests >= 0) d += " max " + std::to_string(options_.max_requests);
    return d;
  }

 private:
  TraceOptions options_;
  LineReader lines_;
  std::unique_ptr<RowParser> parser_;
  Row row_;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = -1;
  bool have_last_ = false;
  int64_t first_ns_ = 0;
  int64_t last_ns_ = 0;
  std::string last_text_;
  int64_t emitted_ = 0;
  int64_t skipped_ = 0;
  bool done_ = false;
};

}  // namespace

const char* TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAzure:
      return "azure";
    case TraceFormat::kMooncake:
      return "mooncake";
    case TraceFormat::kCsv:
      return "csv";
    case TraceFormat::kJsonl:
      return "jsonl";
  }
  return "?";
}

std::optional<TraceFormat> ParseTraceFormat(std::string_view name) {
  for (TraceFormat f :
       {TraceFormat::kAzure, TraceFormat::kMooncake, TraceFormat::kCsv, TraceFormat::kJsonl}) {
    if (name == TraceFormatName(f)) return f;
  }
  return std::nullopt;
}

std::unique_ptr<Workload> MakeTraceWorkload(const TraceOptions& options,
                                            const std::string& source) {
  if (!(options.time_scale > 0) || !std::isfinite(options.time_scale)) {
    throw InputError(source + ".time_scale: expected a positive number, found " +
                     FormatSeconds(options.time_scale));
  }
  if (!(options.start_s >= 0) || !std::isfinite(options.start_s)) {
    throw InputError(source + ".start_s: expected a time >= 0 in seconds, found " +
                     FormatSeconds(options.start_s));
  }
  if (options.end_s >= 0 && options.end_s <= options.start_s) {
    throw InputError(source + ".end_s: expected a time after start_s (" +
                     FormatSeconds(options.start_s) + " s), found " + FormatSeconds(options.end_s));
  }
  const TraceColumns& c = options.columns;
  std::unique_ptr<RowParser> parser;
  switch (options.format) {
    case TraceFormat::kAzure:
      parser =
          std::make_unique<CsvRowParser>("TIMESTAMP", 1, true, "ContextTokens", "GeneratedTokens");
      break;
    case TraceFormat::kMooncake:
      parser = std::make_unique<JsonlRowParser>("timestamp", 1'000'000, "input_length",
                                                "output_length", "hash_ids", kMooncakeBlockTokens);
      break;
    case TraceFormat::kCsv:
      parser = std::make_unique<CsvRowParser>(c.arrival, c.arrival_unit_ns, false, c.prompt_tokens,
                                              c.output_tokens);
      break;
    case TraceFormat::kJsonl:
      parser = std::make_unique<JsonlRowParser>(c.arrival, c.arrival_unit_ns, c.prompt_tokens,
                                                c.output_tokens, "", kMooncakeBlockTokens);
      break;
  }
  return std::make_unique<TraceWorkload>(options, std::move(parser));
}

std::vector<LengthRow> LoadLengthsCsv(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path + ": is a directory, expected a lengths CSV file");
  }
  LineReader lines(path);
  if (!lines.is_open()) throw InputError(path + ": cannot open the lengths file");
  std::vector<std::string> header, fields;
  ReadCsvHeader(lines, "num_prefill_tokens,num_decode_tokens", header);
  auto index_of = [&](const std::string& name) { return ColumnIndex(lines, header, name); };
  const size_t prompt = index_of("num_prefill_tokens");
  const size_t output = index_of("num_decode_tokens");
  std::vector<LengthRow> rows;
  std::string_view line;
  LineReader::Status status;
  while ((status = lines.Next(line)) != LineReader::Status::kEnd) {
    if (status == LineReader::Status::kLine && IsBlank(line)) continue;
    try {
      if (status == LineReader::Status::kTooLong) throw RowError{LineReader::TooLongMessage()};
      CheckText(line);
      SplitCsv(line, fields);
      CheckFieldCount(line, fields, header);
      rows.push_back({ParseTokens(fields[prompt], "column", "num_prefill_tokens"),
                      ParseTokens(fields[output], "column", "num_decode_tokens")});
    } catch (const RowError& e) {
      throw InputError(lines.Where() + ": " + e.message);
    }
  }
  if (rows.empty()) throw InputError(path + ": no rows after the header");
  return rows;
}

}  // namespace servesim