// Wall-clock timestamps of trace files as integer nanoseconds since 1970-01-01 00:00:00.
//
// Models: the proleptic Gregorian calendar (leap years by the 4/100/400 rule) and timestamps
// written "YYYY-MM-DD HH:MM:SS[.f...]" as in the Azure LLM inference trace, read exactly (no
// floating point): up to 9 fractional digits, i.e. nanoseconds.
// Ignores: time zones and offsets (every timestamp is taken as UTC; only differences matter to a
// replay), leap seconds (:60 is rejected), and years outside 1970-2200 (rejected, so that any two
// timestamps' distance fits int64 nanoseconds).
#ifndef SERVESIM_WORKLOADS_TIMESTAMP_H_
#define SERVESIM_WORKLOADS_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace servesim {

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Hinnant's days_from_civil); negative
// before 1970. Requires a valid month (1-12); the day is not checked.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

// Nanoseconds since 1970-01-01 00:00:00 of "YYYY-MM-DD HH:MM:SS[.f...]" ('T' also separates),
// with up to 9 fractional digits; nullopt when malformed or outside years 1970-2200 (so any two
// timestamps' distance fits int64 nanoseconds). No surrounding blanks are accepted.
std::optional<int64_t> ParseTimestampNs(std::string_view text);

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_TIMESTAMP_H_
