#include "workloads/line_reader.h"

#include <algorithm>
#include <cstring>

namespace servesim {

LineReader::LineReader(const std::string& path)
    : path_(path), in_(path, std::ios::binary), chunk_(kChunkBytes) {}

std::string LineReader::TooLongMessage() {
  return "line longer than " + std::to_string(kMaxTraceLineBytes) +
         " bytes (1 MiB, the limit of a trace line); a corrupt or binary file, or no line "
         "breaks?";
}

bool LineReader::Fill() {
  if (eof_) return false;
  pos_ = 0;
  end_ = static_cast<size_t>(
      std::max<std::streamsize>(0, in_.rdbuf()->sgetn(chunk_.data(), kChunkBytes)));
  if (end_ == 0) eof_ = true;
  return end_ > 0;
}

void LineReader::SkipRestOfLine() {
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

LineReader::Status LineReader::Read() {
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

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void CheckText(std::string_view line) {
  if (const size_t nul = line.find('\0'); nul != std::string_view::npos) {
    throw RowError{"NUL byte at character " + std::to_string(nul + 1) +
                   ": a binary file, not a text trace"};
  }
}

}  // namespace servesim
