// servesim calibrate: fits a device's cost-model efficiencies (and the engine overheads) to
// measured kernel and step timings, and prints the fit as markdown.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/calibration.h"
#include "hardware/collectives.h"
#include "hardware/cost_model.h"
#include "hardware/efficiency_fit.h"
#include "hardware/measured_kernels.h"
#include "hardware/profile_bundle.h"
#include "hardware/presets.h"
#include "models/input_error.h"
#include "sim/app/cli_common.h"

namespace servesim {
namespace {

void PrintErrors(std::ostream& out, const std::vector<ErrorStats>& stats) {
  out << "| group | n | median abs err | p90 abs err | mean signed err "
         "|\n|---|---:|---:|---:|---:|\n";
  char line[256];
  for (const auto& e : stats) {
    std::snprintf(line, sizeof(line), "| %s | %zu | %.1f %% | %.1f %% | %+.1f %% |\n",
                  e.group.c_str(), e.count, 100 * e.median_abs_rel, 100 * e.p90_abs_rel,
                  100 * e.mean_signed_rel);
    out << line;
  }
}

void PrintTuning(std::ostream& out, const char* name, const KernelTuning& k) {
  char line[256];
  std::snprintf(line, sizeof(line),
                "  %s: {compute_eff: %.3f, memory_eff: %.3f, overhead_us: %.2f}\n", name,
                k.compute_eff, k.memory_eff, k.overhead_s * 1e6);
  out << line;
}

// The measurements named by the command's file options.
struct Measurements {
  std::vector<OpMeasurement> ops;
  std::vector<CollectiveMeasurement> collectives;
  std::vector<StepMeasurement> steps;
};

// --allreduce-workers "2,4": the rank counts kept (empty: all).
std::vector<int> AllreduceWorkers(const po::variables_map& vm) {
  std::vector<int> out;
  if (!vm.count("allreduce-workers")) return out;
  const std::string text = vm["allreduce-workers"].as<std::string>();
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 2 || v > 4096) {
      throw InputError(
          "--allreduce-workers: expected a comma-separated list of rank counts >= 2, "
          "found '" +
          text + "'");
    }
    out.push_back(static_cast<int>(v));
  }
  return out;
}

Measurements ReadMeasurements(const po::variables_map& vm, const DeviceSpec& device) {
  Measurements m;
  for (const auto& f : Strings(vm, "ops")) {
    auto rows = ReadVidurOpsCsv(f);
    m.ops.insert(m.ops.end(), rows.begin(), rows.end());
  }
  for (const auto& f : Strings(vm, "attention")) {
    auto rows = ReadVidurAttentionCsv(f);
    m.ops.insert(m.ops.end(), rows.begin(), rows.end());
  }
  const std::vector<int> workers = AllreduceWorkers(vm);
  for (const auto& dir : Strings(vm, "bundle")) {
    auto rows = ReadBundleOps(dir, device);
    m.ops.insert(m.ops.end(), rows.begin(), rows.end());
  }
  for (const auto& f : Strings(vm, "allreduce")) {
    for (const auto& row : ReadVidurAllReduceCsv(f)) {
      if (workers.empty() || std::count(workers.begin(), workers.end(), row.workers) > 0)
        m.collectives.push_back(row);
    }
  }
  if (!Strings(vm, "allreduce").empty() && m.collectives.empty()) {
    throw InputError("--allreduce-workers: no all-reduce measurement has that many ranks");
  }
  for (const auto& f : Strings(vm, "steps")) {
    auto rows = ReadSplitwiseStepsCsv(f, vm["steps-hardware"].as<std::string>());
    m.steps.insert(m.steps.end(), rows.begin(), rows.end());
  }
  if (m.ops.empty() && m.collectives.empty() && m.steps.empty()) {
    throw InputError(
        "servesim calibrate: no measurements given (--ops, --attention, --bundle, --allreduce or "
        "--steps)");
  }
  return m;
}

