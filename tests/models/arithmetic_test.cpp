// Oracles of ../shared/REFERENCES.md section 2 (the project's source documents), reproduced
// exactly through the same code paths the simulator uses. Specs are written here from the numbers
// in REFERENCES.md, not taken from the preset catalog, so a preset typo cannot hide here.
#include "models/arithmetic.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "models/model_spec.h"

namespace servesim {
namespace {

ModelSpec Llama(int64_t vocab, int64_t h, int64_t layers, int64_t inter, int64_t heads,
                int64_t kv_heads) {
  ModelSpec s;
  s.name = "test-llama";
  s.vocab_size = vocab;
  s.hidden_size = h;
  s.num_layers = layers;
  s.intermediate_size = inter;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.head_dim = h / heads;
  s.max_context = 4096;
  s.weight_dtype = s.activation_dtype = s.kv_dtype = DType::kFp16;
  return s;
}

ModelSpec Llama2_7b() { return Llama(32000, 4096, 32, 11008, 32, 32); }

// The source documents count a 2-matrix FFN (no gate) in their tables.
ModelSpec Llama2_7bTwoMatrixFfn() {
  ModelSpec s = Llama2_7b();
  s.gated_ffn = false;
  return s;
}

const OpWork& FindOp(const std::vector<OpWork>& ops, OpId id) {
  for (const auto& op : ops) {
    if (op.id == id) return op;
  }
  FAIL("operator " << OpName(id) << " missing");
  return ops.front();
}

// Arithmetic intensity counted in elements (the source documents' unit) for fp16 tensors.
double ElementIntensity(const OpWork& op) { return op.flops / (op.Bytes() / 2.0); }

}  // namespace

TEST_CASE("12 L h^2 of the source documents", "[models][oracle]") {
  struct Row {
    int64_t h, layers, expected;
  };
  for (const Row& r : {Row{4096, 32, 6442450944}, Row{5120, 40, 12582912000},
                       Row{6656, 60, 31897681920}, Row{8192, 80, 64424509440}}) {
    // MHA with a 4h two-matrix FFN and no biases: attention + FFN weights are exactly 12 L h^2.
    ModelSpec s = Llama(32000, r.h, r.layers, 4 * r.h, r.h / 128, r.h / 128);
    s.gated_ffn = false;
    const ParamCount c = CountParams(s);
    CHECK(c.attention + c.ffn == r.expected);
  }
}

TEST_CASE("12h^2 + 13h per layer with biases and LayerNorm", "[models][oracle]") {
  ModelSpec s = Llama(50272, 1024, 4, 4096, 16, 16);
  s.gated_ffn = false;
  s.qkv_bias = s.o_bias = s.mlp_bias = true;
  s.norm = NormType::kLayerNorm;
  const ParamCount c = CountParams(s);
  const int64_t h = 1024;
  const int64_t final_norm = 2 * h;
  CHECK(c.attention + c.ffn + c.norms - final_norm == 4 * (12 * h * h + 13 * h));
}

TEST_CASE("exact parameter counts of the Llama family", "[models][oracle]") {
  CHECK(CountParams(Llama(32000, 4096, 32, 11008, 32, 32)).Total() == 6738415616);
  CHECK(CountParams(Llama(32000, 5120, 40, 13824, 40, 40)).Total() == 13015864320);
  CHECK(CountParams(Llama(32000, 8192, 80, 28672, 64, 8)).Total() == 68976648192);
  CHECK(CountParams(Llama(128256, 4096, 32, 14336, 32, 8)).Total() == 8030261248);
  CHECK(CountParams(Llama(128256, 8192, 80, 28672, 64, 8)).Total() == 70553706496);
}

TEST_CASE("weight bytes follow the dtype", "[models]") {
  ModelSpec s = Llama2_7b();
  CHECK(WeightBytes(s) == 2.0 * 6738415616);
  s.weight_dtype = DType::kFp32;
  CHECK(WeightBytes(s) == 4.0 * 6738415616);
  // int4 with group 128: linears at 0.5 + 2/128 bytes; embedding, head and norms stay 16-bit.
  s.weight_dtype = DType::kInt4;
  s.weight_group_size = 128;
  const double linear = 32.0 * (4.0 * 4096 * 4096 + 3.0 * 4096 * 11008);
  const double other = 6738415616.0 - linear;
  CHECK(WeightBytes(s) == Approx(linear * (0.5 + 2.0 / 128) + other * 2.0).epsilon(1e-12));
}

TEST_CASE("KV cache bytes", "[models][oracle]") {
  const ModelSpec s7 = Llama2_7b();
  CHECK(KvBytesPerToken(s7) == 524288.0);
  CHECK(std::floor(10e9 / KvBytesPerToken(s7)) == 19073.0);  // "10 GB holds about 19,073 tokens"

  ModelSpec s70 = Llama(32000, 8192, 80, 28672, 64, 8);
  const double gib = 1024.0 * 1024.0 * 1024.0;
  const double per_seq = KvBytesPerToken(s70) * 1024;
  CHECK(per_seq / gib == 0.3125);
  CHECK(16 * per_seq / gib == 5.0);
  CHECK(32 * per_seq / gib == 10.0);
  CHECK(64 * per_seq / gib == 20.0);
  s70.kv_dtype = DType::kInt8;
  CHECK(64 * KvBytesPerToken(s70) * 1024 / gib == 10.0);
}

TEST_CASE("linear-layer arithmetic intensity, prefill and decode", "[models][oracle]") {
  const int64_t ns[] = {1, 2, 4, 8, 128, 512, 4096};
  // QKVO: one d x d projection (o_proj of Llama-2-7B).
  const double qkvo[] = {1.999024, 3.996098, 7.984405, 15.93774, 240.9412, 819.2, 2730.667};
  // FFN: d x i with a 2-matrix FFN (up_proj of the non-gated variant).
  const double ffn[] = {1.999330, 3.997322, 7.989295, 15.95724, 245.4746, 874.0844, 3453.490};
  for (size_t j = 0; j < 7; ++j) {
    const auto ops = BuildStepOps(Llama2_7bTwoMatrixFfn(), BatchShape::Uniform(1, ns[j], 0), {});
    INFO("n = " << ns[j]);
    CHECK(ElementIntensity(FindOp(ops, OpId::kOProj)) == Approx(qkvo[j]).epsilon(5e-7));
    CHECK(ElementIntensity(FindOp(ops, OpId::kUpProj)) == Approx(ffn[j]).epsilon(5e-7));
    CHECK(ElementIntensity(FindOp(ops, OpId::kDownProj)) == Approx(ffn[j]).epsilon(5e-7));
  }
  // The same through the standalone helper, for a decode of a batch of one.
  CHECK(ElementIntensity(LinearOp(OpId::kOProj, 1, 4096, 4096, 2, 2, false)) ==
        Approx(1.999024).epsilon(5e-7));
}

TEST_CASE("naive attention act-to-act intensity", "[models][oracle]") {
  // Q K^T of n query tokens over l = 4096 keys: 2dl / (dl/n + d + lH).
  const int64_t ns[] = {1, 2, 4, 8, 128, 512, 4096};
  const double expected[] = {1.984016, 3.936569, 7.750237, 15.03119, 126.0308, 199.8049, 240.9412};
  for (size_t j = 0; j < 7; ++j) {
    BatchShape b;
    b.Add(ns[j], 4096 - ns[j], true);
    const auto ops = BuildStepOps(Llama2_7b(), b, {1, AttentionImpl::kNaive});
    const OpWork& score = FindOp(ops, OpId::kAttnScore);
    // The oracle counts reads of Q and K and the write of the scores, not the KV-cache store.
    const double elements = (score.Bytes() - score.kv_write_bytes) / 2.0;
    INFO("n = " << ns[j]);
    CHECK(score.flops / elements == Approx(expected[j]).epsilon(5e-7));
  }
}

TEST_CASE("FLOPs and memory operations per decoded token", "[models][oracle]") {
  // Source table (llama-2-7b, 2-matrix FFN count), in units of 2^20 per token:
  // MHA projections 4096 FLOPs / 2048 MOPs; FFN 5504 / 2752; act-to-act at context l:
  // 64/32 (128), 256/128 (512), 2048/1024 (4096), 16384/8192 (32768).
  // The source prints 8192 FLOPs for 32768, but its own Total row (25984 = 4096 + 16384 + 5504)
  // and the formula 4 * l * h * L agree on 16384: the 8192 is a typo there.
  const double unit = 1024.0 * 1024.0;
  const ModelSpec s = Llama2_7bTwoMatrixFfn();
  struct Row {
    int64_t context;
    double act_flops, act_mops, total_flops;
  };
  for (const Row& r : {Row{128, 64, 32, 9664}, Row{512, 256, 128, 9856},
                       Row{4096, 2048, 1024, 11648}, Row{32768, 16384, 8192, 25984}}) {
    BatchShape b;
    b.Add(1, r.context - 1, true);  // the new token attends to `context` positions, itself included
    const auto ops = BuildStepOps(s, b, {});
    const OpWork& qkv = FindOp(ops, OpId::kQkvProj);
    const OpWork& o = FindOp(ops, OpId::kOProj);
    const OpWork& attn = FindOp(ops, OpId::kAttention);
    const OpWork& up = FindOp(ops, OpId::kUpProj);
    const OpWork& down = FindOp(ops, OpId::kDownProj);
    const double L = 32;
    const double proj = (qkv.flops + o.flops) * L / unit;
    const double ffn = (up.flops + down.flops) * L / unit;
    const double act = attn.flops * L / unit;
    INFO("context " << r.context);
    CHECK(proj == 4096.0);
    CHECK((qkv.weight_bytes + o.weight_bytes) / 2.0 * L / unit == 2048.0);
    CHECK(ffn == 5504.0);
    CHECK((up.weight_bytes + down.weight_bytes) / 2.0 * L / unit == 2752.0);
    CHECK(act == r.act_flops);
    CHECK(attn.kv_read_bytes / 2.0 * L / unit == r.act_mops);
    CHECK(proj + ffn + act == r.total_flops);
  }
}

TEST_CASE("about 2 FLOPs per parameter per token", "[models]") {
  const ModelSpec s = Llama2_7b();
  const auto ops = BuildStepOps(s, BatchShape::Uniform(1, 1, 0), {});
  double matmul_flops = 0;
  for (const auto& op : ops) {
    if (op.kind == OpKind::kGemm) matmul_flops += op.flops * static_cast<double>(op.repeats);
  }
  // Every linear weight except the embedding table is used once per token.
  const double used =
      static_cast<double>(CountParams(s).Total() - 32000 * 4096 - (2 * 32 + 1) * 4096);
  CHECK(matmul_flops == Approx(2.0 * used).epsilon(1e-9));
}

TEST_CASE("prefill logits only for the last token, causal pairs", "[models]") {
  BatchShape b;
  b.Add(512, 0, true);     // a whole prompt: one logit row
  b.Add(256, 100, false);  // a chunk that does not finish its prompt: no logits
  b.Add(1, 900, true);     // a decode
  CHECK(b.logit_tokens == 2);
  CHECK(b.new_tokens == 769);
  CHECK(b.causal_pairs == 512.0 * 513 / 2 + (256.0 * 100 + 256.0 * 257 / 2) + 901.0);
  CHECK(b.full_pairs == 512.0 * 512 + 256.0 * 356 + 901.0);
  const auto ops = BuildStepOps(Llama2_7b(), b, {});
  CHECK(FindOp(ops, OpId::kLmHead).m == 2);
}

TEST_CASE("tensor parallelism shards the work", "[models]") {
  const ModelSpec s = Llama(32000, 8192, 80, 28672, 64, 8);
  const BatchShape b = BatchShape::Uniform(8, 1, 1000);
  const auto one = BuildStepOps(s, b, {1});
  const auto four = BuildStepOps(s, b, {4});
  for (OpId id :
       {OpId::kQkvProj, OpId::kOProj, OpId::kGateUpProj, OpId::kDownProj, OpId::kAttention}) {
    INFO(OpName(id));
    CHECK(FindOp(four, id).flops * 4 == Approx(FindOp(one, id).flops).epsilon(1e-12));
  }
  CHECK(FindOp(four, OpId::kGateUpProj).weight_bytes * 4 ==
        FindOp(one, OpId::kGateUpProj).weight_bytes);
  // Two all-reduces per layer plus the vocab-parallel embedding, of b*h activations each.
  const OpWork& ar = FindOp(four, OpId::kTpAllReduce);
  CHECK(ar.repeats == 161);
  CHECK(ar.act_bytes == 8.0 * 8192 * 2);
  for (const auto& op : one) CHECK(op.id != OpId::kTpAllReduce);
  // 8 KV heads at TP 16 are replicated: each device still holds one.
  ModelSpec wide = s;
  wide.num_heads = 128;
  wide.head_dim = 64;
  const auto sixteen = BuildStepOps(wide, b, {16});
  CHECK(FindOp(sixteen, OpId::kAttention).kv_write_bytes == 8.0 * 2 * 64 * 2);
}

TEST_CASE("mixture of experts reads only touched experts", "[models]") {
  ModelSpec s = Llama(32000, 4096, 32, 14336, 32, 8);
  s.num_experts = 8;
  s.experts_per_token = 2;
  s.moe_intermediate_size = 14336;
  // Mixtral-8x7B: 46.7B total, 12.9B active (Mistral AI's announcement).
  const ParamCount c = CountParams(s);
  CHECK(c.Total() == 46702792704);
  // Active: all but 6 of the 8 experts per layer (3 matrices of 4096 x 14336 each).
  CHECK(c.active == 46702792704 - int64_t{32} * 6 * 3 * 4096 * 14336);
  // Decode of one token touches exactly top-k = 2 experts.
  const auto ops = BuildStepOps(s, BatchShape::Uniform(1, 1, 10), {});
  CHECK(FindOp(ops, OpId::kGateUpProj).weight_bytes ==
        Approx(2.0 * 4096 * 2 * 14336 * 2).epsilon(1e-12));
}

TEST_CASE("training memory is 20 bytes per parameter plus activations", "[models]") {
  const ModelSpec s = Llama2_7b();
  const double act = 32.0 * 2048 * 4096 * (34.0 + 5.0 * 32 * 2048 / 4096);
  CHECK(TrainingMemoryBytes(s, 1, 2048) == Approx(20.0 * 6738415616 + act).epsilon(1e-12));
}

TEST_CASE("llama.cpp's q4_0 and q8_0: 18 and 34 bytes per block of 32 weights", "[models]") {
  // ggml's block_q4_0 is an fp16 scale + 16 bytes of nibbles, block_q8_0 an fp16 scale + 32 bytes.
  CHECK(BytesPerElement(DType::kQ4_0) == 18.0 / 32);
  CHECK(BytesPerElement(DType::kQ8_0) == 34.0 / 32);
  CHECK(BytesPerElement(DType::kQ4_0, 128) == 18.0 / 32);  // the block is part of the format
  CHECK(ParseDType("q4_0") == DType::kQ4_0);
  CHECK(ParseDType("Q8_0") == DType::kQ8_0);
  CHECK(IsLlamaCppFormat(DType::kQ8_0));
  CHECK_FALSE(IsLlamaCppFormat(DType::kInt4));
  CHECK(IsQuantizedWeightFormat(DType::kQ4_0));
  CHECK_FALSE(IsQuantizedWeightFormat(DType::kFp8));
  // LLaMA-2-7B has 6,738,415,616 parameters; a GGUF file quantizes all of them (embedding and
  // output included): 6,738,415,616 x 18 / 32 = 3,790,358,784 bytes for q4_0. llama-bench prints
  // 3.56 GiB (3.82e9 bytes) for its q4_0 file, which keeps the output matrix at q6_K (+0.9 %).
  ModelSpec m = Llama2_7b();
  m.weight_dtype = DType::kQ4_0;
  CHECK(WeightBytes(m) == Approx(3790358784.0));
  CHECK(WeightBytes(m) / (3.56 * 1024 * 1024 * 1024) == Approx(1.0).epsilon(0.01));
  m.weight_dtype = DType::kQ8_0;  // llama-bench: 6.67 GiB
  CHECK(WeightBytes(m) == Approx(6738415616.0 * 34 / 32));
  CHECK(WeightBytes(m) / (6.67 * 1024 * 1024 * 1024) == Approx(1.0).epsilon(0.005));
  // They are weight formats only.
  m.kv_dtype = DType::kQ8_0;
  CHECK_THROWS_WITH(ValidateModelSpec(m, "m"),
                    "m: kv_dtype q8_0 is a llama.cpp weight format; expected fp32, bf16, fp16, "
                    "fp8 or int8");
}

}  // namespace servesim
