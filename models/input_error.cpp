#include "models/input_error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>

#include "models/printable_text.h"

namespace servesim {
namespace {

// Case-insensitive Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

InputError::InputError(const std::string& message)
    : std::runtime_error(PrintableBytes(message, std::numeric_limits<size_t>::max())) {}

std::vector<std::string> NearestNames(std::string_view name,
                                      const std::vector<std::string>& candidates,
                                      size_t max_results) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    if (c == name) continue;  // never suggest the input itself
    const size_t d = EditDistance(name, c);
    // Plausible: a third of the longer name, at least 2 edits; or one is a prefix of the other.
    const size_t limit = std::max<size_t>(2, std::max(name.size(), c.size()) / 3);
    std::string lower_c = c, lower_n(name);
    std::transform(lower_c.begin(), lower_c.end(), lower_c.begin(), ::tolower);
    std::transform(lower_n.begin(), lower_n.end(), lower_n.begin(), ::tolower);
    const bool prefix =
        !lower_n.empty() && (lower_c.rfind(lower_n, 0) == 0 || lower_n.rfind(lower_c, 0) == 0);
    if (d <= limit || prefix) scored.emplace_back(prefix ? std::min<size_t>(d, 1) : d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, c] : scored) {
    if (out.size() >= max_results) break;
    out.push_back(c);
  }
  return out;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto near = NearestNames(name, candidates);
  if (near.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < near.size(); ++i) {
    if (i) out += i + 1 == near.size() ? " or " : ", ";
    out += "'" + near[i] + "'";
  }
  return out + "?)";
}

void CheckInputFileSize(const std::string& path, std::uintmax_t limit_bytes,
                        std::string_view what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size <= limit_bytes) return;
  throw InputError(path + ": " + std::to_string(size) + " bytes is too large for a " +
                   std::string(what) + " (limit " + std::to_string(limit_bytes >> 20) + " MiB)");
}

}  // namespace servesim
