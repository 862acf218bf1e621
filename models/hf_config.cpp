#include "models/hf_config.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "models/input_error.h"
#include "models/json_reader.h"

namespace servesim {
namespace {

enum class Family {
  kLlama,
  kMistral,
  kMixtral,
  kQwen2,
  kQwen2Moe,
  kQwen3,
  kQwen3Moe,
  kOpt,
  kGptNeox,
  kPhi,
};

struct FamilyEntry {
  std::string_view model_type;
  std::string_view architecture;  // the CausalLM class named in `architectures`
  Family family;
};

constexpr FamilyEntry kFamilies[] = {
    {"llama", "LlamaForCausalLM", Family::kLlama},
    {"mistral", "MistralForCausalLM", Family::kMistral},
    {"mixtral", "MixtralForCausalLM", Family::kMixtral},
    {"qwen2", "Qwen2ForCausalLM", Family::kQwen2},
    {"qwen2_moe", "Qwen2MoeForCausalLM", Family::kQwen2Moe},
    {"qwen3", "Qwen3ForCausalLM", Family::kQwen3},
    {"qwen3_moe", "Qwen3MoeForCausalLM", Family::kQwen3Moe},
    {"opt", "OPTForCausalLM", Family::kOpt},
    {"gpt_neox", "GPTNeoXForCausalLM", Family::kGptNeox},
    {"phi", "PhiForCausalLM", Family::kPhi},
};

// Larger than any real model dimension; keeps products of sizes far from overflow.
constexpr int64_t kMaxValue = int64_t{1} << 24;

// config.json as Python's json writes it: NaN and Infinity may appear; whitespace spans lines.
constexpr JsonReader::Options kConfigJson = {/*top_level_duplicates=*/false,
                                             /*nonfinite_numbers=*/true,
                                             /*end_name=*/"end of file"};

// Config files are a few kilobytes; anything this large is not one.
constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string Truncated(std::string_view s, size_t max_chars = 40) {
  if (s.size() <= max_chars) return std::string(s);
  return std::string(s.substr(0, max_chars)) + "...";
}

// What a JSON value is, for "found ..." in messages (nullptr: an absent key). A string is shown
// decoded and marked as one, which tells the JSON string "4096" from the number 4096.
std::string Describe(const JsonValue* n) {
  if (n == nullptr) return "nothing";
  switch (n->kind) {
    case JsonValue::Kind::kObject:
      return "an object";
    case JsonValue::Kind::kArray:
      return "an array";
    case JsonValue::Kind::kString:
      return "the string \"" + Truncated(DecodeJsonString(n->text)) + "\"";
    case JsonValue::Kind::kLiteral:
      if (n->text == "null") return "null";
      return "the boolean " + std::string(n->text);
    case JsonValue::Kind::kNumber:
      break;
  }
  return Truncated(n->text);
}

bool IsJsonString(const JsonValue* n) {
  return n != nullptr && n->kind == JsonValue::Kind::kString;
}

bool IsNull(const JsonValue* n) {
  return n == nullptr || (n->kind == JsonValue::Kind::kLiteral && n->text == "null");
}

// The text of a number, string (decoded) or literal; empty for arrays and objects.
std::string ScalarText(const JsonValue* n) {
  if (n == nullptr) return "";
  switch (n->kind) {
    case JsonValue::Kind::kString:
      return DecodeJsonString(n->text);
    case JsonValue::Kind::kNumber:
    case JsonValue::Kind::kLiteral:
      return std::string(n->text);
    default:
      return "";
  }
}

// Typed access to one JSON object with messages naming `source` and the key path.
class JsonObject {
 public:
  JsonObject(const JsonReader& json, const JsonValue& node, std::string source,
             std::string prefix = "")
      : json_(json), node_(node), source_(std::move(source)), prefix_(std::move(prefix)) {}

  const std::string& source() const { return source_; }
  const JsonReader& json() const { return json_; }
  std::string Key(std::string_view key) const { return prefix_ + std::string(key); }

