// A small Chrome DevTools protocol client for the browser tests, over
// --remote-debugging-pipe: Chromium reads commands on fd 3 and writes replies
// and events on fd 4, each one JSON message ended by a NUL byte. Enough to
// open a page, run script in it, send real mouse and keyboard input and take a
// screenshot, with no library, no network port and nothing downloaded.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmxb::reports::testing {

class DevTools {
 public:
  // Starts `chromium` headless with the pipe (its output goes to `log_path`).
  // Throws std::runtime_error if it cannot.
  DevTools(const std::string& chromium, const std::string& profile_dir, const std::string& log_path,
           const std::map<std::string, std::string>& env);
  ~DevTools();  // Browser.close, then SIGKILL of its process group if it lingers
  DevTools(const DevTools&) = delete;
  DevTools& operator=(const DevTools&) = delete;

  // Opens `url` in a new page of width x height CSS pixels, with Runtime, Log,
  // Network and Page events on, and waits for its load event.
  void open(const std::string& url, int width, int height);

  // Sends a command (to the page once open() attached it) and returns its
  // result; throws std::runtime_error on a protocol error or after 30 s.
  nlohmann::json send(const std::string& method, const nlohmann::json& params = nlohmann::json::object());

  // The value of a script expression in the page (promises awaited); throws
  // with the exception's text if it throws.
  nlohmann::json eval(const std::string& expression);

  // Real input events at viewport coordinates (CSS pixels).
  void mouse_move(double x, double y, bool left_button_down = false);
  void click(double x, double y, int click_count = 1);
  void drag(double x0, double y0, double x1, double y1);
  void type_text(const std::string& text);  // into the focused element

  // A PNG of the viewport.
  std::string screenshot_png();

  // What the page reported: uncaught exceptions, console.error calls and
  // log entries of level error, one line each.
  std::vector<std::string> page_errors() const;
  // Every URL the page asked for.
  std::vector<std::string> requested_urls() const;

 private:
  nlohmann::json wait_for_reply(int id);
  nlohmann::json wait_for_event(const std::string& method);
  nlohmann::json read_message();  // the next message; throws after the deadline
  void write_message(const nlohmann::json& message);

  pid_t pid_ = -1;
  int to_browser_ = -1, from_browser_ = -1;
  int next_id_ = 0;
  std::string session_;  // the page's flat session, once attached
  std::string pending_;  // bytes read past the last NUL
  std::vector<nlohmann::json> events_;
};

// Standard base64 (the screenshot's encoding) to bytes.
std::string base64_decode(const std::string& text);

}  // namespace vmxb::reports::testing
