#include "policies/offload/offload.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <list>
#include <utility>

#include "models/arithmetic.h"
#include "models/input_error.h"

namespace servesim {
namespace {

constexpr double kGB = 1e9;

std::string Gb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g GB", bytes / kGB);
  return buf;
}

std::vector<WeightUnit> BuildUnits(const ModelSpec& model, int tp, size_t tiers) {
  const WeightLayout w = WeightBytesLayout(model);
  const double shard = static_cast<double>(std::max(1, tp));
  std::vector<WeightUnit> units;
  auto add = [&](std::string name, double bytes, double ffn, bool lookup) {
    WeightUnit u;
    u.name = std::move(name);
    u.bytes = bytes / shard;
    u.streamed.assign(tiers, 0.0);
    u.ffn_streamed = ffn / shard;  // scaled to the streamed share once placed
    u.lookup = lookup;
    units.push_back(std::move(u));
  };
  add("embedding", w.embedding, 0, true);
  for (int64_t i = 0; i < model.num_layers; ++i) {
    add("layer " + std::to_string(i), w.layer, w.layer_ffn, false);
  }
  add("head", w.head, 0, false);
  return units;
}

// Streams each unit's non-resident bytes from the nearest tiers with room, in execution order.
// Returns false when the tiers together cannot hold them.
bool PlaceStreamed(std::vector<WeightUnit>& units, const std::vector<MemoryTier>& tiers,
                   std::vector<double> room) {
  for (WeightUnit& u : units) {
    double left = u.bytes - u.resident_bytes;
    for (size_t t = 0; t < tiers.size() && left > 0; ++t) {
      const double take = std::min(left, room[t]);
      if (take <= 0) continue;
      u.streamed[t] += take;
      room[t] -= take;
      left -= take;
    }
    if (left > u.bytes * 1e-12) return false;
  }
  return true;
}

// Steady state of an LRU cache of `capacity` bytes under repeated passes over `units` in order:
// true for each unit that hits in the second pass (after a first pass warmed the cache).
std::vector<bool> LruSteadyHits(const std::vector<WeightUnit>& units, double capacity) {
  std::vector<bool> hit(units.size(), false);
  std::list<size_t> lru;  // front = most recent
  std::vector<bool> cached(units.size(), false);
  double used = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < units.size(); ++i) {
      const double b = units[i].bytes;
      if (units[i].lookup || b <= 0) {  // rows on demand: never worth a whole-table slot
        if (pass == 1) hit[i] = true;
        continue;
      }
      if (cached[i]) {
        lru.remove(i);
        lru.push_front(i);
        if (pass == 1) hit[i] = true;
        continue;
      }
      if (b > capacity) continue;  // never fits: streams every pass
      while (used + b > capacity && !lru.empty()) {
        cached[lru.back()] = false;
        used -= units[lru.back()].bytes;
        lru.pop_back();
      }
      lru.push_front(i);
      cached[i] = true;
      used += b;
    }
  }
  return hit;
}

double PercentOption(double v) { return v / 100.0; }

}  // namespace

