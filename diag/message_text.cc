#include "diag/message_text.h"

#include <cstdio>

namespace vmxb::input {

std::string printable(std::string_view text, size_t max_chars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...(" + std::to_string(text.size()) + " bytes)";
      return out;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string quote_input(std::string_view text) { return "\"" + printable(text, kMaxQuotedChars) + "\""; }

}  // namespace vmxb::input
