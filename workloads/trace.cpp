#include "workloads/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>

#include "models/input_error.h"

namespace servesim {
namespace {

// ---- Small text helpers.

// Length of the valid UTF-8 sequence of 2-4 bytes starting at text[i], or 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  size_t n = 0;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong 3-byte forms, UTF-16 surrogates and code points above U+10FFFF.
  if ((b == 0xE0 && byte(i + 1) < 0xA0) || (b == 0xED && byte(i + 1) >= 0xA0) ||
      (b == 0xF0 && byte(i + 1) < 0x90) || (b == 0xF4 && byte(i + 1) >= 0x90)) {
    return 0;
  }
  return n;
}

// `text` cut to `max_bytes` (with "..." when cut) for a one-line message: control bytes and bytes
// that are not valid UTF-8 are written as \xNN, so binary junk cannot garble a terminal.
std::string Printable(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t n = c >= 0x80 ? Utf8SequenceLength(text, i) : 0;
    if (n > 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x%02X", c);
    out += buf;
    ++i;
  }
  if (i < text.size()) out += "...";
  return out;
}

std::string Quote(std::string_view text) { return "'" + Printable(text, 60) + "'"; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string FormatSeconds(double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%g", s);
  return buf;
}

// The error of one row, before the reader adds "path:line: ".
struct RowError {
  std::string message;
};

[[noreturn]] void FailField(std::string_view what, std::string_view name, std::string_view expected,
                            std::string_view found) {
  throw RowError{std::string(what) + " '" + std::string(name) + "': expected " +
                 std::string(expected) + ", found " + Quote(found)};
}

// A token count: a positive integer (an integral decimal like "512.0" is accepted) up to
// kMaxTraceTokens.
int64_t ParseTokens(std::string_view text, std::string_view what, std::string_view name) {
  const std::string_view t = Trim(text);
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
  const std::string_view t = Trim(text);
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

// Splits one CSV line into `fields` (RFC 4180 quoting, no line breaks inside quotes).
void SplitCsv(std::string_view line, std::vector<std::string>& fields) {
  // The strings of `fields` are reused from row to row, so a steady file allocates nothing.
  size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& f = fields[count++];
    f.clear();
    return f;
  };
  size_t i = 0;
  while (true) {
    std::string& field = next_field();
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          field += line[i++];
        }
      }
      if (!closed) throw RowError{"unterminated quoted field"};
      if (i < line.size() && line[i] != ',') {
        throw RowError{"expected ',' after a quoted field, found " + Quote(line.substr(i, 1))};
      }
    } else {
      const size_t end = std::min(line.find(',', i), line.size());
      field.assign(line.substr(i, end - i));
      i = end;
    }
    if (i >= line.size()) break;
    ++i;  // the comma
    if (i == line.size()) {
      next_field();  // a trailing comma ends with an empty field
      break;
    }
  }
  fields.resize(count);
}

// ---- Lines of a file, streamed.

// Splits a file into lines in fixed chunks, holding at most one line of kMaxTraceLineBytes.
class LineReader {
 public:
  enum class Status { kLine, kEnd, kTooLong };

  explicit LineReader(const std::string& path)
      : path_(path), in_(path, std::ios::binary), chunk_(kChunkBytes) {}
  bool is_open() const { return in_.is_open(); }

  // The next line without its line end (LF, CRLF or a lone CR) and, on the first line, without a
  // UTF-8 byte-order mark. kTooLong: the line passed kMaxTraceLineBytes; `line` is empty, the line
  // counts, and the next call skips the rest of it without holding it.
  Status Next(std::string_view& line) {
    if (replay_) {
      replay_ = false;
      line = last_status_ == Status::kLine ? view_ : std::string_view();
      return last_status_;
    }
    last_status_ = Read();
    line = last_status_ == Status::kLine ? view_ : std::string_view();
    return last_status_;
  }
  // The next Next() returns the same line (or status) again.
  void Unread() { replay_ = true; }

  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  std::string Where() const { return path_ + ":" + std::to_string(line_number_); }
  // The message for a kTooLong line, after Where().
  static std::string TooLongMessage() {
    return "line longer than " + std::to_string(kMaxTraceLineBytes) +
           " bytes (1 MiB, the limit of a trace line); a corrupt or binary file, or no line "
           "breaks?";
  }