  [[noreturn]] void Fail(std::string_view key, std::string_view expected,
                         const JsonValue* found) const {
    throw InputError(source_ + ": key '" + Key(key) + "': expected " + std::string(expected) +
                     ", found " + Describe(found));
  }
  [[noreturn]] void FailMessage(const std::string& message) const {
    throw InputError(source_ + ": " + message);
  }

  // The member `key`, or nullptr.
  const JsonValue* Get(std::string_view key) const { return json_.Find(node_, key); }

  // Present with a non-null value. JSON null counts as absent ("head_dim": null is common).
  bool Has(std::string_view key) const { return !IsNull(Get(key)); }

  // An integer >= `min`, required.
  int64_t Int(std::string_view key, int64_t min = 1) const {
    if (!Has(key)) {
      throw InputError(source_ + ": missing required key '" + Key(key) + "' (expected " +
                       IntExpectation(min) + ")");
    }
    return ParseInt(key, min);
  }

  std::optional<int64_t> OptionalInt(std::string_view key, int64_t min = 1) const {
    if (!Has(key)) return std::nullopt;
    return ParseInt(key, min);
  }

  bool Bool(std::string_view key, bool default_value) const {
    if (!Has(key)) return default_value;
    const JsonValue* n = Get(key);
    if (n->kind == JsonValue::Kind::kLiteral) {
      if (n->text == "true") return true;
      if (n->text == "false") return false;
    }
    Fail(key, "true or false", n);
  }

  std::optional<std::string> OptionalString(std::string_view key) const {
    if (!Has(key)) return std::nullopt;
    const JsonValue* n = Get(key);
    if (!IsJsonString(n)) Fail(key, "a string", n);
    return DecodeJsonString(n->text);
  }

  // A number in (lo, hi].
  double Fraction(std::string_view key, double default_value) const {
    if (!Has(key)) return default_value;
    const JsonValue* n = Get(key);
    if (n->kind == JsonValue::Kind::kNumber) {
      const std::string text(n->text);
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (!text.empty() && end == text.c_str() + text.size()) {
        if (v > 0.0 && v <= 1.0) return v;
      }
    }
    Fail(key, "a number in (0, 1]", n);
  }

 private:
  static std::string IntExpectation(int64_t min) {
    if (min == 1) return "a positive integer";
    if (min == 0) return "a non-negative integer";
    return "an integer >= " + std::to_string(min);
  }

  int64_t ParseInt(std::string_view key, int64_t min) const {
    const JsonValue* n = Get(key);
    if (n->kind != JsonValue::Kind::kNumber) Fail(key, IntExpectation(min), n);
    const std::string_view text = n->text;
    int64_t v = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec == std::errc::result_out_of_range) {
      FailMessage("key '" + Key(key) + "': " + Truncated(text) + " is out of range");
    }
    if (ec != std::errc() || ptr != end || text.empty()) Fail(key, IntExpectation(min), n);
    if (v < min) Fail(key, IntExpectation(min), n);
    if (v > kMaxValue) {
      FailMessage("key '" + Key(key) + "': " + std::string(text) + " is implausibly large (limit " +
                  std::to_string(kMaxValue) + ")");
    }
    return v;
  }

