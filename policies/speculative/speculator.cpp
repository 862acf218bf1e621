#include "policies/speculative/speculator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace servesim {

Speculator::Speculator(const SpeculativeOptions& o, const CostModel& target, SpecShared& shared)
    : o_(o), target_(target), shared_(shared) {
  if (o_.k < 1 || o_.k > 16) throw std::logic_error("speculator: k outside [1, 16]");
  if (o_.impl == "draft_model") {
    kind_ = Kind::kDraftModel;
  } else if (o_.impl == "ngram") {
    kind_ = Kind::kNgram;
  } else if (o_.impl == "draft_heads") {
    kind_ = Kind::kDraftHeads;
  } else {
    throw std::logic_error("speculator: no implementation named '" + o_.impl + "'");
  }
  acceptance_ = MakeAcceptanceModel(o_.acceptance, "speculative");
  if (kind_ == Kind::kDraftModel) {
    draft_cost_ = MakeRooflineCostModel(
        o_.draft, o_.draft_on_target_device ? target.device() : o_.draft_device, o_.draft_cost);
  }
}

int Speculator::DraftLength(int64_t decoding_seqs) const {
  if (o_.disable_by_batch_size > 0 && decoding_seqs > o_.disable_by_batch_size) return 0;
  if (!o_.adaptive_k || proposed_sum_ <= 0 || last_c_ <= 0) return o_.k;
  // argmax over k of expected tokens per round / round cost in target-step units.
  const double a = std::clamp(accepted_sum_ / proposed_sum_, 0.0, 0.999999);
  int best_k = 1;
  double best = -1;
  for (int k = 1; k <= o_.k; ++k) {
    const double tokens = (1.0 - std::pow(a, k + 1)) / (1.0 - a);
    const double value = tokens / (static_cast<double>(k) * last_c_ + 1.0);
    if (value > best) {
      best = value;
      best_k = k;
    }
  }
  return best_k;  // never 0: the measured rate must keep being observed
}

void Speculator::AddRequest(int drafts, int64_t context_tokens, bool predrafted) {
  BatchShape* passes = predrafted && o_.pipelined ? hidden_ : passes_;
  int& used = predrafted && o_.pipelined ? hidden_used_ : shapes_used_;
  for (int i = 0; i < drafts; ++i) {
    if (i >= used) {
      passes[i] = BatchShape{};
      used = i + 1;
    }
    // Pass i drafts token i + 1 over the context plus the i drafts before it.
    passes[i].Add(1, context_tokens + i, true);
  }
}

double Speculator::PassesSeconds(const BatchShape* passes, int used) const {
  if (used == 0) return 0;
  if (kind_ == Kind::kNgram) return o_.ngram_round_s;
  double total = 0;
  for (int i = 0; i < used; ++i) {
    total += kind_ == Kind::kDraftModel
                 ? draft_cost_->PriceStep(passes[i]).seconds
                 : o_.heads_cost_fraction * target_.PriceStep(passes[i]).seconds;
  }
  return total;
}

double Speculator::DraftSeconds(const StepCost& verify) {
  // Pipelined drafts hide behind the verify pass: all of it on a separate device, only the
  // compute's wait for streamed weights on the target's own.
  const double verify_s = verify.seconds;
  const double hide_s = o_.draft_on_target_device ? verify.stall_s : verify.seconds;
  const double exposed = PassesSeconds(passes_, shapes_used_);
  const double hidden = PassesSeconds(hidden_, hidden_used_);
  const int passes = std::max(shapes_used_, hidden_used_);
  if (passes > 0 && verify_s > 0) last_c_ = std::max(exposed, hidden) / passes / verify_s;
  const double draft_s = exposed + std::max(0.0, hidden - hide_s);
  shared_.counters.draft_s += draft_s;
  shared_.counters.verify_s += verify_s;
  return draft_s;
}

void Speculator::GiveDrafts(const std::vector<Sequence*>& running) {
  int64_t decoding = 0;
  for (const Sequence* seq : running) decoding += seq->Decoding() && !seq->hold;
  const int k = DraftLength(decoding);
  if (k == 0) return;
  for (Sequence* seq : running) {
    if (!seq->Decoding() || seq->hold) continue;
    const int64_t room = seq->output_tokens - seq->generated - 1;
    if (room <= 0) continue;
    seq->spec_tokens = static_cast<int32_t>(std::min<int64_t>(k, room));
    given_.push_back(seq);
  }
}

void Speculator::ClearDrafts() {
  for (Sequence* seq : given_) seq->spec_tokens = 0;
  given_.clear();
}

int Speculator::Accept(int drafts, double request_alpha) {
  const int a = acceptance_->Accepted(drafts, request_alpha, shared_.accept_rng);
  accepted_sum_ += a;
  proposed_sum_ += drafts;
  return a;
}

int64_t Speculator::FinishRound(Sequence& seq, int64_t drafts, KvAllocator& kv,
                                bool trim_rejected) {
  const int64_t a = Accept(static_cast<int>(drafts), seq.spec_alpha);
  seq.computed -= drafts - a;
  seq.spec_all_accepted = a == drafts;
  if (drafts > a && trim_rejected) kv.Trim(seq, seq.computed);
  const int64_t emitted = std::min(a + 1, seq.output_tokens - seq.generated);
  SpecCounters& c = shared_.counters;
  ++c.rounds;
  c.proposed += drafts;
  c.accepted += a;
  c.emitted += emitted;
  return emitted;
}

}  // namespace servesim