 private:
  static constexpr size_t kChunkBytes = 64 * 1024;

  bool Fill() {
    if (eof_) return false;
    pos_ = 0;
    end_ = static_cast<size_t>(
        std::max<std::streamsize>(0, in_.rdbuf()->sgetn(chunk_.data(), kChunkBytes)));
    if (end_ == 0) eof_ = true;
    return end_ > 0;
  }

  // Consumes the rest of an over-long line, up to and including its line end.
  void SkipRestOfLine() {
    while (in_long_line_) {
      if (pos_ == end_ && !Fill()) {
        in_long_line_ = false;
        break;
      }
      const char* begin = chunk_.data() + pos_;
      const size_t avail = end_ - pos_;
      const char* lf = static_cast<const char*>(std::memchr(begin, '\n', avail));
      const size_t n = lf != nullptr ? static_cast<size_t>(lf - begin) : avail;
      const char* cr = static_cast<const char*>(std::memchr(begin, '\r', n));
      const char* stop = cr != nullptr ? cr : lf;
      if (stop == nullptr) {
        pos_ = end_;
        continue;
      }
      pos_ = static_cast<size_t>(stop - chunk_.data()) + 1;
      skip_lf_ = *stop == '\r';
      in_long_line_ = false;
    }
  }

  Status Read() {
    if (in_long_line_) SkipRestOfLine();
    buffer_.clear();
    bool any = false;
    while (true) {
      if (pos_ == end_ && !Fill()) {
        if (!any) return Status::kEnd;
        break;  // the last line has no line end
      }
      if (skip_lf_) {  // the LF of a CRLF split across chunks or lines
        skip_lf_ = false;
        if (chunk_[pos_] == '\n') {
          ++pos_;
          continue;
        }
      }
      any = true;
      const char* begin = chunk_.data() + pos_;
      const size_t avail = end_ - pos_;
      const char* lf = static_cast<const char*>(std::memchr(begin, '\n', avail));
      size_t n = lf != nullptr ? static_cast<size_t>(lf - begin) : avail;
      const char* cr = static_cast<const char*>(std::memchr(begin, '\r', n));
      const char* stop = lf;
      if (cr != nullptr) {
        stop = cr;
        n = static_cast<size_t>(cr - begin);
      }
      if (buffer_.size() + n > static_cast<size_t>(kMaxTraceLineBytes)) {
        ++line_number_;
        buffer_.clear();
        buffer_.shrink_to_fit();
        in_long_line_ = true;
        return Status::kTooLong;
      }
      buffer_.append(begin, n);
      pos_ += n;
      if (stop != nullptr) {
        ++pos_;
        skip_lf_ = *stop == '\r';
        break;
      }
    }
    ++line_number_;
    view_ = buffer_;
    if (line_number_ == 1 && view_.substr(0, 3) == "\xEF\xBB\xBF") view_.remove_prefix(3);
    return Status::kLine;
  }

  std::string path_;
  std::ifstream in_;
  std::vector<char> chunk_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool skip_lf_ = false;       // the last line ended with CR: a LF right after belongs to it
  bool in_long_line_ = false;  // the last line was kTooLong; the rest of it is still unread
  bool replay_ = false;
  Status last_status_ = Status::kEnd;
  std::string buffer_;
  std::string_view view_;
  int64_t line_number_ = 0;
};

// A NUL byte never occurs in a text trace: the file is binary.
void CheckText(std::string_view line) {
  if (const size_t nul = line.find('\0'); nul != std::string_view::npos) {
    throw RowError{"NUL byte at character " + std::to_string(nul + 1) +
                   ": a binary file, not a text trace"};
  }
}

