#include "sweep/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace rackscope::sweep {

Progress::Progress(int64_t total, int64_t done, bool enabled)
    : total_(total), start_done_(done), enabled_(enabled), tty_(isatty(2) != 0), start_(Clock::now()), last_draw_(start_) {}

void Progress::update(int64_t done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (now - last_draw_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000))) return;
  last_draw_ = now;
  draw(done, false);
}

void Progress::finish(int64_t done) {
  if (enabled_) draw(done, true);
}

void Progress::draw(int64_t done, bool last) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done - start_done_) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
  const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  const std::string when = last ? fmt::format("in {:.1f} s", elapsed)
                                : fmt::format("ETA {}:{:02}", static_cast<int64_t>(eta) / 60, static_cast<int64_t>(eta) % 60);
  const std::string text = fmt::format("{}/{} configurations ({:.1f}%), {:.0f}/s, {}", done, total_, 100 * frac, rate, when);
  if (tty_) {
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    fmt::print(stderr, "\r[{}{}] {}\x1b[K{}", std::string(filled, '#'), std::string(width - filled, ' '), text, last ? "\n" : "");
  } else {
    fmt::print(stderr, "sweep: {}\n", text);
  }
  std::fflush(stderr);
}

}  // namespace rackscope::sweep
