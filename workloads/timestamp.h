// Wall-clock timestamps of trace files as integer nanoseconds since 1970-01-01 00:00:00.
//
// Models: the proleptic Gregorian calendar (leap years by the 4/100/400 rule) and ISO 8601 / RFC
// 3339 timestamps written "YYYY-MM-DD HH:MM:SS[.f...][Z|+HH:MM|-HH:MM]" ('T' or a space between
// date and time) as in the Azure LLM inference traces (2023: no offset; 2024: "+00:00"), read
// exactly (no floating point): up to 9 fractional digits, i.e. nanoseconds. An offset is
// subtracted (the result is UTC); a timestamp without one is taken as UTC.
// Ignores: time zone names, leap seconds (:60 is rejected), and years outside 1970-2200 (rejected,
// so that any two timestamps' distance fits int64 nanoseconds).
#ifndef SERVESIM_WORKLOADS_TIMESTAMP_H_
#define SERVESIM_WORKLOADS_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace servesim {

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Hinnant's days_from_civil); negative
// before 1970. Requires a valid month (1-12); the day is not checked.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

// Nanoseconds since 1970-01-01 00:00:00 UTC of "YYYY-MM-DD HH:MM:SS[.f...][Z|+HH:MM|-HH:MM]"
// ('T' also separates; the offset may also be written +HHMM or +HH), with up to 9 fractional
// digits; nullopt when malformed or outside years 1970-2200 (so any two timestamps' distance fits
// int64 nanoseconds). No surrounding blanks are accepted.
std::optional<int64_t> ParseTimestampNs(std::string_view text);

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_TIMESTAMP_H_
