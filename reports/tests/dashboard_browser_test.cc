// The dashboard in headless Chromium (Debian package chromium): it renders
// without console errors and its screenshot is a real, non-blank PNG. A
// negative control page with a broken script and a missing image shows that
// the checks do catch errors.
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include <gtest/gtest.h>

#include "reports/dashboard.h"
#include "reports/tests/fixtures.h"
#include "reports/tests/subprocess.h"

namespace vmxb::reports {
namespace {

// Records script errors, failed resource loads and console.error calls into
// <body data-probe-*> attributes, which --dump-dom then shows.
constexpr const char* kProbe = R"(<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(e.message || ('failed to load ' + ((e.target && (e.target.src || e.target.href)) || e.type)));
}, true);
(function () { var ce = console.error; console.error = function () {
  window.__errors.push(Array.prototype.join.call(arguments, ' ')); return ce.apply(console, arguments); }; })();
window.addEventListener('load', function () {
  var svgs = document.querySelectorAll('svg'), small = 0;
  for (var i = 0; i < svgs.length; ++i) { var b = svgs[i].getBoundingClientRect(); if (b.width < 100 || b.height < 100) ++small; }
  document.body.setAttribute('data-probe-errors', String(window.__errors.length));
  document.body.setAttribute('data-probe-log', window.__errors.join(' | '));
  document.body.setAttribute('data-probe-svgs', String(svgs.length));
  document.body.setAttribute('data-probe-small-svgs', String(small));
});
</script>)";

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    auto chromium = testing::find_executable({"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"});
    ASSERT_TRUE(chromium.has_value())
        << "headless Chromium not found (/usr/bin/chromium): install the Debian package chromium "
           "(tools/setup installs it)";
    chromium_ = *chromium;
    dir_ = testing::temp_dir("browser");
  }

  testing::ProcessResult run(const std::vector<std::string>& extra, const std::string& url) {
    static int n = 0;
    const std::string profile = dir_ + "/profile" + std::to_string(++n);
    std::vector<std::string> argv = {chromium_,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--no-first-run",
                                     "--disable-dev-shm-usage",
                                     "--user-data-dir=" + profile,
                                     "--enable-logging=stderr",
                                     "--v=0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    testing::ProcessOptions o;
    o.env = {{"HOME", dir_}, {"XDG_CONFIG_HOME", dir_ + "/config"}, {"XDG_CACHE_HOME", dir_ + "/cache"}};
    o.timeout_seconds = 90;
    return testing::run_process(argv, o);
  }

  // Console messages Chromium logged for the page ("...:CONSOLE...] "message", source: ...").
  static std::vector<std::string> console_lines(const std::string& log) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < log.size()) {
      size_t end = log.find('\n', start);
      if (end == std::string::npos) end = log.size();
      std::string line = log.substr(start, end - start);
      if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
      start = end + 1;
    }
    return out;
  }

  static std::string attr(const std::string& dom, const std::string& name) {
    std::smatch m;
    if (std::regex_search(dom, m, std::regex(name + "=\"([^\"]*)\""))) return m[1];
    return "(missing)";
  }

  std::string with_probe(const std::string& html) {
    std::string copy = html;
    size_t head = copy.find("<head>");
    EXPECT_NE(head, std::string::npos);
    copy.insert(head + 6, kProbe);
    return copy;
  }

  std::string chromium_, dir_;
};

TEST_F(Browser, NegativeControlIsCaught) {
  const std::string page = dir_ + "/broken.html";
  testing::write_file(page, with_probe("<!DOCTYPE html><html><head><title>x</title></head><body>"
                                  "<img src=\"missing-image.png\"><script>undefinedFunction();</script></body></html>"));
  testing::ProcessResult r = run({"--dump-dom"}, "file://" + page);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(attr(r.out, "data-probe-errors"), "2") << attr(r.out, "data-probe-log");
  EXPECT_FALSE(console_lines(r.err).empty());
}

TEST_F(Browser, DashboardRendersWithoutErrorsAndScreenshots) {
  History history(open_database("sqlite:" + dir_ + "/h.sqlite"));
  testing::populate_demo_history(history);
  DashboardSummary summary;
  const std::string html = render_dashboard(history.query({}), history.reports({}), {}, &summary);
  const std::string page = dir_ + "/dashboard.html", probed = dir_ + "/dashboard-probed.html";
  testing::write_file(page, html);
  testing::write_file(probed, with_probe(html));

  // 1. The file as written: nothing on the console.
  testing::ProcessResult plain = run({"--dump-dom"}, "file://" + page);
  ASSERT_EQ(plain.exit_code, 0) << plain.describe();
  EXPECT_TRUE(console_lines(plain.err).empty()) << console_lines(plain.err)[0];
  EXPECT_NE(plain.out.find("INVEPT: single-context vs global"), std::string::npos);

  // 2. With the probe: no errors, every plot laid out at full size.
  testing::ProcessResult probe = run({"--dump-dom"}, "file://" + probed);
  ASSERT_EQ(probe.exit_code, 0) << probe.describe();
  EXPECT_EQ(attr(probe.out, "data-probe-errors"), "0") << attr(probe.out, "data-probe-log");
  EXPECT_EQ(attr(probe.out, "data-probe-svgs"), std::to_string(summary.plots));
  EXPECT_EQ(attr(probe.out, "data-probe-small-svgs"), "0");

  // 3. A screenshot: a PNG of the window's size, far from blank (a blank
  // page of the same size is the baseline).
  const std::string blank = dir_ + "/blank.html";
  testing::write_file(blank, "<!DOCTYPE html><html><head><title>b</title></head><body></body></html>");
  const std::string shot = dir_ + "/dashboard.png", blank_shot = dir_ + "/blank.png";
  for (const auto& [url, png] : {std::pair{page, shot}, std::pair{blank, blank_shot}}) {
    testing::ProcessResult s =
        run({"--screenshot=" + png, "--window-size=1280,2000", "--hide-scrollbars"}, "file://" + url);
    ASSERT_EQ(s.exit_code, 0) << s.describe();
  }
  const std::string data = testing::read_file(shot), base = testing::read_file(blank_shot);
  ASSERT_GT(data.size(), 33u);
  EXPECT_EQ(data.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(data.substr(12, 4), "IHDR");
  auto be32 = [&](size_t at) {
    return (static_cast<unsigned char>(data[at]) << 24) | (static_cast<unsigned char>(data[at + 1]) << 16) |
           (static_cast<unsigned char>(data[at + 2]) << 8) | static_cast<unsigned char>(data[at + 3]);
  };
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2000u);
  EXPECT_GT(data.size(), 5 * base.size()) << "dashboard " << data.size() << " bytes, blank page " << base.size();
  if (const char* out = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    testing::write_file(std::string(out) + "/dashboard.png", data);
    testing::write_file(std::string(out) + "/dashboard.html", html);
  }
}

}  // namespace
}  // namespace vmxb::reports
