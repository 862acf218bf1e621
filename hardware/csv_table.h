// A measurement table read from a plain CSV file (Vidur's profiling CSVs, LLMServingSim's profile
// bundles): a header row of column names, then rows of cells, held whole in memory.
//
// Models: the files those profilers write: comma-separated, no quoting, no embedded commas, an
// optional UTF-8 byte-order mark, CRLF or LF line ends, blank lines skipped. Every accessor names
// the offending cell as "file:LINE: column 'name'" in its InputError. Ignores: quoted fields,
// other delimiters, files over 512 MiB.
#ifndef SERVESIM_HARDWARE_CSV_TABLE_H_
#define SERVESIM_HARDWARE_CSV_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace servesim {

class CsvTable {
 public:
  // Reads `path` whole. Throws InputError "path: cannot open file", "path: empty file, expected a
  // CSV header", or the size error of CheckInputFileSize.
  explicit CsvTable(const std::string& path);

  size_t size() const { return rows_.size(); }
  bool Has(const std::string& column) const { return index_.count(column) > 0; }
  const std::vector<std::string>& header() const { return header_; }

  // Throws InputError "path: missing column 'c'" when `column` is absent.
  void Require(const std::string& column) const;
  // The header must be exactly `columns` in this order, and every row must have that many cells:
  // "path:1: expected header 'a,b,c', found 'a,x'" / "path:LINE: expected 3 cells, found 2".
  void RequireExactHeader(const std::vector<std::string>& columns) const;

  // The cell as written ("" when the row is short or the column absent).
  const std::string& Cell(size_t row, const std::string& column) const;
  // "path:LINE: column 'c'" for messages.
  std::string Where(size_t row, const std::string& column) const;

  // Empty cells are "no measurement" (NaN); anything else must be a finite number.
  double Number(size_t row, const std::string& column) const;
  // A finite number, required (an empty cell is an error too).
  double RequiredNumber(size_t row, const std::string& column) const;
  int64_t Integer(size_t row, const std::string& column) const;  // non-negative, required
  bool Bool(size_t row, const std::string& column) const;        // True/False/true/false/1/0

  const std::string& path() const { return path_; }
  int64_t LineNumber(size_t row) const { return line_numbers_[row]; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::map<std::string, size_t> index_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int64_t> line_numbers_;
};

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_CSV_TABLE_H_
