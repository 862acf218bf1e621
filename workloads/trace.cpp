#include "workloads/trace.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <utility>

#include "models/input_error.h"
#include "models/json_reader.h"
#include "models/log.h"
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

// A RowError "<what> '<name>': expected <expected>, found '<found>'[; <hint>]" (what: "column" or
// "key").
[[noreturn]] void FailField(std::string_view what, std::string_view name, std::string_view expected,
                            std::string_view found, std::string_view hint = "") {
  throw RowError{std::string(what) + " '" + std::string(name) + "': expected " +
                 std::string(expected) + ", found " + QuoteBytes(found) +
                 (hint.empty() ? "" : "; " + std::string(hint))};
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

int64_t UnitNs(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds:
      return 1'000'000;
    case TimeUnit::kMicroseconds:
      return 1'000;
    case TimeUnit::kNanoseconds:
    case TimeUnit::kIso:
      return 1;
    case TimeUnit::kSeconds:
      break;
  }
  return 1'000'000'000;
}

// "the values look like milliseconds since 1970: set time_unit: ms" when `v` (in `unit`) read
// in a finer unit is a date in 1973-2286 (1e8 to 1e10 s since 1970); "" otherwise.
std::string EpochHint(double v, TimeUnit unit) {
  const struct {
    TimeUnit unit;
    const char* words;
  } finer[] = {{TimeUnit::kMilliseconds, "milliseconds"},
               {TimeUnit::kMicroseconds, "microseconds"},
               {TimeUnit::kNanoseconds, "nanoseconds"}};
  for (const auto& f : finer) {
    if (UnitNs(f.unit) >= UnitNs(unit)) continue;
    const double in_f_seconds = v * 1e-9 * static_cast<double>(UnitNs(f.unit));
    if (in_f_seconds >= 1e8 && in_f_seconds <= 1e10) {
      return std::string("the values look like ") + f.words +
             " since 1970: set time_unit: " + TimeUnitName(f.unit);
    }
  }
  return "";
}

const char* UnitWords(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds:
      return "a time in ms >= 0";
    case TimeUnit::kMicroseconds:
      return "a time in us >= 0";
    case TimeUnit::kNanoseconds:
      return "a time in ns >= 0";
    default:
      return "a time in seconds >= 0";
  }
}

// A time as integer nanoseconds: a number in `unit` (integers are converted exactly) or, for
// kIso, an ISO 8601 timestamp.
int64_t ParseTimeNs(std::string_view text, TimeUnit unit, std::string_view what,
                    std::string_view name) {
  const std::string_view t = TrimBlanks(text);
  double number = 0;
  const auto [nptr, nec] = std::from_chars(t.data(), t.data() + t.size(), number);
  const bool is_number = !t.empty() && nec == std::errc() && nptr == t.data() + t.size();
  if (unit == TimeUnit::kIso) {
    const std::optional<int64_t> ns = ParseTimestampNs(t);
    if (ns) return *ns;
    FailField(what, name,
              "a timestamp like 2023-11-16 18:15:46.6805900 (years 1970-2200)" +
                  std::string(is_number ? "" : ", optionally with Z or +HH:MM"),
              text, is_number ? "a number: set time_unit to s, ms, us or ns" : "");
  }
  const int64_t unit_ns = UnitNs(unit);
  const char* expected = UnitWords(unit);
  if (t.empty() || t.front() == '-') FailField(what, name, expected, text);
  int64_t whole = 0;
  const auto [iptr, iec] = std::from_chars(t.data(), t.data() + t.size(), whole);
  if (iec == std::errc() && iptr == t.data() + t.size()) {
    if (whole > std::numeric_limits<int64_t>::max() / unit_ns) {
      FailField(what, name, "a time below 292 years", text,
                EpochHint(static_cast<double>(whole), unit));
    }
    return whole * unit_ns;
  }
  if (!is_number || !std::isfinite(number)) {
    FailField(what, name, expected, text,
              ParseTimestampNs(t) ? "a date-time: set time_unit: iso" : "");
  }
  if (number < 0) FailField(what, name, expected, text);
  const double ns = number * static_cast<double>(unit_ns);
  if (ns >= 9.2e18) {
    FailField(what, name, "a time below 292 years", text, EpochHint(number, unit));
  }
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
  // Fills `row`; false for a row the format skips on purpose (counted, not an error).
  virtual bool Parse(std::string_view line, Row& row) = 0;
  // The name of the time field, for messages.
  virtual std::string TimeName() const = 0;
  virtual std::string_view What() const { return "column"; }
  // What a file without rows lacks, after "path: ".
  virtual std::string NoRowsMessage() const { return "no rows after the header"; }
};

