#pragma once
// The terms a step's time is split into: one enum and one name table, shared by evaluate()'s
// Report, `step` (text and --json keys) and the sweep's /results columns `<term>_s`.
#include <array>
#include <cstddef>

namespace rackscope::eval {

enum class Term { compute, recompute, tp_comm, cp_comm, ep_comm, pp_comm, pp_bubble, dp_comm, optimizer, overhead };

// In Term order: the order `step` prints them and the sweep lays out its columns.
inline constexpr std::array<const char*, 10> term_names = {"compute", "recompute", "tp_comm",   "cp_comm",   "ep_comm",
                                                           "pp_comm", "pp_bubble", "dp_comm", "optimizer", "overhead"};
inline constexpr std::size_t term_count = term_names.size();
static_assert(static_cast<std::size_t>(Term::overhead) + 1 == term_count, "one name per Term");

inline const char* term_name(Term t) { return term_names[static_cast<std::size_t>(t)]; }
inline Term term_at(std::size_t i) { return static_cast<Term>(i); }

// Seconds of a step per term.
struct Breakdown {
  std::array<double, term_count> s{};
  double& operator[](Term t) { return s[static_cast<std::size_t>(t)]; }
  double operator[](Term t) const { return s[static_cast<std::size_t>(t)]; }
};

// The compute term split by the kind of kernel that spends it: one enum and one name table, for
// `step` (text and --json keys). The launch-bound share is what a pass takes beyond its kernels
// because the host cannot issue them faster (the profile's [launch]).
enum class KernelClass { gemm, attention, elementwise, quantization, launch_bound };

inline constexpr std::array<const char*, 5> kernel_class_names = {"gemm", "attention", "elementwise", "quantization", "launch_bound"};
inline constexpr std::size_t kernel_class_count = kernel_class_names.size();
static_assert(static_cast<std::size_t>(KernelClass::launch_bound) + 1 == kernel_class_count, "one name per KernelClass");

// Seconds per kernel class.
struct KernelSplit {
  std::array<double, kernel_class_count> s{};
  double& operator[](KernelClass k) { return s[static_cast<std::size_t>(k)]; }
  double operator[](KernelClass k) const { return s[static_cast<std::size_t>(k)]; }
  // Adds `times` x `o`.
  void add(const KernelSplit& o, double times = 1) {
    for (std::size_t i = 0; i < kernel_class_count; ++i) s[i] += times * o.s[i];
  }
  double total() const {
    double t = 0;
    for (double v : s) t += v;
    return t;
  }
};

}  // namespace rackscope::eval
