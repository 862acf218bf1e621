// The one JSON reader: JSON-lines trace rows (workloads/trace.cpp) and Hugging Face config.json
// files (hf_config.cpp) both go through it.
//
// Models: RFC 8259 syntax: an object at the top level whose values are numbers (JSON grammar: no
// leading '+', no bare '.'), strings, true / false / null, arrays and objects, nested at most 32
// levels. The text is parsed into a flat tree of JsonValue views into it (pre-order, each
// container knowing where its subtree ends), so reading one line after another reuses the same
// storage and allocates nothing once warm. Errors carry the byte offset; each caller words them
// ("at character N" for a line, "at line L, column C" for a file).
// Ignores: validation of string escapes (strings are kept raw; DecodeJsonString decodes on
// demand), numbers' magnitude (kept as text: the caller converts and range-checks), and duplicate
// keys below the top level (ParseOptions::top_level_duplicates only; a caller that cares walks the
// tree). Accepts NaN, Infinity and -Infinity as numbers only when asked (Python's json writes
// them into config.json files; a trace row with them is malformed).
//
// Why not yaml-cpp, which reads JSON as YAML flow style: on Mooncake trace rows it is about 80x
// slower (56 k against 4.7 M rows/s, bench/json_read_bench.cpp), allocates a node per value, and
// accepts YAML that is not JSON; its messages name YAML constructs ("end of map flow not found").
#ifndef SERVESIM_MODELS_JSON_READER_H_
#define SERVESIM_MODELS_JSON_READER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

// One value of a parsed text; the views point into the text given to JsonReader::Parse.
struct JsonValue {
  enum class Kind { kNumber, kString, kLiteral, kArray, kObject };
  Kind kind = Kind::kNumber;
  std::string_view key;   // the member's key, raw (between the quotes), when in an object
  std::string_view text;  // number or literal as written; a string raw, without its quotes
  size_t offset = 0;      // byte offset of the value's first character
  size_t key_offset = 0;  // byte offset of the key's opening quote, when in an object
  size_t end = 0;         // index one past this value's subtree in the reader's storage
  size_t size = 0;        // arrays and objects: the number of elements or members
};

// A syntax error (or a duplicate key): where, and what the caller puts after "malformed JSON at
// ...: " (or alone, for a duplicate key).
struct JsonError {
  enum class Kind {
    kSyntax,        // "expected X, found Y"
    kKeyNotString,  // a syntax error where a member's key should start: "expected a string, ..."
    kDuplicateKey,  // "duplicate key 'k'" (top level, with ParseOptions::top_level_duplicates)
  };
  Kind kind = Kind::kSyntax;
  size_t offset = 0;
  std::string message;
};

class JsonReader {
 public:
  struct Options {
    // A key given twice in the top-level object is an error (which one did the writer mean?).
    bool top_level_duplicates = true;
    // NaN, Infinity and -Infinity are read as numbers (their text is kept as written).
    bool nonfinite_numbers = false;
    // What the end of the text is called in messages ("found end of line").
    const char* end_name = "end of line";
    // An array at the top level is accepted as well as an object (a ShareGPT file is one array).
    // Last, so that aggregate initializations of the fields above keep their meaning.
    bool top_level_array = false;
  };

  JsonReader() = default;
  explicit JsonReader(Options options) : options_(options) {}

  // Parses `text`, which must hold one object (or, with Options::top_level_array, an array),
  // surrounded by whitespace only, and must outlive the result; returns the root. Throws JsonError. Values of an earlier Parse are invalidated.
  const JsonValue& Parse(std::string_view text);

  // The member of `object` named `key` (raw comparison), or nullptr.
  const JsonValue* Find(const JsonValue& object, std::string_view key) const;
  // The first element or member of `container`, or nullptr when it is empty (or not a container).
  const JsonValue* FirstChild(const JsonValue& container) const;
  // The element or member after `child` in `container`, or nullptr after the last one.
  const JsonValue* NextSibling(const JsonValue& container, const JsonValue& child) const;

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void Ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  [[noreturn]] void Fail(std::string_view expected,
                         JsonError::Kind kind = JsonError::Kind::kSyntax) const;
  void Expect(char c);
  std::string_view String(JsonError::Kind kind = JsonError::Kind::kSyntax);
  std::string_view NumberToken();
  size_t Push(JsonValue::Kind kind);
  void Members(size_t object, int depth);
  void Value(size_t index, int depth);
  void Array(size_t index, int depth);

  Options options_;
  std::string_view text_;
  size_t pos_ = 0;
  std::vector<JsonValue> values_;
};

// A raw JSON string (as in JsonValue::text) with its escapes decoded: \" \\ \/ \b \f \n \r \t and
// \uXXXX (surrogate pairs joined, written as UTF-8). An invalid escape is kept as written.
std::string DecodeJsonString(std::string_view raw);

// 1-based line and column of byte `offset` in `text` (LF, CRLF and a lone CR end a line).
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition PositionOf(std::string_view text, size_t offset);

}  // namespace servesim

#endif  // SERVESIM_MODELS_JSON_READER_H_