// CSV with named columns: the arrival column in `unit`. `zero_output_skips`: a row with 0 output
// tokens is a failed request, skipped (BurstGPT).
class CsvRowParser : public RowParser {
 public:
  CsvRowParser(std::string arrival, TimeUnit unit, std::string prompt, std::string output,
               char separator, bool zero_output_skips = false)
      : arrival_(std::move(arrival)),
        prompt_(std::move(prompt)),
        output_(std::move(output)),
        unit_(unit),
        separator_(separator),
        zero_output_skips_(zero_output_skips) {}

  void ReadHeader(LineReader& lines) override {
    const std::string sep = separator_ == 0 ? "," : std::string(1, separator_);
    ReadCsvHeader(lines, arrival_ + sep + prompt_ + sep + output_, header_, separator_);
    auto index_of = [&](const std::string& name) { return ColumnIndex(lines, header_, name); };
    arrival_index_ = index_of(arrival_);
    prompt_index_ = index_of(prompt_);
    output_index_ = index_of(output_);
  }

  bool Parse(std::string_view line, Row& row) override {
    SplitCsv(line, fields_, separator_);
    CheckFieldCount(line, fields_, header_);
    const std::string& time = fields_[arrival_index_];
    row.time_text = time;
    row.time_ns = ParseTimeNs(time, unit_, "column", arrival_);
    row.prompt_tokens = ParseTokens(fields_[prompt_index_], "column", prompt_);
    if (zero_output_skips_ && TrimBlanks(fields_[output_index_]) == "0") return false;
    row.output_tokens = ParseTokens(fields_[output_index_], "column", output_);
    row.has_hashes = false;
    return true;
  }

  std::string TimeName() const override { return arrival_; }

 private:
  std::string arrival_, prompt_, output_;
  TimeUnit unit_;
  char separator_;
  bool zero_output_skips_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  size_t arrival_index_ = 0, prompt_index_ = 0, output_index_ = 0;
};