  const JsonReader& json_;
  const JsonValue& node_;
  std::string source_;
  std::string prefix_;
};

std::vector<std::string> ModelTypeNames() {
  std::vector<std::string> out;
  for (const FamilyEntry& f : kFamilies) out.emplace_back(f.model_type);
  return out;
}

Family PickFamily(const JsonObject& cfg) {
  if (std::optional<std::string> model_type = cfg.OptionalString("model_type")) {
    for (const FamilyEntry& f : kFamilies) {
      if (f.model_type == *model_type) return f.family;
    }
    const std::vector<std::string> names = ModelTypeNames();
    cfg.FailMessage("key 'model_type': unsupported model type '" + Truncated(*model_type) + "'" +
                    DidYouMean(*model_type, names) + "; supported: " + Join(names));
  }
  // No model_type: fall back on the architecture class name.
  const JsonValue* archs = cfg.Get("architectures");
  if (!IsNull(archs)) {
    if (archs->kind != JsonValue::Kind::kArray) {
      cfg.Fail("architectures", "an array of class names", archs);
    }
    std::vector<std::string> seen;
    for (const JsonValue* a = cfg.json().FirstChild(*archs); a != nullptr;
         a = cfg.json().NextSibling(*archs, *a)) {
      if (!IsJsonString(a)) cfg.Fail("architectures", "an array of class names", a);
      const std::string name = DecodeJsonString(a->text);
      for (const FamilyEntry& f : kFamilies) {
        if (f.architecture == name) return f.family;
      }
      seen.push_back(name);
    }
    cfg.FailMessage(
        "missing key 'model_type', and 'architectures' [" + Join(seen) +
        "] names no supported family; supported model types: " + Join(ModelTypeNames()));
  }
  cfg.FailMessage("missing required key 'model_type' (expected one of: " + Join(ModelTypeNames()) +
                  ")");
}

Activation ParseActivation(const JsonObject& cfg, std::string_view key,
                           std::string_view default_name) {
  const std::string name = cfg.OptionalString(key).value_or(std::string(default_name));
  if (name == "silu" || name == "swish") return Activation::kSilu;
  if (name == "gelu" || name == "gelu_python") return Activation::kGelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") {
    return Activation::kGeluTanh;
  }
  if (name == "relu") return Activation::kRelu;
  cfg.FailMessage("key '" + cfg.Key(key) + "': unsupported activation '" + Truncated(name) +
                  "'; supported: silu, swish, gelu, gelu_python, gelu_new, gelu_pytorch_tanh, "
                  "gelu_fast, relu");
}

void SetDtypes(const JsonObject& cfg, ModelSpec& s) {
  const std::string_view key = cfg.Has("torch_dtype") ? "torch_dtype" : "dtype";
  DType dtype = DType::kBf16;
  if (std::optional<std::string> name = cfg.OptionalString(key)) {
    std::optional<DType> parsed = ParseDType(*name);
    if (!parsed) {
      cfg.Fail(key, "one of float32, bfloat16, float16 (or " + DTypeChoices() + ")", cfg.Get(key));
    }
    dtype = *parsed;
  }
  s.weight_dtype = s.activation_dtype = s.kv_dtype = dtype;

  const JsonValue* q = cfg.Get("quantization_config");
  if (IsNull(q)) return;
  if (q->kind != JsonValue::Kind::kObject) cfg.Fail("quantization_config", "an object", q);
  const JsonObject qc(cfg.json(), *q, cfg.source(), "quantization_config.");
  const std::optional<std::string> method = qc.OptionalString("quant_method");
  if (!method) {
    qc.FailMessage(
        "missing required key 'quantization_config.quant_method' (expected one of: "
        "gptq, awq, fp8)");
  }
  if (*method == "gptq" || *method == "awq") {
    const int64_t bits = qc.Int("bits");
    if (bits == 4) {
      s.weight_dtype = DType::kInt4;
    } else if (bits == 8) {
      s.weight_dtype = DType::kInt8;
    } else {
      qc.Fail("bits", "4 or 8", qc.Get("bits"));
    }
    // GPTQ writes -1 for one scale per output channel (no groups).
    int64_t group = 128;
    if (qc.Has("group_size")) {
      const JsonValue* g = qc.Get("group_size");
      if (ScalarText(g) == "-1") {
        group = 0;
      } else {
        group = qc.Int("group_size");
        if (group > (int64_t{1} << 20)) qc.Fail("group_size", "a group size up to 2^20", g);
      }
    }
    s.weight_group_size = static_cast<int>(group);
    return;
  }
  if (*method == "fp8") {
    s.weight_dtype = DType::kFp8;
    s.weight_group_size = 0;
    return;
  }
  qc.FailMessage("key 'quantization_config.quant_method': unsupported method '" +
                 Truncated(*method) + "'; supported: gptq, awq, fp8");
}

