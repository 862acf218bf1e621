// The loggers' levels, destinations and line format (warnings read "warning: ...", info lines
// bare), and the --log-level names.
#include "models/log.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "models/input_error.h"

namespace servesim {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("ParseLogLevel takes the --log-level names only", "[log]") {
  CHECK(ParseLogLevel("trace") == spdlog::level::trace);
  CHECK(ParseLogLevel("debug") == spdlog::level::debug);
  CHECK(ParseLogLevel("info") == spdlog::level::info);
  CHECK(ParseLogLevel("warn") == spdlog::level::warn);
  CHECK(ParseLogLevel("error") == spdlog::level::err);
  CHECK(ParseLogLevel("off") == spdlog::level::off);
  CHECK_FALSE(ParseLogLevel("warning"));
  CHECK_FALSE(ParseLogLevel("DEBUG"));
  CHECK_FALSE(ParseLogLevel(""));
}

TEST_CASE("Log lines carry their level as a prefix, info lines none", "[log]") {
  const auto path = std::filesystem::temp_directory_path() / "servesim_log_test.log";
  ConfigureLogging(spdlog::level::debug, path.string());
  CliLog().warn("a {} warning", "plain");
  CliLog().info("sweep: done");
  SERVESIM_LOG_DEBUG(EngineLog(), "replica {} step", 0);
  CliLog().trace("not shown at debug");
  ConfigureLogging(spdlog::level::info, "");  // back to the default; closes the file
  CHECK(ReadFile(path) == "warning: a plain warning\nsweep: done\ndebug: replica 0 step\n");
  std::filesystem::remove(path);
}

TEST_CASE("SERVESIM_LOG_DEBUG evaluates nothing when debug is off", "[log]") {
  ConfigureLogging(spdlog::level::info, "");
  int evaluated = 0;
  SERVESIM_LOG_DEBUG(EngineLog(), "{}", ++evaluated);
  CHECK(evaluated == 0);
}

TEST_CASE("An unopenable --log-file is an input error naming the flag", "[log]") {
  const auto file = std::filesystem::temp_directory_path() / "servesim_log_test_plain";
  std::ofstream(file) << "";
  CHECK_THROWS_AS(ConfigureLogging(spdlog::level::info, (file / "x.log").string()), InputError);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace servesim
