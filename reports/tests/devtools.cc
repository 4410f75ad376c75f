#include "reports/tests/devtools.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace vmxb::reports::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kReplyTimeout = std::chrono::seconds(30);

// fd moved to at least 10, so that dup2 onto 3 and 4 cannot clobber it.
int high_fd(int fd) {
  const int moved = fcntl(fd, F_DUPFD, 10);
  close(fd);
  return moved;
}

}  // namespace

std::string base64_decode(const std::string& text) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // line breaks
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

DevTools::DevTools(const std::string& chromium, const std::string& profile_dir, const std::string& log_path,
                   const std::map<std::string, std::string>& env) {
  int commands[2], replies[2];
  if (pipe(commands) != 0 || pipe(replies) != 0) throw std::runtime_error(std::string("pipe: ") + strerror(errno));
  // Everything the child needs, built before fork.
  std::vector<std::string> argv = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--remote-debugging-pipe",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--no-first-run",
                                   "--disable-dev-shm-usage",
                                   "--user-data-dir=" + profile_dir,
                                   "about:blank"};
  std::map<std::string, std::string> all;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : all) env_strings.push_back(k + "=" + v);
  std::vector<char*> args, envp;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot write " + log_path + ": " + strerror(errno));

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + strerror(errno));
  if (pid_ == 0) {
    setpgid(0, 0);  // its own group: the destructor ends the browser and its helpers, nothing else
    const int in = high_fd(commands[0]), out = high_fd(replies[1]);
    close(commands[1]);
    close(replies[0]);
    const int devnull = ::open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    dup2(in, 3);
    dup2(out, 4);
    execve(argv[0].c_str(), args.data(), envp.data());
    dprintf(2, "exec %s: %s\n", argv[0].c_str(), strerror(errno));
    _exit(127);
  }
  close(log);
  close(commands[0]);
  close(replies[1]);
  to_browser_ = commands[1];
  from_browser_ = replies[0];
  fcntl(to_browser_, F_SETFD, FD_CLOEXEC);
  fcntl(from_browser_, F_SETFD, FD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);  // a browser that died shows as a write error, not a dead test
}

DevTools::~DevTools() {
  if (pid_ <= 0) return;
  try {
    session_.clear();
    write_message({{"id", ++next_id_}, {"method", "Browser.close"}, {"params", json::object()}});
  } catch (...) {
  }
  close(to_browser_);
  close(from_browser_);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    usleep(100 * 1000);
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

void DevTools::write_message(const json& message) {
  std::string text = message.dump();
  text.push_back('\0');
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(to_browser_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("writing to the browser: ") + strerror(errno));
    done += static_cast<size_t>(n);
  }
}

