#include "models/json_reader.h"

#include <cstdint>

#include "models/printable_text.h"

namespace servesim {
namespace {

constexpr int kMaxDepth = 32;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of 4 hex digits at raw[i], or -1.
int32_t Hex4(std::string_view raw, size_t i) {
  if (i + 4 > raw.size()) return -1;
  int32_t v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = raw[k];
    const int d = IsDigit(c)               ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the \uXXXX escape (and its low surrogate) at raw[i] == '\\'; returns the bytes consumed,
// or 0 when the escape is invalid.
size_t DecodeUnicodeEscape(std::string_view raw, size_t i, std::string& out) {
  const int32_t hi = Hex4(raw, i + 2);
  if (hi < 0) return 0;
  if (hi >= 0xD800 && hi <= 0xDBFF && raw.substr(i + 6, 2) == "\\u") {
    const int32_t lo = Hex4(raw, i + 8);
    if (lo >= 0xDC00 && lo <= 0xDFFF) {
      AppendUtf8(out, 0x10000 + ((static_cast<uint32_t>(hi) - 0xD800) << 10) +
                          (static_cast<uint32_t>(lo) - 0xDC00));
      return 12;
    }
  }
  if (hi >= 0xD800 && hi <= 0xDFFF) return 0;  // a lone surrogate is no character
  AppendUtf8(out, static_cast<uint32_t>(hi));
  return 6;
}

}  // namespace

const JsonValue& JsonReader::Parse(std::string_view text) {
  text_ = text;
  pos_ = 0;
  values_.clear();
  const size_t root = Push(JsonValue::Kind::kObject);
  Ws();
  values_[root].offset = pos_;
  if (options_.top_level_array && Peek() == '[') {
    Array(root, 0);
  } else {
    Expect('{');
    Members(root, 0);
  }
  values_[root].end = values_.size();
  Ws();
  if (pos_ != text_.size()) {
    Fail(std::string(options_.end_name) + (values_[root].kind == JsonValue::Kind::kArray
                                               ? " after the array"
                                               : " after the object"));
  }
  return values_[root];
}

const JsonValue* JsonReader::Find(const JsonValue& object, std::string_view key) const {
  for (const JsonValue* v = FirstChild(object); v != nullptr; v = NextSibling(object, *v)) {
    if (v->key == key) return v;
  }
  return nullptr;
}

const JsonValue* JsonReader::FirstChild(const JsonValue& container) const {
  if (container.size == 0) return nullptr;
  return &container + 1;  // pre-order: the first child follows its parent
}

const JsonValue* JsonReader::NextSibling(const JsonValue& container, const JsonValue& child) const {
  return child.end < container.end ? &values_[child.end] : nullptr;
}

void JsonReader::Fail(std::string_view expected, JsonError::Kind kind) const {
  const std::string found =
      pos_ < text_.size() ? QuoteBytes(text_.substr(pos_, 12)) : std::string(options_.end_name);
  throw JsonError{kind, pos_, "expected " + std::string(expected) + ", found " + found};
}

void JsonReader::Expect(char c) {
  if (Peek() != c) Fail(std::string("'") + c + "'");
  ++pos_;
}

std::string_view JsonReader::String(JsonError::Kind kind) {
  if (Peek() != '"') Fail("a string", kind);
  const size_t begin = ++pos_;
  while (pos_ < text_.size() && text_[pos_] != '"') {
    if (text_[pos_] == '\\') ++pos_;  // kept raw: DecodeJsonString decodes on demand
    ++pos_;
  }
  if (pos_ >= text_.size()) Fail("a closing '\"'");
  return text_.substr(begin, pos_++ - begin);
}

std::string_view JsonReader::NumberToken() {
  const size_t begin = pos_;
  auto digits = [&] {
    const size_t b = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
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
  return text_.substr(begin, pos_ - begin);
}

size_t JsonReader::Push(JsonValue::Kind kind) {
  values_.emplace_back();
  values_.back().kind = kind;
  return values_.size() - 1;
}

// The members of the object at `object`, after its '{'; their values are at `depth`.
void JsonReader::Members(size_t object, int depth) {
  Ws();
  if (Peek() == '}') {
    ++pos_;
    return;
  }
  const bool check_duplicates = object == 0 && options_.top_level_duplicates;
  while (true) {
    Ws();
    const size_t key_offset = pos_;
    const std::string_view key = String(JsonError::Kind::kKeyNotString);
    if (check_duplicates) {
      size_t i = object + 1;
      for (size_t k = 0; k < values_[object].size; ++k, i = values_[i].end) {
        if (values_[i].key == key) {
          throw JsonError{JsonError::Kind::kDuplicateKey, key_offset,
                          "duplicate key " + QuoteBytes(key)};
        }
      }
    }
    Ws();
    Expect(':');
    Ws();
    const size_t child = Push(JsonValue::Kind::kNumber);
    values_[child].key = key;
    values_[child].key_offset = key_offset;
    Value(child, depth);
    ++values_[object].size;
    Ws();
    if (Peek() == ',') {
      ++pos_;
      continue;
    }
    Expect('}');
    break;
  }
}

void JsonReader::Value(size_t index, int depth) {
  if (depth > kMaxDepth) Fail("less nesting");
  values_[index].offset = pos_;
  values_[index].end = index + 1;
  const char c = Peek();
  if (c == '[') {
    Array(index, depth);
    return;
  }
  if (c == '{') {
    values_[index].kind = JsonValue::Kind::kObject;
    ++pos_;
    Members(index, depth + 1);
    values_[index].end = values_.size();
    return;
  }
  if (c == '"') {
    values_[index].kind = JsonValue::Kind::kString;
    values_[index].text = String();
    return;
  }
  const std::string_view rest = text_.substr(pos_);
  std::string_view word;  // a literal, or a non-finite number when they are accepted
  JsonValue::Kind kind = JsonValue::Kind::kLiteral;
  if (rest.substr(0, 4) == "true" || rest.substr(0, 4) == "null") {
    word = rest.substr(0, 4);
  } else if (rest.substr(0, 5) == "false") {
    word = rest.substr(0, 5);
  } else if (options_.nonfinite_numbers) {
    kind = JsonValue::Kind::kNumber;
    for (std::string_view w : {"NaN", "Infinity", "-Infinity"}) {
      if (rest.substr(0, w.size()) == w) word = rest.substr(0, w.size());
    }
  }
  if (word.empty()) {
    values_[index].kind = JsonValue::Kind::kNumber;
    values_[index].text = NumberToken();
    return;
  }
  pos_ += word.size();
  values_[index].kind = kind;
  values_[index].text = word;
}

// An array at `index`: its '[' is next. Number elements take a short path (no depth check: a
// number does not nest).
void JsonReader::Array(size_t index, int depth) {
  values_[index].kind = JsonValue::Kind::kArray;
  ++pos_;
  Ws();
  if (Peek() == ']') {
    ++pos_;
  } else {
    while (true) {
      Ws();
      const size_t child = Push(JsonValue::Kind::kNumber);
      if (IsDigit(Peek()) ||
          (Peek() == '-' && !(options_.nonfinite_numbers && text_.substr(pos_, 2) == "-I"))) {
        values_[child].offset = pos_;
        values_[child].text = NumberToken();
        values_[child].end = child + 1;
      } else {
        Value(child, depth + 1);
      }
      ++values_[index].size;
      Ws();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect(']');
      break;
    }
  }
  values_[index].end = values_.size();
}

std::string DecodeJsonString(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    const char e = raw[i + 1];
    const char* simple = nullptr;
    switch (e) {
      case '"':
        simple = "\"";
        break;
      case '\\':
        simple = "\\";
        break;
      case '/':
        simple = "/";
        break;
      case 'b':
        simple = "\b";
        break;
      case 'f':
        simple = "\f";
        break;
      case 'n':
        simple = "\n";
        break;
      case 'r':
        simple = "\r";
        break;
      case 't':
        simple = "\t";
        break;
      default:
        break;
    }
    if (simple != nullptr) {
      out += simple;
      ++i;
      continue;
    }
    const size_t n = e == 'u' ? DecodeUnicodeEscape(raw, i, out) : 0;
    if (n == 0) {
      out += raw[i];  // invalid: kept as written
      continue;
    }
    i += n - 1;
  }
  return out;
}

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

}  // namespace servesim