// A JSON value as a message shows it.
std::string Shown(const JsonValue& f) {
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

// JSON lines with named keys; `hash_key` (may be empty) gives per-block prefix hashes.
class JsonlRowParser : public RowParser {
 public:
  JsonlRowParser(std::string arrival, TimeUnit unit, std::string prompt, std::string output,
                 std::string hash_key, int64_t block_tokens)
      : arrival_(std::move(arrival)),
        prompt_(std::move(prompt)),
        output_(std::move(output)),
        hash_key_(std::move(hash_key)),
        unit_(unit),
        block_tokens_(block_tokens) {}

  bool Parse(std::string_view line, Row& row) override {
    const JsonValue& root = ParseLine(line);
    const JsonValue& time = unit_ == TimeUnit::kIso
                                ? Field(root, arrival_, JsonValue::Kind::kString)
                                : Field(root, arrival_, JsonValue::Kind::kNumber);
    row.time_text = std::string(time.text);
    row.time_ns = ParseTimeNs(time.text, unit_, "key", arrival_);
    row.prompt_tokens =
        ParseTokens(Field(root, prompt_, JsonValue::Kind::kNumber).text, "key", prompt_);
    row.output_tokens =
        ParseTokens(Field(root, output_, JsonValue::Kind::kNumber).text, "key", output_);
    row.hashes.clear();
    row.has_hashes = false;
    if (hash_key_.empty()) return true;
    const JsonValue* h = json_.Find(root, hash_key_);
    if (h == nullptr) return true;
    ReadHashes(*h, row);
    return true;
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

  // The member `key` of `root`, of `kind` (a number, or a string for ISO times).
  const JsonValue& Field(const JsonValue& root, const std::string& key,
                         JsonValue::Kind kind) const {
    const JsonValue* f = json_.Find(root, key);
    if (f == nullptr) throw RowError{"key '" + key + "': missing"};
    if (f->kind != kind) {
      FailField(
          "key", key, kind == JsonValue::Kind::kNumber ? "a number" : "a string", Shown(*f),
          kind == JsonValue::Kind::kNumber && f->kind == JsonValue::Kind::kString && key == arrival_
              ? "for date-time strings set time_unit: iso"
              : "");
    }
    return *f;
  }

  std::string arrival_, prompt_, output_, hash_key_;
  TimeUnit unit_;
  int64_t block_tokens_;
  JsonReader json_;
};

constexpr int64_t kMooncakeBlockTokens = 512;

// ---- Replay: the window, the time scale, numbering; shared by the line and document formats.

class TraceReplay : public Workload {
 public:
  TraceReplay(const TraceOptions& options, std::optional<ArrivalClock> clock)
      : options_(options), clock_(std::move(clock)) {
    start_ns_ = NsToTicks(options.start_s * 1e9);
    end_ns_ = options.end_s < 0 ? -1 : NsToTicks(options.end_s * 1e9);
  }

  int64_t skipped_rows() const override { return skipped_; }

  std::string Describe() const override {
    std::string d = std::string("trace ") + TraceFormatName(options_.format) + " " + options_.path;
    if (clock_) {
      const TraceArrivals& a = *options_.arrival;
      d += std::string(" arrivals ") + ArrivalKindName(a.kind);
      if (a.kind != ArrivalKind::kBurst) d += " " + FormatSeconds(a.rate_per_s) + " req/s";
      if (a.kind == ArrivalKind::kGamma) d += " cv " + FormatSeconds(a.cv);
    }
    if (options_.time_scale != 1.0)
      d += " x" + FormatSeconds(options_.time_scale) + " (rate scale)";
    if (options_.start_s > 0 || options_.end_s >= 0) {
      d += " window [" + FormatSeconds(options_.start_s) + " s, " +
           (options_.end_s >= 0 ? FormatSeconds(options_.end_s) + " s)" : "end)");
    }
    if (options_.max_requests >= 0) d += " max " + std::to_string(options_.max_requests);
    return d;
  }

 protected:
  enum class Place { kEmit, kSkip, kStop };

  bool Full() const { return options_.max_requests >= 0 && emitted_ >= options_.max_requests; }

  // Places `row` (its time relative to the first row's; a generated one when the trace has no
  // times): before the window (kSkip), past it (kStop) or emitted into `out`.
  Place Emit(Row& row, Request& out) {
    if (clock_) row.time_ns = clock_->Next();
    if (!have_first_) first_ns_ = row.time_ns;
    have_first_ = true;
    const int64_t rel_ns = row.time_ns - first_ns_;
    if (rel_ns < start_ns_) return Place::kSkip;
    if (end_ns_ >= 0 && rel_ns >= end_ns_) return Place::kStop;
    const int64_t shifted = rel_ns - start_ns_;
    out.id = emitted_++;
    // Past the horizon (a tiny time_scale, a trace spanning centuries) arrives at it: the
    // engine stops there and counts the rest as not arrived.
    out.arrival_ns = options_.time_scale == 1.0
                         ? std::min(shifted, kHorizonNs)
                         : NsToTicks(static_cast<double>(shifted) / options_.time_scale);
    out.prompt_tokens = row.prompt_tokens;
    out.output_tokens = row.output_tokens;
    out.client = -1;
    out.prefix_hashes.assign(row.hashes.begin(), row.hashes.end());
    out.prefix_block_tokens = row.has_hashes ? static_cast<int32_t>(kMooncakeBlockTokens) : 0;
    return Place::kEmit;
  }

  TraceOptions options_;
  std::optional<ArrivalClock> clock_;
  int64_t skipped_ = 0;

 private:
  int64_t start_ns_ = 0;
  int64_t end_ns_ = -1;
  bool have_first_ = false;
  int64_t first_ns_ = 0;
  int64_t emitted_ = 0;
};

// A line format, streamed.
class TraceWorkload : public TraceReplay {
 public:
  TraceWorkload(const TraceOptions& options, std::unique_ptr<RowParser> parser)
      : TraceReplay(options, std::nullopt), lines_(options.path), parser_(std::move(parser)) {
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
  }

  Pull Next(Request& out) override {
    while (!done_ && !Full()) {
      std::string_view line;
      const LineReader::Status status = lines_.Next(line);
      if (status == LineReader::Status::kEnd) break;
      if (status == LineReader::Status::kLine && IsBlank(line)) continue;
      try {
        if (status == LineReader::Status::kTooLong) throw RowError{LineReader::TooLongMessage()};
        CheckText(line);
        if (!parser_->Parse(line, row_)) {
          ++skipped_;
          continue;
        }
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
      have_last_ = true;
      last_ns_ = row_.time_ns;
      last_text_ = row_.time_text;
      const Place place = Emit(row_, out);
      if (place == Place::kSkip) continue;
      if (place == Place::kStop) break;
      return Pull::kRequest;
    }
    done_ = true;
    return Pull::kExhausted;
  }

 private:
  LineReader lines_;
  std::unique_ptr<RowParser> parser_;
  Row row_;
  bool have_last_ = false;
  int64_t last_ns_ = 0;
  std::string last_text_;
  bool done_ = false;
};

// ---- The JSON document formats: read whole, two lengths (and a time) per request.

struct HeldRow {
  int64_t time_ns = 0;
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;
};

// A JSON document's text and tree, with messages that name "path:line:column".
class JsonDocument {
 public:
  JsonDocument(const std::string& path, bool top_level_array)
      : path_(path), json_(Options(top_level_array)) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      throw InputError(path + ": is a directory, expected a trace file");
    }
    CheckInputFileSize(path, static_cast<std::uintmax_t>(kMaxTraceDocumentBytes), "JSON trace");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open the trace file");
    text_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) text_.erase(0, 3);
    if (IsBlank(text_) || text_.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw InputError(path + ": empty file, expected " +
                       (top_level_array ? "a JSON array of conversations" : "a JSON object"));
    }
    try {
      root_ = &json_.Parse(text_);
    } catch (const JsonError& e) {
      throw InputError(At(e.offset) + ": malformed JSON: " + e.message);
    }
  }

  const JsonValue& root() const { return *root_; }
  const JsonReader& json() const { return json_; }
  // "path:line:column" of byte `offset`.
  std::string At(size_t offset) const {
    const TextPosition p = PositionOf(text_, offset);
    return path_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
  }

 private:
  static JsonReader::Options Options(bool top_level_array) {
    JsonReader::Options o;
    o.top_level_array = top_level_array;
    o.end_name = "end of file";
    return o;
  }

  std::string path_;
  std::string text_;
  JsonReader json_;
  const JsonValue* root_ = nullptr;
};

