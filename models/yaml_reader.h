// Typed, checked access to one mapping of a user's YAML file: the one reader every slot's
// configuration goes through (scenario top level, policies, hardware), so every message reads
// "file:line: a.b.key: expected ..., found '...'" and a key nobody read is an error with the
// nearest valid key suggested.
//
// Use: construct over the node, read each key with its type, default and range (reading marks
// the key as known), then Finish() to reject whatever was not read. Absent keys give the default.
// Ignores: sequences of maps (read each element with its own reader).
#ifndef SERVESIM_MODELS_YAML_READER_H_
#define SERVESIM_MODELS_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/input_error.h"
#include "models/yaml_scalar.h"

namespace servesim {

// Typed access to one YAML map with messages "file:line: a.b.key: expected ..., found '...'" and a
// check that every key present was read.
class YamlMapReader {
 public:
  YamlMapReader(const YAML::Node& node, std::string file, std::string path)
      : node_(node), file_(std::move(file)), path_(std::move(path)) {
    if (node_ && !node_.IsNull() && !node_.IsMap())
      Fail(path_, "expected a mapping of keys", Found(node_));
  }

  bool Has(const std::string& key) const { return node_ && node_.IsMap() && node_[key]; }

  // The value at `key`, or an undefined node (false in a boolean test) when absent.
  YAML::Node Get(const std::string& key) {
    read_.insert(key);
    return Has(key) ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
  }

  int64_t Int(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    const YAML::Node n = Get(key);
    if (!n) return def;
    const std::optional<int64_t> v = YamlToInt(n);
    if (!v) Fail(Key(key), "expected an integer", Found(n), n);
    if (*v < lo || *v > hi) {
      Fail(Key(key),
           "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
           Found(n), n);
    }
    return *v;
  }

  double Double(const std::string& key, double def, double lo, double hi, bool lo_open = false) {
    const YAML::Node n = Get(key);
    if (!n) return def;
    const std::optional<double> v = YamlToDouble(n);
    if (!v) Fail(Key(key), "expected a number", Found(n), n);
    if (!std::isfinite(*v) || *v < lo || *v > hi || (lo_open && *v == lo)) {
      Fail(Key(key),
           std::string("expected a number in ") + (lo_open ? "(" : "[") + Num(lo) + ", " + Num(hi) +
               "]",
           Found(n), n);
    }
    return *v;
  }

  bool Bool(const std::string& key, bool def) {
    const YAML::Node n = Get(key);
    if (!n) return def;
    const std::optional<bool> v = YamlToBool(n);
    if (!v) Fail(Key(key), "expected true or false", Found(n), n);
    return *v;
  }

  std::string String(const std::string& key, const std::string& def) {
    const YAML::Node n = Get(key);
    if (!n) return def;
    if (!n.IsScalar()) Fail(Key(key), "expected a string", Found(n), n);
    return n.Scalar();
  }

  // The string at `key`, which must be one of `names`; "unknown <what> 'x' (did you mean ...);
  // expected one of ..." otherwise.
  std::string OneOf(const std::string& key, const std::string& def,
                    const std::vector<std::string>& names, const std::string& what) {
    const std::string name = String(key, def);
    for (const auto& n : names) {
      if (n == name) return name;
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    Fail(Key(key),
         "unknown " + what + " '" + name + "'" + DidYouMean(name, names) + "; expected one of " +
             list,
         "", Get(key));
    return name;
  }

  // Every key present must have been read.
  void Finish(const std::vector<std::string>& also_allowed = {}) {
    if (!node_ || !node_.IsMap()) return;
    std::vector<std::string> known(read_.begin(), read_.end());
    known.insert(known.end(), also_allowed.begin(), also_allowed.end());
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) {
        Fail(path_.empty() ? "top level" : path_,
             std::string("expected plain keys, found a ") +
                 (kv.first.IsSequence() ? "list" : "mapping") + " used as a key",
             "", kv.first);
      }
      const std::string key = kv.first.Scalar();
      if (read_.count(key) ||
          std::find(also_allowed.begin(), also_allowed.end(), key) != also_allowed.end())
        continue;
      std::string hint = DidYouMean(key, known);
      if (hint.empty() && !known.empty()) {
        hint = "; expected one of";
        for (size_t i = 0; i < known.size(); ++i) hint += (i ? ", " : " ") + known[i];
      }
      Fail(Key(key), "unknown key" + hint, "", kv.first);
    }
  }

  std::string Key(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }

  [[noreturn]] void Fail(const std::string& key, const std::string& what, const std::string& found,
                         const YAML::Node& at = YAML::Node()) const {
    std::string where = file_;
    if (at && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    throw InputError(where + ": " + key + ": " + what + (found.empty() ? "" : ", found " + found));
  }

 private:
  static std::string Found(const YAML::Node& n) { return DescribeYamlNode(n); }
  static std::string Num(double v) {
    if (v == std::numeric_limits<double>::max()) return "inf";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", v);
    return buf;
  }

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
};

}  // namespace servesim

#endif  // SERVESIM_MODELS_YAML_READER_H_
