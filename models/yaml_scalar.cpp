#include "models/yaml_scalar.h"

#include <charconv>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include "models/input_error.h"
#include "models/printable_text.h"

namespace servesim {

std::string DescribeYamlNode(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "null";
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  return "'" + PrintableBytes(n.Scalar(), 40) + "'";
}

std::optional<int64_t> YamlToInt(const YAML::Node& n, bool* out_of_range) {
  if (out_of_range) *out_of_range = false;
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  const std::string& text = n.Scalar();
  if (text.empty()) return std::nullopt;
  int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range) {
    if (out_of_range) *out_of_range = true;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<double> YamlToDouble(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  const std::string& text = n.Scalar();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

std::optional<bool> YamlToBool(const YAML::Node& n) {
  bool value = false;
  if (!n.IsDefined() || !n.IsScalar() || !YAML::convert<bool>::decode(n, value))
    return std::nullopt;
  return value;
}

namespace {

// `seen` holds the source positions of the collections already checked: an alias refers to its
// anchor's node (same position), so a billion-laughs chain is walked once, not expanded.
void CheckDuplicateKeysAt(const YAML::Node& node, const std::string& source, const std::string& at,
                          std::set<std::pair<int, int>>& seen) {
  if (!node.IsSequence() && !node.IsMap()) return;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0 && !seen.insert({mark.line, mark.column}).second) return;
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i)
      CheckDuplicateKeysAt(node[i], source, at + "[" + std::to_string(i) + "]", seen);
    return;
  }
  std::set<std::string> keys;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;  // reported by the reader of that mapping
    const std::string key = kv.first.Scalar();
    const std::string path = at.empty() ? key : at + "." + key;
    if (!keys.insert(key).second) {
      throw InputError(source + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + path +
                       ": duplicate key (it appears more than once in this mapping)");
    }
    CheckDuplicateKeysAt(kv.second, source, path, seen);
  }
}

}  // namespace

void CheckDuplicateKeys(const YAML::Node& node, const std::string& source, const std::string& at) {
  std::set<std::pair<int, int>> seen;
  CheckDuplicateKeysAt(node, source, at, seen);
}

}  // namespace servesim