class HeldTraceWorkload : public TraceReplay {
 public:
  HeldTraceWorkload(const TraceOptions& options, std::optional<ArrivalClock> clock,
                    std::vector<HeldRow> rows, int64_t skipped)
      : TraceReplay(options, std::move(clock)), rows_(std::move(rows)) {
    skipped_ = skipped;
  }

  Pull Next(Request& out) override {
    while (next_ < rows_.size() && !Full()) {
      const HeldRow& h = rows_[next_++];
      row_.time_ns = h.time_ns;
      row_.prompt_tokens = h.prompt_tokens;
      row_.output_tokens = h.output_tokens;
      const Place place = Emit(row_, out);
      if (place == Place::kSkip) continue;
      if (place == Place::kStop) break;
      return Pull::kRequest;
    }
    next_ = rows_.size();
    return Pull::kExhausted;
  }

 private:
  std::vector<HeldRow> rows_;
  size_t next_ = 0;
  Row row_;
};

// The array `key` of the vLLM result, or nullptr when absent; an InputError when not an array.
const JsonValue* ArrayKey(const JsonDocument& doc, const std::string& key) {
  const JsonValue* v = doc.json().Find(doc.root(), key);
  if (v != nullptr && v->kind != JsonValue::Kind::kArray) {
    throw InputError(doc.At(v->offset) + ": key '" + key + "': expected a list, found " +
                     Shown(*v));
  }
  return v;
}

// The elements of array `a`, in order.
std::vector<const JsonValue*> Elements(const JsonReader& json, const JsonValue& a) {
  std::vector<const JsonValue*> out;
  out.reserve(a.size);
  for (const JsonValue* e = json.FirstChild(a); e != nullptr; e = json.NextSibling(a, *e)) {
    out.push_back(e);
  }
  return out;
}

