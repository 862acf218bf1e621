#include "models/model_yaml.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "models/hf_config.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "models/yaml_reader.h"
#include "models/yaml_scalar.h"

namespace servesim {
namespace {

struct IntField {
  std::string_view name;
  int64_t ModelSpec::*member;
  int64_t min;
};

constexpr IntField kIntFields[] = {
    {"num_layers", &ModelSpec::num_layers, 1},
    {"hidden_size", &ModelSpec::hidden_size, 1},
    {"num_heads", &ModelSpec::num_heads, 1},
    {"num_kv_heads", &ModelSpec::num_kv_heads, 1},
    {"head_dim", &ModelSpec::head_dim, 1},
    {"intermediate_size", &ModelSpec::intermediate_size, 1},
    {"vocab_size", &ModelSpec::vocab_size, 1},
    {"max_context", &ModelSpec::max_context, 1},
    {"learned_position_rows", &ModelSpec::learned_position_rows, 0},
    {"num_experts", &ModelSpec::num_experts, 0},
    {"experts_per_token", &ModelSpec::experts_per_token, 0},
    {"moe_intermediate_size", &ModelSpec::moe_intermediate_size, 0},
    {"shared_expert_intermediate_size", &ModelSpec::shared_expert_intermediate_size, 0},
};

struct BoolField {
  std::string_view name;
  bool ModelSpec::*member;
};

constexpr BoolField kBoolFields[] = {
    {"gated_ffn", &ModelSpec::gated_ffn},
    {"qkv_bias", &ModelSpec::qkv_bias},
    {"o_bias", &ModelSpec::o_bias},
    {"mlp_bias", &ModelSpec::mlp_bias},
    {"lm_head_bias", &ModelSpec::lm_head_bias},
    {"qk_norm", &ModelSpec::qk_norm},
    {"parallel_attn_mlp", &ModelSpec::parallel_attn_mlp},
    {"tied_embeddings", &ModelSpec::tied_embeddings},
};

struct DTypeField {
  std::string_view name;
  DType ModelSpec::*member;
};

constexpr DTypeField kDTypeFields[] = {
    {"weight_dtype", &ModelSpec::weight_dtype},
    {"activation_dtype", &ModelSpec::activation_dtype},
    {"kv_dtype", &ModelSpec::kv_dtype},
};

constexpr Activation kActivations[] = {Activation::kSilu, Activation::kGelu, Activation::kGeluTanh,
                                       Activation::kRelu};
constexpr NormType kNorms[] = {NormType::kLayerNorm, NormType::kRmsNorm};
constexpr PositionEmbedding kPositions[] = {PositionEmbedding::kRope, PositionEmbedding::kLearned,
                                            PositionEmbedding::kPartialRope,
                                            PositionEmbedding::kAlibi, PositionEmbedding::kNone};

std::vector<std::string> BuildFieldNames() {
  std::vector<std::string> names = {"preset", "hf_config", "dtype", "name"};
  for (const IntField& f : kIntFields) names.emplace_back(f.name);
  names.emplace_back("weight_group_size");
  names.emplace_back("rotary_fraction");
  for (const BoolField& f : kBoolFields) names.emplace_back(f.name);
  names.emplace_back("activation");
  names.emplace_back("norm");
  names.emplace_back("position");
  for (const DTypeField& f : kDTypeFields) names.emplace_back(f.name);
  return names;
}

std::string Describe(const YAML::Node& n) { return DescribeYamlNode(n); }

// Reads the values of one model map, naming `source.key` in messages. The map access (Has, key
// paths) is YamlMapReader's; the typed reads keep the model slot's message dialect, which the
// bad-input corpus pins: "source.key: expected <what>, found ..." without a line number, unknown
// keys rejected before any value is read.
class FieldReader {
 public:
  // `source` is the whole prefix of the map's messages ("scenario.yaml: model"): the map reader's
  // path, with no file of its own. `node` must be a map.
  FieldReader(const YAML::Node& node, const std::string& source)
      : map_(node, /*file=*/"", source) {}

  bool Has(const std::string& key) const { return map_.Has(key); }
  // "source.key", the prefix of every message about `key`.
  std::string Where(std::string_view key) const { return map_.Key(std::string(key)); }

  [[noreturn]] void Fail(std::string_view key, std::string_view expected,
                         const YAML::Node& found) const {
    throw InputError(Where(key) + ": expected " + std::string(expected) + ", found " +
                     Describe(found));
  }

