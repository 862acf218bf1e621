// Numeric formats of weights, activations and KV cache, and how many bytes an element takes.
//
// Models: storage size only (bits per element plus group-wise quantization scales). Ignores
// packing/alignment padding and per-tensor scale scalars (negligible).
#ifndef SERVESIM_MODELS_DTYPE_H_
#define SERVESIM_MODELS_DTYPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace servesim {

enum class DType { kFp32, kBf16, kFp16, kFp8, kInt8, kInt4 };

// Bits of one element, without scales.
int DTypeBits(DType dtype);

// "fp32", "bf16", ... (the names used in YAML, JSON and on the command line).
std::string_view DTypeName(DType dtype);

// Parses a name ("bf16", "float16", "int4", ...); nullopt when unknown.
std::optional<DType> ParseDType(std::string_view name);

// Comma-separated list of the accepted names, for error messages.
std::string DTypeChoices();

// Bytes of one element including group-wise quantization scales: integer formats with
// `group_size` > 0 carry one fp16 scale per `group_size` elements (GPTQ/AWQ-style int4 with
// group 128 costs 4/8 + 2/128 = 0.515625 bytes). Float formats ignore `group_size`.
double BytesPerElement(DType dtype, int group_size = 0);

}  // namespace servesim

#endif  // SERVESIM_MODELS_DTYPE_H_