namespace {

// What every placement needs to know besides the plan: the error prefix, streaming buffers, and
// the device memory left once activations, the draft and the KV reserve are accounted for.
struct PlacementContext {
  const ModelSpec& model;
  const DeviceSpec& device;
  const OffloadOptions& o;
  std::string where;        // "file: offload", for messages
  int buffers = 1;          // streamed units in memory at once (computing + prefetched)
  double largest_unit = 0;  // bytes of the largest streamable unit
  double tier_total = 0;    // bytes all offload tiers hold
  double fixed = 0;         // activations + reserve + draft weights
  double usable = 0;        // device memory usable by this process
  double kv_reserve = 0;    // bytes of offload.kv_reserve_tokens
};

// Everything resident (offload: none).
OffloadPlan PlanResident(const ModelSpec& model, const DeviceSpec& device,
                         const MemoryPlanOptions& mem, OffloadPlan p) {
  for (WeightUnit& u : p.units) u.resident_bytes = u.bytes;
  p.resident_bytes = p.weight_bytes;
  p.memory = PlanMemory(model, device, mem);
  return p;
}

void CheckTiers(const OffloadPlan& p, const DeviceSpec& device, const std::string& where) {
  if (p.tiers.empty()) {
    throw InputError(where + ": device " + device.name +
                     " has no offload tier (host memory or storage) to stream from; add "
                     "hardware.offload_tiers");
  }
  if (p.tiers.size() > kMaxOffloadTiers) {
    throw InputError(where + ": device " + device.name + " has " + std::to_string(p.tiers.size()) +
                     " offload tiers; expected at most " + std::to_string(kMaxOffloadTiers));
  }
  for (size_t t = 0; t < p.tiers.size(); ++t) {
    const MemoryTier& tier = p.tiers[t];
    if (!(tier.bandwidth_bytes_per_s > 0) || !std::isfinite(tier.bandwidth_bytes_per_s) ||
        !(tier.capacity_bytes > 0) || !(tier.latency_s >= 0)) {
      throw InputError(where + ": tier " + std::to_string(t) + " (" + tier.name +
                       "): expected positive bandwidth and capacity and a latency >= 0");
    }
  }
}

// FlexGen: fixed percentages of every unit on device / host / disk, KV split device / host.
void PlaceFlexGen(const PlacementContext& c, MemoryPlanOptions& mem, OffloadPlan& p) {
  const ModelSpec& model = c.model;
  const DeviceSpec& device = c.device;
  const OffloadOptions& o = c.o;
  const double wg = PercentOption(o.weights_device_pct), wc = PercentOption(o.weights_host_pct),
               wd = PercentOption(o.weights_disk_pct);
  for (WeightUnit& u : p.units) u.resident_bytes = u.bytes * wg;
  // Host share from tier 0, disk share from the last tier (FlexGen's CPU and disk).
  const size_t host = 0, disk = p.tiers.size() - 1;
  if (wc > 0 && (device.unified_memory || p.tiers.size() < 2) && wd > 0) {
    throw InputError(c.where +
                     ".weights: host and disk shares need a device with both a host "
                     "tier and a storage tier; " +
                     device.name + " has " + std::to_string(p.tiers.size()) + " offload tier(s)");
  }
  double on_host = 0, on_disk = 0;
  for (WeightUnit& u : p.units) {
    u.streamed[host] += u.bytes * wc;
    u.streamed[disk] += u.bytes * wd;
    on_host += u.bytes * wc;
    on_disk += u.bytes * wd;
  }
  if (on_host > p.tiers[host].capacity_bytes || on_disk > p.tiers[disk].capacity_bytes) {
    throw InputError(c.where + ".weights: " + Gb(on_host) + " on " + p.tiers[host].name + " and " +
                     Gb(on_disk) + " on " + p.tiers[disk].name + " exceed their capacity (" +
                     Gb(p.tiers[host].capacity_bytes) + ", " + Gb(p.tiers[disk].capacity_bytes) +
                     ")");
  }
  p.kv_host_fraction = PercentOption(o.kv_host_pct);
  if (p.kv_host_fraction > 0 && device.unified_memory) {
    throw InputError(c.where + ".kv_cache: " + device.name +
                     " has unified memory: there is no separate host memory for a KV share");
  }
  p.kv_tier = static_cast<int>(host);
  p.resident_bytes = p.weight_bytes * wg;
  p.buffer_bytes = c.buffers * c.largest_unit * (1.0 - wg);
  mem.resident_weight_bytes = p.resident_bytes;
  mem.offload_buffer_bytes = p.buffer_bytes;
  p.memory = PlanMemory(model, device, mem);
  if (!p.memory.weights_fit || p.memory.kv_budget_bytes < 0) {
    throw InputError(c.where + ".weights: " + Gb(p.resident_bytes) + " resident + " +
                     Gb(p.buffer_bytes) + " of streaming buffers + " + Gb(c.fixed) +
                     " of activations/draft exceed the device's " + Gb(c.usable) +
                     " usable; lower the device share");
  }
  // KV: cg on the device, cc on host; capacity is whichever side fills first.
  const double block = p.kv_bytes_per_token * static_cast<double>(mem.block_size_tokens);
  const double host_room = p.tiers[host].capacity_bytes - on_host;
  const double cg = 1.0 - p.kv_host_fraction;
  double blocks = 1e18;
  if (cg > 0) blocks = std::min(blocks, p.memory.kv_budget_bytes / (cg * block));
  if (p.kv_host_fraction > 0) blocks = std::min(blocks, host_room / (p.kv_host_fraction * block));
  p.kv_host_blocks = static_cast<int64_t>(std::floor(blocks)) - p.memory.kv_blocks;
  p.notes.push_back(
      "weights " + std::to_string(static_cast<int>(std::lround(wg * 100))) + "% device / " +
      std::to_string(static_cast<int>(std::lround(wc * 100))) + "% " + p.tiers[host].name + " / " +
      std::to_string(static_cast<int>(std::lround(wd * 100))) + "% " + p.tiers[disk].name);
}

// The OS page cache over a memory-mapped file: its LRU decides what stays (nothing pinned).
void PlacePageCache(const PlacementContext& c, MemoryPlanOptions& mem, OffloadPlan& p) {
  const ModelSpec& model = c.model;
  const DeviceSpec& device = c.device;
  // The whole file is mapped from the storage tier (the last one); the page cache gets what the
  // process does not pin: memory minus activations, draft and the KV reserve.
  const size_t file = p.tiers.size() - 1;
  if (p.tiers[file].capacity_bytes < p.weight_bytes) {
    throw InputError(c.where + ": the model file (" + Gb(p.weight_bytes) + ") does not fit on " +
                     p.tiers[file].name + " (" + Gb(p.tiers[file].capacity_bytes) + ")");
  }
  p.page_cache_bytes = c.usable - c.fixed - c.kv_reserve;
  if (p.page_cache_bytes < 0) {
    throw InputError(c.where +
                     ": no memory left for the page cache after activations, draft and "
                     "offload.kv_reserve_tokens (" +
                     Gb(c.fixed + c.kv_reserve) + " of " + Gb(c.usable) + ")");
  }
  const std::vector<bool> hit = LruSteadyHits(p.units, p.page_cache_bytes);
  double cached = 0;
  for (size_t i = 0; i < p.units.size(); ++i) {
    WeightUnit& u = p.units[i];
    if (hit[i] || u.lookup) {
      u.resident_bytes = u.bytes;  // served from the cache (or by row lookups)
      cached += u.lookup ? 0 : u.bytes;
    } else {
      u.streamed[file] = u.bytes;
    }
  }
  p.resident_bytes = 0;  // nothing pinned: the cache holds copies
  mem.resident_weight_bytes = std::min(cached, p.page_cache_bytes);
  mem.offload_buffer_bytes = 0;
  p.memory = PlanMemory(model, device, mem);
  p.notes.push_back("page cache " + Gb(p.page_cache_bytes) + " for a " + Gb(p.weight_bytes) +
                    " file: " +
                    (cached >= p.weight_bytes - p.units.front().bytes - 1
                         ? "all of it stays cached"
                         : "LRU keeps " + Gb(cached) + " in steady state"));
}

// A pinned resident set (resident_gb, resident_layers, or what memory leaves), the rest placed
// on the tiers nearest first.
void PlacePinned(const PlacementContext& c, MemoryPlanOptions& mem, OffloadPlan& p) {
  const ModelSpec& model = c.model;
  const DeviceSpec& device = c.device;
  const OffloadOptions& o = c.o;
  const double buffer_guess = c.buffers * c.largest_unit;
  double budget;
  if (o.resident_bytes >= 0) {
    budget = o.resident_bytes;
  } else if (o.resident_layers >= 0) {
    budget = p.units.front().bytes;
    for (int64_t i = 0; i < std::min<int64_t>(o.resident_layers, model.num_layers); ++i)
      budget += p.units[static_cast<size_t>(i + 1)].bytes;
    if (o.resident_layers >= model.num_layers) budget = p.weight_bytes;
  } else {
    budget = c.usable - c.fixed - c.kv_reserve - buffer_guess;
    if (budget < 0) {
      throw InputError(c.where +
                       ": no memory left for resident weights: activations, draft, "
                       "streaming buffers and offload.kv_reserve_tokens take " +
                       Gb(c.fixed + c.kv_reserve + buffer_guess) + " of " + Gb(c.usable) +
                       " usable");
    }
  }
  budget = std::min(budget, p.weight_bytes);
  double left = budget;
  for (WeightUnit& u : p.units) {
    u.resident_bytes = std::min(u.bytes, left);
    left -= u.resident_bytes;
  }
  p.resident_bytes = budget;
  std::vector<double> room;
  for (const MemoryTier& t : p.tiers) room.push_back(t.capacity_bytes);
  if (!PlaceStreamed(p.units, p.tiers, room)) {
    throw InputError(c.where + ": the " + Gb(p.weight_bytes - budget) +
                     " of weights not resident do not fit in the offload tiers (" +
                     Gb(c.tier_total) + ")");
  }
  double largest_stream = 0;
  for (const WeightUnit& u : p.units) {
    if (!u.lookup) largest_stream = std::max(largest_stream, u.bytes - u.resident_bytes);
  }
  p.buffer_bytes = largest_stream > 0 ? c.buffers * largest_stream : 0;
  mem.resident_weight_bytes = p.resident_bytes;
  mem.offload_buffer_bytes = p.buffer_bytes;
  p.memory = PlanMemory(model, device, mem);
  if (!p.memory.weights_fit || p.memory.kv_budget_bytes < c.kv_reserve) {
    throw InputError(c.where + (o.resident_bytes >= 0 ? ".resident_gb: " : ".resident_layers: ") +
                     Gb(p.resident_bytes) + " resident + " + Gb(p.buffer_bytes) +
                     " of streaming buffers + " + Gb(c.fixed + c.kv_reserve) +
                     " of activations, draft and KV reserve exceed the device's " + Gb(c.usable) +
                     " usable memory");
  }
}

// Units fully resident need nothing; records the streamed FFN share and the per-pass totals.
void SumStreamed(OffloadPlan& p) {
  for (WeightUnit& u : p.units) {
    double streamed = 0;
    for (size_t t = 0; t < p.tiers.size(); ++t) {
      streamed += u.streamed[t];
      if (!u.lookup) p.streamed_per_pass[t] += u.streamed[t];
    }
    u.ffn_streamed = u.bytes > 0 ? u.ffn_streamed * streamed / u.bytes : 0;
  }
}

// KV spill (layers): the device keeps its blocks, host memory holds `kv_host_bytes` more.
void PlanKvSpill(const DeviceSpec& device, const OffloadOptions& o, const MemoryPlanOptions& mem,
                 const std::string& where, OffloadPlan& p) {
  if (device.unified_memory) {
    throw InputError(where + ".kv_host_gib: " + device.name +
                     " has unified memory: there is no separate host memory to spill KV to");
  }
  double host_weights = 0;
  for (const WeightUnit& u : p.units) host_weights += u.streamed[0];
  if (o.kv_host_bytes + host_weights > p.tiers[0].capacity_bytes) {
    throw InputError(where + ".kv_host_gib: " + Gb(o.kv_host_bytes) + " of KV + " +
                     Gb(host_weights) + " of weights exceed " + p.tiers[0].name + " (" +
                     Gb(p.tiers[0].capacity_bytes) + ")");
  }
  const double block = p.kv_bytes_per_token * static_cast<double>(mem.block_size_tokens);
  p.kv_host_blocks = static_cast<int64_t>(std::floor(o.kv_host_bytes / block));
  p.kv_device_tokens = p.memory.kv_blocks * mem.block_size_tokens;
  p.kv_tier = 0;
}

}  // namespace