// Reads the attention shape shared by every family. `default_head_dim` > 0 is the family's
// default when config.json has no head_dim (Qwen3); otherwise head_dim = hidden / heads.
void SetAttentionShape(const JsonObject& cfg, ModelSpec& s, bool has_kv_heads,
                       int64_t default_head_dim) {
  s.num_layers = cfg.Int("num_hidden_layers");
  s.hidden_size = cfg.Int("hidden_size");
  s.num_heads = cfg.Int("num_attention_heads");
  s.num_kv_heads = s.num_heads;
  if (has_kv_heads) {
    if (std::optional<int64_t> kv = cfg.OptionalInt("num_key_value_heads")) s.num_kv_heads = *kv;
  }
  if (s.num_kv_heads > s.num_heads || s.num_heads % s.num_kv_heads != 0) {
    cfg.FailMessage("num_key_value_heads (" + std::to_string(s.num_kv_heads) +
                    ") must divide num_attention_heads (" + std::to_string(s.num_heads) + ")");
  }
  if (std::optional<int64_t> head_dim = cfg.OptionalInt("head_dim")) {
    s.head_dim = *head_dim;
  } else if (default_head_dim > 0) {
    s.head_dim = default_head_dim;
  } else {
    if (s.hidden_size % s.num_heads != 0) {
      cfg.FailMessage("hidden_size (" + std::to_string(s.hidden_size) +
                      ") is not divisible by num_attention_heads (" + std::to_string(s.num_heads) +
                      ") and no 'head_dim' key gives the head size");
    }
    s.head_dim = s.hidden_size / s.num_heads;
  }
  s.vocab_size = cfg.Int("vocab_size");
  s.max_context = cfg.Int("max_position_embeddings");
}

// LLaMA-like decoders: GQA, SwiGLU, RMSNorm, RoPE.
void SetLlamaLike(const JsonObject& cfg, Family family, ModelSpec& s) {
  const bool qwen3 = family == Family::kQwen3 || family == Family::kQwen3Moe;
  SetAttentionShape(cfg, s, /*has_kv_heads=*/true, /*default_head_dim=*/qwen3 ? 128 : 0);
  s.gated_ffn = true;
  s.activation = ParseActivation(cfg, "hidden_act", "silu");
  s.norm = NormType::kRmsNorm;
  s.position = PositionEmbedding::kRope;
  s.tied_embeddings = cfg.Bool("tie_word_embeddings", false);
  switch (family) {
    case Family::kLlama:
      s.qkv_bias = s.o_bias = cfg.Bool("attention_bias", false);
      s.mlp_bias = cfg.Bool("mlp_bias", false);
      break;
    case Family::kQwen2:
    case Family::kQwen2Moe:
      s.qkv_bias = true;  // Qwen2Attention: bias on q, k, v; none on o
      break;
    case Family::kQwen3:
    case Family::kQwen3Moe:
      s.qkv_bias = s.o_bias = cfg.Bool("attention_bias", false);
      s.qk_norm = true;
      break;
    default:
      break;
  }

  const bool moe =
      family == Family::kMixtral || family == Family::kQwen2Moe || family == Family::kQwen3Moe;
  if (!moe) {
    s.intermediate_size = cfg.Int("intermediate_size");
    return;
  }
  if (family == Family::kMixtral) {
    s.num_experts = cfg.Int("num_local_experts");
    s.intermediate_size = cfg.Int("intermediate_size");
    s.moe_intermediate_size = s.intermediate_size;
  } else {
    s.num_experts = cfg.Int("num_experts");
    s.moe_intermediate_size = cfg.Int("moe_intermediate_size");
    s.intermediate_size = cfg.OptionalInt("intermediate_size").value_or(s.moe_intermediate_size);
    if (family == Family::kQwen2Moe) {
      s.shared_expert_intermediate_size =
          cfg.OptionalInt("shared_expert_intermediate_size", 0).value_or(0);
    }
  }
  s.experts_per_token = cfg.Int("num_experts_per_tok");
  if (s.experts_per_token > s.num_experts) {
    cfg.FailMessage("num_experts_per_tok (" + std::to_string(s.experts_per_token) +
                    ") exceeds the number of experts (" + std::to_string(s.num_experts) + ")");
  }
}