// Whole steps are fitted with the kernel efficiencies just fitted (or the preset's).
void PrintStepFit(std::ostream& out, const DeviceSpec& device, const CalibrationReport& rep,
                  const LinkCalibration& link, const Measurements& m, const std::string& runtime) {
  DeviceSpec fitted = device;
  if (!m.ops.empty()) fitted.efficiency = rep.efficiency;
  if (!m.collectives.empty()) fitted.interconnect = link.link;
  const RuntimeProfile& start = RuntimeProfileOrThrow(runtime, "--runtime");
  const RuntimeCalibration rc = CalibrateRuntime(fitted, m.steps, start.overheads);
  out << "## " << device.name << ": " << m.steps.size() << " whole-step measurements, runtime '"
      << start.name << "'\n\nBefore (profile as shipped):\n\n";
  PrintErrors(out, rc.before);
  out << "\nAfter the fit:\n\n";
  PrintErrors(out, rc.after);
  char line[256];
  std::snprintf(line, sizeof(line),
                "\n```yaml\nruntime: {step_ms: %.3f, step_per_seq_us: %.2f, kernel_launch_us: "
                "%.2f, cuda_graphs: %s}\n```\n\n",
                rc.overheads.step_s * 1e3, rc.overheads.step_per_seq_s * 1e6,
                rc.overheads.kernel_launch_s * 1e6, rc.overheads.cuda_graphs ? "true" : "false");
  out << line;
}

void PrintKernelFit(std::ostream& out, const DeviceSpec& device, const CalibrationReport& rep,
                    const Measurements& m) {
  out << "## " << device.name << ": " << m.ops.size()
      << " kernel measurements\n\nBefore (current preset):\n\n";
  PrintErrors(out, rep.before);
  out << "\nAfter the fit:\n\n";
  PrintErrors(out, rep.after);
  const Efficiency& e = rep.efficiency;
  out << "\nFitted parameters:\n\n```yaml\nefficiency:\n";
  PrintTuning(out, "gemm", e.gemm);
  char line[256];
  std::snprintf(line, sizeof(line), "  gemm_ramp_tokens: %.2f\n  roofline_sharpness: %.3f\n",
                e.gemm_ramp_tokens, e.roofline_sharpness);
  out << line;
  PrintTuning(out, "attention", e.attention);
  std::snprintf(line, sizeof(line),
                "  attention_row_keys: %.1f\n  attention_masked_fraction: %.3f\n",
                e.attention_row_keys, e.attention_masked_fraction);
  out << line;
  PrintTuning(out, "norm", e.norm);
  PrintTuning(out, "rope", e.rope);
  PrintTuning(out, "act", e.act);
  PrintTuning(out, "residual_add", e.residual_add);
  PrintTuning(out, "embed", e.embed);
  out << "```\n";
}

void PrintProtocol(std::ostream& out, const char* name, const ProtocolCost& p) {
  char line[256];
  std::snprintf(line, sizeof(line), "  %s: {launch_us: %.2f, hop_us: %.3f, bus_eff: %.3f}\n", name,
                p.launch_s * 1e6, p.hop_s * 1e6, p.bus_eff);
  out << line;
}

void PrintLinkFit(std::ostream& out, const LinkCalibration& c, const Measurements& m) {
  const Interconnect& l = c.link;
  char line[256];
  std::snprintf(line, sizeof(line), "## link %s at %.0f GB/s raw: %zu all-reduce measurements\n\n",
                std::string(LinkKindName(l.kind)).c_str(), l.bandwidth_bytes_per_s / 1e9,
                m.collectives.size());
  out << line << "Before (the kind's protocol costs as shipped):\n\n";
  PrintErrors(out, c.before);
  out << "\nAfter the fit:\n\n";
  PrintErrors(out, c.after);
  out << "\nFitted protocol costs (hardware/collectives.cpp, kind " << LinkKindName(l.kind)
      << "):\n\n```yaml\n";
  PrintProtocol(out, "low_latency", l.low_latency);
  PrintProtocol(out, "simple", l.simple);
  out << "```\n";
}

