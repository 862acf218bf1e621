#include "models/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <utility>

#include "models/input_error.h"

namespace servesim {
namespace {

// "warning: <text>" and the like, info lines bare: the lines the commands always printed.
class LevelPrefixFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view prefix = Prefix(msg.level);
    dest.append(prefix.data(), prefix.data() + prefix.size());
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LevelPrefixFormatter>();
  }

 private:
  static std::string_view Prefix(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::trace:
        return "trace: ";
      case spdlog::level::debug:
        return "debug: ";
      case spdlog::level::warn:
        return "warning: ";
      case spdlog::level::err:
        return "error: ";
      case spdlog::level::critical:
        return "critical: ";
      default:
        return "";
    }
  }
};

spdlog::sink_ptr WithPrefixes(spdlog::sink_ptr sink) {
  sink->set_formatter(std::make_unique<LevelPrefixFormatter>());
  return sink;
}

// Every logger writes into one distributing sink, so that ConfigureLogging redirects them all by
// swapping its one destination.
struct Loggers {
  Loggers() : out(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    out->set_sinks({WithPrefixes(std::make_shared<spdlog::sinks::stderr_sink_mt>())});
    cli = Make("cli");
    engine = Make("engine");
    log_internal::engine.store(engine.get(), std::memory_order_release);
  }

  std::shared_ptr<spdlog::logger> Make(const char* name) const {
    auto logger = std::make_shared<spdlog::logger>(name, out);
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
  }

  std::shared_ptr<spdlog::sinks::dist_sink_mt> out;
  std::shared_ptr<spdlog::logger> cli, engine;
};

Loggers& State() {
  static Loggers loggers;
  return loggers;
}

}  // namespace

spdlog::logger& CliLog() { return *State().cli; }

namespace log_internal {

std::atomic<spdlog::logger*> engine{nullptr};

spdlog::logger& MakeEngineLog() { return *State().engine; }

}  // namespace log_internal

std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 6> kLevels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"off", spdlog::level::off},
  }};
  for (const auto& [n, level] : kLevels) {
    if (n == name) return level;
  }
  return std::nullopt;
}

void ConfigureLogging(spdlog::level::level_enum level, const std::string& path) {
  Loggers& loggers = State();
  spdlog::sink_ptr sink;
  if (path.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/true);
    } catch (const spdlog::spdlog_ex&) {
      throw InputError("--log-file " + path + ": cannot open the file for writing");
    }
  }
  loggers.out->set_sinks({WithPrefixes(std::move(sink))});
  for (auto* logger : {loggers.cli.get(), loggers.engine.get()}) logger->set_level(level);
}

}  // namespace servesim
