// How much of the device a prompt chunk's attention kernel keeps busy: the occupancy (wave) term of
// the roofline's attention price.
//
// Models: a FlashAttention-style prefill kernel launches one thread block (CTA) per (sequence,
// query head, tile of `tile` query rows); each CTA runs on one SM and computes its whole tile, so
// a chunk shorter than a tile pays for the full tile (16 tokens over 16k keys cost as much as 64),
// and the CTAs run in waves of one per SM: with fewer CTAs than SMs only that share of the
// device's FLOP/s is reachable (a 16-token chunk of a 32-head model keeps 32 of 188 SMs busy), and
// a grid of w waves takes ceil(w) waves' time. A tile's keys are the cached context plus the chunk
// keys up to the tile's last row (masked blocks skipped; the diagonal block computed whole).
// Decodes (one query row) are left out: split-KV (flash-decoding) kernels spread them over the
// SMs, and they are bound by streaming the KV cache, which the roofline prices already.
// Ignores: more than one resident CTA per SM, GQA packing of query heads into one tile, tile
// shapes that change with the head size, sequences of one batch with different chunk sizes (a
// batch of several prompt chunks is priced as that many chunks of the mean size over the mean
// context: exact for one chunk, and for equal ones).
#ifndef SERVESIM_HARDWARE_OCCUPANCY_H_
#define SERVESIM_HARDWARE_OCCUPANCY_H_

#include "models/arithmetic.h"

namespace servesim {

// The share of the device a grid of `ctas` blocks keeps busy over its run: ctas / (sms x
// ceil(ctas / sms)). 1 when sms <= 0 (unknown) or ctas <= 0.
double WaveUtilization(double ctas, int sms);

// Query-key pairs one head's tiles compute for a chunk of `s` new tokens over `c` cached ones with
// `tile`-row query tiles: tile x (n c + tile n (n - 1) / 2 + s), n = ceil(s / tile). tile <= 0:
// the exact causal pairs s c + s (s + 1) / 2.
double PaddedPrefillPairs(double s, double c, double tile);

// The prompt chunks of `batch` as the kernel launches them, per device with `heads` query heads.
struct PrefillLaunch {
  double ctas = 0;          // sequences x heads x query tiles
  double padded_pairs = 0;  // query-key pairs the tiles compute, all heads
  double causal_pairs = 0;  // the pairs the causal chunks need, all heads
};
PrefillLaunch PrefillAttentionLaunch(const BatchShape& batch, double heads, double tile);

// FLOP-equivalents the occupancy term adds to the attention operator of `batch` (per layer):
// 4 x head_dim x (padded pairs / utilization - causal pairs) of the prompt chunks, with `sms`
// SMs, `heads` query heads per device and `tile`-row tiles; 0 without prompt chunks, with
// tile <= 0 or sms <= 0.
double AttentionOccupancyExtraFlops(const BatchShape& batch, double heads, double head_dim,
                                    int sms, double tile);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_OCCUPANCY_H_
