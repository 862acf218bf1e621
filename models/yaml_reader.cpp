#include "models/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <streambuf>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "models/input_error.h"
#include "models/yaml_scalar.h"

namespace servesim {
namespace {

std::string Found(const YAML::Node& n) { return DescribeYamlNode(n); }

std::string Num(double v) {
  if (v == std::numeric_limits<double>::max()) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// YAML files the tool reads are a few kilobytes; anything this large is not one (and yaml-cpp
// would hold the whole tree in memory).
constexpr std::uintmax_t kMaxYamlBytes = 16u << 20;

// yaml-cpp's tree costs about 500 bytes per node (measured: 524,288 list elements, 250 MB, 2.4 s),
// so a file is counted in a streaming pass first: 100,000 nodes bound the tree near 50 MB, and a
// scenario holds a few hundred (long data belongs in a trace or lengths CSV).
constexpr int64_t kMaxYamlNodes = 100'000;

// Counts the nodes of a YAML stream without building them; throws InputError at the first node
// past kMaxYamlNodes. Hand-written because yaml-cpp offers no node limit of its own.
class NodeCounter : public YAML::EventHandler {
 public:
  NodeCounter(const std::string& path, const std::string& what) : path_(path), what_(what) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnMapEnd() override {}

 private:
  void Count(const YAML::Mark& mark) {
    if (++nodes_ <= kMaxYamlNodes) return;
    throw InputError(path_ + ":" + std::to_string(mark.line + 1) + ": more than " +
                     std::to_string(kMaxYamlNodes) + " YAML nodes (keys, values, list elements) " +
                     "for a " + what_ + ", which holds a few hundred; put long data in a trace " +
                     "or lengths CSV file");
  }
  const std::string& path_;
  const std::string& what_;
  int64_t nodes_ = 0;
};

// Refuses `text` with more than kMaxYamlNodes nodes over all its documents.
// An input stream over `text` without copying it (std::istringstream copies; a 15 MiB file would
// be held three times over).
class TextStreamBuf : public std::streambuf {
 public:
  explicit TextStreamBuf(const std::string& text) {
    char* begin = const_cast<char*>(text.data());  // read only: the get area is never written
    setg(begin, begin, begin + text.size());
  }
};

void CheckNodeCount(const std::string& text, const std::string& path, const std::string& what) {
  TextStreamBuf buf(text);
  std::istream in(&buf);
  YAML::Parser parser(in);
  NodeCounter counter(path, what);
  while (parser.HandleNextDocument(counter)) {
  }
}

// The bytes of `path`: a regular file read at its size (growing a string as it reads would hold
// up to twice the file), anything else (a pipe, /dev/stdin) read up to kMaxYamlBytes.
std::string ReadYamlBytes(std::ifstream& in, const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    std::string text(static_cast<size_t>(std::filesystem::file_size(path, ec)), '\0');
    if (ec || !in.read(text.data(), static_cast<std::streamsize>(text.size())))
      throw InputError(path + ": cannot read " + what);
    return text;
  }
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof(chunk)) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxYamlBytes) {
      throw InputError(path + ": more than " + std::to_string(kMaxYamlBytes >> 20) +
                       " MiB is too large for a " + what);
    }
  }
  return text;
}

}  // namespace

YAML::Node LoadYamlText(const std::string& text, const std::string& source) {
  TextStreamBuf buf(text);
  std::istream in(&buf);
  const std::vector<YAML::Node> documents = YAML::LoadAll(in);
  for (size_t i = 1; i < documents.size(); ++i) {
    const YAML::Node& d = documents[i];
    if (!d || d.IsNull()) continue;  // a trailing `---` holds nothing that would be lost
    throw InputError(source + ":" + std::to_string(d.Mark().line + 1) +
                     ": a second YAML document (after '---'); expected one document");
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

YAML::Node LoadYamlFile(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a directory; expected a " + what);
  CheckInputFileSize(path, kMaxYamlBytes, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open " + what);
  const std::string text = ReadYamlBytes(in, path, what);
  YAML::Node root;
  try {
    CheckNodeCount(text, path, what);
    root = LoadYamlText(text, path);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  CheckDuplicateKeys(root, path, "");
  return root;
}

YamlMapReader::YamlMapReader(const YAML::Node& node, std::string file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {
  if (node_ && !node_.IsNull() && !node_.IsMap())
    Fail(path_, "expected a mapping of keys", Found(node_));
}

YAML::Node YamlMapReader::Get(const std::string& key) {
  read_.insert(key);
  return Has(key) ? node_[key] : YAML::Node(YAML::NodeType::Undefined);
}

int64_t YamlMapReader::Int(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
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

double YamlMapReader::Double(const std::string& key, double def, double lo, double hi,
                             bool lo_open) {
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

bool YamlMapReader::Bool(const std::string& key, bool def) {
  const YAML::Node n = Get(key);
  if (!n) return def;
  const std::optional<bool> v = YamlToBool(n);
  if (!v) Fail(Key(key), "expected true or false", Found(n), n);
  return *v;
}

std::string YamlMapReader::String(const std::string& key, const std::string& def) {
  const YAML::Node n = Get(key);
  if (!n) return def;
  if (!n.IsScalar()) Fail(Key(key), "expected a string", Found(n), n);
  return n.Scalar();
}

std::string YamlMapReader::OneOf(const std::string& key, const std::string& def,
                                 const std::vector<std::string>& names, const std::string& what) {
  const std::string name = String(key, def);
  for (const auto& n : names) {
    if (n == name) return name;
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  Fail(
      Key(key),
      "unknown " + what + " '" + name + "'" + DidYouMean(name, names) + "; expected one of " + list,
      "", Get(key));
}

void YamlMapReader::Finish(const std::vector<std::string>& also_allowed,
                           const std::function<std::string(const std::string& key)>& explain) {
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
    std::string expected;
    for (size_t i = 0; i < known.size(); ++i) expected += (i ? ", " : "; expected one of ") + known[i];
    if (explain) {
      const std::string why = explain(key);
      if (!why.empty()) Fail(Key(key), why + expected, "", kv.first);
    }
    const std::string hint = DidYouMean(key, known);
    Fail(Key(key), "unknown key" + (hint.empty() ? expected : hint), "", kv.first);
  }
}

void YamlMapReader::Fail(const std::string& key, const std::string& what, const std::string& found,
                         const YAML::Node& at) const {
  std::string where = file_;
  if (at && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
  throw InputError(where + ": " + key + ": " + what + (found.empty() ? "" : ", found " + found));
}

}  // namespace servesim
