#include "io/reliability_reader.hpp"

#include <fmt/format.h>

namespace rackscope::io {
using units::Dimension;

namespace {
constexpr int64_t kMaxEvents = int64_t{1} << 40;

// `events` failures over `operating_time` unit-hours; a rate resting on `assumption` is flagged.
hw::FailureRate read_rate(StrictTable t) {
  t.expect({"events", "operating_time"});
  hw::FailureRate r;
  r.events = static_cast<double>(t.integer("events", 0, kMaxEvents));
  r.operating_time_s = t.quantity("operating_time", Dimension::time);
  r.assumed = t.has("assumption");
  t.finish();
  return r;
}

void read_failures(StrictTable& top, hw::Reliability& r) {
  StrictTable failures = top.table("failures");
  std::vector<std::string> keys(hw::kComponentNames.begin(), hw::kComponentNames.end());
  keys.push_back("planned_share");
  failures.expect(keys);
  for (int c = 0; c < hw::kComponents; ++c) r.failures[c] = read_rate(failures.table(hw::kComponentNames[c]));
  r.planned_share = failures.share("planned_share");
  failures.finish();
}

void read_restart(StrictTable& top, hw::Reliability& r) {
  StrictTable restart = top.table("restart");
  restart.expect({"restart_time", "requeue_time"});
  r.restart_s = restart.quantity("restart_time", Dimension::time, true);
  r.requeue_s = restart.quantity("requeue_time", Dimension::time, true);
  restart.finish();

  StrictTable spares = top.table("spares");
  spares.expect({"count", "share", "per", "replace_time"});
  if (spares.has("count") == spares.has("share"))
    spares.fail("count", "give either count or share", "count = 8 (spares), or share = 0.05 (of the hosts or racks)");
  if (spares.has("count")) r.spares.count = static_cast<int>(spares.integer("count", 0, 1 << 20));
  else r.spares.share = spares.share("share");
  r.spares.per_rack = spares.choice("per", {"rack", "cluster"}) == "rack";
  r.spares.replace_s = spares.quantity("replace_time", Dimension::time, true);
  spares.finish();
}

void read_checkpoint(StrictTable& top, hw::Reliability& r) {
  StrictTable t = top.table("checkpoint");
  t.expect({"bytes_per_parameter", "storage_bandwidth", "storage_bandwidth_per_host", "save", "host_copy_bandwidth", "pause_per_save"});
  hw::Checkpoint& c = r.checkpoint;
  c.bytes_per_parameter = t.positive_number("bytes_per_parameter");
  c.storage_Bps = t.quantity("storage_bandwidth", Dimension::bandwidth);
  c.storage_per_host_Bps = t.optional_quantity("storage_bandwidth_per_host", Dimension::bandwidth).value_or(0.0);
  c.async = t.choice("save", {"sync", "async"}) == "async";
  if (c.async) {
    c.host_copy_Bps = t.quantity("host_copy_bandwidth", Dimension::bandwidth);
    c.pause_per_save_s = t.quantity("pause_per_save", Dimension::time, true);
  } else {
    if (t.has("host_copy_bandwidth")) t.fail("host_copy_bandwidth", "only an asynchronous save copies to host memory first", "save = \"async\", or no host_copy_bandwidth");
    if (t.has("pause_per_save"))
      t.fail("pause_per_save", "only an asynchronous save has a pause apart from its write (a synchronous one blocks for the whole write)", "save = \"async\", or no pause_per_save");
  }
  t.finish();
}
}  // namespace

hw::Reliability read_reliability(const InputFile& file) {
  hw::Reliability r;
  StrictTable top = open_top(file, {"failures", "restart", "spares", "checkpoint"}, r.name);
  r.file = file.path;
  read_failures(top, r);
  read_restart(top, r);
  read_checkpoint(top, r);
  top.finish();
  return r;
}

}  // namespace rackscope::io
