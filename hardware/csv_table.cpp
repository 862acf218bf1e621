#include "hardware/csv_table.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "models/input_error.h"

namespace servesim {
namespace {

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::string Join(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
  return out;
}

}  // namespace

CsvTable::CsvTable(const std::string& path) : path_(path) {
  // Held whole in memory; measurement tables are a few MB.
  CheckInputFileSize(path, 512u << 20, "measurement CSV");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path + ": empty file, expected a CSV header");
  // Spreadsheet exports start with a UTF-8 byte-order mark; it is not part of the first name.
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  header_ = SplitCsvLine(line);
  for (size_t i = 0; i < header_.size(); ++i) index_[header_[i]] = i;
  int64_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    rows_.push_back(SplitCsvLine(line));
    line_numbers_.push_back(line_no);
  }
}

void CsvTable::Require(const std::string& column) const {
  if (!Has(column)) throw InputError(path_ + ": missing column '" + column + "'");
}

void CsvTable::RequireExactHeader(const std::vector<std::string>& columns) const {
  if (header_ != columns) {
    throw InputError(path_ + ":1: expected header '" + Join(columns) + "', found '" +
                     Join(header_) + "'");
  }
  for (size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].size() != columns.size()) {
      throw InputError(path_ + ":" + std::to_string(line_numbers_[r]) + ": expected " +
                       std::to_string(columns.size()) + " cells, found " +
                       std::to_string(rows_[r].size()));
    }
  }
}

const std::string& CsvTable::Cell(size_t row, const std::string& column) const {
  static const std::string kEmpty;
  const auto it = index_.find(column);
  if (it == index_.end() || it->second >= rows_[row].size()) return kEmpty;
  return rows_[row][it->second];
}

std::string CsvTable::Where(size_t row, const std::string& column) const {
  return path_ + ":" + std::to_string(line_numbers_[row]) + ": column '" + column + "'";
}

double CsvTable::Number(size_t row, const std::string& column) const {
  const std::string& s = Cell(row, column);
  if (s.empty()) return std::nan("");
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v)) {
    throw InputError(Where(row, column) + ": expected a number, found '" + s + "'");
  }
  return v;
}

double CsvTable::RequiredNumber(size_t row, const std::string& column) const {
  const double v = Number(row, column);
  if (std::isnan(v)) throw InputError(Where(row, column) + ": expected a number, found ''");
  return v;
}

int64_t CsvTable::Integer(size_t row, const std::string& column) const {
  const double v = Number(row, column);
  if (std::isnan(v) || v != std::floor(v) || v < 0) {
    throw InputError(Where(row, column) + ": expected a non-negative integer, found '" +
                     Cell(row, column) + "'");
  }
  return static_cast<int64_t>(v);
}

bool CsvTable::Bool(size_t row, const std::string& column) const {
  const std::string& s = Cell(row, column);
  if (s == "True" || s == "true" || s == "1") return true;
  if (s == "False" || s == "false" || s == "0") return false;
  throw InputError(Where(row, column) + ": expected True or False, found '" + s + "'");
}

}  // namespace servesim
