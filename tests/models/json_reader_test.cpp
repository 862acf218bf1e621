#include "models/json_reader.h"

#include <catch2/catch.hpp>
#include <string>

namespace servesim {
namespace {

std::string ErrorOf(JsonReader& json, std::string_view text, size_t* offset = nullptr) {
  try {
    json.Parse(text);
  } catch (const JsonError& e) {
    if (offset != nullptr) *offset = e.offset;
    return e.message;
  }
  return "";
}

TEST_CASE("json reader: a tree of views, walked by sibling", "[models][json]") {
  JsonReader json;
  const std::string text =
      R"({"a": 1, "b": [2, "x", {"c": null}], "d": {"e": true, "f": -1.5e3}, "g": "h\"i"})";
  const JsonValue& root = json.Parse(text);
  REQUIRE(root.kind == JsonValue::Kind::kObject);
  CHECK(root.size == 4);
  CHECK(json.Find(root, "a")->text == "1");
  const JsonValue* b = json.Find(root, "b");
  REQUIRE(b->kind == JsonValue::Kind::kArray);
  CHECK(b->size == 3);
  std::vector<JsonValue::Kind> kinds;
  for (const JsonValue* v = json.FirstChild(*b); v != nullptr; v = json.NextSibling(*b, *v)) {
    kinds.push_back(v->kind);
  }
  CHECK(kinds == std::vector<JsonValue::Kind>{JsonValue::Kind::kNumber, JsonValue::Kind::kString,
                                              JsonValue::Kind::kObject});
  const JsonValue* d = json.Find(root, "d");
  CHECK(json.Find(*d, "f")->text == "-1.5e3");
  CHECK(json.Find(*d, "e")->kind == JsonValue::Kind::kLiteral);
  CHECK(json.Find(root, "c") == nullptr);  // nested keys are not the top level's
  CHECK(json.Find(root, "g")->text == "h\\\"i");
  CHECK(DecodeJsonString(json.Find(root, "g")->text) == "h\"i");
  CHECK(json.FirstChild(*json.Find(root, "a")) == nullptr);
}

TEST_CASE("json reader: errors carry the offset and what was expected", "[models][json]") {
  JsonReader json;
  size_t at = 0;
  CHECK(ErrorOf(json, R"({"a": 1 "b": 2})", &at) == "expected '}', found '\"b\": 2}'");
  CHECK(at == 8);
  CHECK(ErrorOf(json, R"({"a": 1, "a": 2})") == "duplicate key 'a'");
  CHECK(ErrorOf(json, R"({"a": {"b": 1, "b": 2}})").empty());  // only the top level is checked
  CHECK(ErrorOf(json, R"({"a": NaN})") == "expected a value, found 'NaN}'");
  CHECK(ErrorOf(json, R"({"a": 1} x)") == "expected end of line after the object, found 'x'");
  CHECK(ErrorOf(json, R"({"a": "b)") == "expected a closing '\"', found end of line");
  std::string deep = R"({"a": )";
  for (int i = 0; i < 40; ++i) deep += "[";
  CHECK(ErrorOf(json, deep).find("less nesting") != std::string::npos);

  JsonReader::Options options;
  options.top_level_duplicates = false;
  options.nonfinite_numbers = true;
  options.end_name = "end of file";
  JsonReader lenient(options);
  const JsonValue& root = lenient.Parse("{\"a\": NaN,\n \"a\": [-Infinity, Infinity]}");
  CHECK(lenient.Find(root, "a")->text == "NaN");
  const JsonValue* second = lenient.NextSibling(root, *lenient.FirstChild(root));
  CHECK(lenient.FirstChild(*second)->text == "-Infinity");
  CHECK(ErrorOf(lenient, "{\n\"a\": ") == "expected a value, found end of file");
}

TEST_CASE("json reader: string escapes and text positions", "[models][json]") {
  CHECK(DecodeJsonString(R"(a\nb\t\/\\)") == "a\nb\t/\\");
  CHECK(DecodeJsonString(R"(\u00e9\ud83d\ude00)") == "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(DecodeJsonString(R"(\x\ud800)") == R"(\x\ud800)");  // invalid escapes kept as written
  const std::string text = "{\n  \"a\": 1,\r\n  \"b\"\r}";
  CHECK(PositionOf(text, 0).line == 1);
  const TextPosition b = PositionOf(text, text.find("\"b\""));
  CHECK(b.line == 3);
  CHECK(b.column == 3);
  CHECK(PositionOf(text, text.size() - 1).line == 4);  // a lone CR ends a line too
}

}  // namespace
}  // namespace servesim
