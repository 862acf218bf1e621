// Strict conversion of YAML scalars, shared by every reader of user YAML (model, workload and
// scenario maps) so that "3.5" is never silently an integer and every message describes a bad
// value the same way. Like input_error.h, this header sits at the bottom of the layering so that
// models/, workloads/ and sim/ may all include it.
#ifndef SERVESIM_MODELS_YAML_SCALAR_H_
#define SERVESIM_MODELS_YAML_SCALAR_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

namespace servesim {

// "'text'" (cut at 40 bytes, control bytes escaped: PrintableBytes), "a map", "a list" or "null",
// for "found ..." in messages.
std::string DescribeYamlNode(const YAML::Node& node);

// The whole scalar as a base-10 int64; nullopt for anything else (non-scalars, "3.5", "1e3",
// "12abc", empty). `out_of_range` (if given) is set when the text is an integer too large for int64.
std::optional<int64_t> YamlToInt(const YAML::Node& node, bool* out_of_range = nullptr);

// The whole scalar as a double (strtod syntax, so "inf" and "nan" parse: callers check finiteness).
std::optional<double> YamlToDouble(const YAML::Node& node);

// YAML booleans (true/false, yes/no, on/off in their accepted spellings).
std::optional<bool> YamlToBool(const YAML::Node& node);

// Throws InputError "`source`:LINE: a.b.key: duplicate key ..." for the first mapping (at any
// depth) that holds the same scalar key twice: yaml-cpp silently keeps the first, where Python's
// json keeps the last and a user who wrote both meant one of them. `at` prefixes the key path.
void CheckDuplicateKeys(const YAML::Node& node, const std::string& source,
                        const std::string& at = "");

}  // namespace servesim

#endif  // SERVESIM_MODELS_YAML_SCALAR_H_
