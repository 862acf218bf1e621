// Where the tests find ../shared/data (real measurements and traces that are not part of the
// repository): $SERVESIM_DATA, else <source>/../shared/data. Tests that need it skip with a
// message when it is absent.
#ifndef SERVESIM_TESTS_SUPPORT_SHARED_DATA_H_
#define SERVESIM_TESTS_SUPPORT_SHARED_DATA_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace servesim::testing {

inline std::string SharedDataDir() {
  if (const char* env = std::getenv("SERVESIM_DATA"); env && *env) return env;
  return std::string(SERVESIM_SOURCE_DIR) + "/../shared/data";
}

// Full path of `relative` under the shared data folder, or "" when the file is missing.
inline std::string SharedDataFile(const std::string& relative) {
  const std::string path = SharedDataDir() + "/" + relative;
  return std::filesystem::exists(path) ? path : std::string();
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_SHARED_DATA_H_
