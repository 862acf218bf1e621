// Numeric formats of weights, activations and KV cache, and how many bytes an element takes.
//
// Models: storage size only (bits per element plus group-wise quantization scales), including
// llama.cpp's GGUF block formats q4_0 and q8_0 (blocks of 32 weights with one fp16 scale each:
// 18 and 34 bytes per 32 weights). Ignores packing/alignment padding and per-tensor scale scalars
// (negligible), and llama.cpp's k-quants (q4_K, q6_K, ...).
#ifndef SERVESIM_MODELS_DTYPE_H_
#define SERVESIM_MODELS_DTYPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace servesim {

enum class DType { kFp32, kBf16, kFp16, kFp8, kInt8, kInt4, kQ4_0, kQ8_0 };

// llama.cpp's block formats (q4_0, q8_0): weight storage only, never activations or KV cache here.
bool IsLlamaCppFormat(DType dtype);

// Weight formats a kernel dequantizes before it multiplies: int8, int4, q4_0, q8_0.
bool IsQuantizedWeightFormat(DType dtype);

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
// group 128 costs 4/8 + 2/128 = 0.515625 bytes). Float formats ignore `group_size`, and so do
// llama.cpp's block formats, whose block of 32 is part of the format: q4_0 = 18/32 = 0.5625,
// q8_0 = 34/32 = 1.0625 bytes per weight (ggml's block_q4_0 / block_q8_0: an fp16 scale and 32
// packed 4-bit or 8-bit values).
double BytesPerElement(DType dtype, int group_size = 0);

}  // namespace servesim

#endif  // SERVESIM_MODELS_DTYPE_H_