// A header names columns in text: a control byte (other than tab) or a byte that is not UTF-8
// there means the file is not a CSV trace at all (an image, an archive, a spreadsheet).
void CheckHeaderText(std::string_view line) {
  for (size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    size_t n = 1;
    if (c >= 0x80) n = Utf8SequenceLength(line, i);
    if ((c < 0x20 && c != '\t') || c == 0x7F || n == 0) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%02X", c);
      throw RowError{std::string("byte ") + buf + " at character " + std::to_string(i + 1) +
                     " is not text: a binary file, not a CSV trace"};
    }
    i += n;
  }
}

bool IsBlank(std::string_view line) { return Trim(line).empty(); }

// ---- A strict parser of one flat JSON object per line: keys are strings, values are numbers,
// strings, true/false/null, arrays (of numbers, kept) or nested values (skipped).

struct JsonField {
  std::string_view key;
  enum class Kind { kNumber, kString, kLiteral, kArray, kObject } kind = Kind::kNumber;
  std::string_view text;                   // number / string / literal
  size_t array_begin = 0, array_size = 0;  // into the number list
  bool numeric_array = true;               // every element a number
};

class JsonLineParser {
 public:
  // Parses `line`; throws RowError on malformed JSON.
  void Parse(std::string_view line) {
    line_ = line;
    pos_ = 0;
    fields_.clear();
    numbers_.clear();
    Ws();
    Expect('{');
    Ws();
    if (Peek() == '}') {
      ++pos_;
    } else {
      while (true) {
        Ws();
        JsonField f;
        f.key = String();
        for (const JsonField& g : fields_) {
          if (g.key == f.key) throw RowError{"duplicate key " + Quote(f.key)};
        }
        Ws();
        Expect(':');
        Ws();
        Value(f, 0);
        fields_.push_back(f);
        Ws();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        Expect('}');
        break;
      }
    }
    Ws();
    if (pos_ != line_.size()) Fail("end of line after the object");
  }

  const JsonField* Find(std::string_view key) const {
    for (const JsonField& f : fields_) {
      if (f.key == key) return &f;
    }
    return nullptr;
  }
  std::string_view Number(size_t i) const { return numbers_[i]; }

 private:
  char Peek() const { return pos_ < line_.size() ? line_[pos_] : '\0'; }
  void Ws() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  [[noreturn]] void Fail(std::string_view expected) const {
    const std::string found = pos_ < line_.size() ? Quote(line_.substr(pos_, 12)) : "end of line";
    throw RowError{"malformed JSON at character " + std::to_string(pos_ + 1) + ": expected " +
                   std::string(expected) + ", found " + found};
  }
  void Expect(char c) {
    if (Peek() != c) Fail(std::string("'") + c + "'");
    ++pos_;
  }
  std::string_view String() {
    if (Peek() != '"') Fail("a string");
    const size_t begin = ++pos_;
    while (pos_ < line_.size() && line_[pos_] != '"') {
      if (line_[pos_] == '\\') ++pos_;  // kept raw; our keys and values carry no escapes
      ++pos_;
    }
    if (pos_ >= line_.size()) Fail("a closing '\"'");
    return line_.substr(begin, pos_++ - begin);
  }
  std::string_view NumberToken() {
    const size_t begin = pos_;
    auto digits = [&] {
      const size_t b = pos_;
      while (pos_ < line_.size() && line_[pos_] >= '0' && line_[pos_] <= '9') ++pos_;
      return pos_ > b;
    };
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      pos_ = begin;
      Fail("a value");
    }
    if (Peek() == '.') {
      ++pos_;
      if (!digits()) Fail("digits after '.'");
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!digits()) Fail("exponent digits");
    }
    return line_.substr(begin, pos_ - begin);
  }
  void Value(JsonField& f, int depth) {
    if (depth > 32) Fail("less nesting");
    const char c = Peek();
    if (c == '"') {
      f.kind = JsonField::Kind::kString;
      f.text = String();
    } else if (c == '[') {
      f.kind = JsonField::Kind::kArray;
      f.array_begin = numbers_.size();
      ++pos_;
      Ws();
      if (Peek() == ']') {
        ++pos_;
      } else {
        while (true) {
          Ws();
          if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) {
            numbers_.push_back(NumberToken());
          } else {
            JsonField inner;
            Value(inner, depth + 1);
            f.numeric_array = false;
          }
          Ws();
          if (Peek() == ',') {
            ++pos_;
            continue;
          }
          Expect(']');
          break;
        }
      }
      f.array_size = numbers_.size() - f.array_begin;
    } else if (c == '{') {
      f.kind = JsonField::Kind::kObject;
      ++pos_;
      Ws();
      if (Peek() == '}') {
        ++pos_;
        return;
      }
      while (true) {
        Ws();
        String();
        Ws();
        Expect(':');
        Ws();
        JsonField inner;
        Value(inner, depth + 1);
        Ws();
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        Expect('}');
        break;
      }
    } else if (line_.substr(pos_, 4) == "true" || line_.substr(pos_, 4) == "null") {
      f.kind = JsonField::Kind::kLiteral;
      f.text = line_.substr(pos_, 4);
      pos_ += 4;
    } else if (line_.substr(pos_, 5) == "false") {
      f.kind = JsonField::Kind::kLiteral;
      f.text = line_.substr(pos_, 5);
      pos_ += 5;
    } else {
      f.kind = JsonField::Kind::kNumber;
      f.text = NumberToken();
    }
  }

  std::string_view line_;
  size_t pos_ = 0;
  std::vector<JsonField> fields_;
  std::vector<std::string_view> numbers_;
};

