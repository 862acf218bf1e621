#include "workloads/csv_line.h"

#include <algorithm>
#include <cstdio>

#include "models/input_error.h"
#include "models/printable_text.h"

namespace servesim {
namespace {

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

}  // namespace

void SplitCsv(std::string_view line, std::vector<std::string>& fields, char separator) {
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
      if (i < line.size() && line[i] != separator) {
        throw RowError{"expected " + SeparatorName(separator) + " after a quoted field, found " +
                       QuoteBytes(line.substr(i, 1))};
      }
    } else {
      const size_t end = std::min(line.find(separator, i), line.size());
      field.assign(line.substr(i, end - i));
      i = end;
    }
    if (i >= line.size()) break;
    ++i;  // the separator
    if (i == line.size()) {
      next_field();  // a trailing comma ends with an empty field
      break;
    }
  }
  fields.resize(count);
}

void CheckFieldCount(std::string_view line, const std::vector<std::string>& fields,
                     const std::vector<std::string>& header) {
  if (fields.size() != header.size()) {
    throw RowError{"expected " + std::to_string(header.size()) + " fields (" + HeaderList(header) +
                   "), found " + std::to_string(fields.size()) + " in " + QuoteBytes(line)};
  }
}

std::string HeaderList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && out.size() <= 200; ++i) out += (i ? "," : "") + names[i];
  return PrintableBytes(out, 200);
}

std::string SeparatorName(char separator) {
  switch (separator) {
    case '\t':
      return "a tab";
    case ';':
      return "';'";
    default:
      return std::string("'") + separator + "'";
  }
}

char DetectSeparator(std::string_view header) {
  size_t counts[3] = {0, 0, 0};
  bool quoted = false;
  for (const char c : header) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == ',') ++counts[0];
    if (c == '\t') ++counts[1];
    if (c == ';') ++counts[2];
  }
  const char names[3] = {',', '\t', ';'};
  size_t best = 0;
  for (size_t k = 1; k < 3; ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return names[best];
}

void ReadCsvHeader(LineReader& lines, const std::string& expected, std::vector<std::string>& header,
                   char& separator) {
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
    if (separator == 0) separator = DetectSeparator(line);
    SplitCsv(line, header, separator);
  } catch (const RowError& e) {
    throw InputError(lines.Where() + ": header: " + e.message);
  }
  for (std::string& h : header) h = std::string(TrimBlanks(h));
}

size_t ColumnIndex(const LineReader& lines, const std::vector<std::string>& header,
                   const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    // A header read as one field was split at the wrong character: suggesting that whole line
    // as the column's name would only repeat it.
    const std::string hint =
        header.size() == 1
            ? "; the header is one field: if its columns are separated by another character, "
              "set the trace's separator (comma, tab or semicolon)"
            : PrintableBytes(DidYouMean(name, header), 200);
    throw InputError(lines.Where() + ": column '" + name + "': missing from the header '" +
                     HeaderList(header) + "'" + hint);
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

}  // namespace servesim
