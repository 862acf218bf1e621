// The one exception type for bad user input (YAML, CLI flags, traces, model configs).
//
// Its message is one line that names the source (file, key or line), what was expected and what
// was found; the CLI prints it and exits non-zero. Programming errors are not InputErrors.
// This header sits at the bottom of the layering so every layer may throw it.
#ifndef SERVESIM_MODELS_INPUT_ERROR_H_
#define SERVESIM_MODELS_INPUT_ERROR_H_

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace servesim {

class InputError : public std::runtime_error {
 public:
  // Control bytes and invalid UTF-8 in `message` (input text echoed into it: a key with a NUL, an
  // escape sequence in a value) are written as \xNN, so that printing it can neither cut the
  // message short nor garble the terminal.
  explicit InputError(const std::string& message);
};

// The candidates closest to `name` by edit distance (at most `max_results`, only plausible ones),
// for "did you mean ...?" hints; never `name` itself (a hint that repeats the input says nothing).
std::vector<std::string> NearestNames(std::string_view name,
                                      const std::vector<std::string>& candidates,
                                      size_t max_results = 3);

// " (did you mean 'x'?)" or "" when nothing is close.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

// Throws an InputError naming `path` when it is a regular file larger than `limit_bytes` (what
// the file should be, e.g. "scenario file", goes in the message). Files read whole into memory
// (YAML, CSV tables) are checked before reading so a wrong path to a huge file fails at once
// instead of exhausting memory. A missing or unreadable file passes: the caller's open reports it.
void CheckInputFileSize(const std::string& path, std::uintmax_t limit_bytes, std::string_view what);

}  // namespace servesim

#endif  // SERVESIM_MODELS_INPUT_ERROR_H_