// The arrival process vLLM used, from the result's request_rate and burstiness.
std::optional<TraceArrivals> VllmArrivals(const JsonDocument& doc) {
  const JsonValue* rate = doc.json().Find(doc.root(), "request_rate");
  if (rate == nullptr) return std::nullopt;
  TraceArrivals a;
  if (rate->kind == JsonValue::Kind::kString && (rate->text == "inf" || rate->text == "Infinity")) {
    a.kind = ArrivalKind::kBurst;
    return a;
  }
  double r = 0;
  const auto [ptr, ec] =
      std::from_chars(rate->text.data(), rate->text.data() + rate->text.size(), r);
  if (rate->kind != JsonValue::Kind::kNumber || ec != std::errc() || !(r > 0) ||
      !std::isfinite(r)) {
    throw InputError(doc.At(rate->offset) +
                     ": key 'request_rate': expected a positive rate or \"inf\", found " +
                     Shown(*rate) + "; or give the workload's rate_per_s");
  }
  a.rate_per_s = r;
  double burstiness = 1.0;
  if (const JsonValue* b = doc.json().Find(doc.root(), "burstiness")) {
    const auto [bp, bec] =
        std::from_chars(b->text.data(), b->text.data() + b->text.size(), burstiness);
    if (b->kind != JsonValue::Kind::kNumber || bec != std::errc() || !(burstiness > 0) ||
        !std::isfinite(burstiness)) {
      throw InputError(doc.At(b->offset) +
                       ": key 'burstiness': expected a positive number, found " + Shown(*b));
    }
  }
  // vLLM draws gamma gaps of shape burstiness and mean 1/rate: cv = 1/sqrt(burstiness).
  a.kind = burstiness == 1.0 ? ArrivalKind::kPoisson : ArrivalKind::kGamma;
  a.cv = 1.0 / std::sqrt(burstiness);
  return a;
}

// Reads a vLLM benchmark result; `arrivals` gets the process to generate times with (none when
// the file's start_times are used).
std::vector<HeldRow> LoadVllmBench(const TraceOptions& o, std::optional<TraceArrivals>& arrivals,
                                   int64_t& skipped) {
  const JsonDocument doc(o.path, false);
  const JsonReader& json = doc.json();
  const JsonValue* inputs = ArrayKey(doc, "input_lens");
  const JsonValue* outputs = ArrayKey(doc, "output_lens");
  for (const auto& [v, key] :
       {std::pair{inputs, "input_lens"}, std::pair{outputs, "output_lens"}}) {
    if (v == nullptr) {
      throw InputError(o.path + ": key '" + std::string(key) +
                       "': missing; save the benchmark with --save-result --save-detailed (vllm "
                       "bench serve) to keep the per-request lengths");
    }
  }
  const JsonValue* starts = ArrayKey(doc, "start_times");
  const JsonValue* errors = ArrayKey(doc, "errors");
  for (const JsonValue* v : {outputs, starts, errors}) {
    if (v != nullptr && v->size != inputs->size) {
      throw InputError(doc.At(v->offset) + ": key '" + std::string(v->key) + "': expected " +
                       std::to_string(inputs->size) +
                       " entries (one per input_lens entry), found " + std::to_string(v->size));
    }
  }
  if (inputs->size == 0)
    throw InputError(o.path + ": key 'input_lens': no requests (an empty list)");
  if (!arrivals && starts == nullptr) {
    arrivals = VllmArrivals(doc);
    if (!arrivals) {
      throw InputError(o.path +
                       ": no start_times and no request_rate: give the workload's rate_per_s "
                       "(and arrival) to say how the requests arrive");
    }
  }
  const bool timed = !arrivals;
  const auto in = Elements(json, *inputs);
  const auto out = Elements(json, *outputs);
  const auto st = starts ? Elements(json, *starts) : std::vector<const JsonValue*>();
  const auto er = errors ? Elements(json, *errors) : std::vector<const JsonValue*>();
  std::vector<HeldRow> rows;
  rows.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string index = "[" + std::to_string(i) + "]";
    const JsonValue* at = in[i];
    try {
      if (!er.empty() && er[i]->kind == JsonValue::Kind::kString && !er[i]->text.empty()) {
        ++skipped;  // a failed request
        continue;
      }
      HeldRow r;
      r.prompt_tokens = ParseTokens(in[i]->text, "key", "input_lens" + index);
      at = out[i];
      if (TrimBlanks(out[i]->text) == "0") {
        ++skipped;  // failed: no output
        continue;
      }
      r.output_tokens = ParseTokens(out[i]->text, "key", "output_lens" + index);
      if (timed) {
        at = st[i];
        r.time_ns = ParseTimeNs(st[i]->text, TimeUnit::kSeconds, "key", "start_times" + index);
      }
      rows.push_back(r);
    } catch (const RowError& e) {
      if (o.skip_bad_rows) {
        ++skipped;
        continue;
      }
      throw InputError(doc.At(at->offset) + ": " + e.message);
    }
  }
  if (rows.empty()) {
    throw InputError(o.path + ": no request succeeded (each has an error or 0 output tokens)");
  }
  // Requests are sent in order, but their recorded start times can be a hair out of it.
  if (timed) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const HeldRow& a, const HeldRow& b) { return a.time_ns < b.time_ns; });
  }
  return rows;
}