OffloadPlan PlanOffload(const ModelSpec& model, const DeviceSpec& device, MemoryPlanOptions mem,
                        const OffloadOptions& o, const std::string& source) {
  OffloadPlan p;
  p.impl = o.impl;
  p.residency = o.residency;
  p.tiers = device.offload_tiers;
  const int tp = std::max(1, mem.tp);
  p.units = BuildUnits(model, tp, p.tiers.size());
  for (const WeightUnit& u : p.units) p.weight_bytes += u.bytes;
  p.kv_bytes_per_token = KvBytesPerTokenPerDevice(model, tp) + mem.draft_kv_bytes_per_token;
  p.streamed_per_pass.assign(p.tiers.size(), 0.0);
  if (o.impl == "none") return PlanResident(model, device, mem, std::move(p));
  // Streaming engines (FlexGen, llama.cpp-style) are not vLLM: no sampler-sort profiling pass, no
  // cuBLAS / NCCL reserve of its size.
  mem.vllm_profile = false;

  PlacementContext c{model, device, o, source + ": offload"};
  CheckTiers(p, device, c.where);
  p.prefetch = o.prefetch;
  p.prefetch_depth = std::max(1, o.prefetch_depth);
  p.read_bytes = o.read_bytes;
  p.io_depth = std::max(1, o.io_depth);
  p.ffn_load_fraction = o.ffn_load_fraction;
  p.sparse_bundle_bytes = (model.gated_ffn ? 3.0 : 2.0) * static_cast<double>(model.hidden_size) *
                          model.WeightBytesPerParam();
  // Buffers: a streamed unit computing plus `prefetch_depth` loading ahead; without prefetch, one.
  c.buffers = p.prefetch ? p.prefetch_depth + 1 : 1;
  for (const WeightUnit& u : p.units) {
    if (!u.lookup) c.largest_unit = std::max(c.largest_unit, u.bytes);
  }
  for (const MemoryTier& t : p.tiers) c.tier_total += t.capacity_bytes;

  // The memory everything but resident weights takes: activations, reserve, draft, KV reserve.
  MemoryPlanOptions probe = mem;
  probe.resident_weight_bytes = 0;
  const MemoryPlan base = PlanMemory(model, device, probe);
  c.kv_reserve = static_cast<double>(o.kv_reserve_tokens) * p.kv_bytes_per_token;
  c.fixed = base.activation_bytes + base.reserve_bytes + base.draft_weight_bytes;
  c.usable = base.usable_bytes;
  if (c.usable + c.tier_total < p.weight_bytes) {
    throw InputError(c.where + ": " + model.name + " (" + Gb(p.weight_bytes) +
                     " per device) fits nowhere: device memory (" + Gb(c.usable) +
                     " usable) and every offload tier together hold " +
                     Gb(c.usable + c.tier_total));
  }
  if (o.impl == "flexgen") {
    PlaceFlexGen(c, mem, p);
  } else if (o.residency == Residency::kPageCache) {
    PlacePageCache(c, mem, p);
  } else {
    PlacePinned(c, mem, p);
  }
  SumStreamed(p);
  if (o.impl == "layers" && o.kv_host_bytes > 0) PlanKvSpill(device, o, mem, c.where, p);

  double streamed_total = 0;
  for (double b : p.streamed_per_pass) streamed_total += b;
  p.active = streamed_total > 0 || p.kv_host_blocks > 0 || p.kv_host_fraction > 0;
  if (o.impl == "layers" && o.residency == Residency::kPinned) {
    p.notes.push_back(Gb(p.resident_bytes) + " of " + Gb(p.weight_bytes) + " pinned; " +
                      Gb(streamed_total) + " streamed per pass");
  }
  return p;
}

