#include "policies/speculative/speculative_yaml.h"

#include <optional>

#include "hardware/presets.h"
#include "models/model_yaml.h"
#include "models/yaml_scalar.h"
#include "policies/registry.h"
#include "policies/speculative/acceptance.h"

namespace servesim {
namespace {

// A list of numbers at `key` of the acceptance map (positional alphas, histogram probs).
void ReadNumbers(YamlMapReader& acc, const std::string& key, std::vector<double>& out) {
  const YAML::Node list = acc.Get(key);
  if (!list || !list.IsSequence() || list.size() == 0) {
    acc.Fail("speculative.acceptance." + key, "expected a non-empty list of numbers",
             list ? DescribeYamlNode(list) : "nothing", list);
  }
  for (const auto& item : list) {
    const std::optional<double> v = YamlToDouble(item);
    if (!v) {
      acc.Fail("speculative.acceptance." + key, "expected a number", DescribeYamlNode(item), item);
    }
    out.push_back(*v);
  }
}

// speculative.acceptance; probability ranges, sums and min <= max are checked where the model is
// built.
void ReadAcceptance(YamlMapReader& spec, AcceptanceSpec& as) {
  YamlMapReader acc(spec.Get("acceptance"), spec.file(), "speculative.acceptance");
  as.kind = acc.String("kind", "constant");
  if (as.kind == "constant") {
    as.alpha = acc.Double("alpha", 0.7, 0, 1);
  } else if (as.kind == "per_request") {
    as.dist = acc.String("dist", "uniform");
    if (as.dist == "uniform") {
      as.min = acc.Double("min", 0.5, 0, 1);
      as.max = acc.Double("max", 0.9, 0, 1);
    } else if (as.dist == "beta") {
      as.mean = acc.Double("mean", 0.7, 0, 1, true);
      as.concentration = acc.Double("concentration", 10, 0, 1e9, true);
    } else {
      acc.Fail("speculative.acceptance.dist", "expected uniform or beta", "'" + as.dist + "'",
               acc.Get("dist"));
    }
  } else if (as.kind == "positional") {
    ReadNumbers(acc, "alphas", as.alphas);
  } else if (as.kind == "histogram") {
    ReadNumbers(acc, "probs", as.probs);
  } else {
    acc.Fail("speculative.acceptance.kind",
             "expected constant, per_request, positional or histogram", "'" + as.kind + "'",
             acc.Get("kind"));
  }
  acc.Finish();
  MakeAcceptanceModel(as, spec.file() + ": speculative");
}

void ParseNone(YamlMapReader&, const SpeculativeContext&, SpeculativeOptions&) {}

void ParseDraftModel(YamlMapReader& spec, const SpeculativeContext& ctx, SpeculativeOptions& sp) {
  const std::string& path = spec.file();
  if (!spec.Has("draft"))
    spec.Fail("speculative.draft", "required for draft_model (a model preset or mapping)", "");
  sp.draft = ModelSpecFromYaml(spec.Get("draft"), path + ": speculative.draft", ctx.base_dir);
  if (sp.draft.vocab_size != ctx.target->vocab_size) {
    spec.Fail("speculative.draft",
              "the draft's vocabulary (" + std::to_string(sp.draft.vocab_size) +
                  " tokens) differs from the target's (" + std::to_string(ctx.target->vocab_size) +
                  "): its tokens could not be verified; pick a draft of the same family",
              sp.draft.name);
  }
  const std::string draft_device = spec.String("draft_device", "");
  sp.draft_on_target_device = draft_device.empty();
  if (!sp.draft_on_target_device) {
    sp.draft_device = DevicePresetOrThrow(draft_device, path + ": speculative.draft_device");
  }
  sp.draft_cost.tp = static_cast<int>(spec.Int("draft_tp", 1, 1, 1024));
  sp.pipelined = spec.Bool("pipelined", false);
  // On a shared device drafting can overlap only a verify pass that waits for streamed
  // weights (offload); checked once the offload slot is read.
  ValidateTensorParallel(sp.draft, sp.draft_cost.tp, path + ": speculative.draft_tp");
}

void ParseNgram(YamlMapReader& spec, const SpeculativeContext&, SpeculativeOptions& sp) {
  sp.ngram_round_s = spec.Double("round_ms", 0, 0, 1e6) * 1e-3;
}

void ParseDraftHeads(YamlMapReader& spec, const SpeculativeContext&, SpeculativeOptions& sp) {
  sp.heads_cost_fraction = spec.Double("cost_fraction", 0.1, 0, 10, true);
}

}  // namespace

const SpeculativeDescriptor& NoSpeculationDescriptor() {
  static const SpeculativeDescriptor kDescriptor = {
      "none", "no speculative decoding", {}, ParseNone, {}};
  return kDescriptor;
}

const SpeculativeDescriptor& DraftModelDescriptor() {
  static const SpeculativeDescriptor kDescriptor = {
      "draft_model",
      "a draft model on the target's device or another, k drafts per round, verified in one pass",
      {
          {"draft", "model", "", "required",
           "the draft model (any `model` form); its vocabulary must equal the target's (else an "
           "error); larger than the target: a warning"},
          {"draft_device", "name", "", "the target's",
           "a device preset for the draft; absent: the draft shares the target's devices and its "
           "weights and KV come out of the target's KV budget"},
          {"draft_tp", "integer", "devices", "1", "tensor parallelism of the draft"},
          {"pipelined", "bool", "", "false",
           "with `draft_device` (or, on the target's device, with an offloaded target: drafting "
           "then hides behind the verify pass's wait for streamed weights): the draft drafts the "
           "next round during the verify pass, assuming all drafts are accepted; a request whose "
           "round accepted them all starts its next round with drafts ready (the draft time hides "
           "behind the verify), others draft again"},
      },
      ParseDraftModel,
      {.drafts = true, .draft_model = true},
  };
  return kDescriptor;
}

const SpeculativeDescriptor& NgramDescriptor() {
  static const SpeculativeDescriptor kDescriptor = {
      "ngram",
      "prompt lookup: drafts at (near) zero cost, acceptance as configured",
      {{"round_ms", "number", "ms", "0", "CPU time of one round's lookup"}},
      ParseNgram,
      {.drafts = true},
  };
  return kDescriptor;
}

const SpeculativeDescriptor& DraftHeadsDescriptor() {
  static const SpeculativeDescriptor kDescriptor = {
      "draft_heads",
      "EAGLE/Medusa-style heads: each draft pass costs a fraction of a target decode step",
      {{"cost_fraction", "number", "fraction", "0.1",
        "one draft pass costs this fraction of a target decode step of the same requests"}},
      ParseDraftHeads,
      {.drafts = true},
  };
  return kDescriptor;
}

const std::vector<KeyDoc>& SpeculativeSlotKeys() {
  static const std::vector<KeyDoc> kKeys = {
      {"impl", "name", "", "`none`",
       "all but `none` need a scheduler that batches continuously (not `static`)"},
      {"k", "integer", "tokens", "4", "drafts per round, 1..16 (the maximum with `adaptive_k`)"},
      {"disable_by_batch_size", "integer", "requests", "0 (never)",
       "no speculation in a step where more requests decode (vLLM's "
       "`speculative_disable_by_batch_size`)"},
      {"adaptive_k", "bool", "", "false",
       "each step take the k in 1..k maximizing (1 − α^(k+1)) / (1 − α) / (k c + 1) for the "
       "measured acceptance α and draft/verify cost ratio c"},
      {"acceptance.kind", "name", "", "`constant`",
       "`constant` (`alpha`), `per_request` (`dist: uniform` with `min`, `max`, or `dist: beta` "
       "with `mean`, `concentration`), `positional` (`alphas: [α1, α2, ...]`), `histogram` "
       "(`probs: [P(0 accepted), P(1), ...]`, summing to 1)"},
      {"acceptance.alpha", "number", "probability", "0.7",
       "`constant`: each draft accepted with this probability given the ones before it were"},
      {"acceptance.dist", "name", "", "`uniform`", "`per_request`: `uniform` or `beta`"},
      {"acceptance.min", "number", "probability", "0.5",
       "`per_request`, `uniform`: lowest per-request alpha"},
      {"acceptance.max", "number", "probability", "0.9",
       "`per_request`, `uniform`: highest per-request alpha"},
      {"acceptance.mean", "number", "probability", "0.7", "`per_request`, `beta`: mean alpha"},
      {"acceptance.concentration", "number", "", "10",
       "`per_request`, `beta`: a + b of the beta distribution"},
      {"acceptance.alphas", "list", "probability", "required",
       "`positional`: draft i accepted with alphas[i-1] given the ones before it were (the last "
       "value past the list)"},
      {"acceptance.probs", "list", "probability", "required",
       "`histogram`: P(a = j accepted) for j = 0..n-1, summing to 1"},
  };
  return kKeys;
}

const SpeculativeDescriptor& ReadSpeculativeImpl(YamlMapReader& spec, SpeculativeOptions& sp) {
  sp.impl = spec.OneOf("impl", "none", ImplNames("speculative"), "implementation");
  return FindSpeculator(sp.impl);
}

void ReadSpeculativeKeys(YamlMapReader& spec, const SpeculativeDescriptor& d,
                         const SpeculativeContext& ctx, SpeculativeOptions& sp) {
  if (d.caps.drafts) {
    sp.k = static_cast<int>(spec.Int("k", 4, 1, 16));
    sp.disable_by_batch_size = spec.Int("disable_by_batch_size", 0, 0, 1 << 20);
    sp.adaptive_k = spec.Bool("adaptive_k", false);
    ReadAcceptance(spec, sp.acceptance);
    d.parse(spec, ctx, sp);
  }
  spec.Finish({}, OtherImplKeys("speculative", d.name));
}

}  // namespace servesim