// Tokens estimated from text: ceil(Unicode characters / 4), at least 1.
int64_t EstimateTokens(std::string_view raw_json_string) {
  const std::string text = DecodeJsonString(raw_json_string);
  int64_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return std::min(std::max<int64_t>(1, (chars + 3) / 4), kMaxTraceTokens);
}

std::vector<HeldRow> LoadShareGpt(const TraceOptions& o, int64_t& skipped) {
  const JsonDocument doc(o.path, true);
  const JsonReader& json = doc.json();
  if (doc.root().kind != JsonValue::Kind::kArray) {
    throw InputError(doc.At(doc.root().offset) +
                     ": expected a JSON array of conversations ([{\"conversations\": [...]}, "
                     "...]), found an object");
  }
  std::vector<HeldRow> rows;
  int64_t short_ones = 0;
  size_t i = 0;
  for (const JsonValue* c = json.FirstChild(doc.root()); c != nullptr;
       c = json.NextSibling(doc.root(), *c), ++i) {
    const JsonValue* at = c;
    try {
      const std::string where = "conversation " + std::to_string(i);
      if (c->kind != JsonValue::Kind::kObject) {
        throw RowError{where + ": expected an object with 'conversations', found " + Shown(*c)};
      }
      const JsonValue* turns = json.Find(*c, "conversations");
      if (turns == nullptr) throw RowError{where + ": key 'conversations': missing"};
      at = turns;
      if (turns->kind != JsonValue::Kind::kArray) {
        FailField("key", "conversations", "a list of turns", Shown(*turns));
      }
      if (turns->size < 2) {
        ++short_ones;
        continue;
      }
      int64_t tokens[2] = {0, 0};
      const JsonValue* turn = json.FirstChild(*turns);
      for (int k = 0; k < 2; ++k, turn = json.NextSibling(*turns, *turn)) {
        at = turn;
        const JsonValue* value =
            turn->kind == JsonValue::Kind::kObject ? json.Find(*turn, "value") : nullptr;
        if (value == nullptr || value->kind != JsonValue::Kind::kString) {
          FailField("key", "conversations[" + std::to_string(k) + "].value", "a string (the text)",
                    value == nullptr ? std::string("nothing") : Shown(*value));
        }
        tokens[k] = EstimateTokens(value->text);
      }
      rows.push_back({0, tokens[0], tokens[1]});
    } catch (const RowError& e) {
      if (o.skip_bad_rows) {
        ++skipped;
        continue;
      }
      throw InputError(doc.At(at->offset) + ": " + e.message);
    }
  }
  if (short_ones > 0) {
    CliLog().info(
        "{}: skipped {} conversation(s) with fewer than two turns (as vLLM's benchmark does)",
        o.path, short_ones);
  }
  if (rows.empty()) {
    throw InputError(o.path + ": no conversation with two turns (a prompt and a response)");
  }
  // Once per process: a sweep opens the trace once per point.
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    CliLog().warn(
        "{}: token counts are estimated from the text as ceil(characters / 4), not tokenized; "
        "for exact counts use a lengths CSV",
        o.path);
  }
  return rows;
}

struct FormatInfo {
  TraceFormat format;
  const char* name;
  std::optional<TimeUnit> unit;
  bool csv;
};

constexpr FormatInfo kFormats[] = {
    {TraceFormat::kAzure, "azure", TimeUnit::kIso, true},
    {TraceFormat::kBurstGpt, "burstgpt", TimeUnit::kSeconds, true},
    {TraceFormat::kSplitwise, "splitwise", TimeUnit::kSeconds, true},
    {TraceFormat::kMooncake, "mooncake", TimeUnit::kMilliseconds, false},
    {TraceFormat::kVllmBench, "vllm_bench", std::nullopt, false},
    {TraceFormat::kShareGpt, "sharegpt", std::nullopt, false},
    {TraceFormat::kCsv, "csv", TimeUnit::kSeconds, true},
    {TraceFormat::kJsonl, "jsonl", TimeUnit::kSeconds, false},
};

const FormatInfo& Info(TraceFormat format) {
  for (const FormatInfo& f : kFormats) {
    if (f.format == format) return f;
  }
  return kFormats[0];
}

