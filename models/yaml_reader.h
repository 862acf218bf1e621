// Typed, checked access to one mapping of a user's YAML file: the one reader every slot's
// configuration goes through (scenario top level, policies, hardware), so every message reads
// "file:line: a.b.key: expected ..., found '...'" and a key nobody read is an error with the
// nearest valid key suggested.
//
// Loading: every YAML the tool reads (scenario and model files, --set values, sweep_info.json)
// goes through LoadYamlFile / LoadYamlText, which refuse a second document and duplicate keys.
//
// Use: construct over the node, read each key with its type, default and range (reading marks
// the key as known), then Finish() to reject whatever was not read. Absent keys give the default.
// Ignores: sequences of maps (read each element with its own reader).
#ifndef SERVESIM_MODELS_YAML_READER_H_
#define SERVESIM_MODELS_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <functional>
#include <string>
#include <vector>

namespace servesim {

// The one document of the YAML file `path`, with its duplicate keys refused (CheckDuplicateKeys).
// `what` names the file in messages ("scenario file"). Throws InputError "path: is a directory;
// expected a WHAT", "path: cannot open WHAT", "path: N bytes is too large for a WHAT",
// "path:LINE: invalid YAML: ..." and "path:LINE: a second YAML document ...".
YAML::Node LoadYamlFile(const std::string& path, const std::string& what);

// The one document of YAML `text`; `source` names it in messages ("path", "--set a=b: value").
// A second document (after `---`) that is not empty is an InputError "source:LINE: a second YAML
// document ...": yaml-cpp alone would read the first and silently drop the rest. Syntax errors
// propagate as YAML::Exception, for the caller to phrase. Does not check duplicate keys.
YAML::Node LoadYamlText(const std::string& text, const std::string& source);

// One documented key of a YAML mapping, as scenarios/README.md's key tables show it. The
// descriptor of each implementation lists its keys this way; the reader that reads them is the
// one beside it.
struct KeyDoc {
  const char* name;          // "max_num_seqs"
  const char* type;          // "integer", "number", "bool", "string", "name", "list", "mapping"
  const char* unit;          // "tokens", "GiB", ... ("" when the value has none)
  const char* default_text;  // "256", "model context", "required"
  const char* doc;           // one sentence (Markdown)
};

// Typed access to one YAML map with messages "file:line: a.b.key: expected ..., found '...'" and a
// check that every key present was read.
class YamlMapReader {
 public:
  // `file` names the file in messages; `path` is the map's dotted key ("" at the top level).
  // Throws InputError when the node is present and not a mapping.
  YamlMapReader(const YAML::Node& node, std::string file, std::string path);

  bool Has(const std::string& key) const { return node_ && node_.IsMap() && node_[key]; }

  // The value at `key`, or an undefined node (false in a boolean test) when absent. Marks `key`
  // as read.
  YAML::Node Get(const std::string& key);

  // The integer at `key` in [lo, hi], or `def` when absent.
  int64_t Int(const std::string& key, int64_t def, int64_t lo, int64_t hi);

  // The finite number at `key` in [lo, hi] (or (lo, hi] with `lo_open`), or `def` when absent.
  double Double(const std::string& key, double def, double lo, double hi, bool lo_open = false);

  // The boolean at `key`, or `def` when absent.
  bool Bool(const std::string& key, bool def);

  // The scalar at `key` as written, or `def` when absent.
  std::string String(const std::string& key, const std::string& def);

  // The string at `key`, which must be one of `names`; "unknown <what> 'x' (did you mean ...);
  // expected one of ..." otherwise.
  std::string OneOf(const std::string& key, const std::string& def,
                    const std::vector<std::string>& names, const std::string& what);

  // Every key present must have been read (or be in `also_allowed`); the first that was not is an
  // error: "KEY: EXPLANATION; expected one of ..." when `explain(key)` gives one (a key of another
  // implementation), else "unknown key" suggesting the nearest known key.
  void Finish(const std::vector<std::string>& also_allowed = {},
              const std::function<std::string(const std::string& key)>& explain = nullptr);

  std::string Key(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }
  // The keys read so far (present or not): what this map's readers know about.
  const std::set<std::string>& read_keys() const { return read_; }

  // Throws InputError "file[:line]: key: what[, found F]" (the line of `at` when it has one).
  [[noreturn]] void Fail(const std::string& key, const std::string& what, const std::string& found,
                         const YAML::Node& at = YAML::Node()) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
};

}  // namespace servesim

#endif  // SERVESIM_MODELS_YAML_READER_H_