namespace {

class OffloadCostModel : public CostModel {
 public:
  OffloadCostModel(const CostModel& inner, const OffloadPlan& plan) : inner_(&inner), plan_(plan) {
    const ModelSpec& m = inner_->model();
    layers_ = std::max<int64_t>(1, m.num_layers);
    row_bytes_ = static_cast<double>(m.hidden_size) * m.ActivationBytes();
    // Per-unit weight loads and the parts sparsity may shrink, priced once.
    for (const WeightUnit& u : plan_.units) {
      UnitCost c;
      double streamed = 0;
      for (size_t t = 0; t < plan_.tiers.size(); ++t) {
        if (u.streamed[t] <= 0) continue;
        streamed += u.streamed[t];
        if (c.tier < 0) c.tier = static_cast<int>(t);
        if (!u.lookup) {
          c.tier_s[t] =
              TierReadSeconds(plan_.tiers[t], u.streamed[t], plan_.read_bytes, plan_.io_depth);
          c.tier_bytes[t] = u.streamed[t];
          c.load_s += c.tier_s[t];
        }
      }
      c.streamed = u.lookup ? 0 : streamed;
      c.lookup_streamed = u.lookup && streamed > 0;
      c.ffn = u.ffn_streamed;
      if (c.ffn > 0 && plan_.ffn_load_fraction < 1 && c.tier >= 0) {
        // The FFN part is re-priced per step; keep the rest.
        const double rest = streamed - c.ffn;
        c.load_s = TierReadSeconds(plan_.tiers[static_cast<size_t>(c.tier)], rest, plan_.read_bytes,
                                   plan_.io_depth);
        c.sparse = true;
        // Priced as if all of it came from the first tier (as the load above): so counted.
        c.tier_bytes.fill(0);
        c.tier_s.fill(0);
        c.tier_bytes[static_cast<size_t>(c.tier)] = rest;
        c.tier_s[static_cast<size_t>(c.tier)] = c.load_s;
      }
      units_.push_back(c);
    }
    ring_.assign(static_cast<size_t>(plan_.prefetch_depth) + 1, 0.0);
  }

