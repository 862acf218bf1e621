#include "policies/kv/kv_tiers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "policies/kv/block_key_map.h"
#include "policies/sequence.h"

namespace servesim {

int64_t KvTierOptions::CapacityBlocks(size_t t) const {
  if (block_bytes <= 0) return 0;
  return static_cast<int64_t>(std::floor(tiers[t].capacity_bytes / block_bytes));
}

double StepSecondsWithLoad(TierLoad mode, double compute_s, double load_s, int layers) {
  if (load_s <= 0) return compute_s;
  if (mode == TierLoad::kBlocking || layers <= 1) return load_s + compute_s;
  // Layer l+1 loads while layer l computes: the first load and the last compute stand alone.
  const double n = static_cast<double>(layers);
  return load_s / n + (n - 1) * std::max(load_s, compute_s) / n + compute_s / n;
}

// One tier: its keys in eviction order (an intrusive list over slots: front = next victim) and
// an index from key to slot, built at the tier's first store.
struct KvTiers::Tier {
  static constexpr int32_t kNone = -1;
  int64_t capacity = 0;
  TierEviction eviction = TierEviction::kLru;
  std::unique_ptr<BlockKeyMap> index;
  std::vector<uint64_t> keys;
  std::vector<int32_t> prev, next;
  int32_t head = kNone, tail = kNone;

  int64_t size() const { return static_cast<int64_t>(keys.size()); }
  int32_t Find(uint64_t key) const { return index ? index->Find(key) : kNone; }
  void Unlink(int32_t s) {
    const size_t u = static_cast<size_t>(s);
    (prev[u] == kNone ? head : next[static_cast<size_t>(prev[u])]) = next[u];
    (next[u] == kNone ? tail : prev[static_cast<size_t>(next[u])]) = prev[u];
    prev[u] = next[u] = kNone;
  }
  void PushBack(int32_t s) {
    const size_t u = static_cast<size_t>(s);
    prev[u] = tail;
    next[u] = kNone;
    (tail == kNone ? head : next[static_cast<size_t>(tail)]) = s;
    tail = s;
  }
  // Under LRU a used key becomes the last victim; FIFO keeps the order of storing.
  void Touch(int32_t s) {
    if (eviction != TierEviction::kLru || s == tail) return;
    Unlink(s);
    PushBack(s);
  }
};

KvTiers::KvTiers(const KvTierOptions& options) : o_(options) {
  for (size_t t = 0; t < o_.tiers.size(); ++t) {
    auto tier = std::make_unique<Tier>();
    tier->capacity = o_.CapacityBlocks(t);
    tier->eviction = o_.tiers[t].eviction;
    tiers_.push_back(std::move(tier));
  }
  stats_.resize(o_.tiers.size());
  step_bytes_.assign(o_.tiers.size(), 0.0);
}

KvTiers::~KvTiers() = default;

int KvTiers::Find(uint64_t key) const {
  for (size_t t = 0; t < tiers_.size(); ++t) {
    if (tiers_[t]->Find(key) != Tier::kNone) return static_cast<int>(t);
  }
  return -1;
}

void KvTiers::Demote(uint64_t key) {
  for (const auto& tier : tiers_) {
    const int32_t s = tier->Find(key);
    if (s != Tier::kNone) {
      tier->Touch(s);
      return;
    }
  }
  Insert(0, key);
}

// Stores `key` in tier t, pushing the tier's victim down to tier t+1 (or out) when it is full.
void KvTiers::Insert(size_t t, uint64_t key) {
  for (; t < tiers_.size(); ++t) {
    Tier& tier = *tiers_[t];
    if (tier.capacity < 1) continue;  // holds no block: passes it on
    stats_[t].bytes_in += o_.block_bytes;
    if (!tier.index) tier.index = std::make_unique<BlockKeyMap>(tier.capacity);
    if (tier.size() < tier.capacity) {
      const int32_t s = static_cast<int32_t>(tier.size());
      tier.keys.push_back(key);
      tier.prev.push_back(Tier::kNone);
      tier.next.push_back(Tier::kNone);
      tier.index->Insert(key, s);
      tier.PushBack(s);
      return;
    }
    const int32_t victim = tier.head;
    const uint64_t victim_key = tier.keys[static_cast<size_t>(victim)];
    tier.Unlink(victim);
    tier.index->Erase(victim_key);
    tier.keys[static_cast<size_t>(victim)] = key;
    tier.index->Insert(key, victim);
    tier.PushBack(victim);
    ++stats_[t].evicted_blocks;
    key = victim_key;  // on to the next tier
  }
}

void KvTiers::Load(int t, uint64_t key, Sequence& seq) {
  const size_t u = static_cast<size_t>(t);
  Tier& tier = *tiers_.at(u);
  const int32_t s = tier.Find(key);
  if (s == Tier::kNone) throw std::logic_error("KV tiers: loading a block the tier does not hold");
  tier.Touch(s);
  if (seq.preemptions == 0) {
    stats_[u].hit_tokens += o_.block_tokens;
  } else {
    stats_[u].resume_hit_tokens += o_.block_tokens;
  }
  stats_[u].bytes_out += o_.block_bytes;
  step_bytes_[u] += o_.block_bytes;
  if (seq.tier_loaded_tokens == 0) step_seqs_.push_back(&seq);
  seq.tier_loaded_tokens += o_.block_tokens;
}

double KvTiers::EndStep() {
  double load_s = 0;
  for (size_t t = 0; t < tiers_.size(); ++t) {
    if (step_bytes_[t] <= 0) continue;
    const KvTierSpec& spec = o_.tiers[t];
    const double s = spec.latency_s + step_bytes_[t] / spec.bandwidth_bytes_per_s;
    stats_[t].load_s += s;
    load_s += s;
    step_bytes_[t] = 0;
  }
  for (Sequence* seq : step_seqs_) seq->tier_loaded_tokens = 0;
  step_seqs_.clear();
  return load_s;
}

int64_t KvTiers::TableBytes(const KvTierOptions& options) {
  int64_t bytes = 0;
  for (size_t t = 0; t < options.tiers.size(); ++t) {
    const int64_t blocks = options.CapacityBlocks(t);
    if (blocks < 1) continue;
    bytes += BlockKeyMap::BytesFor(blocks) +
             blocks * static_cast<int64_t>(sizeof(uint64_t) + 2 * sizeof(int32_t));
  }
  return bytes;
}

}  // namespace servesim
