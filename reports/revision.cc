#include "reports/revision.h"

#include <cerrno>
#include <cstdlib>

namespace vmxb::reports {

std::string revision_label_error(const std::string& label) {
  if (label.empty()) return "a revision label cannot be empty";
  if (label.size() > kMaxRevisionLabel)
    return "a revision label has at most " + std::to_string(kMaxRevisionLabel) + " bytes, not " +
           std::to_string(label.size());
  for (const unsigned char c : label)
    if (c < 0x20 || c == 0x7F) return "a revision label cannot hold control characters";
  return "";
}

std::optional<int64_t> parse_revision_order(const std::string& text, std::string* why) {
  const auto fail = [&]() -> std::optional<int64_t> {
    *why = "a revision order is a whole number 0.." + std::to_string(kMaxRevisionOrder) + ", not '" +
           text.substr(0, 40) + "'";
    return std::nullopt;
  };
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 16) return fail();
  errno = 0;
  const long long v = std::strtoll(text.c_str(), nullptr, 10);
  if (errno != 0 || v > kMaxRevisionOrder) return fail();
  return v;
}

bool revision_from_context(const nlohmann::json& context, std::optional<Revision>* out, std::string* why) {
  out->reset();
  const auto label = context.find("vmxbench_revision");
  const auto order = context.find("vmxbench_revision_order");
  if (label == context.end()) {
    if (order == context.end()) return true;
    *why = "vmxbench_revision_order without vmxbench_revision";
    return false;
  }
  const std::string label_why = label->is_string() ? revision_label_error(label->get<std::string>()) : "not a string";
  if (!label_why.empty()) {
    *why = "vmxbench_revision: " + label_why;
    return false;
  }
  Revision r{label->get<std::string>(), std::nullopt};
  if (order != context.end()) {
    std::string order_why;
    r.order = order->is_string() ? parse_revision_order(order->get<std::string>(), &order_why) : std::nullopt;
    if (!r.order) {
      *why = "vmxbench_revision_order: " + (order->is_string() ? order_why : std::string("not a string"));
      return false;
    }
  }
  *out = r;
  return true;
}

std::optional<Revision> report_revision(const nlohmann::json& report) {
  std::optional<Revision> r;
  std::string why;
  const auto gb = report.find("google_benchmark");
  if (gb == report.end() || !gb->contains("context")) return r;
  if (!revision_from_context((*gb)["context"], &r, &why)) r.reset();
  return r;
}

std::string revision_suffix(const std::optional<Revision>& r) {
  if (!r) return "";
  return ", revision " + r->label + (r->order ? " (order " + std::to_string(*r->order) + ")" : "");
}

nlohmann::json revision_json(const std::optional<Revision>& r) {
  if (!r) return nullptr;
  return {{"label", r->label}, {"order", r->order ? nlohmann::json(*r->order) : nlohmann::json()}};
}

}  // namespace vmxb::reports
