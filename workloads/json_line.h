// A strict parser of one JSON object per line, the rows of a JSON-lines trace.
//
// Models: RFC 8259 syntax on one line: keys are strings; values are numbers (JSON grammar:
// no leading '+', no bare '.', no NaN), strings, true / false / null, arrays and objects. The top
// level's values are kept as views into the line; arrays keep their number elements (a Mooncake
// row's hash_ids); nested objects and non-number array elements are checked and skipped. A key
// given twice at the top level is an error (which one did the writer mean?).
// Ignores: string escapes (kept raw: trace keys and values carry none), nesting deeper than 32
// levels (an error), and duplicate keys inside nested objects.
#ifndef SERVESIM_WORKLOADS_JSON_LINE_H_
#define SERVESIM_WORKLOADS_JSON_LINE_H_

#include <string_view>
#include <vector>

namespace servesim {

// One top-level member of a parsed line; views point into the line.
struct JsonField {
  std::string_view key;
  enum class Kind { kNumber, kString, kLiteral, kArray, kObject } kind = Kind::kNumber;
  std::string_view text;                   // number / string / literal
  size_t array_begin = 0, array_size = 0;  // into the number list
  bool numeric_array = true;               // every element a number
};

class JsonLineParser {
 public:
  // Parses `line`, which must outlive the fields; throws RowError "malformed JSON at character N:
  // expected ..., found '...'" or "duplicate key '...'". Reuses its storage from line to line.
  void Parse(std::string_view line);

  // The top-level member named `key`, or nullptr.
  const JsonField* Find(std::string_view key) const {
    for (const JsonField& f : fields_) {
      if (f.key == key) return &f;
    }
    return nullptr;
  }
  // The i-th number of the array elements (JsonField::array_begin + k).
  std::string_view Number(size_t i) const { return numbers_[i]; }

 private:
  char Peek() const { return pos_ < line_.size() ? line_[pos_] : '\0'; }
  void Ws() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  [[noreturn]] void Fail(std::string_view expected) const;
  void Expect(char c);
  std::string_view String();
  std::string_view NumberToken();
  void Value(JsonField& f, int depth);
  void Array(JsonField& f, int depth);
  void Object(int depth);

  std::string_view line_;
  size_t pos_ = 0;
  std::vector<JsonField> fields_;
  std::vector<std::string_view> numbers_;
};

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_JSON_LINE_H_