// The ArrivalClock of `a` on the scenario's "arrivals" stream.
ArrivalClock MakeClock(const TraceArrivals& a, uint64_t seed) {
  return ArrivalClock(a.kind, a.rate_per_s, a.cv, MakeStream(seed, "arrivals"));
}

// The arrival options' errors, named `source`.key.
void CheckArrivals(const TraceArrivals& a, const std::string& source) {
  if (a.kind != ArrivalKind::kBurst && (!(a.rate_per_s > 0) || !std::isfinite(a.rate_per_s))) {
    throw InputError(source +
                     ".rate_per_s: expected a positive rate in requests per second, found " +
                     FormatSeconds(a.rate_per_s));
  }
  if (a.kind == ArrivalKind::kGamma && (!(a.cv > 0) || !std::isfinite(a.cv))) {
    throw InputError(source + ".cv: expected a positive coefficient of variation, found " +
                     FormatSeconds(a.cv));
  }
}

std::unique_ptr<RowParser> MakeLineParser(const TraceOptions& o, TimeUnit unit) {
  const TraceColumns& c = o.columns;
  switch (o.format) {
    case TraceFormat::kAzure:
      return std::make_unique<CsvRowParser>("TIMESTAMP", unit, "ContextTokens", "GeneratedTokens",
                                            o.separator);
    case TraceFormat::kBurstGpt:
      return std::make_unique<CsvRowParser>("Timestamp", unit, "Request tokens", "Response tokens",
                                            o.separator, /*zero_output_skips=*/true);
    case TraceFormat::kSplitwise:
      return std::make_unique<CsvRowParser>("arrival_timestamp", unit, "prompt_size", "token_size",
                                            o.separator);
    case TraceFormat::kMooncake:
      return std::make_unique<JsonlRowParser>("timestamp", unit, "input_length", "output_length",
                                              "hash_ids", kMooncakeBlockTokens);
    case TraceFormat::kCsv:
      return std::make_unique<CsvRowParser>(c.arrival, unit, c.prompt_tokens, c.output_tokens,
                                            o.separator);
    default:
      return std::make_unique<JsonlRowParser>(c.arrival, unit, c.prompt_tokens, c.output_tokens, "",
                                              kMooncakeBlockTokens);
  }
}

// The first line of `path` (at most 64 KiB of it), without a byte-order mark; false when the file
// cannot be read.
bool FirstLine(const std::string& path, std::string& line) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  line.assign(64 * 1024, '\0');
  in.read(line.data(), static_cast<std::streamsize>(line.size()));
  line.resize(static_cast<size_t>(in.gcount()));
  if (line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  const size_t start = line.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return true;
  line.erase(0, start);
  if (line[0] != '[' && line[0] != '{') line = line.substr(0, line.find_first_of("\r\n"));
  return true;
}

}  // namespace

const char* TraceFormatName(TraceFormat format) { return Info(format).name; }

std::optional<TraceFormat> ParseTraceFormat(std::string_view name) {
  for (const FormatInfo& f : kFormats) {
    if (name == f.name) return f.format;
  }
  return std::nullopt;
}

const std::vector<TraceFormat>& TraceFormats() {
  static const std::vector<TraceFormat> all = [] {
    std::vector<TraceFormat> out;
    for (const FormatInfo& f : kFormats) out.push_back(f.format);
    return out;
  }();
  return all;
}

const char* TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds:
      return "ms";
    case TimeUnit::kMicroseconds:
      return "us";
    case TimeUnit::kNanoseconds:
      return "ns";
    case TimeUnit::kIso:
      return "iso";
    case TimeUnit::kSeconds:
      break;
  }
  return "s";
}

std::optional<TimeUnit> ParseTimeUnit(std::string_view name) {
  for (TimeUnit u : {TimeUnit::kSeconds, TimeUnit::kMilliseconds, TimeUnit::kMicroseconds,
                     TimeUnit::kNanoseconds, TimeUnit::kIso}) {
    if (name == TimeUnitName(u)) return u;
  }
  return std::nullopt;
}

std::optional<TimeUnit> TraceFormatTimeUnit(TraceFormat format) { return Info(format).unit; }

bool TraceFormatIsCsv(TraceFormat format) { return Info(format).csv; }

