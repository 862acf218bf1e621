// The tiers below a replica's device prefix cache (LMCache's CPU / disk / remote backends, the
// Mooncake store): host DRAM, then local SSD, then optionally a remote pool.
//
// Models: a victim hierarchy of content keys. A cached block the device prefix cache evicts is
// demoted into the first tier; a tier that is full demotes its own victim (least recently used,
// or first stored, per tier) into the next tier, and the last tier drops it. A key lives in at
// most one tier; a block loaded back to the device stays in its tier (a copy, as LMCache's CPU
// backend keeps it), so evicting it from the device again writes nothing. A load is priced
// once per step and per tier: latency + bytes / bandwidth, summed over the tiers a step reads
// (they share the host link); `blocking` adds it to the step, `layerwise` overlaps it with the
// step's compute layer by layer (LMCache's layerwise retrieval: layer l+1 loads while layer l
// computes), so the step takes load/L + (L-1) * max(load, compute)/L + compute/L for L layers.
// Ignores: write-through at prefill (blocks reach a tier only when the device evicts them), the
// cost of demotion writes (asynchronous, off the step's path), tier sharing across replicas (a
// remote pool is modeled per replica), compression, and lookups' own latency.
//
// Units: capacities and block sizes in bytes of one block's KV on the whole replica (all tp
// devices), bandwidth in bytes/s of the replica's path from that tier into device memory.
#ifndef SERVESIM_POLICIES_KV_KV_TIERS_H_
#define SERVESIM_POLICIES_KV_KV_TIERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace servesim {

struct Sequence;

enum class TierEviction : uint8_t { kLru, kFifo };
enum class TierLoad : uint8_t { kLayerwise, kBlocking };

struct KvTierSpec {
  std::string name;
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;
  double latency_s = 0;
  TierEviction eviction = TierEviction::kLru;
};

struct KvTierOptions {
  std::vector<KvTierSpec> tiers;  // nearest first; empty: no tiers
  TierLoad load = TierLoad::kLayerwise;
  double block_bytes = 0;  // one block's KV on the replica (set from the memory plan)
  int64_t block_tokens = 16;
  int num_layers = 1;
  bool enabled() const { return !tiers.empty(); }
  // Blocks tier `t` holds.
  int64_t CapacityBlocks(size_t t) const;
};

struct KvTierStats {
  int64_t hit_tokens = 0;         // prompt tokens first admissions loaded from this tier
  int64_t resume_hit_tokens = 0;  // tokens re-admissions after a recompute preemption loaded
  int64_t evicted_blocks = 0;     // blocks this tier dropped (to the next tier or out)
  double bytes_in = 0;            // written into this tier (demotions)
  double bytes_out = 0;           // read back into device memory (loads)
  double load_s = 0;              // priced load time (latency + bytes / bandwidth per step)
};

// The seconds a step takes that computes for `compute_s` and loads for `load_s` (latency
// included) with `layers` layers under `mode` (see the file comment).
double StepSecondsWithLoad(TierLoad mode, double compute_s, double load_s, int layers);

class KvTiers {
 public:
  explicit KvTiers(const KvTierOptions& options);
  ~KvTiers();

  // The tier holding `key`, or -1. Const.
  int Find(uint64_t key) const;
  // A block the device cache evicted: stored into the first tier unless a tier holds its key
  // (then, under LRU, that tier counts it as used now).
  void Demote(uint64_t key);
  // Loads the block of `key` from tier `t` (Find just returned t) for `seq` in the current step:
  // counts its bytes and tokens, adds them to seq.tier_loaded_tokens (cleared by EndStep), and
  // counts the key as used under LRU.
  void Load(int t, uint64_t key, Sequence& seq);
  // Whether the current step loads anything.
  bool loading() const { return !step_seqs_.empty(); }
  // The current step's load time (Σ per tier read: latency + bytes / bandwidth), counted into the
  // tiers' load_s, and the step's loads cleared (seq.tier_loaded_tokens back to 0).
  double EndStep();

  const std::vector<KvTierStats>& stats() const { return stats_; }
  const KvTierOptions& options() const { return o_; }
  // Memory the tiers' tables take once they hold blocks (the scenario check bounds it).
  static int64_t TableBytes(const KvTierOptions& options);

 private:
  struct Tier;
  void Insert(size_t t, uint64_t key);

  KvTierOptions o_;
  std::vector<std::unique_ptr<Tier>> tiers_;
  std::vector<KvTierStats> stats_;
  std::vector<double> step_bytes_;    // per tier, loaded in the current step
  std::vector<Sequence*> step_seqs_;  // sequences that loaded in the current step
};

}  // namespace servesim

#endif  // SERVESIM_POLICIES_KV_KV_TIERS_H_