  StepCost PriceStep(const BatchShape& batch) const override {
    const StepCost s = inner_->PriceStepDetailed(batch, ops_);
    return Price(batch, s, ops_);
  }
  StepCost PriceStepDetailed(const BatchShape& batch, std::vector<OpCost>& ops) const override {
    const StepCost s = inner_->PriceStepDetailed(batch, ops);
    return Price(batch, s, ops);
  }
  const ModelSpec& model() const override { return inner_->model(); }
  const DeviceSpec& device() const override { return inner_->device(); }
  const CostModelOptions& options() const override { return inner_->options(); }

 private:
  struct UnitCost {
    int tier = -1;
    double load_s = 0;  // weights (without the sparse FFN part)
    double streamed = 0;
    bool lookup_streamed = false;
    double ffn = 0;
    bool sparse = false;
    // The weight load by tier (load_s and streamed split; lookups and sparse rows come on top).
    std::array<double, kMaxOffloadTiers> tier_bytes{}, tier_s{};
  };

  StepCost Price(const BatchShape& batch, const StepCost& s, const std::vector<OpCost>& ops) const {
    if (batch.new_tokens <= 0) return s;
    double embed_s = 0, head_s = 0;
    for (const OpCost& c : ops) {
      if (c.work.id == OpId::kEmbed) embed_s += c.seconds;
      if (c.work.id == OpId::kLmHead) head_s += c.seconds;
    }
    const double layer_s =
        std::max(0.0, s.device_s - embed_s - head_s) / static_cast<double>(layers_);
    // KV held in host memory crosses the link every step, per layer.
    double kv_host_bytes = 0;
    if (plan_.kv_host_fraction > 0) {
      kv_host_bytes = plan_.kv_host_fraction *
                      static_cast<double>(batch.context_tokens + batch.new_tokens) *
                      plan_.kv_bytes_per_token;
    } else if (plan_.kv_device_tokens >= 0) {
      const int64_t over = batch.context_tokens + batch.new_tokens - plan_.kv_device_tokens;
      if (over > 0) kv_host_bytes = static_cast<double>(over) * plan_.kv_bytes_per_token;
    }
    double kv_layer_s = 0;
    StepCost out = s;
    out.io_tier_bytes.fill(0);
    out.io_tier_s.fill(0);
    const size_t kv_tier = static_cast<size_t>(plan_.kv_tier);
    if (kv_host_bytes > 0) {
      const MemoryTier& kt = plan_.tiers[kv_tier];
      kv_layer_s = TierReadSeconds(kt, kv_host_bytes / static_cast<double>(layers_),
                                   plan_.read_bytes, plan_.io_depth);
      out.io_tier_bytes[kv_tier] += kv_host_bytes;
    }
    const double sparse_share =
        plan_.ffn_load_fraction < 1
            ? 1.0 - std::pow(1.0 - plan_.ffn_load_fraction, static_cast<double>(batch.new_tokens))
            : 1.0;

    // The pipeline: one transfer channel, one compute stream.
    double io_free = 0, compute_free = 0, io_busy = 0, io_bytes = kv_host_bytes, compute_sum = 0;
    size_t streamed_index = 0;
    std::fill(ring_.begin(), ring_.end(), 0.0);
    const size_t n = units_.size();
    for (size_t i = 0; i < n; ++i) {
      const UnitCost& u = units_[i];
      const bool is_layer = i > 0 && i + 1 < n;
      const double compute = i == 0 ? embed_s : (i + 1 == n ? head_s : layer_s);
      double load = u.load_s;
      io_bytes += u.streamed;
      for (size_t t = 0; t < kMaxOffloadTiers; ++t) {
        out.io_tier_bytes[t] += u.tier_bytes[t];
        out.io_tier_s[t] += u.tier_s[t];
      }
      const size_t tier = static_cast<size_t>(std::max(u.tier, 0));
      if (u.sparse) {
        const double bytes = u.ffn * sparse_share;
        const double sparse_s =
            TierReadSeconds(plan_.tiers[tier], bytes, plan_.sparse_bundle_bytes, plan_.io_depth);
        load += sparse_s;
        io_bytes += bytes - u.ffn;
        out.io_tier_bytes[tier] += bytes;
        out.io_tier_s[tier] += sparse_s;
      }
      if (u.lookup_streamed) {  // embedding rows of this step's tokens, one read each
        const double rows = static_cast<double>(batch.new_tokens) * row_bytes_;
        const double rows_s = TierReadSeconds(plan_.tiers[tier], rows, row_bytes_, plan_.io_depth);
        load += rows_s;
        io_bytes += rows;
        out.io_tier_bytes[tier] += rows;
        out.io_tier_s[tier] += rows_s;
      }
      if (is_layer) {
        load += kv_layer_s;
        out.io_tier_s[kv_tier] += kv_layer_s;
      }
      double compute_start = compute_free;
      if (load > 0) {
        // Prefetch: the load may start once the channel is free and a buffer is (the unit that
        // held it, depth + 1 streamed units back, has computed); without: when it is needed.
        double start = plan_.prefetch ? std::max(io_free, ring_[streamed_index % ring_.size()])
                                      : std::max(io_free, compute_free);
        const double end = start + load;
        io_free = end;
        io_busy += load;
        compute_start = std::max(compute_free, end);
      }
      compute_free = compute_start + compute;
      compute_sum += compute;
      if (load > 0) ring_[streamed_index++ % ring_.size()] = compute_free;
    }
    const double pipeline_s = compute_free;
    out.device_s = pipeline_s;
    out.io_s = io_busy;
    out.io_bytes = io_bytes;
    out.stall_s = std::max(0.0, pipeline_s - compute_sum);
    out.seconds = ComposeStepSeconds(pipeline_s, s.kernels, batch, inner_->options().runtime,
                                     &out.launch_s, &out.overhead_s);
    if (out.stall_s > 0.5 * pipeline_s) out.bound = Bound::kIo;
    return out;
  }

  const CostModel* inner_;
  OffloadPlan plan_;
  int64_t layers_ = 1;
  double row_bytes_ = 0;
  std::vector<UnitCost> units_;
  mutable std::vector<OpCost> ops_;
  mutable std::vector<double> ring_;
};

}  // namespace

std::unique_ptr<CostModel> MakeOffloadCostModel(const CostModel& inner, const OffloadPlan& plan) {
  return std::make_unique<OffloadCostModel>(inner, plan);
}

}  // namespace servesim