// The link whose protocol costs are fitted: the device's, or --link / --link-gbps.
Interconnect LinkToFit(const po::variables_map& vm, const DeviceSpec& device) {
  Interconnect link = device.interconnect;
  if (vm.count("link"))
    link = WithKind(link, LinkKindOrThrow(vm["link"].as<std::string>(), "--link"));
  if (vm.count("link-gbps")) {
    const double gbps = vm["link-gbps"].as<double>();
    if (!(gbps > 0) || gbps > 1e6) {
      throw InputError("--link-gbps: expected a raw link bandwidth in GB/s (> 0), found " +
                       std::to_string(gbps));
    }
    link.bandwidth_bytes_per_s = gbps * 1e9;
  }
  if (link.kind == LinkKind::kNone || !(link.bandwidth_bytes_per_s > 0)) {
    throw InputError("--allreduce: device " + device.name +
                     " has no link (kind none); name one with --link and --link-gbps");
  }
  return link;
}

// What a kernel folder holds, without the machine's paths: a bundle's model, variant and GPU, or
// a Vidur folder's name.
std::string FolderName(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(dir) / "meta.yaml", ec)) {
    const ProfileBundleMeta meta = ReadProfileBundleMeta(dir);
    return "profile bundle " + meta.model + " (" + meta.variant + ") on " + meta.hardware;
  }
  return std::filesystem::path(dir).lexically_normal().filename().string();
}

// "DEVICE=DIR" of --leave-one-out.
DeviceOps ReadDeviceFolder(const std::string& item) {
  const auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
    throw InputError("servesim calibrate: --leave-one-out expects DEVICE=FOLDER items, found '" +
                     item + "'");
  }
  DeviceOps d;
  d.device = DevicePresetOrThrow(item.substr(0, eq), "--leave-one-out");
  d.ops = ReadKernelFolder(item.substr(eq + 1), d.device);
  return d;
}

// Rows of the fit per operator group and device: enough for the medians, bounded time.
constexpr size_t kLeaveOneOutRowsPerGroup = 4000;

int LeaveOneOut(const std::vector<std::string>& items) {
  if (items.size() < 2) {
    throw InputError("servesim calibrate: --leave-one-out needs at least two DEVICE=FOLDER items");
  }
  std::vector<DeviceOps> data;
  for (const auto& item : items) data.push_back(ReadDeviceFolder(item));
  const auto folds = LeaveOneDeviceOut(data, Efficiency{}, kLeaveOneOutRowsPerGroup);
  std::ostringstream out;
  out << "| held-out device | fitted on (rows) | held-out rows | median abs err | p90 abs err | "
         "mean signed err |\n|---|---|---:|---:|---:|---:|\n";
  char line[512];
  for (size_t i = 0; i < folds.size(); ++i) {
    std::string others;
    for (size_t d = 0; d < data.size(); ++d) {
      if (d != i) others += (others.empty() ? "" : " + ") + data[d].device.name;
    }
    const ErrorStats& all = folds[i].errors.back();
    std::snprintf(line, sizeof(line), "| %s | %s (%zu) | %zu | %.1f %% | %.1f %% | %+.1f %% |\n",
                  folds[i].device.c_str(), others.c_str(), folds[i].fit_rows, all.count,
                  100 * all.median_abs_rel, 100 * all.p90_abs_rel, 100 * all.mean_signed_rel);
    out << line;
  }
  for (const auto& f : folds) {
    out << "\n### " << f.device << " held out: per operator\n\n";
    PrintErrors(out, f.errors);
  }
  std::cout << out.str();
  return 0;
}

}  // namespace

