#include "sweep/space.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace rackscope::sweep {

Space::Space(const std::vector<Axis>& axes) {
  while (cluster_axes_ < axes.size() && axes[cluster_axes_].shapes_cluster()) ++cluster_axes_;
  for (size_t k = cluster_axes_; k < axes.size(); ++k)
    if (axes[k].shapes_cluster()) throw std::invalid_argument("cluster-shaping axes must come first");
  radix_.resize(axes.size());
  stride_.resize(axes.size());
  constexpr int64_t limit = int64_t{1} << 62;
  for (size_t k = axes.size(); k-- > 0;) {
    radix_[k] = static_cast<int64_t>(axes[k].values.size());
    if (radix_[k] == 0) throw std::invalid_argument("axis '" + axes[k].name + "' has no values");
    stride_[k] = total_;
    if (total_ > limit / radix_[k]) throw std::invalid_argument("more than 2^62 configurations");
    total_ *= radix_[k];
    if (k == cluster_axes_) configs_per_cluster_ = total_;
  }
  if (cluster_axes_ == axes.size()) configs_per_cluster_ = 1;
}

std::string override_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::string out = "\"";
    for (char c : *s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return fmt::format("{:.17g}", std::get<double>(v));
}

std::string display(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (s->find('/') != std::string::npos) return std::filesystem::path(*s).stem().string();
    return *s;
  }
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "on" : "off";
  return fmt::format("{:g}", std::get<double>(v));
}

}  // namespace rackscope::sweep
