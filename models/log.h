// Logging: the named spdlog loggers through which the simulator reports warnings, progress lines
// and debug traces on stderr (or a --log-file). It sits in models/, the bottom of the layering,
// because every layer may log and includes point down only. Results (tables, JSON, CSV on stdout)
// and input errors ("error: ..." before exit 1) are not logs and do not go through here.
//
// Lines read as they always have: a warning prints "warning: <text>", an info line prints its text
// alone (the commands' "sweep: ... -> DIR/sweep.csv" lines), debug and trace lines carry their
// level as a prefix. No timestamps: runs are deterministic and logs are diffed.
#ifndef SERVESIM_MODELS_LOG_H_
#define SERVESIM_MODELS_LOG_H_

#include <spdlog/logger.h>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

namespace servesim {

// The commands' warnings and progress lines ("cli").
spdlog::logger& CliLog();

namespace log_internal {
// The engine logger once made (null before): the step loop reads it without a call.
extern std::atomic<spdlog::logger*> engine;
spdlog::logger& MakeEngineLog();
}  // namespace log_internal

// The engine's per-step scheduler decisions, at debug level ("engine"). Inline, for the step loop.
inline spdlog::logger& EngineLog() {
  spdlog::logger* logger = log_internal::engine.load(std::memory_order_acquire);
  return logger ? *logger : log_internal::MakeEngineLog();
}

// The level named by a --log-level value: trace, debug, info, warn, error or off; nullopt for
// anything else.
std::optional<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// Sets every logger's level and sends their lines to `path` (created or truncated) or, when `path`
// is empty, to stderr. Throws InputError naming --log-file when the file cannot be opened. Call it
// before any thread logs. Until it is called the loggers print info and above on stderr.
void ConfigureLogging(spdlog::level::level_enum level, const std::string& path);

}  // namespace servesim

// Logs at debug level at next to no cost when debug is off, for hot paths such as the engine's
// step loop: the arguments are neither evaluated nor formatted unless the logger would print them
// (two loads and a branch otherwise), and the formatting code stays out of line in a
// cold function so that it does not crowd the caller.
#define SERVESIM_LOG_DEBUG(source, ...)                                           \
  do {                                                                            \
    spdlog::logger& servesim_log_ = (source);                                     \
    if (servesim_log_.should_log(spdlog::level::debug)) [[unlikely]] {            \
      [&]() __attribute__((noinline, cold)) { servesim_log_.debug(__VA_ARGS__); } \
      ();                                                                         \
    }                                                                             \
  } while (0)

#endif  // SERVESIM_MODELS_LOG_H_