int CmdCalibrate(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("device", po::value<std::string>(),
                                                 "device preset whose efficiencies are fitted")(
      "ops", po::value<std::vector<std::string>>()->multitoken(),
      "per-operator timing CSVs (Vidur *_ops.csv layout)")(
      "attention", po::value<std::vector<std::string>>()->multitoken(),
      "attention timing CSVs (Vidur layout)")(
      "bundle", po::value<std::vector<std::string>>()->multitoken(),
      "profile bundle folders (LLMServingSim layout: meta.yaml, tp<N>/*.csv), every TP degree")(
      "evaluate", po::value<std::vector<std::string>>()->multitoken(),
      "kernel folders (bundle or Vidur) priced with the fitted parameters, not fitted on: "
      "out-of-sample errors (e.g. another model on the same device)")(
      "allreduce", po::value<std::vector<std::string>>()->multitoken(),
      "NCCL all-reduce timing CSVs (Vidur layout): fits "
      "the link's protocol costs")("allreduce-workers", po::value<std::string>(),
                                   "keep only all-reduce rows with these rank counts, e.g. 2,4")(
      "link", po::value<std::string>(),
      "link kind the all-reduce rows were measured on (default: the device's)")(
      "link-gbps", po::value<double>(),
      "raw per-direction bandwidth of that link in GB/s (default: the device's)")(
      "steps", po::value<std::vector<std::string>>()->multitoken(),
      "whole-step timing CSVs (Splitwise perf_model layout): fits the engine overheads")(
      "steps-hardware", po::value<std::string>()->default_value("a100-80gb"),
      "`hardware` value of the step rows to use")(
      "runtime", po::value<std::string>()->default_value("eager"),
      "engine profile the step fit starts from (its cuda_graphs setting is kept)")(
      "leave-one-out", po::value<std::vector<std::string>>()->multitoken(),
      "DEVICE=FOLDER items (a Vidur profiling folder or a profile bundle each): fits the "
      "efficiencies on all devices but one, prices the held-out one at its datasheet peaks");
  const auto parsed = ParseOrHelp(
      "calibrate", argc, argv, desc,
      "usage: servesim calibrate --device D [--ops FILE...] [--attention FILE...] [--bundle "
      "DIR...]\n"
      "                          [--allreduce FILE... [--link KIND] [--link-gbps G] "
      "[--allreduce-workers N,M]]\n"
      "                          [--evaluate FOLDER...]\n"
      "       servesim calibrate --leave-one-out DEVICE=FOLDER DEVICE=FOLDER...\n\n"
      "Fits the device's kernel efficiencies and overheads (and a link kind's all-reduce "
      "latencies and\n"
      "bus efficiencies) to measured medians, and prints the fitted parameters and the error "
      "before/after\n"
      "as markdown. Copy the fitted values into the device's preset in hardware/presets.cpp and "
      "the\nlink kind's costs in hardware/collectives.cpp.");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  if (vm.count("leave-one-out")) {
    for (const char* flag :
         {"device", "ops", "attention", "bundle", "allreduce", "steps", "evaluate"}) {
      if (vm.count(flag)) {
        throw InputError("servesim calibrate: --leave-one-out takes no --" + std::string(flag) +
                         " (it names each device with its folder)");
      }
    }
    return LeaveOneOut(Strings(vm, "leave-one-out"));
  }
  if (!vm.count("device")) throw InputError("servesim calibrate: --device is required");
  const DeviceSpec& device = DevicePresetOrThrow(vm["device"].as<std::string>(), "--device");
  const Measurements m = ReadMeasurements(vm, device);
  const CalibrationReport rep = Calibrate(device, m.ops);
  const LinkCalibration link = m.collectives.empty()
                                   ? LinkCalibration{device.interconnect, {}, {}}
                                   : CalibrateLink(LinkToFit(vm, device), m.collectives);
  std::ostringstream out;
  if (!m.steps.empty()) PrintStepFit(out, device, rep, link, m, vm["runtime"].as<std::string>());
  if (!m.ops.empty()) PrintKernelFit(out, device, rep, m);
  if (!m.collectives.empty()) PrintLinkFit(out, link, m);
  for (const auto& dir : Strings(vm, "evaluate")) {
    DeviceSpec fitted = device;
    fitted.efficiency = rep.efficiency;
    out << "\nOut of sample (not fitted on): " << FolderName(dir) << "\n\n";
    PrintErrors(out, OperatorErrors(ReadKernelFolder(dir, device), fitted));
  }
  std::cout << out.str();
  return 0;
}

}  // namespace servesim