  std::string Scalar(std::string_view key, const YAML::Node& n, std::string_view expected) const {
    if (!n.IsScalar()) Fail(key, expected, n);
    return n.Scalar();
  }

  int64_t Int(std::string_view key, const YAML::Node& n, int64_t min) const {
    const std::string expected = min == 1   ? "a positive integer"
                                 : min == 0 ? "a non-negative integer"
                                            : "an integer >= " + std::to_string(min);
    bool out_of_range = false;
    const std::optional<int64_t> v = YamlToInt(n, &out_of_range);
    if (out_of_range) throw InputError(Where(key) + ": " + n.Scalar() + " is out of range");
    if (!v || *v < min) Fail(key, expected, n);
    return *v;
  }

  bool Bool(std::string_view key, const YAML::Node& n) const {
    const std::optional<bool> v = YamlToBool(n);
    if (!v) Fail(key, "true or false", n);
    return *v;
  }

  double Double(std::string_view key, const YAML::Node& n) const {
    const std::optional<double> v = YamlToDouble(n);
    if (!v) Fail(key, "a number", n);
    return *v;
  }

  DType Dtype(std::string_view key, const YAML::Node& n) const {
    const std::string expected = "one of " + DTypeChoices();
    const std::optional<DType> d = ParseDType(Scalar(key, n, expected));
    if (!d) Fail(key, expected, n);
    return *d;
  }

  // One of `values`, by the name `name_of` gives it.
  template <typename Enum, size_t N, typename NameOf>
  Enum Choice(std::string_view key, const YAML::Node& n, const Enum (&values)[N],
              NameOf name_of) const {
    std::vector<std::string> names;
    for (Enum v : values) names.emplace_back(name_of(v));
    std::string expected = "one of ";
    for (size_t i = 0; i < names.size(); ++i) expected += (i ? ", " : "") + names[i];
    const std::string text = Scalar(key, n, expected);
    for (Enum v : values) {
      if (name_of(v) == text) return v;
    }
    throw InputError(Where(key) + ": expected " + expected + ", found '" + text + "'" +
                     DidYouMean(text, names));
  }

