// Untrusted text inside one-line messages: control characters (newlines,
// terminal escape sequences) are escaped and long input is cut, so every
// error stays one readable line whatever the input held.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vmxb::input {

inline constexpr size_t kMaxQuotedChars = 80;   // of one quoted input value
inline constexpr size_t kMaxMessageChars = 1024;  // of a whole error line

// Control bytes (< 0x20, 0x7f) as \n, \t, \r or \xHH.
// Longer than `max_chars` (after escaping): cut, with "...(N bytes)" saying how long it was.
std::string printable(std::string_view text, size_t max_chars = kMaxMessageChars);

// printable(text, kMaxQuotedChars) between double quotes: an input value in a message.
std::string quote_input(std::string_view text);

}  // namespace vmxb::input
