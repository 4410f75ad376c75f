// HTML text for the dashboard's pages.
#pragma once

#include <string>

namespace vmxb::reports {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

// JSON text that is safe inside <script type="application/json">: every '<'
// (which JSON has only inside strings) becomes \u003c, the same string to a
// JSON reader, so no value can end the element or open a comment.
std::string json_for_script(const std::string& json_text);

}  // namespace vmxb::reports