void SetOpt(const JsonObject& cfg, ModelSpec& s) {
  SetAttentionShape(cfg, s, /*has_kv_heads=*/false, 0);
  s.intermediate_size = cfg.Int("ffn_dim");
  if (std::optional<int64_t> proj = cfg.OptionalInt("word_embed_proj_dim")) {
    if (*proj != s.hidden_size) {
      cfg.FailMessage("word_embed_proj_dim (" + std::to_string(*proj) +
                      ") differs from hidden_size (" + std::to_string(s.hidden_size) +
                      "); OPT's embedding projection layers (opt-350m) are not modeled");
    }
  }
  s.gated_ffn = false;
  s.activation = ParseActivation(cfg, "activation_function", "relu");
  s.norm = NormType::kLayerNorm;
  s.qkv_bias = s.o_bias = s.mlp_bias = cfg.Bool("enable_bias", true);
  s.position = PositionEmbedding::kLearned;
  s.learned_position_rows = s.max_context + 2;  // OPTLearnedPositionalEmbedding offset
  s.tied_embeddings = cfg.Bool("tie_word_embeddings", true);
}

void SetGptNeox(const JsonObject& cfg, ModelSpec& s) {
  SetAttentionShape(cfg, s, /*has_kv_heads=*/false, 0);
  s.intermediate_size = cfg.Int("intermediate_size");
  s.gated_ffn = false;
  s.activation = ParseActivation(cfg, "hidden_act", "gelu");
  s.norm = NormType::kLayerNorm;
  s.qkv_bias = s.o_bias = cfg.Bool("attention_bias", true);
  s.mlp_bias = true;
  // use_parallel_residual runs attention and MLP side by side, but each on its own LayerNorm;
  // parallel_attn_mlp means one norm shared by both (GPT-J, Phi), so it stays false here. The key
  // is still type-checked.
  cfg.Bool("use_parallel_residual", true);
  s.parallel_attn_mlp = false;
  s.rotary_fraction = cfg.Fraction("rotary_pct", 0.25);
  s.position = s.rotary_fraction < 1.0 ? PositionEmbedding::kPartialRope : PositionEmbedding::kRope;
  s.tied_embeddings = cfg.Bool("tie_word_embeddings", false);
}

void SetPhi(const JsonObject& cfg, ModelSpec& s) {
  SetAttentionShape(cfg, s, /*has_kv_heads=*/true, 0);
  s.intermediate_size = cfg.Int("intermediate_size");
  s.gated_ffn = false;
  s.activation = ParseActivation(cfg, "hidden_act", "gelu_new");
  s.norm = NormType::kLayerNorm;
  s.qkv_bias = s.o_bias = s.mlp_bias = s.lm_head_bias = true;
  s.qk_norm = cfg.Bool("qk_layernorm", false);
  s.parallel_attn_mlp = true;
  s.rotary_fraction = cfg.Fraction("partial_rotary_factor", 0.5);
  s.position = s.rotary_fraction < 1.0 ? PositionEmbedding::kPartialRope : PositionEmbedding::kRope;
  s.tied_embeddings = cfg.Bool("tie_word_embeddings", false);
}

std::string NameFromSource(std::string_view source) {
  const std::filesystem::path parent = std::filesystem::path(std::string(source)).parent_path();
  const std::string dir = parent.filename().string();
  if (dir.empty() || dir == "." || dir == "..") return "hf-config";
  return dir;
}

