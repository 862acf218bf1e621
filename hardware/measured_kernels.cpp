#include "hardware/measured_kernels.h"

#include <algorithm>
#include <filesystem>

#include "models/input_error.h"

namespace servesim {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<OpMeasurement> ReadVidurFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(dir + ": not a folder of kernel measurements");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<OpMeasurement> out;
  bool any = false;
  for (const std::string& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    std::vector<OpMeasurement> rows;
    if (EndsWith(name, "_ops.csv")) {
      rows = ReadVidurOpsCsv(path);
    } else if (name.rfind("attention", 0) == 0 && EndsWith(name, ".csv")) {
      rows = ReadVidurAttentionCsv(path);
    } else {
      continue;
    }
    any = true;
    out.insert(out.end(), rows.begin(), rows.end());
  }
  if (!any) {
    throw InputError(dir +
                     ": no kernel measurements (expected meta.yaml of a profile bundle, or Vidur "
                     "*_ops.csv / attention*.csv files)");
  }
  return out;
}

std::vector<OpMeasurement> ReadKernelFolder(const std::string& dir) {
  return ReadVidurFolder(dir);
}

}  // namespace servesim
