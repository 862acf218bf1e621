// A fresh directory under the system temp directory for a test's fixture files, removed at scope
// exit.
#ifndef SERVESIM_TESTS_SUPPORT_TEMP_DIR_H_
#define SERVESIM_TESTS_SUPPORT_TEMP_DIR_H_

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace servesim::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("servesim_test_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "_" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

  // Writes `content` byte for byte to `relative` (parent folders created); returns its full path.
  std::string Write(const std::string& relative, const std::string& content) const {
    const std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_TEMP_DIR_H_
