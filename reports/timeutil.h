// Timestamps in reports and history: ISO-8601 UTC ("2026-11-26T06:23:40Z"),
// which sorts as text in both SQLite and PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmxb::reports {

// Seconds since the epoch -> "YYYY-MM-DDTHH:MM:SSZ".
std::string format_utc(int64_t epoch_seconds);

// "YYYY-MM-DDTHH:MM:SS" followed by "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing
// (nothing = UTC), or a bare "YYYY-MM-DD" (midnight UTC). Fractional seconds
// are dropped. nullopt when it is not such a date or out of range.
std::optional<int64_t> parse_iso8601(std::string_view text);

// --since/--until values: an ISO-8601 date/time as above, or a span back from
// `now`: "90m", "36h", "7d", "2w". nullopt when unparsable.
std::optional<int64_t> parse_time_or_ago(std::string_view text, int64_t now);

int64_t now_epoch_seconds();

// Nanoseconds per unit of Google Benchmark's time_unit ("ns", "us", "ms", "s"); 0 if unknown.
double nanos_per(const std::string& time_unit);

}  // namespace vmxb::reports
