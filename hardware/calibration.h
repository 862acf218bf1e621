// Fitting a device's cost-model efficiencies to measured kernel timings.
//
// Models: the measurements the project has (per-operator CUDA timings of one transformer layer vs
// token count and TP degree, attention-kernel timings vs batch / chunk / KV length, NCCL
// all-reduce timings vs message size and rank count, in the CSV layouts Vidur's profiler writes) and a robust
// fit: each kernel kind's KernelTuning is fitted separately by coordinate descent on the mean
// absolute log error, which makes the median relative error small and ignores outliers.
// Ignores: variance between runs (medians are used), clock state, measurement overheads.
#ifndef SERVESIM_HARDWARE_CALIBRATION_H_
#define SERVESIM_HARDWARE_CALIBRATION_H_

#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/device_spec.h"
#include "models/arithmetic.h"
#include "models/model_spec.h"

namespace servesim {

// One measured kernel: operator `op` of a layer of `model` at tensor parallelism `tp`, on a
// batch of shape `batch`, took `measured_s` (median).
struct OpMeasurement {
  ModelSpec model;
  int tp = 1;
  BatchShape batch;
  OpId op = OpId::kQkvProj;
  double measured_s = 0;
  std::string label;  // "Llama-2-7b-hf_ops.csv:17 attn_pre_proj tokens=512 tp=2"
};

// One measured whole forward step of a model (all layers, the engine around it included).
struct StepMeasurement {
  ModelSpec model;
  int tp = 1;
  BatchShape batch;
  bool prefill = false;
  double measured_s = 0;
  std::string label;
};

// One measured all-reduce of `bytes` (one rank's buffer) among `workers` devices of one node.
struct CollectiveMeasurement {
  int workers = 0;
  double bytes = 0;
  double measured_s = 0;
};

// Readers for Vidur's profiling CSVs. Malformed files throw InputError naming file and line.
std::vector<OpMeasurement> ReadVidurOpsCsv(const std::string& path);
std::vector<OpMeasurement> ReadVidurAttentionCsv(const std::string& path);
// Keeps intra-node rows (devices_per_node == num_workers).
std::vector<CollectiveMeasurement> ReadVidurAllReduceCsv(const std::string& path);

// Splitwise's perf_model.csv layout (model, hardware, prompt_size, batch_size, token_size,
// prompt_time, token_time, tensor_parallel; times in ms): each row gives a prefill step (batch x
// prompt) and a decode step (batch sequences at the mean context of the generation). Rows whose
// `hardware` differs from `hardware` or whose model has no preset are skipped.
std::vector<StepMeasurement> ReadSplitwiseStepsCsv(const std::string& path,
                                                   const std::string& hardware);

// Predicted time of one measurement with `device` (which carries the efficiencies).
double PredictOp(const OpMeasurement& m, const DeviceSpec& device);
double PredictAllReduce(const CollectiveMeasurement& m, const Interconnect& link);
// The measured operator's work (one occurrence). Throws InputError when the model lacks it.
OpWork MeasuredOpWork(const OpMeasurement& m);
// PredictOp with the work already built (fits price each row many times).
double PredictOpWork(const OpMeasurement& m, const OpWork& work, const DeviceSpec& device);

struct ErrorStats {
  std::string group;
  size_t count = 0;
  double median_abs_rel = 0;  // |pred - meas| / meas
  double p90_abs_rel = 0;
  double mean_signed_rel = 0;  // bias: > 0 means the model overpredicts
};

ErrorStats ComputeErrors(const std::string& group, const std::vector<double>& predicted,
                         const std::vector<double>& measured);

struct CalibrationReport {
  Efficiency efficiency;
  std::vector<ErrorStats> before;  // per operator, with the device's current parameters
  std::vector<ErrorStats> after;   // per operator, fitted
};

// A link's protocol costs fitted to all-reduce timings, with errors per message-size range
// (< 64 KiB, 64 KiB - 1 MiB, 1 - 16 MiB, >= 16 MiB), per rank count and over all.
struct LinkCalibration {
  Interconnect link;
  std::vector<ErrorStats> before;  // with the link's current protocol costs
  std::vector<ErrorStats> after;   // fitted
};

struct RuntimeCalibration {
  RuntimeOverheads overheads;
  std::vector<ErrorStats> before;  // prefill / decode / all, with the starting overheads
  std::vector<ErrorStats> after;
};

// Predicted whole-step time with `device` and engine `overheads`.
double PredictStep(const StepMeasurement& m, const DeviceSpec& device,
                   const RuntimeOverheads& overheads);

// Fits the engine overheads (per-step, per-sequence, per-kernel launch) to whole-step timings with
// the device's kernel efficiencies held fixed.
RuntimeCalibration CalibrateRuntime(const DeviceSpec& device,
                                    const std::vector<StepMeasurement>& steps,
                                    const RuntimeOverheads& start);

// Fits `device`'s efficiencies to the measurements. Operators with no measurements keep their
// current tuning.
CalibrationReport Calibrate(const DeviceSpec& device, const std::vector<OpMeasurement>& ops);

// Fits both protocols' launch and hop latencies and bus efficiencies of `link` (its kind and raw
// bandwidth held) to all-reduce timings, minimizing the mean absolute log error.
LinkCalibration CalibrateLink(const Interconnect& link,
                              const std::vector<CollectiveMeasurement>& collectives);

}  // namespace servesim

#endif  // SERVESIM_HARDWARE_CALIBRATION_H_
