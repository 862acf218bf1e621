// Lines of a text file, streamed: what the trace and lengths readers see of a file.
//
// Models: a file read in fixed 64 KiB chunks and split at LF, CRLF or a lone CR (a CRLF split
// across two chunks is one line end), with a UTF-8 byte-order mark dropped from the first line and
// at most one line held in memory. A line longer than kMaxTraceLineBytes is reported as soon as the
// cap is passed and its remainder is skipped without being held, so a file without line breaks
// (binary junk, one gigantic line) costs at most the cap in memory.
// Ignores: encodings other than UTF-8 / ASCII, quoted fields spanning lines (a line is a line),
// and files that change while being read.
//
// Also here: RowError, the error of one line before the reader's caller adds "path:line: ", and the
// line-level checks every row format shares (blank lines, NUL bytes).
#ifndef SERVESIM_WORKLOADS_LINE_READER_H_
#define SERVESIM_WORKLOADS_LINE_READER_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

// Longest line, in bytes without its line end, that the trace and lengths readers accept (1 MiB:
// a trace row is tens of bytes, a Mooncake row with hash ids a few KiB). A longer line is an
// InputError naming the file, the line and this cap, raised before more than the cap is held.
inline constexpr int64_t kMaxTraceLineBytes = int64_t{1} << 20;

// The error of one line (a malformed row or header), before the reader adds "path:line: ".
struct RowError {
  std::string message;
};

// Splits a file into lines in fixed chunks, holding at most one line of kMaxTraceLineBytes.
class LineReader {
 public:
  enum class Status { kLine, kEnd, kTooLong };

  // Opens `path` for reading; is_open() says whether that worked (the caller words the error).
  explicit LineReader(const std::string& path);
  bool is_open() const { return in_.is_open(); }

  // The next line without its line end (LF, CRLF or a lone CR) and, on the first line, without a
  // UTF-8 byte-order mark. kTooLong: the line passed kMaxTraceLineBytes; `line` is empty, the line
  // counts, and the next call skips the rest of it without holding it. kEnd: no more lines. The
  // view stays valid until the next call.
  Status Next(std::string_view& line) {
    if (replay_) {
      replay_ = false;
    } else {
      last_status_ = Read();
    }
    line = last_status_ == Status::kLine ? view_ : std::string_view();
    return last_status_;
  }
  // The next Next() returns the same line (or status) again.
  void Unread() { replay_ = true; }

  // 1-based number of the line Next() returned last (0 before the first).
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  // "path:line", the prefix of every message about the current line.
  std::string Where() const { return path_ + ":" + std::to_string(line_number_); }
  // The message for a kTooLong line, after Where().
  static std::string TooLongMessage();

 private:
  static constexpr size_t kChunkBytes = 64 * 1024;

  // Reads the next chunk; false at the end of the file.
  bool Fill();
  // Consumes the rest of an over-long line, up to and including its line end.
  void SkipRestOfLine();
  // Reads one line into buffer_ / view_.
  Status Read();

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

// `s` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view s);

// True for a line of nothing but spaces and tabs (skipped by every row reader).
inline bool IsBlank(std::string_view line) { return TrimBlanks(line).empty(); }

// Throws RowError when `line` holds a NUL byte: it never occurs in a text trace, so the file is
// binary.
void CheckText(std::string_view line);

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_LINE_READER_H_