// ---- One parsed row, before windowing.

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

// The header as written, for messages (cut and escaped like a quoted value, at 200 bytes).
std::string HeaderList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && out.size() <= 200; ++i) out += (i ? "," : "") + names[i];
  return Printable(out, 200);
}

// Reads the first non-blank line as a CSV header into `header` (cells trimmed); an empty file is
// an error that says which columns were expected.
void ReadCsvHeader(LineReader& lines, const std::string& expected,
                   std::vector<std::string>& header) {
  std::string_view line;
  LineReader::Status status;
  while ((status = lines.Next(line)) == LineReader::Status::kLine && IsBlank(line)) {
  }
  if (status == LineReader::Status::kTooLong) {
    throw InputError(lines.Where() + ": header: " + LineReader::TooLongMessage());
  }
  if (status == LineReader::Status::kEnd) {
    throw InputError(lines.path() + ": empty file, expected a header line naming the columns " +
                     expected);
  }
  try {
    CheckHeaderText(line);
    SplitCsv(line, header);
  } catch (const RowError& e) {
    throw InputError(lines.Where() + ": header: " + e.message);
  }
  for (std::string& h : header) h = std::string(Trim(h));
}

// Index of column `name` in `header`, or an error naming the header line and the nearest name; a
// column the header names twice is ambiguous and an error too.
size_t ColumnIndex(const LineReader& lines, const std::vector<std::string>& header,
                   const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    throw InputError(lines.Where() + ": column '" + name + "': missing from the header '" +
                     HeaderList(header) + "'" + Printable(DidYouMean(name, header), 200));
  }
  const size_t index = static_cast<size_t>(it - header.begin());
  const auto again = std::find(it + 1, header.end(), name);
  if (again != header.end()) {
    throw InputError(lines.Where() + ": column '" + name +
                     "': expected once in the header, found it as fields " +
                     std::to_string(index + 1) + " and " +
                     std::to_string(again - header.begin() + 1) + " (which one holds the values?)");
  }
  return index;
}

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
    if (fields_.size() != header_.size()) {
      throw RowError{"expected " + std::to_string(header_.size()) + " fields (" +
                     HeaderList(header_) + "), found " + std::to_string(fields_.size()) + " in " +
                     Quote(line)};
    }
    const std::string& time = fields_[arrival_index_];
    row.time_text = time;
    if (azure_timestamp_) {
      const std::optional<int64_t> ns = ParseTimestampNs(Trim(time));
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
    json_.Parse(line);
    const JsonField& time = Number(arrival_);
    row.time_text = std::string(time.text);
    row.time_ns = ParseTimeNs(time.text, unit_ns_, "key", arrival_);
    row.prompt_tokens = ParseTokens(Number(prompt_).text, "key", prompt_);
    row.output_tokens = ParseTokens(Number(output_).text, "key", output_);
    row.hashes.clear();
    row.has_hashes = false;
    if (hash_key_.empty()) return;
    const JsonField* h = json_.Find(hash_key_);
    if (h == nullptr) return;
    if (h->kind != JsonField::Kind::kArray || !h->numeric_array) {
      FailField("key", hash_key_, "a list of non-negative integers", Shown(*h));
    }
    const int64_t want = (row.prompt_tokens + block_tokens_ - 1) / block_tokens_;
    if (static_cast<int64_t>(h->array_size) != want) {
      FailField("key", hash_key_,
                std::to_string(want) + " ids (one per " + std::to_string(block_tokens_) +
                    "-token block of " + std::to_string(row.prompt_tokens) + " prompt tokens)",
                std::to_string(h->array_size) + " ids");
    }
    for (size_t i = 0; i < h->array_size; ++i) {
      const std::string_view t = json_.Number(h->array_begin + i);
      uint64_t v = 0;
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || ptr != t.data() + t.size()) {
        FailField("key", hash_key_, "non-negative integer ids", t);
      }
      row.hashes.push_back(v);
    }
    row.has_hashes = true;
  }

  std::string TimeName() const override { return arrival_; }
  std::string_view What() const override { return "key"; }
  std::string NoRowsMessage() const override {
    return "empty file, expected one JSON object per line with keys '" + arrival_ + "', '" +
           prompt_ + "', '" + output_ + "'";
  }

 private:
  static std::string Shown(const JsonField& f) {
    switch (f.kind) {
      case JsonField::Kind::kString:
        return "\"" + std::string(f.text) + "\"";
      case JsonField::Kind::kArray:
        return "a list";
      case JsonField::Kind::kObject:
        return "an object";
      default:
        return std::string(f.text);
    }
  }
  const JsonField& Number(const std::string& key) const {
    const JsonField* f = json_.Find(key);
    if (f == nullptr) throw RowError{"key '" + key + "': missing"};
    if (f->kind != JsonField::Kind::kNumber) FailField("key", key, "a number", Shown(*f));
    return *f;
  }

  std::string arrival_, prompt_, output_, hash_key_;
  int64_t unit_ns_;
  int64_t block_tokens_;
  JsonLineParser json_;
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
    start_ns_ = std::llround(options.start_s * 1e9);
    end_ns_ = options.end_s < 0 ? -1 : std::llround(options.end_s * 1e9);
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
                         "': expected a time at or after the previous row's " + Quote(last_text_) +
                         " (rows must be sorted by time), found " + Quote(row_.time_text)};
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
      out.arrival_ns = options_.time_scale == 1.0
                           ? shifted
                           : std::llround(static_cast<double>(shifted) / options_.time_scale);
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

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> ParseTimestampNs(std::string_view t) {
  auto num = [&](size_t pos, size_t len, int64_t& out) {
    if (pos + len > t.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (t.size() < 19 || !num(0, 4, y) || t[4] != '-' || !num(5, 2, mo) || t[7] != '-' ||
      !num(8, 2, d) || (t[10] != ' ' && t[10] != 'T') || !num(11, 2, h) || t[13] != ':' ||
      !num(14, 2, mi) || t[16] != ':' || !num(17, 2, s)) {
    return std::nullopt;
  }
  // Years are bounded so that any two timestamps' distance fits int64 nanoseconds (292 years).
  if (y < 1970 || y > 2200) return std::nullopt;
  constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDaysIn[mo - 1] || (mo == 2 && d == 29 && !leap) ||
      h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20 || t.size() > 29) return std::nullopt;
    int64_t scale = 100'000'000;
    for (size_t i = 20; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      frac_ns += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86'400 + h * 3'600 + mi * 60 + s;
  return seconds * 1'000'000'000 + frac_ns;
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
      if (fields.size() != header.size()) {
        throw RowError{"expected " + std::to_string(header.size()) + " fields (" +
                       HeaderList(header) + "), found " + std::to_string(fields.size()) + " in " +
                       Quote(line)};
      }
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
