// Requests between their prefill and their decode on a disaggregated path (sim/core/pool.h).
//
// Models: when a prefill replica emits a request's first token, the request's KV moves to a
// decode replica (chosen by the decode pool's router). First the decode replica must have room
// for the prompt's KV and the next token (vLLM's KV-connector path allocates the blocks of the
// "external computed tokens" before it pulls them): requests wait for room FIFO per decode
// replica. Then the transfer runs on the prefill replica's link, FIFO behind earlier transfers
// on it, priced by hardware/kv_link.h: latency + (KV bytes of the prompt / tp) / bandwidth, each
// of the prefill replica's tp devices sending its shard of the heads in parallel over its own
// link. In layerwise mode the transfer may start when the prefill was first scheduled (its
// layers' KV streams out as they are computed) if the decode room was there when the prefill
// ended; it then ends at the later of start + the whole transfer and prefill end + latency + the
// last layer's share. The prefill replica keeps its blocks until the transfer ends; the decode
// replica holds the copy's blocks from the room grant on. The decode copy then joins the decode
// replica's running set with the prompt computed and the first token generated, and decodes.
// Ignores: a decode replica's own prefix-cache hits on the prompt (the whole prompt moves),
// chunk-by-chunk streaming of a chunked prefill's earlier chunks (layerwise overlap is bounded
// as above), transfer failures and retries, and the decode side pulling instead of the prefill
// side pushing (the same link time either way).
#ifndef SERVESIM_SIM_CORE_KV_HANDOFF_H_
#define SERVESIM_SIM_CORE_KV_HANDOFF_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "hardware/kv_link.h"
#include "policies/sequence.h"
#include "sim/core/records.h"

namespace servesim {

struct Handoff {
  Sequence* prefill = nullptr;   // on the prefill replica, holding its KV until the transfer ends
  Sequence* decode = nullptr;    // the copy for the decode replica; holds blocks once admitted
  int32_t from = 0;              // prefill replica (engine-wide id)
  int32_t to = 0;                // decode replica (engine-wide id)
  int64_t prefill_start_ns = 0;  // the prefill's first scheduled step
  int64_t prefill_end_ns = 0;    // its first token
  int64_t end_ns = -1;           // the transfer's end; -1 while waiting for room
};

// Every request between pools, with its decode replica's room queue and its prefill replica's
// link. Slots are dense and reused.
class KvHandoffs {
 public:
  // Links belong to prefill replicas first_link .. first_link + links - 1; decode replicas are
  // first_decode .. first_decode + decodes - 1. `kv_bytes_per_token_per_device`: one device's
  // shard of one token's KV on the prefill replica (tp devices).
  KvHandoffs(const KvTransferOptions& options, double kv_bytes_per_token_per_device, int tp,
             int layers, int32_t first_link, int links, int32_t first_decode, int decodes);

  // A new handoff, queued for room on its decode replica; returns its slot.
  int32_t Add(const Handoff& h);
  // The slots waiting for room on decode replica `to`, in arrival order.
  std::deque<int32_t>& Waiting(int32_t to) {
    return waiting_[static_cast<size_t>(to - first_decode_)];
  }
  // Room granted at `now` to `slot` (the caller admitted its decode copy): prices its transfer on
  // its prefill replica's link, counts it and returns when it ends.
  int64_t Start(int32_t slot, int64_t now);
  Handoff& at(int32_t slot) { return slots_[static_cast<size_t>(slot)]; }
  void Free(int32_t slot);

  // Calls fn(const Handoff&) for every live handoff, in slot order.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (live_[i]) fn(slots_[i]);
    }
  }
  int64_t live() const { return live_count_; }
  KvTransferStats& stats() { return stats_; }

 private:
  KvTransferOptions options_;
  double bytes_per_token_per_device_;
  int tp_, layers_;
  int32_t first_link_, first_decode_;
  std::vector<int64_t> link_free_ns_;         // per prefill replica
  std::vector<std::deque<int32_t>> waiting_;  // per decode replica
  std::vector<Handoff> slots_;
  std::vector<char> live_;
  std::vector<int32_t> free_;
  int64_t live_count_ = 0;
  KvTransferStats stats_;
};

}  // namespace servesim

#endif  // SERVESIM_SIM_CORE_KV_HANDOFF_H_
