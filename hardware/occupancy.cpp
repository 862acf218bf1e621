#include "hardware/occupancy.h"

#include <algorithm>
#include <cmath>

namespace servesim {

double WaveUtilization(double ctas, int sms) {
  if (sms <= 0 || !(ctas > 0)) return 1.0;
  const double n = static_cast<double>(sms);
  return ctas / (n * std::ceil(ctas / n - 1e-9));
}

double PaddedPrefillPairs(double s, double c, double tile) {
  if (!(s > 0)) return 0.0;
  if (!(tile > 0)) return s * c + s * (s + 1.0) / 2.0;
  const double n = std::ceil(s / tile - 1e-9);
  return tile * (n * c + tile * n * (n - 1.0) / 2.0 + s);
}

PrefillLaunch PrefillAttentionLaunch(const BatchShape& batch, double heads, double tile) {
  PrefillLaunch l;
  if (batch.prefill_seqs <= 0 || batch.prefill_tokens <= 0) return l;
  const double n = static_cast<double>(batch.prefill_seqs);
  const double s = static_cast<double>(batch.prefill_tokens) / n;
  const double prefill_context =
      static_cast<double>(std::max<int64_t>(0, batch.context_tokens - batch.decode_context_tokens));
  const double c = prefill_context / n;
  const double tiles = tile > 0 ? std::ceil(s / tile - 1e-9) : 1.0;
  l.ctas = n * heads * tiles;
  l.padded_pairs = n * heads * PaddedPrefillPairs(s, c, tile);
  l.causal_pairs = heads * batch.prefill_pairs;
  return l;
}

double AttentionOccupancyExtraFlops(const BatchShape& batch, double heads, double head_dim,
                                    int sms, double tile) {
  if (!(tile > 0) || sms <= 0 || batch.prefill_seqs <= 0) return 0.0;
  const PrefillLaunch l = PrefillAttentionLaunch(batch, heads, tile);
  const double effective = l.padded_pairs / WaveUtilization(l.ctas, sms);
  return 4.0 * head_dim * std::max(0.0, effective - l.causal_pairs);
}

}  // namespace servesim