json DevTools::read_message() {
  const auto deadline = Clock::now() + kReplyTimeout;
  for (;;) {
    const size_t nul = pending_.find('\0');
    if (nul != std::string::npos) {
      json message = json::parse(pending_.substr(0, nul));
      pending_.erase(0, nul + 1);
      return message;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("no message from the browser in 30 s");
    pollfd p{from_browser_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[65536];
    const ssize_t n = read(from_browser_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("the browser closed its DevTools pipe (it exited?)");
    pending_.append(buf, static_cast<size_t>(n));
  }
}

json DevTools::wait_for_reply(int id) {
  for (;;) {
    json message = read_message();
    if (message.contains("id") && message["id"] == id) {
      if (message.contains("error")) throw std::runtime_error("DevTools error: " + message["error"].dump());
      return message.value("result", json::object());
    }
    if (message.contains("method")) events_.push_back(std::move(message));
  }
}

json DevTools::wait_for_event(const std::string& method) {
  for (const json& e : events_)
    if (e["method"] == method && e.value("sessionId", "") == session_) return e;
  for (;;) {
    json message = read_message();
    if (!message.contains("method")) continue;
    events_.push_back(message);
    if (message["method"] == method && message.value("sessionId", "") == session_) return message;
  }
}

json DevTools::send(const std::string& method, const json& params) {
  const int id = ++next_id_;
  json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session_.empty()) message["sessionId"] = session_;
  write_message(message);
  return wait_for_reply(id);
}

void DevTools::open(const std::string& url, int width, int height) {
  session_.clear();
  const std::string target = send("Target.createTarget", {{"url", "about:blank"}})["targetId"];
  session_ = send("Target.attachToTarget", {{"targetId", target}, {"flatten", true}})["sessionId"];
  for (const char* domain : {"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"}) send(domain);
  send("Emulation.setDeviceMetricsOverride",
       {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}});
  send("Page.navigate", {{"url", url}});
  wait_for_event("Page.loadEventFired");
}

json DevTools::eval(const std::string& expression) {
  const json r = send("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (r.contains("exceptionDetails")) {
    const json& d = r["exceptionDetails"];
    throw std::runtime_error("script threw: " + (d.contains("exception") ? d["exception"].value("description", d.dump())
                                                                          : d.value("text", d.dump())));
  }
  return r["result"].value("value", json());
}

void DevTools::mouse_move(double x, double y, bool left_button_down) {
  json e = {{"type", "mouseMoved"}, {"x", x}, {"y", y}};
  if (left_button_down) {
    e["button"] = "left";
    e["buttons"] = 1;
  }
  send("Input.dispatchMouseEvent", e);
}

void DevTools::click(double x, double y, int click_count) {
  mouse_move(x, y);
  for (int n = 1; n <= click_count; ++n)
    for (const char* type : {"mousePressed", "mouseReleased"})
      send("Input.dispatchMouseEvent",
           {{"type", type}, {"x", x}, {"y", y}, {"button", "left"}, {"buttons", 1}, {"clickCount", n}});
}

void DevTools::drag(double x0, double y0, double x1, double y1) {
  mouse_move(x0, y0);
  send("Input.dispatchMouseEvent",
       {{"type", "mousePressed"}, {"x", x0}, {"y", y0}, {"button", "left"}, {"buttons", 1}, {"clickCount", 1}});
  for (int step = 1; step <= 10; ++step)
    mouse_move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10, true);
  send("Input.dispatchMouseEvent",
       {{"type", "mouseReleased"}, {"x", x1}, {"y", y1}, {"button", "left"}, {"buttons", 0}, {"clickCount", 1}});
}

void DevTools::type_text(const std::string& text) { send("Input.insertText", {{"text", text}}); }

std::string DevTools::screenshot_png() {
  return base64_decode(send("Page.captureScreenshot", {{"format", "png"}})["data"].get<std::string>());
}

std::vector<std::string> DevTools::page_errors() const {
  std::vector<std::string> out;
  for (const json& e : events_) {
    const std::string method = e["method"];
    const json& p = e["params"];
    if (method == "Runtime.exceptionThrown") {
      const json& d = p["exceptionDetails"];
      out.push_back("exception: " + (d.contains("exception") ? d["exception"].value("description", d.dump())
                                                               : d.value("text", d.dump())));
    } else if (method == "Runtime.consoleAPICalled" && p.value("type", "") == "error") {
      std::string text = "console.error:";
      for (const json& a : p["args"]) text += " " + (a.contains("value") ? a["value"].dump() : a.value("description", ""));
      out.push_back(text);
    } else if (method == "Log.entryAdded" && p["entry"].value("level", "") == "error") {
      out.push_back("log: " + p["entry"].value("text", "") + " " + p["entry"].value("url", ""));
    }
  }
  return out;
}

std::vector<std::string> DevTools::requested_urls() const {
  std::vector<std::string> out;
  for (const json& e : events_)
    if (e["method"] == "Network.requestWillBeSent") out.push_back(e["params"]["request"].value("url", ""));
  return out;
}

}  // namespace vmxb::reports::testing