 private:
  YamlMapReader map_;
};

struct Given {
  bool head_dim = false;
  bool hidden_size = false;
  bool num_heads = false;
  bool num_kv_heads = false;
};

// Sets one field (not preset/hf_config/dtype) of `spec` from `value`.
void ApplyField(const FieldReader& r, std::string_view key, const YAML::Node& value,
                ModelSpec& spec, Given& given) {
  for (const IntField& f : kIntFields) {
    if (f.name == key) {
      spec.*f.member = r.Int(key, value, f.min);
      if (key == "head_dim") given.head_dim = true;
      if (key == "hidden_size") given.hidden_size = true;
      if (key == "num_heads") given.num_heads = true;
      if (key == "num_kv_heads") given.num_kv_heads = true;
      return;
    }
  }
  for (const BoolField& f : kBoolFields) {
    if (f.name == key) {
      spec.*f.member = r.Bool(key, value);
      return;
    }
  }
  for (const DTypeField& f : kDTypeFields) {
    if (f.name == key) {
      spec.*f.member = r.Dtype(key, value);
      return;
    }
  }
  if (key == "name") {
    const std::string name = r.Scalar(key, value, "a name");
    if (name.empty()) r.Fail(key, "a non-empty name", value);
    spec.name = name;
  } else if (key == "weight_group_size") {
    spec.weight_group_size = static_cast<int>(std::min<int64_t>(r.Int(key, value, 0), 1 << 30));
  } else if (key == "rotary_fraction") {
    spec.rotary_fraction = r.Double(key, value);
  } else if (key == "activation") {
    spec.activation = r.Choice(key, value, kActivations, ActivationName);
  } else if (key == "norm") {
    spec.norm = r.Choice(key, value, kNorms, NormTypeName);
  } else if (key == "position") {
    spec.position = r.Choice(key, value, kPositions, PositionEmbeddingName);
  }
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  const std::filesystem::path p(path);
  if (base_dir.empty() || p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).string();
}

// The keys that choose the base of a model map, found while checking that every key is known.
struct BaseKeys {
  YAML::Node preset, hf_config, dtype;
  bool has_preset = false, has_hf_config = false, has_dtype = false;
};

// Throws InputError "src: unknown key 'x' (did you mean ...)" for a key no model map accepts, and
// for a map giving both preset and hf_config.
BaseKeys ScanKeys(const YAML::Node& node, const std::string& src) {
  const std::vector<std::string>& known = ModelYamlFieldNames();
  BaseKeys base;
  for (const auto& member : node) {
    if (!member.first.IsScalar()) {
      throw InputError(src + ": keys must be names, found " + Describe(member.first));
    }
    const std::string& key = member.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw InputError(src + ": unknown key '" + key + "'" + DidYouMean(key, known));
    }
    if (key == "preset") {
      base.preset = member.second;
      base.has_preset = true;
    } else if (key == "hf_config") {
      base.hf_config = member.second;
      base.has_hf_config = true;
    } else if (key == "dtype") {
      base.dtype = member.second;
      base.has_dtype = true;
    }
  }
  if (base.has_preset && base.has_hf_config) {
    throw InputError(src + ": give either 'preset' or 'hf_config', not both");
  }
  return base;
}

// The spec the map's fields apply to: the preset, the config.json, or (neither given) a "custom"
// spec whose sizes the map must all give.
ModelSpec BaseSpec(const FieldReader& r, const BaseKeys& base, const std::string& src,
                   const std::string& base_dir) {
  ModelSpec spec;
  if (base.has_preset) {
    const std::string name = r.Scalar("preset", base.preset, "a model preset name");
    return ModelPresetOrThrow(name, r.Where("preset"));
  }
  if (base.has_hf_config) {
    const std::string path = ResolvePath(r.Scalar("hf_config", base.hf_config, "a path"), base_dir);
    try {
      return ModelSpecFromHfConfigFile(path);
    } catch (const InputError& e) {
      throw InputError(r.Where("hf_config") + ": " + e.what());
    }
  }
  spec.name = "custom";
  // Without a base every size must be given (head_dim and num_kv_heads can be derived).
  for (const char* key : {"num_layers", "hidden_size", "num_heads", "intermediate_size",
                          "vocab_size", "max_context"}) {
    if (!r.Has(key)) {
      throw InputError(src + ": missing required key '" + key +
                       "' (a model map without 'preset' or 'hf_config' must give every size)");
    }
  }
  return spec;
}

}  // namespace

const std::vector<std::string>& ModelYamlFieldNames() {
  static const std::vector<std::string> names = BuildFieldNames();
  return names;
}

ModelSpec ModelSpecFromYaml(const YAML::Node& node, std::string_view source,
                            const std::string& base_dir) {
  const std::string src(source);
  if (!node.IsDefined() || node.IsNull()) {
    throw InputError(src + ": expected a model preset name or a map, found null");
  }
  if (node.IsScalar()) return ModelPresetOrThrow(node.Scalar(), source);
  if (!node.IsMap()) {
    throw InputError(src + ": expected a model preset name or a map, found " + Describe(node));
  }

  const FieldReader r(node, src);
  const BaseKeys base = ScanKeys(node, src);
  const bool full = !base.has_preset && !base.has_hf_config;
  ModelSpec spec = BaseSpec(r, base, src, base_dir);
  if (base.has_dtype) {
    const DType d = r.Dtype("dtype", base.dtype);
    spec.weight_dtype = d;
    // llama.cpp's block formats quantize weights only (its KV cache and activations stay float).
    if (!IsLlamaCppFormat(d)) spec.activation_dtype = spec.kv_dtype = d;
  }
  Given given;
  for (const auto& member : node) {
    const std::string& key = member.first.Scalar();
    if (key == "preset" || key == "hf_config" || key == "dtype") continue;
    ApplyField(r, key, member.second, spec, given);
  }

  const bool shape_changed = given.hidden_size || given.num_heads || full;
  if (shape_changed && !given.head_dim && spec.hidden_size > 0 && spec.num_heads > 0) {
    if (spec.hidden_size % spec.num_heads != 0) {
      throw InputError(src + ": hidden_size (" + std::to_string(spec.hidden_size) +
                       ") is not divisible by num_heads (" + std::to_string(spec.num_heads) +
                       "); give head_dim explicitly");
    }
    spec.head_dim = spec.hidden_size / spec.num_heads;
  }
  if (full && !given.num_kv_heads) spec.num_kv_heads = spec.num_heads;

  ValidateModelSpec(spec, source);
  return spec;
}

}  // namespace servesim
