// One line of a CSV file split into fields, and the header line that names the columns.
//
// Models: RFC 4180 fields: separated by commas (or tabs or semicolons: the separator is given or
// detected from the header), optionally double-quoted with "" for a quote inside quotes; a
// trailing separator ends with an empty field. A header is the first non-blank line, its cells
// trimmed of spaces and tabs; a column is found by its exact name.
// Ignores: line breaks inside quoted fields (a line is a line: LineReader splits first), other
// separators (spaces, pipes: the missing-column error says to set one), and whitespace around
// quoted fields (an error, not skipped).
// Errors about one line are RowErrors (the caller adds "path:line: "); header errors, which no
// skip_bad_rows can skip, are InputErrors that name the file and line.
#ifndef SERVESIM_WORKLOADS_CSV_LINE_H_
#define SERVESIM_WORKLOADS_CSV_LINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "workloads/line_reader.h"

namespace servesim {

// Splits one CSV line into `fields` at `separator`. The strings of `fields` are reused from call to
// call, so a steady file allocates nothing. Throws RowError for an unterminated quoted field or
// text after a closing quote.
void SplitCsv(std::string_view line, std::vector<std::string>& fields, char separator = ',');

// The separator a header line uses: whichever of comma, tab and semicolon occurs most often outside
// quotes (a comma when none does, or on a tie).
char DetectSeparator(std::string_view header);

// "a tab", "';'", "','": a separator in messages.
std::string SeparatorName(char separator);

// Throws RowError "expected N fields (header), found M in 'line'" unless `fields` has one field per
// header column.
void CheckFieldCount(std::string_view line, const std::vector<std::string>& fields,
                     const std::vector<std::string>& header);

// The header as written, for messages (cut and escaped like a quoted value, at 200 bytes).
std::string HeaderList(const std::vector<std::string>& names);

// Reads the first non-blank line of `lines` as a CSV header into `header` (cells trimmed), split at
// `separator`, or, when it is 0, at the detected one (DetectSeparator), which is stored there.
// Throws InputError for an empty file (naming the `expected` columns), a header over the line cap,
// a header that is not text (control or non-UTF-8 bytes: a binary file) or a malformed one.
void ReadCsvHeader(LineReader& lines, const std::string& expected, std::vector<std::string>& header,
                   char& separator);

// Index of column `name` in `header`. Throws InputError naming the header line and the nearest
// name when it is missing (or, for a header of one field, saying to set the separator), and when
// the header names it twice (which one holds the values?).
size_t ColumnIndex(const LineReader& lines, const std::vector<std::string>& header,
                   const std::string& name);

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_CSV_LINE_H_
