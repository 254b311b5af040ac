#pragma once
// The mixed-radix enumeration of a sweep: configuration `index` takes value
// (index / stride[k]) % radix[k] on axis k; the first axis varies slowest. Cluster-shaping axes
// come first, so consecutive indices share a cluster and a rank's fabric cache stays warm.
#include <cstdint>
#include <string>
#include <vector>

#include "sweep/spec.hpp"

namespace rackscope::sweep {

class Space {
 public:
  // Throws std::invalid_argument when an axis is empty or the product exceeds 2^62.
  explicit Space(const std::vector<Axis>& axes);
  int64_t total() const { return total_; }
  size_t axes() const { return radix_.size(); }
  int64_t radix(size_t k) const { return radix_[k]; }
  int64_t stride(size_t k) const { return stride_[k]; }
  int64_t digit(int64_t index, size_t k) const { return index / stride_[k] % radix_[k]; }
  // Which cluster (combination of cluster-shaping values) configuration `index` runs on; and
  // how many there are. Cluster-shaping axes are the leading `cluster_axes` ones.
  int64_t cluster_of(int64_t index) const { return index / configs_per_cluster_; }
  int64_t clusters() const { return total_ / configs_per_cluster_; }
  size_t cluster_axes() const { return cluster_axes_; }
  // The value index on axis k (k < cluster_axes()) of cluster `c`.
  int64_t cluster_digit(int64_t c, size_t k) const { return c * configs_per_cluster_ / stride_[k] % radix_[k]; }

 private:
  std::vector<int64_t> radix_, stride_;
  int64_t total_ = 1, configs_per_cluster_ = 1;
  size_t cluster_axes_ = 0;
};

// A value as `--set` text: TOML (strings quoted).
std::string override_text(const Value& v);
// A value for people: file paths shortened to their file name.
std::string display(const Value& v);

}  // namespace rackscope::sweep
