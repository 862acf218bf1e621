// Shared helpers of the libFuzzer targets in bench/fuzz (see run.sh).
//
// The readers under test take file paths, so each target writes its input to a file in a private
// scratch directory (one per process: libFuzzer's -fork/-jobs workers do not collide) and removes
// the directory at exit.
#ifndef SERVESIM_BENCH_FUZZ_FUZZ_COMMON_H_
#define SERVESIM_BENCH_FUZZ_FUZZ_COMMON_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace servesim::fuzz {

// The scratch directory of this process, created on first use and removed at exit.
inline const std::filesystem::path& ScratchDir() {
  // Never destroyed, so the exit handler may still use it.
  static const std::filesystem::path* const dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto* d = new std::filesystem::path(
        std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
        ("servesim_fuzz_" + std::to_string(::getpid())));
    std::filesystem::create_directories(*d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return d;
  }();
  return *dir;
}

// Writes `size` bytes to `name` in the scratch directory (replacing it); returns the full path.
inline std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = (ScratchDir() / name).string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    std::abort();
  }
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

inline std::string WriteScratch(const std::string& name, const std::string& text) {
  return WriteScratch(name, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

// With SERVESIM_FUZZ_VERBOSE set in the environment the targets print the InputError each input
// ends with (to check what a seed reaches: `SERVESIM_FUZZ_VERBOSE=1 build-fuzz/fuzz_trace FILE`).
inline void ExpectedError(const std::exception& e) {
  static const bool verbose = std::getenv("SERVESIM_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "InputError: %s\n", e.what());
}

// A broken invariant: print it and abort, so libFuzzer saves the input as a crash.
[[noreturn]] inline void Violation(const std::string& what) {
  std::fprintf(stderr, "servesim fuzz: invariant violated: %s\n", what.c_str());
  std::abort();
}

}  // namespace servesim::fuzz

#endif  // SERVESIM_BENCH_FUZZ_FUZZ_COMMON_H_
