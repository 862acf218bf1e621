#include "workloads/json_line.h"

#include <string>

#include "models/printable_text.h"
#include "workloads/line_reader.h"

namespace servesim {

void JsonLineParser::Parse(std::string_view line) {
  line_ = line;
  pos_ = 0;
  fields_.clear();
  numbers_.clear();
  Ws();
  Expect('{');
  Ws();
  if (Peek() == '}') {
    ++pos_;
  } else {
    while (true) {
      Ws();
      JsonField f;
      f.key = String();
      for (const JsonField& g : fields_) {
        if (g.key == f.key) throw RowError{"duplicate key " + QuoteBytes(f.key)};
      }
      Ws();
      Expect(':');
      Ws();
      Value(f, 0);
      fields_.push_back(f);
      Ws();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect('}');
      break;
    }
  }
  Ws();
  if (pos_ != line_.size()) Fail("end of line after the object");
}

void JsonLineParser::Fail(std::string_view expected) const {
  const std::string found =
      pos_ < line_.size() ? QuoteBytes(line_.substr(pos_, 12)) : "end of line";
  throw RowError{"malformed JSON at character " + std::to_string(pos_ + 1) + ": expected " +
                 std::string(expected) + ", found " + found};
}

void JsonLineParser::Expect(char c) {
  if (Peek() != c) Fail(std::string("'") + c + "'");
  ++pos_;
}

std::string_view JsonLineParser::String() {
  if (Peek() != '"') Fail("a string");
  const size_t begin = ++pos_;
  while (pos_ < line_.size() && line_[pos_] != '"') {
    if (line_[pos_] == '\\') ++pos_;  // kept raw; our keys and values carry no escapes
    ++pos_;
  }
  if (pos_ >= line_.size()) Fail("a closing '\"'");
  return line_.substr(begin, pos_++ - begin);
}

std::string_view JsonLineParser::NumberToken() {
  const size_t begin = pos_;
  auto digits = [&] {
    const size_t b = pos_;
    while (pos_ < line_.size() && line_[pos_] >= '0' && line_[pos_] <= '9') ++pos_;
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
  return line_.substr(begin, pos_ - begin);
}

void JsonLineParser::Value(JsonField& f, int depth) {
  if (depth > 32) Fail("less nesting");
  const char c = Peek();
  if (c == '"') {
    f.kind = JsonField::Kind::kString;
    f.text = String();
  } else if (c == '[') {
    Array(f, depth);
  } else if (c == '{') {
    f.kind = JsonField::Kind::kObject;
    Object(depth);
  } else if (line_.substr(pos_, 4) == "true" || line_.substr(pos_, 4) == "null") {
    f.kind = JsonField::Kind::kLiteral;
    f.text = line_.substr(pos_, 4);
    pos_ += 4;
  } else if (line_.substr(pos_, 5) == "false") {
    f.kind = JsonField::Kind::kLiteral;
    f.text = line_.substr(pos_, 5);
    pos_ += 5;
  } else {
    f.kind = JsonField::Kind::kNumber;
    f.text = NumberToken();
  }
}

// An array: number elements are kept, anything else is checked and skipped.
void JsonLineParser::Array(JsonField& f, int depth) {
  f.kind = JsonField::Kind::kArray;
  f.array_begin = numbers_.size();
  ++pos_;
  Ws();
  if (Peek() == ']') {
    ++pos_;
  } else {
    while (true) {
      Ws();
      if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) {
        numbers_.push_back(NumberToken());
      } else {
        JsonField inner;
        Value(inner, depth + 1);
        f.numeric_array = false;
      }
      Ws();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect(']');
      break;
    }
  }
  f.array_size = numbers_.size() - f.array_begin;
}

// A nested object: checked and skipped.
void JsonLineParser::Object(int depth) {
  ++pos_;
  Ws();
  if (Peek() == '}') {
    ++pos_;
    return;
  }
  while (true) {
    Ws();
    String();
    Ws();
    Expect(':');
    Ws();
    JsonField inner;
    Value(inner, depth + 1);
    Ws();
    if (Peek() == ',') {
      ++pos_;
      continue;
    }
    Expect('}');
    break;
  }
}

}  // namespace servesim