std::string DescribeChar(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02X", c);
  return std::string("byte ") + buf;
}

// Throws InputError "source:LINE: a.b.key: duplicate key ..." for the first object (at any depth,
// in document order) that holds the same key twice: Python's json keeps the last, other readers
// the first, and a user who wrote both meant one of them.
void CheckDuplicateKeys(const JsonReader& json, const JsonValue& value, std::string_view text,
                        const std::string& source, const std::string& at) {
  if (value.kind != JsonValue::Kind::kArray && value.kind != JsonValue::Kind::kObject) return;
  std::set<std::string_view> keys;
  size_t i = 0;
  for (const JsonValue* v = json.FirstChild(value); v != nullptr;
       v = json.NextSibling(value, *v), ++i) {
    if (value.kind == JsonValue::Kind::kArray) {
      CheckDuplicateKeys(json, *v, text, source, at + "[" + std::to_string(i) + "]");
      continue;
    }
    const std::string key = DecodeJsonString(v->key);
    const std::string path = at.empty() ? key : at + "." + key;
    if (!keys.insert(v->key).second) {
      throw InputError(source + ":" + std::to_string(PositionOf(text, v->key_offset).line) + ": " +
                       path + ": duplicate key (it appears more than once in this mapping)");
    }
    CheckDuplicateKeys(json, *v, text, source, path);
  }
}

// Parses `text` as a JSON object into `json`, or throws naming `source` and the line/column of the
// problem. `text` must outlive the result.
const JsonValue& ParseJsonObject(JsonReader& json, std::string_view text,
                                 const std::string& source) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.remove_prefix(3);
  }
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    throw InputError(source + ": empty file, expected a JSON object ({...})");
  }
  if (text[first] != '{') {
    throw InputError(source + ": not a JSON object: expected '{' as the first character, found " +
                     DescribeChar(static_cast<unsigned char>(text[first])));
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    throw InputError(source + ": not JSON text: NUL byte at offset " + std::to_string(nul));
  }
  try {
    const JsonValue& root = json.Parse(text);
    CheckDuplicateKeys(json, root, text, source, "");
    return root;
  } catch (const JsonError& e) {
    const TextPosition at = PositionOf(text, e.offset);
    throw InputError(
        source + ": malformed JSON at line " + std::to_string(at.line) + ", column " +
        std::to_string(at.column) + ": " +
        (e.kind == JsonError::Kind::kKeyNotString ? "object keys must be strings: " : "") +
        e.message);
  }
}

}  // namespace

const std::vector<std::string>& HfSupportedModelTypes() {
  static const std::vector<std::string> names = ModelTypeNames();
  return names;
}

ModelSpec ModelSpecFromHfConfigText(std::string_view json_text, std::string_view source) {
  const std::string src(source);
  JsonReader json(kConfigJson);
  const JsonValue& root = ParseJsonObject(json, json_text, src);
  const JsonObject cfg(json, root, src);

  ModelSpec s;
  s.name = NameFromSource(source);
  const Family family = PickFamily(cfg);
  switch (family) {
    case Family::kOpt:
      SetOpt(cfg, s);
      break;
    case Family::kGptNeox:
      SetGptNeox(cfg, s);
      break;
    case Family::kPhi:
      SetPhi(cfg, s);
      break;
    default:
      SetLlamaLike(cfg, family, s);
      break;
  }
  SetDtypes(cfg, s);
  ValidateModelSpec(s, source);
  return s;
}

ModelSpec ModelSpecFromHfConfigFile(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file(path);
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= "config.json";
  const std::string name = file.string();
  if (!fs::exists(file, ec)) throw InputError(name + ": HF config file not found");
  if (!fs::is_regular_file(file, ec)) throw InputError(name + ": not a regular file");
  CheckInputFileSize(name, kMaxConfigBytes, "config.json");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(name + ": cannot open HF config for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(name + ": error while reading HF config");
  return ModelSpecFromHfConfigText(text.str(), name);
}

}  // namespace servesim