std::optional<TraceFormat> GuessTraceFormat(const std::string& path, std::string* why) {
  auto say = [&](std::string text) {
    if (why != nullptr) *why = std::move(text);
  };
  std::string line;
  if (!FirstLine(path, line)) {
    say("cannot read the file");
    return std::nullopt;
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  auto has = [&](std::string_view s) { return line.find(s) != std::string::npos; };
  if (!line.empty() && line[0] == '[') {
    if (has("\"conversations\"") || ext == ".json") {
      say("a JSON array (ShareGPT conversations)");
      return TraceFormat::kShareGpt;
    }
  }
  if (!line.empty() && line[0] == '{') {
    if (has("\"input_lens\"") || (has("\"num_prompts\"") && has("\"request_rate\""))) {
      say("a vLLM benchmark result (input_lens)");
      return TraceFormat::kVllmBench;
    }
    if (has("\"input_length\"") && has("\"output_length\"") && has("\"timestamp\"")) {
      say("JSON lines with Mooncake's keys");
      return TraceFormat::kMooncake;
    }
    say("JSON lines without a known layout (format jsonl with columns)");
    return std::nullopt;
  }
  std::vector<std::string> header;
  try {
    SplitCsv(line, header, DetectSeparator(line));
  } catch (const RowError&) {
    say("a first line that is neither JSON nor a CSV header");
    return std::nullopt;
  }
  for (std::string& h : header) h = std::string(TrimBlanks(h));
  auto cols = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (std::find(header.begin(), header.end(), n) == header.end()) return false;
    }
    return true;
  };
  if (cols({"TIMESTAMP", "ContextTokens", "GeneratedTokens"})) {
    say("the Azure LLM trace header");
    return TraceFormat::kAzure;
  }
  if (cols({"Timestamp", "Request tokens", "Response tokens"})) {
    say("the BurstGPT header");
    return TraceFormat::kBurstGpt;
  }
  if (cols({"arrival_timestamp", "prompt_size", "token_size"})) {
    say("the splitwise-sim trace header");
    return TraceFormat::kSplitwise;
  }
  if (cols({"arrived_at", "num_prefill_tokens", "num_decode_tokens"})) {
    say("Vidur's trace header");
    return TraceFormat::kCsv;
  }
  if (cols({"num_prefill_tokens", "num_decode_tokens"})) {
    say("a lengths CSV (no arrival times): use it as an empirical length distribution");
    return std::nullopt;
  }
  say("a header naming no known format's columns: " + QuoteBytes(line));
  return std::nullopt;
}

std::unique_ptr<Workload> MakeTraceWorkload(const TraceOptions& options, const std::string& source,
                                            uint64_t seed) {
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
  const std::optional<TimeUnit> format_unit = TraceFormatTimeUnit(options.format);
  const char* name = TraceFormatName(options.format);
  if (options.time_unit && !format_unit) {
    throw InputError(source + ".time_unit: does not apply to format " + name +
                     " (it has no time column)");
  }
  if (options.separator != 0 && !TraceFormatIsCsv(options.format)) {
    throw InputError(source + ".separator: applies to the CSV formats only (format " + name +
                     " is JSON)");
  }
  if (options.arrival && format_unit) {
    throw InputError(source + ".rate_per_s: format " + name +
                     " has arrival times; generated arrivals apply to vllm_bench and sharegpt");
  }
  if (options.arrival) CheckArrivals(*options.arrival, source);
  if (format_unit) {
    return std::make_unique<TraceWorkload>(
        options, MakeLineParser(options, options.time_unit.value_or(*format_unit)));
  }
  TraceOptions o = options;
  int64_t skipped = 0;
  std::vector<HeldRow> rows;
  if (o.format == TraceFormat::kShareGpt) {
    if (!o.arrival) {
      throw InputError(source +
                       ": missing required key 'rate_per_s' (format sharegpt has no "
                       "timestamps: give rate_per_s, and optionally arrival: poisson | "
                       "gamma | constant | burst and cv)");
    }
    rows = LoadShareGpt(o, skipped);
  } else {
    rows = LoadVllmBench(o, o.arrival, skipped);
  }
  std::optional<ArrivalClock> clock;
  if (o.arrival) clock = MakeClock(*o.arrival, seed);
  return std::make_unique<HeldTraceWorkload>(o, std::move(clock), std::move(rows), skipped);
}

std::vector<LengthRow> LoadLengthsCsv(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path + ": is a directory, expected a lengths CSV file");
  }
  LineReader lines(path);
  if (!lines.is_open()) throw InputError(path + ": cannot open the lengths file");
  std::vector<std::string> header, fields;
  char separator = 0;
  ReadCsvHeader(lines, "num_prefill_tokens,num_decode_tokens", header, separator);
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
      SplitCsv(line, fields, separator);
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