#include "models/yaml_scalar.h"

#include <charconv>
#include <cstdlib>

namespace servesim {

std::string DescribeYamlNode(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "null";
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  std::string text = n.Scalar();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return "'" + text + "'";
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

}  // namespace servesim
