#include "sim/core/kv_handoff.h"

#include <algorithm>

#include "sim/core/kernel.h"

namespace servesim {

KvHandoffs::KvHandoffs(const KvTransferOptions& options, double kv_bytes_per_token_per_device,
                       int tp, int layers, int32_t first_link, int links, int32_t first_decode,
                       int decodes)
    : options_(options),
      bytes_per_token_per_device_(kv_bytes_per_token_per_device),
      tp_(tp),
      layers_(std::max(layers, 1)),
      first_link_(first_link),
      first_decode_(first_decode),
      link_free_ns_(static_cast<size_t>(links), 0),
      waiting_(static_cast<size_t>(decodes)) {
  stats_.link = options.link.name;
  stats_.mode = options.mode == KvTransferMode::kLayerwise ? "layerwise" : "whole";
  stats_.links = links;
}

int32_t KvHandoffs::Add(const Handoff& h) {
  int32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slots_[static_cast<size_t>(slot)] = h;
    live_[static_cast<size_t>(slot)] = 1;
  } else {
    slot = static_cast<int32_t>(slots_.size());
    slots_.push_back(h);
    live_.push_back(1);
  }
  ++live_count_;
  Waiting(h.to).push_back(slot);
  return slot;
}

int64_t KvHandoffs::Start(int32_t slot, int64_t now) {
  Handoff& h = at(slot);
  const double shard = bytes_per_token_per_device_ * static_cast<double>(h.prefill->prompt_tokens);
  const double link_s = KvTransferSeconds(options_.link, shard);
  const bool layerwise = options_.mode == KvTransferMode::kLayerwise;
  // Layer-wise streaming overlaps the prefill only when the room was there as it ended.
  const int64_t earliest = layerwise && now == h.prefill_end_ns ? h.prefill_start_ns : now;
  int64_t& link_free = link_free_ns_[static_cast<size_t>(h.from - first_link_)];
  const int64_t start = std::max(earliest, link_free);
  int64_t end = start + SecondsToTicks(link_s);
  if (layerwise) {
    const double last_layer_s = options_.link.latency_s + KvStreamSeconds(options_.link, shard) /
                                                              static_cast<double>(layers_);
    end = std::max(end, h.prefill_end_ns + SecondsToTicks(last_layer_s));
  }
  link_free = end;
  h.end_ns = end;
  ++stats_.transfers;
  stats_.bytes += shard * static_cast<double>(tp_);
  stats_.link_busy_s += link_s;
  stats_.transfer_s.Add(link_s);
  stats_.room_wait_s.Add(TicksToSeconds(now - h.prefill_end_ns));
  stats_.link_wait_s.Add(TicksToSeconds(start - earliest));
  stats_.handoff_s.Add(TicksToSeconds(end - h.prefill_end_ns));
  return end;
}

void KvHandoffs::Free(int32_t slot) {
  live_[static_cast<size_t>(slot)] = 0;
  free_.push_back(slot);
  --live_count_;
}

}  // namespace servesim
