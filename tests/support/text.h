// Text helpers for tests that read outputs: substring checks, lines, CSV cells (no quoting: the
// simulator's CSVs never quote), whole files.
#ifndef SERVESIM_TESTS_SUPPORT_TEXT_H_
#define SERVESIM_TESTS_SUPPORT_TEXT_H_

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace servesim::testing {

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// How many times `needle` starts in `text` (overlapping occurrences counted).
inline size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The lines of `text`, without their '\n'.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The comma-separated cells of one line: n commas make n + 1 cells, empty ones included.
inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    cells.push_back(
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cells;
}

// Cell `index` (from 0) of a CSV line; the last cell when the line has fewer.
inline std::string Field(const std::string& csv_line, int index) {
  std::istringstream in(csv_line);
  std::string cell;
  for (int i = 0; i <= index; ++i) std::getline(in, cell, ',');
  return cell;
}

// The bytes of a file ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_TEXT_H_
