#include "models/dtype.h"

#include <array>

namespace servesim {
namespace {

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  int bits;
};

constexpr std::array<DTypeEntry, 8> kDTypes = {{
    {DType::kFp32, "fp32", 32},
    {DType::kBf16, "bf16", 16},
    {DType::kFp16, "fp16", 16},
    {DType::kFp8, "fp8", 8},
    {DType::kInt8, "int8", 8},
    {DType::kInt4, "int4", 4},
    {DType::kQ4_0, "q4_0", 4},
    {DType::kQ8_0, "q8_0", 8},
}};

// ggml's blocks: 32 weights share one fp16 scale.
constexpr double kGgmlBlockWeights = 32.0;
constexpr double kGgmlScaleBytes = 2.0;

// Aliases seen in Hugging Face configs (`torch_dtype`) and common usage.
struct DTypeAlias {
  std::string_view alias;
  DType dtype;
};
constexpr std::array<DTypeAlias, 9> kAliases = {{
    {"float32", DType::kFp32},
    {"float", DType::kFp32},
    {"bfloat16", DType::kBf16},
    {"float16", DType::kFp16},
    {"half", DType::kFp16},
    {"float8", DType::kFp8},
    {"fp8_e4m3", DType::kFp8},
    {"Q4_0", DType::kQ4_0},  // as llama.cpp's file names and llama-bench print them
    {"Q8_0", DType::kQ8_0},
}};

}  // namespace

int DTypeBits(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) return e.bits;
  }
  return 16;
}

std::string_view DTypeName(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) return e.name;
  }
  return "?";
}

std::optional<DType> ParseDType(std::string_view name) {
  for (const auto& e : kDTypes) {
    if (e.name == name) return e.dtype;
  }
  for (const auto& a : kAliases) {
    if (a.alias == name) return a.dtype;
  }
  return std::nullopt;
}

std::string DTypeChoices() {
  std::string out;
  for (const auto& e : kDTypes) {
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out;
}

bool IsLlamaCppFormat(DType dtype) { return dtype == DType::kQ4_0 || dtype == DType::kQ8_0; }

bool IsQuantizedWeightFormat(DType dtype) {
  return dtype == DType::kInt8 || dtype == DType::kInt4 || IsLlamaCppFormat(dtype);
}

double BytesPerElement(DType dtype, int group_size) {
  if (IsLlamaCppFormat(dtype)) {
    return DTypeBits(dtype) / 8.0 + kGgmlScaleBytes / kGgmlBlockWeights;
  }
  double bytes = DTypeBits(dtype) / 8.0;
  const bool integer = dtype == DType::kInt8 || dtype == DType::kInt4;
  if (integer && group_size > 0) bytes += 2.0 / group_size;  // one fp16 scale per group
  return bytes;
}

}  // namespace servesim
